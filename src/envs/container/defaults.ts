/**
 * Defaults of the container env family (the manager, its Docker and HTTP calls). Durations in
 * milliseconds unless named otherwise. The socket is `EVALPOOL_DOCKER_SOCKET`.
 */

/** Longest time from "a container is needed" to "it answered its health check": remove the old one, create, start, wait. */
export const CONTAINER_START_TIMEOUT_MS = 60_000;
/** Timeout of one `GET /health`. */
export const CONTAINER_HEALTH_TIMEOUT_MS = 2_000;
/** How often a starting container is asked for its health. */
export const CONTAINER_HEALTH_POLL_MS = 100;
/** How often running containers are health-checked between tasks (a dead one is restarted). */
export const CONTAINER_HEALTH_INTERVAL_MS = 30_000;
/** Timeout of each Docker Engine API call (create, start, inspect, remove, list, logs, ping). */
export const DOCKER_CALL_TIMEOUT_MS = 15_000;
/** A stopped container gets this long after SIGTERM before the engine kills it, in seconds. */
export const CONTAINER_STOP_GRACE_SECONDS = 2;
/**
 * A `POST /call` is given the episode's budget as `timeout`; the host waits this much longer
 * for the answer before it gives up and recycles the container.
 */
export const CONTAINER_CALL_GRACE_MS = 5_000;
/** Largest response accepted from an env container; a result is a few hundred bytes. */
export const CONTAINER_MAX_RESPONSE_BYTES = 1_048_576;
/** Episode length of a container env whose sampling definition has no `max_timesteps`. */
export const CONTAINER_DEFAULT_MAX_TIMESTEPS = 1_000;
/** Lines of a container's log quoted when it fails to start. */
export const CONTAINER_LOG_TAIL_LINES = 20;
