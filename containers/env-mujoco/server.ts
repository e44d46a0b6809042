/**
 * The test env image's server (bundled into one file by containers/build-env-image.sh): the
 * environment container contract (src/envs/container/contract.ts) over plain HTTP, running the
 * built-in MuJoCo envs against the miner named in each call.
 *
 * Listens on `AFFINETES_PORT` (else `PORT`, default 8000, the affinetes convention) at `HOST`
 * (default 0.0.0.0). evalpool runs env containers with host networking and gives each one its
 * own port and `HOST=127.0.0.1`. Answers the calls of evalpool, of affinetes' client and of the
 * subnet's executor: `POST /call` with `evaluate` (every kwarg but `task_id` and `base_url`
 * optional, `seed` and `model` accepted) or `list_environments`, and affinetes' `GET /methods`. Runs as PID 1: SIGTERM and SIGINT stop it at once (running episodes are
 * aborted), so a container stop does not wait for the engine's kill timeout.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as v from 'valibot';
import { BuiltinRegistry } from '../../src/envs/builtin-registry.ts';
import { CallRequestSchema, EvaluateCallKwargsSchema } from '../../src/envs/container/contract.ts';
import { MujocoLoader } from '../../src/envs/mujoco/mujoco-loader.ts';
import { MinerClients } from '../../src/miners/miner-clients.ts';
import { describeIssues } from '../../src/runtime/describe-issues.ts';
import { errorMessage } from '../../src/runtime/error-message.ts';
import { DEFAULT_ENV_ID, evaluate, UnknownEnvError } from './evaluate.ts';

/** What affinetes' `GET /methods` lists: the Actor's methods and how to call them. */
const METHODS = {
  methods: [
    {
      name: 'evaluate',
      signature: `(task_id, base_url, seed=None, model=None, env_id='${DEFAULT_ENV_ID}', max_timesteps=500, action_timeout=0.5, use_images=True, timeout=300, **kwargs)`,
      source: 'Actor',
      endpoint: 'POST /evaluate',
    },
    { name: 'list_environments', signature: '()', source: 'Actor', endpoint: 'POST /list_environments' },
  ],
  usage: { sdk_style: 'POST /call {"method": "xxx", "args": [...], "kwargs": {...}}' },
};

const MAX_REQUEST_BYTES = 65_536;

const portText = process.env.AFFINETES_PORT ?? process.env.PORT ?? '8000';
const port = Number(portText);
const host = process.env.HOST ?? '0.0.0.0';
if (!Number.isInteger(port) || port < 1 || port > 65_535) {
  process.stderr.write(`env-mujoco: AFFINETES_PORT (or PORT) must be a port number, not ${JSON.stringify(portText)}\n`);
  process.exit(2);
}

const log = (msg: string, fields: Record<string, unknown> = {}): void =>
  void process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg, ...fields })}\n`);
const loader = new MujocoLoader({ log: (line) => log('mujoco', { line }) });
const registry = new BuiltinRegistry(loader);
// One keep-alive client per miner, closed after a while unused.
const clients = new MinerClients();
clients.start();
const running = new Set<AbortController>();

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new RangeError(`request body over ${MAX_REQUEST_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function handleCall(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body: unknown;
  try {
    body = await readJson(req);
  } catch (error) {
    return send(res, 400, { detail: `the body must be JSON: ${errorMessage(error)}` });
  }
  const call = v.safeParse(CallRequestSchema, body);
  if (!call.success) return send(res, 422, { detail: describeIssues(call.issues) });
  if (call.output.method === 'list_environments') return send(res, 200, { status: 'success', result: registry.ids() });
  if (call.output.method !== 'evaluate') return send(res, 404, { detail: `Method not found: ${call.output.method}` });
  const kwargs = v.safeParse(EvaluateCallKwargsSchema, call.output.kwargs);
  if (!kwargs.success) return send(res, 422, { detail: `kwargs: ${describeIssues(kwargs.issues)}` });

  // The episode stops when the caller goes away (its timeout) or the server stops.
  const controller = new AbortController();
  running.add(controller);
  const onClose = (): void => {
    if (!res.writableFinished) controller.abort(new Error('the caller closed the connection'));
  };
  res.on('close', onClose);
  const started = performance.now();
  try {
    const result = await evaluate(kwargs.output, registry, clients, controller.signal);
    log('evaluated', {
      env_id: kwargs.output.env_id,
      task_id: kwargs.output.task_id,
      success: result.success,
      timesteps: result.extra.timesteps,
      ms: Math.round(performance.now() - started),
      error_class: result.extra.error_class,
    });
    if (!res.destroyed) send(res, 200, { status: 'success', result });
  } catch (error) {
    const status = error instanceof UnknownEnvError ? 422 : 500;
    log('evaluate failed', { env_id: kwargs.output.env_id, task_id: kwargs.output.task_id, err: errorMessage(error) });
    if (!res.destroyed) send(res, status, { detail: errorMessage(error) });
  } finally {
    running.delete(controller);
    res.off('close', onClose);
  }
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/health') return send(res, 200, { status: 'ok' });
  if (req.method === 'GET' && path === '/methods') return send(res, 200, METHODS);
  if (req.method === 'POST' && path === '/call') {
    handleCall(req, res).catch((error: unknown) => {
      log('request failed', { err: errorMessage(error) });
      if (!res.headersSent) send(res, 500, { detail: errorMessage(error) });
    });
    return;
  }
  send(res, 404, { detail: `no route ${req.method ?? ''} ${path ?? ''}` });
});
// Episodes run as long as their timeout says: no server-side request timeout.
server.requestTimeout = 0;
// MuJoCo is loaded before the port opens: a healthy container runs its first episode at full speed.
const loadStarted = performance.now();
loader.load().then(
  () => server.listen(port, host, () => log('listening', { host, port, mujocoLoadMs: Math.round(performance.now() - loadStarted) })),
  (error: unknown) => {
    log('cannot load MuJoCo', { err: errorMessage(error) });
    process.exit(1);
  },
);

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  log('stopping', { signal, running: running.size });
  for (const controller of running) controller.abort(new Error(`the env server got ${signal}`));
  server.close();
  server.closeAllConnections();
  void clients.close().finally(() => process.exit(0));
  // Whatever still holds the loop (a stalled episode) does not delay the exit.
  setTimeout(() => process.exit(0), 500).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
