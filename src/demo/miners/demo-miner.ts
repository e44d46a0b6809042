import { type IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import * as v from 'valibot';
import { DEMO_MINER_MAX_CONCURRENT_EPISODES, DEMO_MINER_REMEMBERED_EPISODES } from '../../config/constants.ts';
import { BuiltinRegistry, listBuiltinEnvs } from '../../envs/builtin-registry.ts';
import { MujocoLoader } from '../../envs/mujoco/mujoco-loader.ts';
import type { Action, Observation } from '../../envs/policy-contract.ts';
import { ActRequestSchema, EPISODE_ID_HEADER, ResetRequestSchema } from '../../miners/endpoint-contract.ts';
import { describeIssues } from '../../runtime/describe-issues.ts';
import { errorMessage } from '../../runtime/error-message.ts';
import type { Misbehaviour, MisbehaviourInput } from './misbehaviour.ts';
import { declines, parseMisbehaviour } from './misbehaviour.ts';
import type { DemoPolicyOptions } from './policies/demo-policy.ts';
import { createDemoPolicy, demoPolicyEnvIds } from './policies/demo-policy.ts';
import { observationHash } from './policies/observation-hash.ts';
import type { Policy, PolicyKind } from './policies/policy.ts';

export interface DemoMinerOptions {
  readonly policy: PolicyKind;
  /** 0 (default) picks a free port; read the actual one from `port`. */
  readonly port?: number;
  /** Defaults to 127.0.0.1. */
  readonly host?: string;
  readonly misbehaviour?: MisbehaviourInput;
  readonly policyOptions?: DemoPolicyOptions;
  /** What `/health` declares as `max_concurrent_episodes` (default {@link DEMO_MINER_MAX_CONCURRENT_EPISODES}). */
  readonly maxConcurrentEpisodes?: number;
  readonly logger?: Logger;
}

/** Requests the demo miner has received, by route. */
export interface DemoMinerCounts {
  reset: number;
  act: number;
}

/** A running demo miner. */
export interface DemoMiner {
  readonly port: number;
  /** `http://host:port`, the endpoint to give a miner client. */
  readonly url: string;
  readonly counts: Readonly<DemoMinerCounts>;
  /** The env id of the last `/reset`. */
  readonly lastEnvId: string | undefined;
  /** The env of an episode, as its `/reset` said (recent episodes only). */
  envOf(episodeId: string): string | undefined;
  misbehaviour(): Misbehaviour;
  /** Changes the misbehaviour at runtime (also `POST /_control` with the same JSON). */
  setMisbehaviour(input: MisbehaviourInput): void;
  /** Stops listening, releases hanging requests and drops connections; idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a demo miner: a real HTTP server speaking the miner contract with an expert, noisy or
 * random policy for the built-in envs, able to misbehave on demand.
 *
 * The env of an `/act` is the env its episode's `/reset` named (episodes are keyed by the
 * `episode_id` field, or the `X-Episode-Id` header); for callers that send no id, it is recognised
 * from the observation's proprio keys (each built-in env has its own), falling back to the env of
 * the last `/reset`. Policies hold no other per-episode state, so several episodes may run through
 * one server at once, which `/health` declares (`max_concurrent_episodes`).
 */
export async function startDemoMiner(options: DemoMinerOptions): Promise<DemoMiner> {
  const host = options.host ?? '127.0.0.1';
  const counts: DemoMinerCounts = { reset: 0, act: 0 };
  const policies = new Map<string, Policy>();
  const signatures = new Map(
    listBuiltinEnvs()
      .filter((info) => demoPolicyEnvIds().includes(info.id))
      .map((info) => [signature(Object.keys(info.proprio)), info.id] as const),
  );
  const waiters = new Set<() => void>();
  let misbehaviour = parseMisbehaviour(options.misbehaviour ?? { mode: 'none' });
  let lastEnvId: string | undefined;
  // Insertion order is age: the oldest episode is forgotten first.
  const episodes = new Map<string, string>();
  const remember = (episodeId: string, envId: string): void => {
    episodes.delete(episodeId);
    episodes.set(episodeId, envId);
    if (episodes.size > DEMO_MINER_REMEMBERED_EPISODES) episodes.delete(episodes.keys().next().value!);
  };
  const maxConcurrentEpisodes = options.maxConcurrentEpisodes ?? DEMO_MINER_MAX_CONCURRENT_EPISODES;
  let closing: Promise<void> | undefined;
  // `selective` with `decline: 'drop'`: hashes of the observations at whose /act it drops the connection.
  const dropAt = new Set<number>();
  let registry: BuiltinRegistry | undefined;

  const policyFor = (envId: string): Policy => {
    let policy = policies.get(envId);
    if (policy === undefined) {
      policy = createDemoPolicy(options.policy, envId, options.policyOptions);
      policies.set(envId, policy);
    }
    return policy;
  };

  /** Resolves after `ms`, or at once when the server closes or the client goes away. */
  const wait = (ms: number, request: Request): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(done);
        request.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      waiters.add(done);
      request.signal.addEventListener('abort', done);
      if (closing !== undefined) done();
    });

  /** A misbehaving answer for this route, or undefined to behave (possibly after a delay). */
  const misbehave = async (c: Context, route: 'reset' | 'act'): Promise<Response | undefined> => {
    const m = misbehaviour;
    if (m.mode === 'none' || (m.on !== 'all' && m.on !== route)) return undefined;
    switch (m.mode) {
      case 'hang':
        await wait(Number.POSITIVE_INFINITY, c.req.raw);
        return c.json({ error: 'shutting down' }, 503);
      case 'slow':
        await wait(m.delayMs, c.req.raw);
        return undefined;
      case 'error500':
        return c.json({ error: 'internal error (demo misbehaviour)' }, 500);
      case 'error429':
        c.header('retry-after', '1');
        return c.json({ error: 'too many requests (demo misbehaviour)' }, 429);
      case 'garbage':
        return c.body('{"action": <this is not json', 200, { 'content-type': 'application/json' });
      case 'huge':
        return c.body(hugeBody(m.hugeBytes), 200, { 'content-type': 'application/json' });
      default:
        return undefined; // nan and wrong-length alter a real action, below
    }
  };

  /**
   * The hash of the observation the `n`-th /act of this task's episode will carry: the cheater
   * replays the episode on its own simulator (the built-in envs are public and deterministic).
   * Undefined when the episode ends before it.
   */
  const dropObservation = async (envId: string, seed: number, n: number): Promise<number | undefined> => {
    registry ??= new BuiltinRegistry(new MujocoLoader());
    const env = await registry.create(envId);
    try {
      let observation: Observation = await env.reset(seed);
      for (let i = 1; i < n; i++) {
        const step = await env.step(policyFor(envId).act(observation));
        if (step.done || step.success) return undefined;
        observation = step.observation;
      }
      return observationHash(observation);
    } finally {
      env.close();
    }
  };

  const app = new Hono();
  app.get('/health', (c) => c.json({ status: 'ok', policy: options.policy, max_concurrent_episodes: maxConcurrentEpisodes }));

  app.post('/reset', async (c) => {
    counts.reset++;
    const early = await misbehave(c, 'reset');
    if (early !== undefined) return early;
    const parsed = v.safeParse(ResetRequestSchema, await readJson(c));
    if (!parsed.success) return c.json({ error: `bad /reset request: ${describeIssues(parsed.issues)}` }, 400);
    const envId = parsed.output.task_config.env_id;
    if (!demoPolicyEnvIds().includes(envId)) return c.json({ error: `the demo miner has no policy for env "${envId}"` }, 400);
    lastEnvId = envId;
    const episodeId = parsed.output.episode_id ?? c.req.header(EPISODE_ID_HEADER);
    if (episodeId !== undefined) remember(episodeId, envId);
    const m = misbehaviour;
    if (m.mode === 'selective' && declines(m, parsed.output.task_config.task_id)) {
      if (m.decline === 'error500') return c.json({ error: 'declined (demo misbehaviour: selective)' }, 500);
      const hash = await dropObservation(envId, parsed.output.task_config.seed, m.dropAtAct);
      if (hash !== undefined) dropAt.add(hash);
    }
    return c.json({ status: 'ok', ...(episodeId === undefined ? {} : { episode_id: episodeId }) });
  });

  app.post('/act', async (c) => {
    counts.act++;
    const early = await misbehave(c, 'act');
    if (early !== undefined) return early;
    const parsed = v.safeParse(ActRequestSchema, await readJson(c));
    if (!parsed.success) return c.json({ error: `bad /act request: ${describeIssues(parsed.issues)}` }, 400);
    const episodeId = parsed.output.episode_id ?? c.req.header(EPISODE_ID_HEADER);
    const envId =
      episodeId === undefined ? (signatures.get(signature(Object.keys(parsed.output.obs.proprio))) ?? lastEnvId) : episodes.get(episodeId);
    if (envId === undefined)
      return c.json(
        { error: episodeId === undefined ? 'unknown observation and no /reset yet' : `no /reset for episode "${episodeId}"` },
        400,
      );
    const m = misbehaviour;
    if (m.mode === 'selective' && dropAt.delete(observationHash(parsed.output.obs))) {
      (c.env as { incoming: IncomingMessage }).incoming.socket.destroy();
      return c.body(null, 500);
    }
    const action = policyFor(envId).act(parsed.output.obs);
    const applies = m.on === 'all' || m.on === 'act';
    if (applies && m.mode === 'nan') return c.body(nanBody(action), 200, { 'content-type': 'application/json' });
    if (applies && m.mode === 'wrong-length') return c.json({ action: lengthened(action) });
    return c.json({ action });
  });

  app.get('/_control', (c) => c.json({ misbehaviour, counts, lastEnvId }));
  app.post('/_control', async (c) => {
    try {
      misbehaviour = parseMisbehaviour(await readJson(c));
    } catch (error) {
      return c.json({ error: errorMessage(error) }, 400);
    }
    return c.json({ misbehaviour });
  });

  const server = await listen(app, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.logger?.info({ url, policy: options.policy, misbehaviour: misbehaviour.mode }, 'demo miner listening');

  return {
    port,
    url,
    counts,
    get lastEnvId() {
      return lastEnvId;
    },
    envOf: (episodeId) => episodes.get(episodeId),
    misbehaviour: () => misbehaviour,
    setMisbehaviour: (input) => {
      misbehaviour = parseMisbehaviour(input);
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const release of [...waiters]) release();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function listen(app: Hono, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host });
    if (!(server instanceof Server)) {
      reject(new Error('expected an HTTP/1.1 server'));
      return;
    }
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

function signature(keys: readonly string[]): string {
  return [...keys].sort().join(',');
}

/** Python's json.dumps writes NaN as a bare token, which is not JSON: mimic that miner. */
function nanBody(action: Action): string {
  const continuous = Object.fromEntries(Object.entries(action.continuous).map(([key, values]) => [key, values.map(() => 'NaN')]));
  return JSON.stringify({ action: { ...action, continuous } }).replaceAll('"NaN"', 'NaN');
}

function lengthened(action: Action): Action {
  const continuous = Object.fromEntries(Object.entries(action.continuous).map(([key, values]) => [key, [...values, 0]]));
  return { ...action, continuous };
}

/** A valid action response padded to about `bytes` bytes. */
function hugeBody(bytes: number): string {
  const head = '{"action":{"continuous":{},"discrete":{},"extra":{"padding":"';
  const tail = '"}}}';
  return head + 'x'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
}
