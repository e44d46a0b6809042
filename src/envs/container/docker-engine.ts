import { Agent } from 'node:http';
import Docker from 'dockerode';
import { DOCKER_CALL_TIMEOUT_MS, DOCKER_MAX_SOCKETS } from '../../config/constants.ts';
import { errorMessage } from '../../runtime/error-message.ts';
import { timedAbort } from '../../runtime/linked-abort.ts';
import { ContainerError } from './container-error.ts';

/** Settings of a {@link DockerEngine}. */
export interface DockerEngineOptions {
  /** The Docker Engine API's unix socket (`EVALPOOL_DOCKER_SOCKET`); podman's works too. */
  readonly socketPath: string;
  /** Timeout of each API call. */
  readonly callTimeoutMs?: number;
}

/** What the manager creates: a container of `image` with host networking. */
export interface ContainerSpec {
  readonly image: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly env: readonly string[];
  /** Seconds between SIGTERM and SIGKILL when the container is stopped. */
  readonly stopGraceSeconds: number;
  /** Memory limit, in MiB. */
  readonly memoryMb?: number;
  /** CPU limit, in CPUs. */
  readonly cpus?: number;
}

/** A container as listed by the engine. */
export interface ListedContainer {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly labels: Readonly<Record<string, string>>;
  /** When the engine created it, ms since epoch (the engine counts whole seconds). */
  readonly createdMs: number;
}

/** The engine's view of one container. */
export interface ContainerState {
  readonly running: boolean;
  readonly status: string;
  readonly exitCode: number | null;
}

/**
 * The few Docker Engine API calls the container family needs, through dockerode, each with a
 * timeout (and the caller's AbortSignal where given); every failure is a
 * {@link ContainerError} of kind `engine` that names the socket and the call. A missing
 * container is not an error where it does not matter (remove, kill).
 */
export class DockerEngine {
  readonly socketPath: string;
  readonly #docker: Docker;
  readonly #agent: Agent;
  readonly #timeoutMs: number;

