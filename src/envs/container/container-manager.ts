// The env containers of one worker process. Its rules, each enforced here and nowhere else:
//
// - A pool of containers per image (replicas), shared by the envs that image serves. Each
//   container serves at most `maxConcurrency` episodes at once (default 1: the subnet's Actors
//   keep one simulator per env id and are not safe for concurrent calls); a task takes a free
//   place in a running container, else starts one more replica (up to `replicas`), else waits
//   for a place. Containers start on first need. Labels: evalpool.managed=true,
//   evalpool.worker=<worker id>, evalpool.env=<env ids>, evalpool.owner=<host/pid/start>,
//   evalpool.instance=<this manager>, evalpool.replica=<index>.
// - Host networking (bridge networking is not available on every engine we run on): each
//   container's server listens at a port chosen here, free on the host, passed as
//   AFFINETES_PORT (affinetes images) and PORT, with HOST=127.0.0.1 (evalpool's own image).
// - Health: GET /health must answer {"status":"ok"} before a container is used, before every
//   task, and every `healthIntervalMs` between tasks.
// - Recycling (remove, then create a new one in the same replica): when a container died (a call
//   lost its connection and the engine says it is not running; or the periodic check finds it
//   so), when it fails its health check, when a call overran its timeout, was abandoned by the
//   worker or given up by the env (`status: "failed"`): the work inside must stop, and removing
//   the container stops it. One recycle per container, however many calls saw it fail
//   (generation check per replica).
// - Start: leftovers of a crashed worker (managed containers whose owner process on this host
//   is dead) are removed. Stop: every container of this manager is removed. While it runs, a pool
//   worker also removes the containers of its pool (label evalpool.pool) whose worker is gone for
//   good, on any host: `othersInPool` and `removeAbandoned`, used by the worker's ContainerSweep,
//   which judges liveness from the worker registry (src/worker/consumer/container-sweep.ts).
import { randomUUID } from 'node:crypto';
import {
  CONTAINER_DEFAULT_MAX_CONCURRENCY,
  CONTAINER_DEFAULT_MAX_REPLICAS,
  CONTAINER_HEALTH_INTERVAL_MS,
  CONTAINER_HEALTH_POLL_MS,
  CONTAINER_HEALTH_TIMEOUT_MS,
  CONTAINER_LOG_TAIL_LINES,
  CONTAINER_MAX_RESPONSE_BYTES,
  CONTAINER_START_TIMEOUT_MS,
  CONTAINER_STOP_GRACE_SECONDS,
  DOCKER_CALL_TIMEOUT_MS,
} from '../../config/constants.ts';
import { withDeadline } from '../../runtime/deadline.ts';
import { errorMessage } from '../../runtime/error-message.ts';
import type { Stoppable } from '../../runtime/lifecycle.ts';
import type { Logger } from '../../runtime/logger.ts';
import { sleep } from '../../runtime/sleep.ts';
import type { ContainerEnvSpec } from './container-env-spec.ts';
import { ContainerError } from './container-error.ts';
import { ContainerHttp } from './container-http.ts';
import { containerLabels, LABELS, ownerOf } from './container-labels.ts';
import { type ContainerOwner, currentOwner, ownerState } from './container-owner.ts';
import type { EvaluateKwargs, EvaluateResult } from './contract.ts';
import { DockerEngine, EngineCallError } from './docker-engine.ts';
import { freePort } from './free-port.ts';

/** Settings of a {@link ContainerManager}; durations in milliseconds. */
export interface ContainerManagerOptions {
  /** The Docker Engine API socket (`EVALPOOL_DOCKER_SOCKET`). */
  readonly socketPath: string;
  /** Written on every container (`evalpool.worker`). */
  readonly workerId: string;
  /** The container envs this worker runs. */
  readonly envs: readonly ContainerEnvSpec[];
  readonly logger: Logger;
  readonly startTimeoutMs?: number;
  readonly healthTimeoutMs?: number;
  readonly healthIntervalMs?: number;
  readonly dockerCallTimeoutMs?: number;
  readonly stopGraceSeconds?: number;
  readonly maxResponseBytes?: number;
  /**
   * The pool of a pool worker (Redis server and queue prefix, see `containerPool`), written on
   * its containers: `removeAbandoned` looks only at containers of this pool. Unset (`evalpool
   * eval`): the containers carry none and no sweep ever touches them.
   */
  readonly pool?: string;
}

