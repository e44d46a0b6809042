/**
 * A test double of an affinetes environment image (containers/build-env-image.sh bundles it
 * into `localhost/evalpool-env-affinetes-double:dev`): our own code that behaves like the
 * affinetes HTTP server wrapping an Actor written the way the subnet's images write theirs.
 *
 * - Listens on `AFFINETES_PORT` (default 8000) at 0.0.0.0, and nothing else: `PORT` and `HOST`
 *   are ignored, as affinetes ignores them.
 * - `GET /health` → `{"status": "ok"}`; `GET /methods` lists the Actor's methods; `POST /call`
 *   `{method, args, kwargs}` → `{"status": "success", "result": ...}`; an exception of the
 *   method → HTTP 500 `{"detail": "<message>\n<traceback>"}`; unknown method → 404.
 * - The Actor (`evaluate`, `list_environments`) checks its family prefix (`DOUBLE_FAMILY`,
 *   default `metaworld`) and answers failures as `{success: false, score: 0, error, extra}`
 *   without `timesteps`: `Invalid env_id ...`, `Miner reset failed: <Exception>: ...`,
 *   `Miner action failed at step t: ...` (with `timesteps_completed`), `<Exception>: ...`.
 * - Test envs of the family: `reach-v3` (a point moves by the miner's `delta` towards a target),
 *   `raise-v3` (the task generation raises before the miner is called: a genuine env fault in
 *   the bare `<Exception>: ...` form), `crash-v3` (the method raises: HTTP 500), `failed-v3`
 *   (affinetes' `status: "failed"` form), `template-reach-v3` (reach with the `_template`
 *   Actor's error handling: one try around everything, so miner call errors come bare too),
 *   `diverge-v3` (reach on a simulator that lets NaN through: the result does not serialize).
 * - What the miner's `/act` answer does, as in kinitro's metaworld Actor: the body is read as
 *   Python's `json` reads it (`NaN`, `Infinity` accepted; `1e999` is inf); the action is checked
 *   like its pydantic `Action` (`continuous`: lists of numbers) inside the `/act` try
 *   (`Miner action failed at step t: ValidationError: ...`); the step runs outside it: an empty
 *   channel raises numpy's `IndexError`, components are clipped (inf becomes the bound, NaN stays
 *   NaN, as `np.clip` does) and a NaN makes the simulator raise MuJoCo's instability error; both
 *   come out in the bare `<Exception>: ...` form, without `timesteps_completed`.
 * - A result holding NaN or inf is answered as FastAPI does: HTTP 500, `Internal Server Error`
 *   as plain text.
 * - One simulator per env id, not safe for concurrent calls (like the real Actors): a call that
 *   finds its env's simulator in use is counted (`GET /stats`: `concurrent_calls`), logged loudly
 *   and both episodes are spoiled, which is what a real image would do silently.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const port = Number(process.env.AFFINETES_PORT ?? '8000');
const family = process.env.DOUBLE_FAMILY ?? 'metaworld';
const TASKS = ['reach-v3', 'raise-v3', 'crash-v3', 'failed-v3', 'template-reach-v3', 'diverge-v3'];

const log = (msg: string, fields: Record<string, unknown> = {}): void =>
  void process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg, ...fields })}\n`);

const stats = { calls: 0, in_flight: 0, max_in_flight: 0, concurrent_calls: 0, corrupted_episodes: 0, env_ids: [] as string[] };

/** The non-thread-safe simulator of one env id: one episode at a time. */
class Simulator {
  owner: number | undefined;
  pos = 0;
  target = 0;
  corrupted = false;

  reset(owner: number, seed: number): void {
    if (this.owner !== undefined && this.owner !== owner) this.spoil(`reset of episode ${owner} while episode ${this.owner} runs`);
    this.owner = owner;
    this.pos = 0;
    this.target = ((seed % 7) + 3) / 10;
  }

