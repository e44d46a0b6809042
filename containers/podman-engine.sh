#!/usr/bin/env bash
# A Docker-API-compatible container engine for hosts without Docker (this project's machines and
# CI): podman with the runc runtime, serving the Docker Engine API on a unix socket that the
# workers reach with EVALPOOL_DOCKER_SOCKET. Idempotent: installs only what is missing, writes the
# engine settings, and starts the API service only when the socket does not answer.
#
#   containers/podman-engine.sh            # then: EVALPOOL_DOCKER_SOCKET=/run/evalpool-podman.sock
#   EVALPOOL_PODMAN_SOCKET=/path.sock containers/podman-engine.sh
#
# Why these settings (see also docs/containers.md):
# - runc, not crun: crun refuses the hybrid cgroup setup of these hosts.
# - cgroupfs: there is no systemd to delegate cgroups to.
# - explicit ulimits: root here lacks CAP_SYS_RESOURCE, and podman's default nofile (1048576)
#   fails with "setrlimit: operation not permitted".
# - bridge networking crashes here: the project runs env containers with host networking.
set -euo pipefail

socket="${EVALPOOL_PODMAN_SOCKET:-/run/evalpool-podman.sock}"
conf=/etc/containers/containers.conf
log_file="${EVALPOOL_PODMAN_LOG:-/var/log/evalpool-podman.log}"

log() { printf '== podman-engine: %s\n' "$*" >&2; }

answers() {
  # The Docker API's ping: "OK" once the service is ready.
  curl -fsS --max-time 2 --unix-socket "$socket" http://d/_ping 2>/dev/null | grep -q OK
}

missing=()
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || missing+=(runc)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

wanted_conf='[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"'
if [ "$(cat "$conf" 2>/dev/null)" != "$wanted_conf" ]; then
  if [ -s "$conf" ]; then
    cp "$conf" "$conf.evalpool-backup"
    log "replacing $conf (previous one kept as $conf.evalpool-backup)"
  fi
  mkdir -p "$(dirname "$conf")"
  printf '%s\n' "$wanted_conf" >"$conf"
fi

if answers; then
  log "the engine already answers on $socket"
  exit 0
fi

rm -f "$socket"
log "starting podman system service on unix://$socket (log: $log_file)"
mkdir -p "$(dirname "$log_file")"
# setsid + nohup: the service outlives this script and the shell that ran it. Started from /: its
# containers' conmon inherits the working directory, and a checkout removed later would break
# every container start ("Failed to get working directory").
(cd / && setsid nohup podman system service --time=0 "unix://$socket" >>"$log_file" 2>&1 </dev/null &)

for _ in $(seq 1 120); do
  if answers; then
    log "the engine answers on $socket"
    exit 0
  fi
  sleep 0.25
done
log "the engine did not answer on $socket within 30 s; see $log_file"
exit 1