/** A container of the manager's pool that another worker made (see `othersInPool`). */
export interface PoolContainer {
  readonly id: string;
  readonly name: string;
  /** Its `evalpool.worker` label. */
  readonly workerId: string;
  readonly createdMs: number;
  /** Its `evalpool.owner` label, for the log. */
  readonly owner: string;
}

/** A running container of the manager. */
export interface ManagedContainer {
  readonly image: string;
  /** Which of the image's replicas it is (0, 1, ...). */
  readonly replica: number;
  readonly id: string;
  readonly name: string;
  readonly port: number;
  /** Counts the containers the manager started for this replica: a recycle makes a new one. */
  readonly generation: number;
  /** From "needed" to "healthy", including the removal of the container it replaces. */
  readonly startMs: number;
}

/** Options of one `evaluate` call. */
export interface ContainerCallOptions {
  /** Longest wait for the answer once the container is ready; past it the container is recycled. */
  readonly timeoutMs: number;
  /** The worker's signal (shutdown, hard timeout): the call is abandoned and the container recycled. */
  readonly signal?: AbortSignal;
  /**
   * Asked of a call's answer: a reason to replace the container (its calls in flight finish
   * first, no new one starts on it), or undefined to keep it. The caller knows what an answer
   * means (an Actor exception a miner's NaN may have caused can leave its simulator broken).
   */
  readonly retireAfter?: (result: EvaluateResult) => string | undefined;
}

/** The containers of one image. */
interface Pool {
  readonly image: string;
  readonly envs: readonly string[];
  readonly maxConcurrency: number;
  readonly maxReplicas: number;
  readonly memoryMb: number | undefined;
  readonly cpus: number | undefined;
  readonly replicas: Slot[];
  /** Tasks waiting for a place, woken when a place frees up. */
  readonly waiters: (() => void)[];
}

/** One replica: a place for a container of the pool's image, and the tasks in it. */
interface Slot {
  readonly pool: Pool;
  readonly index: number;
  generation: number;
  /** The container being started or running; undefined before the first need or after a failed start. */
  current: Promise<ManagedContainer> | undefined;
  /** `current` once it is running. */
  ready: ManagedContainer | undefined;
  failedChecks: number;
  /** Tasks that hold a place in this replica (waiting for its container, or in a call). */
  inFlight: number;
  /** A container to replace once its calls in flight end; the replica takes no new task meanwhile. */
  retiring: { readonly container: ManagedContainer; readonly reason: string } | undefined;
}

/** The env containers of one worker process (see the rules at the top of this file). */
export class ContainerManager implements Stoppable {
  readonly name = 'env-containers';
  readonly #engine: DockerEngine;
  readonly #http: ContainerHttp;
  readonly #log: Logger;
  readonly #options: ContainerManagerOptions;
  readonly #pools = new Map<string, Pool>();
  readonly #imageOf = new Map<string, string>();
  readonly #owner: ContainerOwner = currentOwner();
  readonly #instance = randomUUID();
  /** Fires on stop: cuts container starts short. */
  readonly #closing = new AbortController();
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #checking = false;

