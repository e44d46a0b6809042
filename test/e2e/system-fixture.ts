import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type DemoMiner, startDemoMiner } from '../../src/demo/miners/demo-miner.ts';
import type { MisbehaviourInput } from '../../src/demo/miners/misbehaviour.ts';
import type { PolicyKind } from '../../src/demo/miners/policies/policy.ts';
import { type RunningServe, startServe } from '../../src/service/serve.ts';
import { testConfig } from '../helpers/test-config.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { makeTempDir, removeTempDir } from '../helpers/with-temp-dir.ts';

/** The built-in envs, each with a small list so that coverage is reached in seconds. */
export const E2E_ENVS = ['mujoco/reach-v1', 'mujoco/push-v1', 'mujoco/balance-v1'] as const;

/** A whole evalpool on this machine: demo miners, `serve` with inline workers, its own files. */
export interface RunningSystem {
  readonly serve: RunningServe;
  /** By policy name, or by the spec's `name`; the hotkey is `demo-<name>`. */
  readonly miners: ReadonlyMap<string, { readonly uid: number; readonly miner: DemoMiner }>;
  stop(): Promise<void>;
}

/** A demo miner of its own name (several may share a policy), optionally misbehaving. */
export interface MinerSpec {
  readonly name: string;
  readonly policy: PolicyKind;
  readonly misbehaviour?: MisbehaviourInput;
}

/**
 * Starts demo miners (one per policy or spec, uids in the given order), writes a static miners file and
 * small sampling lists into a temp folder, and starts `serve` on them with fast intervals.
 */
export async function startSystem(options: {
  readonly databaseUrl: string;
  readonly prefix: string;
  readonly policies: readonly (PolicyKind | MinerSpec)[];
  readonly listSize: number;
  readonly variables?: Readonly<Record<string, string>>;
  /** Miners served by someone else (test doubles), after the demo miners' uids. */
  readonly extraMiners?: readonly { readonly hotkey: string; readonly endpoint: string }[];
}): Promise<RunningSystem> {
  const dir = makeTempDir('e2e');
  const miners = new Map<string, { uid: number; miner: DemoMiner }>();
  let serve: RunningServe | undefined;
  const stop = async (): Promise<void> => {
    await serve?.lifecycle.stopAll(10_000);
    await Promise.all([...miners.values()].map((m) => m.miner.close()));
    removeTempDir(dir);
  };
  try {
    for (const [uid, entry] of options.policies.entries()) {
      const spec = typeof entry === 'string' ? { name: entry, policy: entry } : entry;
      miners.set(spec.name, {
        uid,
        miner: await startDemoMiner({ policy: spec.policy, ...(spec.misbehaviour ? { misbehaviour: spec.misbehaviour } : {}) }),
      });
    }
    writeFileSync(
      path.join(dir, 'miners.json'),
      JSON.stringify({
        miners: [
          ...[...miners].map(([policy, { uid, miner }]) => ({ uid, hotkey: `demo-${policy}`, endpoint: miner.url, committed_block: uid })),
          ...(options.extraMiners ?? []).map((m, i) => ({
            uid: miners.size + i,
            hotkey: m.hotkey,
            endpoint: m.endpoint,
            committed_block: miners.size + i,
          })),
        ],
      }),
    );
    mkdirSync(path.join(dir, 'lists'));
    for (const env of E2E_ENVS) {
      writeFileSync(
        path.join(dir, 'lists', `${env.replace('/', '__')}.json`),
        JSON.stringify({
          env_id: env,
          family: 'mujoco',
          dataset: { start: 0, end: 100_000 },
          list_size: options.listSize,
          rotation: { count: 1, interval_seconds: 86_400 },
          scored: true,
        }),
      );
    }
    const config = testConfig({
      EVALPOOL_DATABASE_URL: options.databaseUrl,
      EVALPOOL_QUEUE_PREFIX: options.prefix,
      EVALPOOL_PORT: '0',
      EVALPOOL_MINERS_FILE: path.join(dir, 'miners.json'),
      EVALPOOL_SAMPLING_LISTS_DIR: path.join(dir, 'lists'),
      EVALPOOL_MINERS_REFRESH_SECONDS: '1',
      EVALPOOL_SCHEDULER_TICK_MS: '200',
      EVALPOOL_WEIGHTS_INTERVAL_SECONDS: '1',
      EVALPOOL_INLINE_WORKERS: '1',
      EVALPOOL_WORKER_CONCURRENCY: '4',
      EVALPOOL_TASK_BACKOFF_MS: '100',
      EVALPOOL_SHUTDOWN_GRACE_MS: '5000',
      ...options.variables,
    });
    serve = await startServe(config, testLogger());
    return { serve, miners, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