  /** `strict`: a NaN position raises, as MuJoCo's instability check does; otherwise it spreads. */
  step(owner: number, delta: number, t: number, strict: boolean): boolean {
    if (this.owner !== owner) this.spoil(`step of episode ${owner} in the state of episode ${String(this.owner)}`);
    // np.clip: inf becomes the bound, NaN stays NaN.
    this.pos += Math.max(-0.1, Math.min(0.1, delta));
    if (strict && !Number.isFinite(this.pos))
      throw new Error(
        `FatalError: Nan, Inf or huge value in QACC at DOF 0. The simulation is unstable. Time = ${(t * 0.0125).toFixed(4)}.`,
      );
    return Math.abs(this.pos - this.target) < 0.05;
  }

  spoil(why: string): void {
    this.corrupted = true;
    stats.corrupted_episodes++;
    process.stderr.write(`DOUBLE SIMULATOR CORRUPTED: ${why}\n`);
  }
}

const simulators = new Map<string, Simulator>();
const busy = new Map<string, number>();
let episodes = 0;

class MinerError extends Error {}

const PY_FLOATS: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

/** `JSON.parse` that also reads Python's `NaN`, `Infinity` and `-Infinity` tokens, as `json.loads` does. */
function parsePythonJson(text: string): unknown {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    const token = ['-Infinity', 'Infinity', 'NaN'].find((t) => text.startsWith(t, i));
    if (token !== undefined) {
      out += `"\\u0000py:${token}"`;
      i += token.length - 1;
      continue;
    }
    out += c;
  }
  return JSON.parse(out, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith('\u0000py:') ? PY_FLOATS[value.slice(4)] : value,
  );
}

/** The action as kinitro's pydantic `Action` validates it: `continuous` maps names to lists of numbers. */
function validateAction(raw: unknown): Record<string, number[]> {
  const invalid = (loc: string, msg: string, input: unknown): MinerError =>
    new MinerError(
      `ValidationError: 1 validation error for Action\n${loc}\n  ${msg} [input_value=${JSON.stringify(input)?.slice(0, 60) ?? 'None'}]`,
    );
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid('', 'Input should be a valid dictionary or instance of Action', raw);
  for (const key of Object.keys(raw))
    if (!['continuous', 'discrete', 'extra'].includes(key))
      throw invalid(key, 'Extra inputs are not permitted', (raw as Record<string, unknown>)[key]);
  const continuous = (raw as { continuous?: unknown }).continuous ?? {};
  if (typeof continuous !== 'object' || continuous === null || Array.isArray(continuous))
    throw invalid('continuous', 'Input should be a valid dictionary', continuous);
  for (const [key, values] of Object.entries(continuous)) {
    if (!Array.isArray(values)) throw invalid(`continuous.${key}`, 'Input should be a valid list', values);
    values.forEach((x, i) => {
      if (typeof x !== 'number') throw invalid(`continuous.${key}.${i}`, 'Input should be a valid number', x);
    });
  }
  return continuous as Record<string, number[]>;
}

