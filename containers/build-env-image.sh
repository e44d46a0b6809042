#!/usr/bin/env bash
# Builds the test env image `localhost/evalpool-env-mujoco:dev` from local files only (no base
# image, no registry): a root filesystem with this machine's Node binary and the libraries it
# links, the env server of containers/env-mujoco bundled with esbuild (with the project's own
# env, miner client and episode code), and mujoco-js; then imported with `podman import` (or
# `docker import` when there is no podman). Skips the import when an image with the same
# content is already there (label evalpool.build = hash of the root filesystem).
#
#   containers/build-env-image.sh [image [server]]   # run from anywhere; needs `npm ci` first
#
# `server` is the entry point bundled as the image's server (default: containers/env-mujoco/server.ts).
# The test double of an affinetes image (containers/env-affinetes-double/, see .ci/run):
#   containers/build-env-image.sh localhost/evalpool-env-affinetes-double:dev containers/env-affinetes-double/server.ts
# No ENV for the port: the servers default to 8000 and read AFFINETES_PORT (affinetes) or PORT
# (evalpool before AFFINETES_PORT), so whichever the caller sets wins.
set -euo pipefail
cd "$(dirname "$0")/.."

image="${1:-localhost/evalpool-env-mujoco:dev}"
server="${2:-containers/env-mujoco/server.ts}"
[ -f "$server" ] || { printf '== build-env-image: no server at %s\n' "$server" >&2; exit 1; }
log() { printf '== build-env-image: %s\n' "$*" >&2; }

if command -v podman >/dev/null 2>&1; then engine=podman
elif command -v docker >/dev/null 2>&1; then engine=docker
else log "neither podman nor docker is installed: run containers/podman-engine.sh first"; exit 1
fi
[ -x node_modules/.bin/esbuild ] || { log "node_modules/.bin/esbuild is missing: run npm ci first"; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root/usr/bin" "$root/app/node_modules/mujoco-js" "$root/tmp" "$root/etc"
chmod 1777 "$root/tmp"

log "bundling $server"
# ESM output with a require() for the CommonJS dependencies (undici) that load Node built-ins.
node_modules/.bin/esbuild "$server" --bundle --platform=node --format=esm --target=node20 \
  --external:mujoco-js --legal-comments=none --log-level=warning --outfile="$root/app/server.mjs" \
  --banner:js="import { createRequire as __evalpoolCreateRequire } from 'node:module'; const require = __evalpoolCreateRequire(import.meta.url);"
# mujoco-js is one ES module with the WebAssembly inside; it stays a file of its own.
cp node_modules/mujoco-js/package.json "$root/app/node_modules/mujoco-js/"
cp -r node_modules/mujoco-js/dist "$root/app/node_modules/mujoco-js/"

node_bin="$(readlink -f "$(command -v node)")"
cp "$node_bin" "$root/usr/bin/node"
for lib in $(ldd "$node_bin" | grep -o '/[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

build="$(cd "$root" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
current="$($engine image inspect --format '{{ index .Config.Labels "evalpool.build" }}' "$image" 2>/dev/null || true)"
if [ "$current" = "$build" ]; then
  log "$image is up to date (build $build)"
  exit 0
fi

previous="$($engine image inspect --format '{{ .Id }}' "$image" 2>/dev/null || true)"
log "importing $image (build $build) with $engine"
tar -C "$root" --numeric-owner --owner=0 --group=0 -c . | $engine import \
  --change 'CMD ["/usr/bin/node", "/app/server.mjs"]' \
  --change 'EXPOSE 8000' \
  --change 'WORKDIR /app' \
  --change "LABEL evalpool.build=$build" \
  --change 'LABEL evalpool.contract=env-container-v1' \
  - "$image" >"$work/import.log" 2>&1 || { cat "$work/import.log" >&2; exit 1; }
# The previous build lost its tag: drop it unless a container still uses it.
[ -z "$previous" ] || $engine rmi "$previous" >/dev/null 2>&1 || true
log "built $image ($(du -sh "$root" | cut -f1) root filesystem)"