  constructor(options: DockerEngineOptions) {
    this.socketPath = options.socketPath;
    this.#timeoutMs = options.callTimeoutMs ?? DOCKER_CALL_TIMEOUT_MS;
    // Our own agent, destroyed by close(): no socket outlives the engine object.
    this.#agent = new Agent({ keepAlive: true, maxSockets: DOCKER_MAX_SOCKETS });
    // `host: undefined` and `protocol: 'http'` override what docker-modem would otherwise take
    // from DOCKER_HOST / DOCKER_TLS_VERIFY in the environment: the socket is the only setting.
    this.#docker = new Docker({
      socketPath: options.socketPath,
      host: undefined,
      protocol: 'http',
      agent: this.#agent,
    } as Docker.DockerOptions);
  }

  /** Resolves when the engine answers `GET /_ping`. */
  async ping(signal?: AbortSignal): Promise<void> {
    await this.#call('ping', signal, (abortSignal) => (this.#docker.ping as (opts: object) => Promise<unknown>)({ abortSignal }));
  }

  /** Creates and starts a container with host networking; returns its id. */
  async run(spec: ContainerSpec, signal?: AbortSignal): Promise<string> {
    const container = await this.#call('create', signal, (abortSignal) =>
      this.#docker.createContainer({
        Image: spec.image,
        name: spec.name,
        Labels: { ...spec.labels },
        Env: [...spec.env],
        StopTimeout: spec.stopGraceSeconds,
        HostConfig: {
          NetworkMode: 'host',
          RestartPolicy: { Name: 'no' },
          ...(spec.memoryMb !== undefined && { Memory: spec.memoryMb * 1_048_576 }),
          ...(spec.cpus !== undefined && { NanoCpus: Math.round(spec.cpus * 1e9) }),
        },
        abortSignal,
      }),
    );
    try {
      await this.#call('start', signal, (abortSignal) => container.start({ abortSignal }));
    } catch (error) {
      await this.remove(container.id).catch(() => undefined);
      throw error;
    }
    return container.id;
  }

  /** The container's state; `undefined` when it does not exist. */
  async state(id: string, signal?: AbortSignal): Promise<ContainerState | undefined> {
    try {
      const info = await this.#call('inspect', signal, (abortSignal) => this.#docker.getContainer(id).inspect({ abortSignal }));
      return { running: info.State.Running, status: info.State.Status, exitCode: info.State.Running ? null : info.State.ExitCode };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Whether the engine has `image` (nothing is ever pulled). */
  async hasImage(image: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.#call('image inspect', signal, (abortSignal) =>
        (this.#docker.getImage(image).inspect as (opts: object) => Promise<unknown>)({ abortSignal }),
      );
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Kills and removes a container (SIGKILL at once); a missing one is fine. */
  async remove(id: string, signal?: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#call('remove', signal, (abortSignal) => this.#docker.getContainer(id).remove({ force: true, v: true, abortSignal }));
        return;
      } catch (error) {
        if (isNotFound(error)) return;
        // Two removers of one container (a worker's sweep and another's start-up sweep): podman
        // refuses the second forced remove while the first is stopping it; asked again, it is
        // stopped (removed now) or gone.
        if (attempt < 3 && isRemovalRace(error)) continue;
        throw error;
      }
    }
  }

  /** Sends a signal to a container's main process (default SIGKILL); a missing one is fine. */
  async kill(id: string, signalName = 'SIGKILL', signal?: AbortSignal): Promise<void> {
    try {
      await this.#call('kill', signal, (abortSignal) => this.#docker.getContainer(id).kill({ signal: signalName, abortSignal }));
    } catch (error) {
      if (!isNotFound(error) && !isNotRunning(error)) throw error;
    }
  }

  /** Every container (running or not) carrying all of `labels` (`name=value`). */
  async list(labels: readonly string[], signal?: AbortSignal): Promise<ListedContainer[]> {
    const found = await this.#call('list', signal, (abortSignal) =>
      this.#docker.listContainers({ all: true, filters: { label: [...labels] }, abortSignal }),
    );
    return found.map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      state: c.State,
      labels: c.Labels ?? {},
      createdMs: c.Created * 1_000,
    }));
  }

  /** The last `lines` lines of a container's output (stdout and stderr), for error messages. */
  async logsTail(id: string, lines: number, signal?: AbortSignal): Promise<string> {
    const raw = await this.#call('logs', signal, (abortSignal) =>
      this.#docker.getContainer(id).logs({ stdout: true, stderr: true, tail: lines, follow: false, abortSignal }),
    );
    return demultiplex(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))).trimEnd();
  }

  /** Closes the connections to the engine. */
  close(): void {
    this.#agent.destroy();
  }

  async #call<T>(operation: string, signal: AbortSignal | undefined, run: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    const link = timedAbort(signal, this.#timeoutMs, 'timeout');
    // Some dockerode calls ignore the signal: the race makes every call end on time anyway.
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(link.signal.reason instanceof Error ? link.signal.reason : new Error('aborted'));
      if (link.signal.aborted) onAbort();
      else link.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const call = run(link.signal);
      // A call that settles after losing the race must not become an unhandled rejection.
      call.catch(() => undefined);
      return await Promise.race([call, aborted]);
    } catch (error) {
      const why = link.timedOut
        ? `no answer within ${this.#timeoutMs} ms`
        : signal?.aborted === true
          ? 'aborted'
          : errorMessage(error).trim();
      throw new EngineCallError(`container engine at ${this.socketPath}: ${operation} failed: ${why}`, statusOf(error), { cause: error });
    } finally {
      if (onAbort) link.signal.removeEventListener('abort', onAbort);
      link.dispose();
    }
  }
}

/** A failed Docker API call, with the HTTP status when the engine answered. */
export class EngineCallError extends ContainerError {
  override readonly name: string = 'EngineCallError';

  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super('engine', message, options);
  }
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** podman's 500 for a container another caller is stopping or removing at the same moment. */
function isRemovalRace(error: unknown): boolean {
  return (
    error instanceof EngineCallError &&
    /container state improper|removal of container .* is already in progress|is being removed/i.test(error.message)
  );
}

function isNotFound(error: unknown): boolean {
  // Docker answers 404; podman answers 500 "no such container" for one it is still removing.
  return error instanceof EngineCallError && (error.status === 404 || /no such container|does not exist in database/i.test(error.message));
}

function isNotRunning(error: unknown): boolean {
  // Docker answers 409 to a kill of a stopped container; podman 409 or 500 with "not running".
  return (
    error instanceof EngineCallError && (error.status === 409 || /not running|is not running|container state improper/i.test(error.message))
  );
}

/**
 * The Docker API multiplexes a non-TTY container's output: frames of an 8-byte header (stream,
 * 0, 0, 0, big-endian length) and a payload. Anything that does not look framed is returned as is.
 */
export function demultiplex(raw: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const stream = raw[at];
    if ((stream !== 0 && stream !== 1 && stream !== 2) || raw[at + 1] !== 0 || raw[at + 2] !== 0 || raw[at + 3] !== 0)
      return raw.toString('utf8');
    const length = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  if (at !== raw.length) return raw.toString('utf8');
  return Buffer.concat(parts).toString('utf8');
}