/** Words a failed miner call the way httpx does (`ConnectError: ...`, `ReadTimeout: ...`). */
async function callMiner(baseUrl: string, endpoint: string, payload: unknown, timeoutS: number): Promise<Record<string, unknown>> {
  const url = `${baseUrl.replace(/\/+$/, '')}/${endpoint}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutS * 1_000),
    });
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw new MinerError('ReadTimeout: ');
    const code = ((error as Error).cause as { code?: string } | undefined)?.code ?? '';
    if (code === 'ECONNREFUSED') throw new MinerError('ConnectError: [Errno 111] Connection refused');
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new MinerError('ConnectError: [Errno -2] Name or service not known');
    throw new MinerError(`ReadError: ${code || (error as Error).message}`);
  }
  const text = await response.text();
  if (response.status >= 400)
    throw new MinerError(
      `HTTPStatusError: ${response.status >= 500 ? 'Server' : 'Client'} error '${response.status} ${response.statusText}' for url '${url}'`,
    );
  try {
    return parsePythonJson(text) as Record<string, unknown>;
  } catch {
    throw new MinerError('JSONDecodeError: Expecting value: line 1 column 1 (char 0)');
  }
}

interface Kwargs {
  task_id: number;
  base_url: string;
  seed?: number | null;
  model?: string | null;
  env_id?: string;
  max_timesteps?: number;
  action_timeout?: number;
  use_images?: boolean;
  timeout?: number;
}

function errorResult(
  envId: string,
  taskId: number,
  seed: number,
  error: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    task_name: `robotics:${envId}`,
    score: 0,
    success: false,
    error,
    time_taken: 0,
    extra: { task_id: taskId, seed, env_id: envId, ...extra },
  };
}

async function evaluate(kwargs: Kwargs): Promise<Record<string, unknown>> {
  const {
    task_id: taskId,
    base_url: baseUrl,
    model = null,
    env_id: envId = `${family}/reach-v3`,
    max_timesteps: maxTimesteps = 500,
    action_timeout: actionTimeout = 0.5,
    use_images: useImages = true,
    timeout = 300,
  } = kwargs;
  const seed = kwargs.seed ?? taskId;
  if (typeof taskId !== 'number' || typeof baseUrl !== 'string')
    throw new TypeError("evaluate() missing required arguments: 'task_id' and 'base_url'");
  if (!envId.startsWith(`${family}/`))
    return errorResult(envId, taskId, seed, `Invalid env_id for Double container: ${envId}. Must start with '${family}/'`);
  const task = envId.slice(family.length + 1);
  if (task === 'crash-v3') throw new Error('the double was asked to crash');
  // `_template`: miner call errors are not caught where they happen but by the one outer try.
  const template = task === 'template-reach-v3';
  const started = Date.now();
  try {
    if (!TASKS.includes(task)) throw new Error(`KeyError: '${envId}'`);
    if (task === 'raise-v3') throw new Error('RuntimeError: MuJoCo simulation unstable at time 0.0000');
    if (!stats.env_ids.includes(envId)) stats.env_ids.push(envId);
    let sim = simulators.get(envId);
    if (sim === undefined) simulators.set(envId, (sim = new Simulator()));
    const episode = ++episodes;
    const inUse = busy.get(envId) ?? 0;
    if (inUse > 0) {
      stats.concurrent_calls++;
      process.stderr.write(`DOUBLE CONCURRENT CALL: ${inUse + 1} episodes of ${envId} at once in one container\n`);
    }
    busy.set(envId, inUse + 1);
    try {
      const taskConfig = { env_id: envId, env_name: envId.replace('/', '_'), task_name: task, seed, task_id: taskId };
      try {
        await callMiner(baseUrl, 'reset', { task_config: taskConfig }, 5);
      } catch (error) {
        if (error instanceof MinerError && !template) return errorResult(envId, taskId, seed, `Miner reset failed: ${error.message}`);
        throw error;
      }
      sim.reset(episode, seed);
      let totalReward = 0;
      let timesteps = 0;
      let done = false;
      for (let t = 0; t < maxTimesteps && !done; t++) {
        if ((Date.now() - started) / 1_000 > timeout)
          return errorResult(envId, taskId, seed, `Evaluation timeout after ${timeout}s`, { timesteps_completed: t });
        const obs = {
          proprio: { pos: [sim.pos], target: [sim.target] },
          rgb: useImages ? { front: { data: '', shape: [0, 0, 3], dtype: 'uint8' } } : {},
          depth: {},
          cam_intrinsics: {},
          cam_extrinsics: {},
          extra: {},
        };
        let continuous: Record<string, number[]>;
        try {
          const response = await callMiner(baseUrl, 'act', { obs }, actionTimeout);
          if (response.action === undefined || response.action === null) {
            return errorResult(envId, taskId, seed, `Miner returned no action at step ${t}`, template ? {} : { timesteps_completed: t });
          }
          continuous = validateAction(response.action);
        } catch (error) {
          if (!(error instanceof MinerError) || template) throw error;
          if (error.message.startsWith('ReadTimeout'))
            return errorResult(envId, taskId, seed, `Miner action timeout at step ${t}`, { timesteps_completed: t });
          return errorResult(envId, taskId, seed, `Miner action failed at step ${t}: ${error.message}`, { timesteps_completed: t });
        }
        // The step, outside the /act try (metaworld's `env.step(action)`): the miner's values reach numpy and the simulator.
        const channel = Object.values(continuous)[0] ?? [0];
        if (channel.length === 0) throw new Error('IndexError: index 0 is out of bounds for axis 0 with size 0');
        done = sim.step(episode, channel[0]!, t, task !== 'diverge-v3');
        totalReward -= Math.abs(sim.pos - sim.target);
        timesteps = t + 1;
      }
      if (sim.corrupted) {
        sim.corrupted = false;
        return errorResult(envId, taskId, seed, 'DOUBLE SIMULATOR CORRUPTED: another episode used this simulator meanwhile', {
          timesteps,
          corrupted: true,
        });
      }
      return {
        task_name: `robotics:${envId}`,
        score: done ? 1 : 0,
        success: done,
        time_taken: (Date.now() - started) / 1_000,
        extra: { task_id: taskId, seed, env_id: envId, timesteps, total_reward: totalReward, model, base_url: baseUrl },
      };
    } finally {
      busy.set(envId, (busy.get(envId) ?? 1) - 1);
      if (sim.owner === episode) sim.owner = undefined;
    }
  } catch (error) {
    const message = (error as Error).message;
    const text = /^[A-Za-z]+Error: /.test(message) ? message : `${(error as Error).name}: ${message}`;
    return errorResult(
      envId,
      taskId,
      seed,
      `${text}\nTraceback (most recent call last):\n  File "/app/env.py", line 1, in evaluate\n${text}`,
    );
  }
}

function finiteThroughout(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || value === null) return true;
  return Object.values(value).every(finiteThroughout);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

async function handleCall(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req);
  const method = body.method;
  const kwargs = (body.kwargs ?? {}) as Kwargs;
  if (typeof method !== 'string') return send(res, 422, { detail: [{ loc: ['body', 'method'], msg: 'field required' }] });
  if (method !== 'evaluate' && method !== 'list_environments') return send(res, 404, { detail: `Method not found: ${method}` });
  if (kwargs.timeout !== undefined && typeof kwargs.timeout !== 'number')
    return send(res, 200, { status: 'failed', result: { error: 'Invalid timeout; expected a number of seconds.' } });
  if (method === 'list_environments') return send(res, 200, { status: 'success', result: TASKS.map((t) => `${family}/${t}`) });
  if (kwargs.env_id === `${family}/failed-v3`)
    return send(res, 200, {
      status: 'failed',
      result: { error: `Task execution exceeded timeout of ${kwargs.timeout ?? 300}s (+10s grace)` },
    });
  stats.calls++;
  stats.in_flight++;
  stats.max_in_flight = Math.max(stats.max_in_flight, stats.in_flight);
  try {
    const result = await evaluate(kwargs);
    log('evaluated', {
      env_id: kwargs.env_id,
      task_id: kwargs.task_id,
      success: result.success,
      error: typeof result.error === 'string' ? result.error.split('\n')[0] : undefined,
    });
    // FastAPI renders with allow_nan=False: a NaN or inf in the result fails after the method returned.
    if (!finiteThroughout(result)) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Internal Server Error');
      return;
    }
    send(res, 200, { status: 'success', result });
  } catch (error) {
    send(res, 500, {
      detail: `${(error as Error).message}\nTraceback (most recent call last):\n  File "/app/_affinetes/server.py", line 1, in call_method`,
    });
  } finally {
    stats.in_flight--;
  }
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/health') return send(res, 200, { status: 'ok' });
  if (req.method === 'GET' && path === '/stats') return send(res, 200, stats);
  if (req.method === 'GET' && path === '/methods') {
    return send(res, 200, {
      methods: [
        {
          name: 'evaluate',
          signature:
            '(self, task_id, base_url, seed=None, model=None, env_id=..., max_timesteps=500, action_timeout=0.5, use_images=True, timeout=300, **kwargs)',
          source: 'Actor',
          endpoint: 'POST /evaluate',
        },
        { name: 'list_environments', signature: '(self)', source: 'Actor', endpoint: 'POST /list_environments' },
      ],
      usage: { sdk_style: 'POST /call {"method": "xxx", "args": [...], "kwargs": {...}}' },
    });
  }
  if (req.method === 'POST' && path === '/call') {
    handleCall(req, res).catch((error: unknown) => send(res, 400, { detail: (error as Error).message }));
    return;
  }
  send(res, 404, { detail: 'Not Found' });
});
server.requestTimeout = 0;
server.listen(port, '0.0.0.0', () => log('listening', { port, family }));
const stop = (): void => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
