import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as v from 'valibot';
import { createDemoPolicy } from '../../src/demo/miners/policies/demo-policy.ts';
import type { Policy } from '../../src/demo/miners/policies/policy.ts';
import { listBuiltinEnvs } from '../../src/envs/builtin-registry.ts';
import { ObservationSchema } from '../../src/envs/policy-contract.ts';
import { describeIssues } from '../../src/runtime/describe-issues.ts';
import { startTestServer } from './test-server.ts';

/**
 * A test double of the subnet's miner template server (kinitro `miner/template/server.py` with its
 * pydantic models), written from its behaviour:
 *
 * - ONE global state, set by `POST /reset` (env id, seed, step counter); `POST /act` answers for
 *   that state only, with the action keys of the env of the last `/reset`;
 * - request models: unknown top-level fields are ignored, extra keys inside `obs` are refused
 *   with 422 (the observation model forbids them), a missing `task_config` is 422;
 * - `GET /health` answers `{status, model_loaded, uptime_seconds}`, plus
 *   `max_concurrent_episodes` when the double is told to declare it.
 *
 * What the template does not do, the double does for the test: it records each episode evalpool
 * names (`X-Episode-Id`) and flags **cross-contamination**, an `/act` whose episode or whose
 * observation's env is not the state it is answered from. It also measures how many episodes it
 * served at once: episodes overlap when their spans (first to last request, in arrival order)
 * do. A double that declares N keys its state by episode id, as docs/miners-and-chain.md ("The miner contract") asks of such a miner.
 */
export interface TemplateMiner {
  readonly url: string;
  /** Episodes seen (by `X-Episode-Id`), in order of their first `/reset`. */
  readonly episodes: readonly string[];
  /** Episodes with at least one cross-contaminated `/act`. */
  readonly contaminated: ReadonlySet<string>;
  /** `/act` calls answered, and those refused (422). */
  readonly counts: { readonly reset: number; readonly act: number; readonly refused: number };
  /** Most episodes whose spans overlapped. */
  maxConcurrency(): number;
  close(): Promise<void>;
}

interface State {
  readonly envId: string;
  readonly seed: number | null;
  readonly episodeId: string | undefined;
  readonly policy: Policy;
  steps: number;
}

const nullableString = v.optional(v.nullable(v.string()), null);
const nullableInt = v.optional(v.nullable(v.pipe(v.number(), v.integer())), null);
const ResetSchema = v.object({
  task_config: v.object({
    env_id: nullableString,
    env_name: nullableString,
    task_name: nullableString,
    seed: nullableInt,
    task_id: nullableInt,
  }),
});
// pydantic's `extra="forbid"` on the observation; every field has a default.
const ObservationModel = v.strictObject(
  Object.fromEntries(Object.entries(ObservationSchema.entries).map(([key, schema]) => [key, v.optional(schema, {})])),
);
const ActSchema = v.object({ obs: ObservationModel });

/** `declare`: what `/health` declares (and the state is then keyed by episode); `actDelayMs`: think time per `/act`. */
export async function startTemplateMiner(
  options: { readonly declare?: number; readonly actDelayMs?: number } = {},
): Promise<TemplateMiner> {
  const started = Date.now();
  const envBySignature = new Map(listBuiltinEnvs().map((info) => [signature(Object.keys(info.proprio)), info.id]));
  let global: State | undefined;
  const keyed = new Map<string, State>();
  const episodes: string[] = [];
  const spans = new Map<string, { first: number; last: number }>();
  const contaminated = new Set<string>();
  const counts = { reset: 0, act: 0, refused: 0 };
  let sequence = 0;

  const touch = (episodeId: string | undefined): void => {
    if (episodeId === undefined) return;
    const n = sequence++;
    const span = spans.get(episodeId);
    if (span === undefined) {
      spans.set(episodeId, { first: n, last: n });
      episodes.push(episodeId);
    } else span.last = n;
  };

  const handle = (request: IncomingMessage, body: string, response: ServerResponse): void => {
    const reply = (status: number, json: unknown): void =>
      void response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    const episodeId = request.headers['x-episode-id'] as string | undefined;
    if (request.method === 'GET' && request.url === '/health') {
      reply(200, {
        status: 'healthy',
        model_loaded: true,
        uptime_seconds: (Date.now() - started) / 1_000,
        ...(options.declare === undefined ? {} : { max_concurrent_episodes: options.declare }),
      });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      reply(422, { detail: 'body is not JSON' });
      return;
    }
    if (request.method === 'POST' && request.url === '/reset') {
      const parsed = v.safeParse(ResetSchema, json);
      if (!parsed.success) return reply(422, { detail: describeIssues(parsed.issues) });
      counts.reset++;
      touch(episodeId);
      const config = parsed.output.task_config;
      const envId = config.env_id ?? '';
      let policy: Policy;
      try {
        policy = createDemoPolicy('expert', envId);
      } catch (error) {
        return reply(500, { detail: String(error) });
      }
      const state: State = { envId, seed: config.seed, episodeId, policy, steps: 0 };
      if (options.declare !== undefined && episodeId !== undefined) keyed.set(episodeId, state);
      else global = state;
      reply(200, { status: 'ok', episode_id: randomUUID().replaceAll('-', '') });
      return;
    }
    if (request.method === 'POST' && request.url === '/act') {
      const parsed = v.safeParse(ActSchema, json);
      if (!parsed.success) {
        counts.refused++;
        return reply(422, { detail: describeIssues(parsed.issues) });
      }
      counts.act++;
      touch(episodeId);
      const state = (options.declare !== undefined && episodeId !== undefined ? keyed.get(episodeId) : undefined) ?? global;
      if (state === undefined) return reply(500, { detail: 'act before reset' });
      const obsEnv = envBySignature.get(signature(Object.keys(parsed.output.obs.proprio ?? {})));
      if (episodeId !== undefined && (state.episodeId !== episodeId || obsEnv !== state.envId)) contaminated.add(episodeId);
      state.steps++;
      const answer = (): void => {
        try {
          reply(200, {
            action: state.policy.act({
              rgb: {},
              depth: {},
              cam_intrinsics: {},
              cam_extrinsics: {},
              extra: {},
              ...parsed.output.obs,
            } as never),
          });
        } catch (error) {
          reply(500, { detail: String(error) });
        }
      };
      if (options.actDelayMs === undefined) answer();
      else setTimeout(answer, options.actDelayMs);
      return;
    }
    reply(404, { detail: 'Not Found' });
  };

  const server = await startTestServer((request, response, body) => handle(request, body, response));
  return {
    url: server.url,
    episodes,
    contaminated,
    counts,
    maxConcurrency: () => {
      const events = [...spans.values()]
        .flatMap((s) => [[s.first, 1] as const, [s.last, -1] as const])
        .sort((a, b) => a[0] - b[0] || b[1] - a[1]);
      let open = 0;
      let most = 0;
      for (const [, delta] of events) most = Math.max(most, (open += delta));
      return most;
    },
    close: () => server.close(),
  };
}

function signature(keys: readonly string[]): string {
  return [...keys].sort().join(',');
}