  constructor(options: ContainerManagerOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'env-containers' });
    this.#engine = new DockerEngine({
      socketPath: options.socketPath,
      callTimeoutMs: options.dockerCallTimeoutMs ?? DOCKER_CALL_TIMEOUT_MS,
    });
    this.#http = new ContainerHttp({ maxResponseBytes: options.maxResponseBytes ?? CONTAINER_MAX_RESPONSE_BYTES });
    for (const env of options.envs) {
      this.#imageOf.set(env.envId, env.image);
      const pool = this.#pools.get(env.image);
      const envs = [...(pool?.envs ?? []), env.envId].sort();
      // Every env of an image agrees on these (checked where the specs are loaded).
      this.#pools.set(env.image, {
        image: env.image,
        envs,
        maxConcurrency: env.maxConcurrency ?? CONTAINER_DEFAULT_MAX_CONCURRENCY,
        maxReplicas: env.replicas ?? CONTAINER_DEFAULT_MAX_REPLICAS,
        memoryMb: env.memoryMb,
        cpus: env.cpus,
        replicas: [],
        waiters: [],
      });
    }
  }

  /** The engine socket this manager talks to. */
  get socketPath(): string {
    return this.#options.socketPath;
  }

  /** The running containers, by image then replica. */
  containers(): ManagedContainer[] {
    return this.#allSlots().flatMap((slot) => (slot.ready ? [slot.ready] : []));
  }

  /** Whether this manager runs any of `envs` (a worker consuming none of them never starts it). */
  servesAny(envs: readonly string[]): boolean {
    return envs.some((env) => this.#imageOf.has(env));
  }

  /**
   * The containers of this manager's pool made by other workers (never this worker's own,
   * whatever labels say); none without a pool or once stopping. Throws when the engine does not answer.
   */
  async othersInPool(): Promise<PoolContainer[]> {
    const pool = this.#options.pool;
    if (pool === undefined || this.#stopping) return [];
    const listed = await this.#engine.list([`${LABELS.managed}=true`, `${LABELS.pool}=${pool}`], this.#closing.signal);
    return listed.flatMap((c) => {
      const workerId = c.labels[LABELS.worker];
      if (workerId === undefined || workerId === this.#options.workerId || c.labels[LABELS.instance] === this.#instance) return [];
      return [{ id: c.id, name: c.name, workerId, createdMs: c.createdMs, owner: c.labels[LABELS.owner] ?? '' }];
    });
  }

  /** Removes a container of {@link othersInPool} whose worker is gone for good; true if removed (a failure is logged). */
  async removeAbandoned(container: PoolContainer): Promise<boolean> {
    if (this.#stopping) return false;
    try {
      await this.#engine.remove(container.id, this.#closing.signal);
      this.#log.info(
        { name: container.name, worker: container.workerId, owner: container.owner },
        'removed an env container of a worker gone for good',
      );
      return true;
    } catch (error) {
      if (!this.#stopping)
        this.#log.warn({ name: container.name, err: errorMessage(error) }, 'could not remove an env container of a worker gone for good');
      return false;
    }
  }

  /** Tasks holding a place in each running or starting replica, by image then replica (for tests and benches). */
  load(): { image: string; replica: number; inFlight: number }[] {
    return this.#allSlots().map((slot) => ({ image: slot.pool.image, replica: slot.index, inFlight: slot.inFlight }));
  }

  /**
   * Checks that the engine answers, removes leftovers of crashed workers and starts the periodic
   * health check. Idempotent; a failed start (engine unreachable) is tried again by the next call.
   */
  start(): Promise<void> {
    if (this.#stopping) return Promise.reject(new ContainerError('closed', 'the container manager is stopped'));
    this.#starting ??= this.#start().catch((error: unknown) => {
      this.#starting = undefined;
      throw error;
    });
    return this.#starting;
  }

  /**
   * Runs `evaluate` in a container of `envId`'s image (started or restarted as needed) that has
   * a free place, waiting for one when every replica is full.
   */
  async evaluate(envId: string, kwargs: EvaluateKwargs, options: ContainerCallOptions): Promise<EvaluateResult> {
    const pool = this.#poolOf(envId);
    await withDeadline(this.start(), undefined, { signal: options.signal, abortError: abortedWaiting('waiting for the container engine') });
    const slot = await this.#reserve(pool, options.signal);
    try {
      const container = await this.#acquire(slot, options.signal);
      try {
        const result = await this.#http.evaluate(container.port, kwargs, options.timeoutMs, options.signal);
        const reason = options.retireAfter?.(result);
        if (reason !== undefined) this.#retire(slot, container, reason);
        return result;
      } catch (error) {
        if (error instanceof ContainerError) this.#afterFailedCall(slot, container, error);
        throw error;
      }
    } finally {
      this.#release(slot);
    }
  }

  /** Stops the health checks and removes every container of this manager. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #start(): Promise<void> {
    try {
      await this.#engine.ping(this.#closing.signal);
    } catch (error) {
      throw new ContainerError(
        'engine',
        `${errorMessage(error)}. Container environments need a Docker-API engine: set EVALPOOL_DOCKER_SOCKET to its socket (on hosts without Docker: containers/podman-engine.sh, then EVALPOOL_DOCKER_SOCKET=/run/evalpool-podman.sock)`,
        { cause: error },
      );
    }
    await this.#removeLeftovers();
    await this.#checkImages();
    if (this.#stopping) return;
    this.#timer = setInterval(() => void this.#checkAll(), this.#options.healthIntervalMs ?? CONTAINER_HEALTH_INTERVAL_MS);
    this.#timer.unref();
    this.#log.info({ socket: this.socketPath, images: [...this.#pools.keys()] }, 'container engine ready');
  }

  async #removeLeftovers(): Promise<void> {
    let listed;
    try {
      listed = await this.#engine.list([`${LABELS.managed}=true`], this.#closing.signal);
    } catch (error) {
      this.#log.warn({ err: errorMessage(error) }, 'could not look for leftover env containers');
      return;
    }
    const dead = listed.filter((c) => {
      const owner = ownerOf(c.labels);
      return c.labels[LABELS.instance] !== this.#instance && owner !== undefined && ownerState(owner, this.#owner) === 'dead';
    });
    for (const c of dead) {
      try {
        await this.#engine.remove(c.id, this.#closing.signal);
        this.#log.info(
          { name: c.name, worker: c.labels[LABELS.worker], owner: c.labels[LABELS.owner] },
          'removed an env container left behind by a worker that is gone',
        );
      } catch (error) {
        this.#log.warn({ name: c.name, err: errorMessage(error) }, 'could not remove a leftover env container');
      }
    }
  }

  /** Warns about images the engine does not have: their tasks will fail until they are built or pulled. */
  async #checkImages(): Promise<void> {
    for (const pool of this.#pools.values()) {
      const present = await this.#engine.hasImage(pool.image, this.#closing.signal).catch(() => true);
      if (!present)
        this.#log.error(
          { image: pool.image, envs: pool.envs },
          'the container engine does not have this image (evalpool never pulls): its tasks fail until it is built or pulled',
        );
    }
  }

  #poolOf(envId: string): Pool {
    const image = this.#imageOf.get(envId);
    if (image === undefined)
      throw new ContainerError(
        'start_failed',
        `no image is configured for ${envId}: its sampling definition needs "family": "container" and an "image"`,
      );
    return this.#pools.get(image)!;
  }

  #allSlots(): Slot[] {
    return [...this.#pools.values()].flatMap((pool) => pool.replicas);
  }

  /**
   * Takes a place for one task: in the least busy replica with room (running ones first), else in
   * a new replica, else waits until a place frees up. The place is taken before anything is
   * awaited, so two tasks never count on the same one.
   */
  async #reserve(pool: Pool, signal: AbortSignal | undefined): Promise<Slot> {
    for (;;) {
      if (this.#stopping) throw new ContainerError('closed', 'the container manager is stopped');
      const free = pool.replicas
        .filter((slot) => slot.inFlight < pool.maxConcurrency && slot.retiring === undefined)
        .sort((a, b) => Number(b.ready !== undefined) - Number(a.ready !== undefined) || a.inFlight - b.inFlight || a.index - b.index)[0];
      const slot = free ?? (pool.replicas.length < pool.maxReplicas ? this.#newReplica(pool) : undefined);
      if (slot !== undefined) {
        slot.inFlight++;
        return slot;
      }
      await withDeadline(new Promise<void>((resolve) => pool.waiters.push(resolve)), undefined, {
        signal,
        abortError: abortedWaiting(
          `waiting for a free container of ${pool.image} (${pool.replicas.length} × ${pool.maxConcurrency} places taken)`,
        ),
      });
    }
  }

  #release(slot: Slot): void {
    slot.inFlight--;
    const retiring = slot.retiring;
    if (retiring !== undefined && slot.inFlight === 0) {
      slot.retiring = undefined;
      this.#recycle(slot, retiring.container, retiring.reason);
    }
    // Every waiter looks again: one that gave up (its signal) must not swallow the wake-up.
    for (const wake of slot.pool.waiters.splice(0)) wake();
  }

  #newReplica(pool: Pool): Slot {
    const slot: Slot = {
      pool,
      index: pool.replicas.length,
      generation: 0,
      current: undefined,
      ready: undefined,
      failedChecks: 0,
      inFlight: 0,
      retiring: undefined,
    };
    pool.replicas.push(slot);
    return slot;
  }

  /** The slot's container, started if needed and healthy right now. */
  async #acquire(slot: Slot, signal: AbortSignal | undefined): Promise<ManagedContainer> {
    for (let attempt = 1; ; attempt++) {
      if (this.#stopping) throw new ContainerError('closed', 'the container manager is stopped');
      const container = await withDeadline(slot.current ?? this.#launch(slot, undefined), undefined, {
        signal,
        abortError: abortedWaiting(`waiting for the container of ${slot.pool.image}`),
      });
      try {
        await this.#http.health(container.port, this.#options.healthTimeoutMs ?? CONTAINER_HEALTH_TIMEOUT_MS, signal);
        return container;
      } catch (error) {
        if (error instanceof ContainerError && error.kind === 'aborted') throw error;
        if (attempt >= 2)
          throw new ContainerError(
            'unhealthy',
            `the container of ${slot.pool.image} failed its health check again after a restart: ${errorMessage(error)}`,
            { cause: error },
          );
        this.#recycle(slot, container, `health check before a task failed (${errorMessage(error)})`);
      }
    }
  }

  #afterFailedCall(slot: Slot, container: ManagedContainer, error: ContainerError): void {
    switch (error.kind) {
      case 'overrun':
      case 'worker_stalled':
      case 'aborted':
      case 'env_failed':
        // The episode may still be running inside: only removing the container stops it.
        this.#recycle(
          slot,
          container,
          error.kind === 'overrun'
            ? 'a call overran its timeout'
            : error.kind === 'aborted'
              ? 'a call was abandoned by the worker'
              : 'the env gave up on a call (status "failed")',
        );
        return;
      case 'http_status':
        // affinetes answers 500 when the Actor's method raised: its simulator may be left broken
        // (a miner's NaN), and the next miner's episode on it would raise too.
        if (error.answer?.status === 500) this.#retire(slot, container, 'the Actor raised (HTTP 500)');
        return;
      case 'connection_lost':
      case 'unreachable':
        void this.#recycleIfDead(slot, container, error.message);
        return;
      default:
        return;
    }
  }

  async #recycleIfDead(slot: Slot, container: ManagedContainer, why: string): Promise<void> {
    try {
      const state = await this.#engine.state(container.id, this.#closing.signal);
      if (state?.running === true) return;
      this.#recycle(slot, container, `it died (${state ? `${state.status}, exit code ${String(state.exitCode)}` : 'removed'}; ${why})`);
    } catch (error) {
      this.#log.warn(
        { image: slot.pool.image, replica: slot.index, err: errorMessage(error) },
        'could not inspect an env container after a failed call',
      );
    }
  }

  /** Replaces `stale` once the replica's calls in flight end (the caller's own place is released after). */
  #retire(slot: Slot, stale: ManagedContainer, reason: string): void {
    if (slot.generation !== stale.generation) return;
    slot.retiring ??= { container: stale, reason };
  }

  /** Replaces `stale` by a new container, unless it was replaced already or the manager stops. */
  #recycle(slot: Slot, stale: ManagedContainer, reason: string): void {
    if (this.#stopping !== undefined || slot.generation !== stale.generation) return;
    this.#log.warn(
      { image: slot.pool.image, replica: slot.index, name: stale.name, generation: stale.generation, reason },
      'recycling the env container',
    );
    void this.#launch(slot, stale).catch(() => undefined);
  }

  /** Starts a new container for the slot (removing `replaces` first) and makes it the slot's current one. */
  #launch(slot: Slot, replaces: ManagedContainer | undefined): Promise<ManagedContainer> {
    const generation = ++slot.generation;
    slot.ready = undefined;
    slot.failedChecks = 0;
    const launching = this.#startContainer(slot, generation, replaces).then((container) => {
      if (slot.generation === generation) slot.ready = container;
      return container;
    });
    slot.current = launching;
    launching.catch((error: unknown) => {
      // The next task tries again from scratch.
      if (slot.current === launching) slot.current = undefined;
      if (!this.#stopping)
        this.#log.error({ image: slot.pool.image, replica: slot.index, err: errorMessage(error) }, 'env container failed to start');
    });
    return launching;
  }

  async #startContainer(slot: Slot, generation: number, replaces: ManagedContainer | undefined): Promise<ManagedContainer> {
    const startTimeoutMs = this.#options.startTimeoutMs ?? CONTAINER_START_TIMEOUT_MS;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), startTimeoutMs);
    const onClosing = (): void => deadline.abort();
    this.#closing.signal.addEventListener('abort', onClosing, { once: true });
    const signal = deadline.signal;
    const started = performance.now();
    const { pool } = slot;
    const name = `evalpool-${slug(this.#options.workerId)}-${slug(pool.image)}-r${slot.index}-${generation}-${this.#instance.slice(0, 8)}`;
    let id: string | undefined;
    try {
      if (replaces !== undefined) {
        await this.#engine
          .remove(replaces.id, signal)
          .catch((error: unknown) =>
            this.#log.warn({ name: replaces.name, err: errorMessage(error) }, 'could not remove the env container being replaced'),
          );
      }
      const port = await freePort();
      id = await this.#engine.run(
        {
          image: pool.image,
          name,
          labels: containerLabels({
            workerId: this.#options.workerId,
            envs: pool.envs,
            owner: this.#owner,
            instance: this.#instance,
            replica: slot.index,
            ...(this.#options.pool !== undefined && { pool: this.#options.pool }),
          }),
          // AFFINETES_PORT: affinetes' server (it binds 0.0.0.0); PORT and HOST: evalpool's own image.
          env: [`AFFINETES_PORT=${port}`, `PORT=${port}`, 'HOST=127.0.0.1'],
          stopGraceSeconds: this.#options.stopGraceSeconds ?? CONTAINER_STOP_GRACE_SECONDS,
          ...(pool.memoryMb !== undefined && { memoryMb: pool.memoryMb }),
          ...(pool.cpus !== undefined && { cpus: pool.cpus }),
        },
        signal,
      );
      await this.#waitHealthy(id, port, signal);
      const container: ManagedContainer = {
        image: pool.image,
        replica: slot.index,
        id,
        name,
        port,
        generation,
        startMs: performance.now() - started,
      };
      this.#log.info(
        { image: pool.image, replica: slot.index, name, port, generation, startMs: Math.round(container.startMs) },
        'env container ready',
      );
      return container;
    } catch (error) {
      const why = signal.aborted && !this.#closing.signal.aborted ? `not healthy within ${startTimeoutMs} ms` : errorMessage(error);
      let output = '';
      if (id !== undefined) {
        output = await this.#engine.logsTail(id, CONTAINER_LOG_TAIL_LINES).catch(() => '');
        await this.#engine.remove(id).catch(() => undefined);
      }
      if (id === undefined && error instanceof EngineCallError && error.status === 404) {
        throw new ContainerError(
          'start_failed',
          `image ${pool.image} is not on the engine at ${this.socketPath}: evalpool never pulls images; build or pull it first`,
          { cause: error },
        );
      }
      if (id === undefined && error instanceof EngineCallError) throw error;
      throw new ContainerError(
        'start_failed',
        `the container of ${pool.image} did not start: ${why}${output ? `; its last output:\n${output}` : ''}`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
      this.#closing.signal.removeEventListener('abort', onClosing);
    }
  }

  /** Polls `GET /health` until it answers; fails early when the container exits. */
  async #waitHealthy(id: string, port: number, signal: AbortSignal): Promise<void> {
    const healthTimeoutMs = this.#options.healthTimeoutMs ?? CONTAINER_HEALTH_TIMEOUT_MS;
    for (let poll = 1; ; poll++) {
      try {
        await this.#http.health(port, healthTimeoutMs, signal);
        return;
      } catch (error) {
        if (signal.aborted) throw error;
      }
      // About once a second, ask the engine whether there is still something to wait for.
      if (poll % 10 === 0) {
        const state = await this.#engine.state(id, signal);
        if (state?.running !== true)
          throw new ContainerError(
            'start_failed',
            state ? `it exited (${state.status}, exit code ${String(state.exitCode)})` : 'it was removed',
          );
      }
      if (!(await sleep(CONTAINER_HEALTH_POLL_MS, signal)))
        throw new ContainerError('aborted', 'waiting for the container to be healthy: aborted');
    }
  }

  /** The periodic check: a dead or twice-unhealthy container is restarted before a task needs it. */
  async #checkAll(): Promise<void> {
    if (this.#checking || this.#stopping) return;
    this.#checking = true;
    try {
      for (const slot of this.#allSlots()) {
        const container = slot.ready;
        if (container === undefined) continue;
        try {
          await this.#http.health(container.port, this.#options.healthTimeoutMs ?? CONTAINER_HEALTH_TIMEOUT_MS, this.#closing.signal);
          slot.failedChecks = 0;
        } catch (error) {
          const state = await this.#engine.state(container.id, this.#closing.signal).catch(() => undefined);
          slot.failedChecks++;
          if (state?.running !== true) this.#recycle(slot, container, `it died (periodic check: ${errorMessage(error)})`);
          else if (slot.failedChecks >= 2) this.#recycle(slot, container, `two health checks failed (${errorMessage(error)})`);
        }
      }
    } finally {
      this.#checking = false;
    }
  }

  async #stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#closing.abort();
    const started = this.#starting !== undefined;
    await this.#starting?.catch(() => undefined);
    for (const pool of this.#pools.values()) for (const wake of pool.waiters.splice(0)) wake();
    await Promise.allSettled(this.#allSlots().flatMap((slot) => (slot.current ? [slot.current] : [])));
    if (started) {
      try {
        // By label rather than from memory: also what a start cut short left behind.
        const mine = await this.#engine.list([`${LABELS.instance}=${this.#instance}`]);
        await Promise.all(
          mine.map((c) =>
            this.#engine
              .remove(c.id)
              .catch((error: unknown) => this.#log.warn({ name: c.name, err: errorMessage(error) }, 'could not remove an env container')),
          ),
        );
        if (mine.length > 0) this.#log.info({ removed: mine.map((c) => c.name) }, 'env containers removed');
      } catch (error) {
        this.#log.warn({ err: errorMessage(error) }, 'could not list this worker’s env containers to remove them');
      }
    }
    for (const slot of this.#allSlots()) slot.ready = undefined;
    await this.#http.close();
    this.#engine.close();
  }
}

/** A container-name-safe part: `[a-z0-9-]`, at most 40 characters. */
function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/^localhost\//, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'x'
  );
}

/**
 * The error of a caller that stops waiting for shared work (a container being started for several
 * tasks): the caller's signal ends its wait without cancelling the work.
 */
function abortedWaiting(what: string): () => ContainerError {
  return () => new ContainerError('aborted', `${what}: aborted`);
}
