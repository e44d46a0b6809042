import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { type DemoMiner, startDemoMiner } from '../../src/demo/miners/demo-miner.ts';
import type { PolicyKind } from '../../src/demo/miners/policies/policy.ts';
import { poolKeys } from '../../src/pool/pool-keys.ts';
import { readPoolSnapshot } from '../../src/pool/pool-snapshot.ts';
import type { TaskJobData } from '../../src/pool/task-job.ts';
import type { CliProcess } from '../helpers/spawn-cli.ts';
import { makeTask } from '../helpers/task-jobs.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { makeTempDir, removeTempDir } from '../helpers/with-temp-dir.ts';
import { assertAlive, type FaultSystem, STARTUP_MS, useFaultSystem } from './fault-system.ts';

/** The env of the live system: real MuJoCo episodes against demo miners. */
export const LIVE_ENV = 'mujoco/reach-v1';
/** The admin token of both `serve`s. */
export const LIVE_ADMIN_TOKEN = 'faults-admin-token-0123456789abcdef';
export const BECAME_LEADER = 'became the scheduler leader';

/** A miner of the static miners file. */
export interface LiveMinerEntry {
  readonly uid: number;
  readonly hotkey: string;
  readonly revision: string;
  readonly endpoint: string;
  readonly committed_block: number;
}

/** The live system of a scenario: two `serve` (leader + standby), two workers, demo miners. */
export interface LiveSystem {
  readonly fault: FaultSystem;
  readonly miners: readonly DemoMiner[];
  /** The entries written to the miners file at the start. */
  readonly entries: readonly LiveMinerEntry[];
  readonly serves: Map<string, CliProcess>;
  readonly workers: Map<string, CliProcess>;
  /** Starts `serve` (label), resolves with its URL once it listens. */
  startServe(label: string): Promise<string>;
  /** Starts `worker` (label = its worker id), resolves once it runs. */
  startWorker(label: string): Promise<void>;
  /** Two serves (`a`, `b`) and two workers (`w1`, `w2`), started together. */
  startAll(): Promise<void>;
  /** The URL a serve logged. */
  url(label: string): string;
  /** Asserts that every process still in the maps is running. */
  alive(): void;
  /** The label of the serve that leads now (the last to log that it became leader, alive). */
  leader(): Promise<string>;
  /** Rewrites the miners file (the leader re-reads it every second). */
  writeMiners(entries: readonly LiveMinerEntry[]): void;
  /** The wanted tasks, read from Postgres: every active miner × every current list. */
  wanted(): Promise<TaskJobData[]>;
  /**
   * Waits until every wanted task has a result, no job for an unwanted task is left in Redis, and
   * (with `weights`) a weights row has every active miner eligible.
   */
  waitRecovered(options?: { readonly weights?: boolean; readonly timeoutMs?: number }): Promise<void>;
  /** SIGTERM to every process; asserts each exits 0; empties the maps. */
  stopAll(): Promise<void>;
}

export interface LiveSystemOptions {
  readonly listSize: number;
  readonly policies?: readonly PolicyKind[];
  /** Variables of every process (after the system's own). */
  readonly vars?: Readonly<Record<string, string>>;
}

/** Registers the hooks of a live system (call inside the scenario's `describe`). */
export function useLiveSystem(options: LiveSystemOptions): LiveSystem {
  const fault = useFaultSystem();
  const policies = options.policies ?? ['expert', 'noisy'];
  const miners: DemoMiner[] = [];
  const entries: LiveMinerEntry[] = [];
  const serves = new Map<string, CliProcess>();
  const workers = new Map<string, CliProcess>();
  const urls = new Map<string, string>();
  let dir = '';
  const minersFile = (): string => path.join(dir, 'miners.json');

  before(async () => {
    dir = makeTempDir('live-faults');
    // Slow enough on /act that episodes are under way for a while when a fault comes.
    for (const policy of policies) miners.push(await startDemoMiner({ policy, misbehaviour: { mode: 'slow', on: 'act', delayMs: 5 } }));
    miners.forEach((m, uid) =>
      entries.push({ uid, hotkey: `5Live${policies[uid]}${uid}`, revision: 'rev-1', endpoint: m.url, committed_block: uid }),
    );
    writeFileSync(minersFile(), JSON.stringify({ miners: entries }));
    mkdirSync(path.join(dir, 'lists'));
    writeFileSync(
      path.join(dir, 'lists', `${LIVE_ENV.replace('/', '__')}.json`),
      // An hour between rotations: none comes on its own during a scenario; ops rotations do.
      JSON.stringify({
        env_id: LIVE_ENV,
        family: 'mujoco',
        dataset: { start: 0, end: 100_000 },
        list_size: options.listSize,
        rotation: { count: 1, interval_seconds: 3_600 },
        scored: true,
      }),
    );
  });
  after(async () => {
    for (const m of miners) await m.close();
    if (dir) removeTempDir(dir);
  });

  const common = (): Record<string, string> => ({
    EVALPOOL_MINERS_FILE: minersFile(),
    EVALPOOL_SAMPLING_LISTS_DIR: path.join(dir, 'lists'),
    EVALPOOL_MINERS_REFRESH_SECONDS: '1',
    EVALPOOL_SCHEDULER_TICK_MS: '200',
    // The lease is what a leader kill tests: long enough that a loaded machine's stalls keep a live
    // leader leading, short enough that the standby takes over within a scenario.
    EVALPOOL_LEADER_LEASE_MS: '9000',
    // Locks long enough for a loaded machine, short enough that an orphan comes back in seconds.
    EVALPOOL_LOCK_DURATION_MS: '6000',
    EVALPOOL_STALLED_INTERVAL_MS: '2000',
    EVALPOOL_TASK_BACKOFF_MS: '100',
    EVALPOOL_WEIGHTS_INTERVAL_SECONDS: '1',
    // Weights only from full coverage: the weights audit then checks every row against n = |list|.
    EVALPOOL_MIN_COVERAGE: '1',
    // The hourly cap would hold back ids that an ops rotation brings in (an hour's rate is 1).
    EVALPOOL_HOURLY_CAP_MARGIN: '1000',
    EVALPOOL_ADMIN_TOKEN: LIVE_ADMIN_TOKEN,
    EVALPOOL_RATE_LIMIT_PER_MINUTE: '0',
    ...options.vars,
  });

  const system: LiveSystem = {
    fault,
    miners,
    entries,
    serves,
    workers,
    async startServe(label) {
      const serve = fault.spawn(['serve'], { ...common(), EVALPOOL_PORT: '0', EVALPOOL_INLINE_WORKERS: '0' });
      serves.set(label, serve);
      const url = String((await serve.waitForLog((l) => l.msg === 'evalpool serve is listening', STARTUP_MS)).url);
      urls.set(label, url);
      return url;
    },
    async startWorker(label) {
      const worker = fault.spawn(['worker', '--envs', LIVE_ENV, '--concurrency', '3'], { ...common(), EVALPOOL_WORKER_ID: label });
      workers.set(label, worker);
      await worker.waitForLog((l) => l.msg === 'evalpool worker is running', STARTUP_MS);
    },
    async startAll() {
      await Promise.all([system.startServe('a'), system.startServe('b'), system.startWorker('w1'), system.startWorker('w2')]);
    },
    url(label) {
      const url = urls.get(label);
      assert.ok(url, `serve ${label} has no URL`);
      return url;
    },
    alive() {
      assertAlive(Object.fromEntries([...serves.entries(), ...workers.entries()]));
    },
    async leader() {
      return waitFor('a scheduler leader', () => {
        system.alive();
        let found: { label: string; at: number } | undefined;
        for (const [label, serve] of serves) {
          const logs = serve.logs();
          const became = logs.findLastIndex((l) => l.msg === BECAME_LEADER);
          const lost = logs.findLastIndex((l) => typeof l.msg === 'string' && l.msg.startsWith('lost the scheduler lease'));
          if (became < 0 || lost > became) continue;
          const at = Number(logs[became]!.time ?? 0);
          if (!found || at > found.at) found = { label, at };
        }
        return found?.label;
      });
    },
    writeMiners(next) {
      writeFileSync(minersFile(), JSON.stringify({ miners: next }));
    },
    async wanted() {
      const active = await fault.db
        .selectFrom('miners')
        .select(['uid', 'hotkey', 'revision', 'endpoint'])
        .where('active', '=', true)
        .execute();
      const lists = await fault.db.selectFrom('sampling_lists').select(['env_id', 'task_ids']).execute();
      return active.flatMap((m) =>
        lists.flatMap((l) =>
          l.task_ids.map((task_id) =>
            makeTask({ env: l.env_id, task_id, uid: m.uid, hotkey: m.hotkey, revision: m.revision, endpoint: m.endpoint }),
          ),
        ),
      );
    },
    async waitRecovered(recovery = {}) {
      const { db } = fault;
      const redis = fault.queues.connection;
      let last = '';
      await waitFor(
        'the system recovered: every wanted task evaluated, no stray job left' +
          (recovery.weights ? ', weights with every miner eligible' : ''),
        async () => {
          system.alive();
          const wanted = await system.wanted();
          const keys = new Set(wanted.map((t) => `${t.hotkey}|${t.revision}|${t.env}|${t.task_id}`));
          const results = await db.selectFrom('results').select(['hotkey', 'revision', 'env_id', 'task_id']).execute();
          const evaluated = new Set(results.map((r) => `${r.hotkey}|${r.revision}|${r.env_id}|${r.task_id}`));
          const missing = [...keys].filter((k) => !evaluated.has(k)).length;
          const envs = await redis.smembers(poolKeys(fault.prefix).queues);
          const pool = envs.length === 0 ? [] : (await readPoolSnapshot(redis, fault.prefix, envs)).tasks;
          const stray = pool.filter((t) => !keys.has(`${t.hotkey}|${t.revision}|${t.env}|${t.taskId}`)).length;
          let eligible = true;
          if (recovery.weights) {
            const latest = await db.selectFrom('weights').select('metadata').orderBy('block_number', 'desc').limit(1).executeTakeFirst();
            const active = new Set(wanted.map((t) => t.uid));
            const uids = (latest?.metadata.eligible_uids as number[] | undefined) ?? [];
            eligible = active.size > 0 && uids.length === active.size && uids.every((u) => active.has(u));
          }
          last = `${wanted.length} wanted, ${missing} without a result, ${stray} stray jobs, weights ${eligible ? 'current' : 'not yet'}`;
          return missing === 0 && stray === 0 && eligible;
        },
        recovery.timeoutMs ?? 600_000,
        250,
      ).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; ${last}`);
      });
    },
    async stopAll() {
      const all = [...serves.entries(), ...workers.entries()];
      for (const [, p] of all) p.child.kill('SIGTERM');
      for (const [label, p] of all)
        assert.equal(await p.exited(), 0, `${label} exited with ${String(p.child.exitCode ?? p.child.signalCode)}:\n${p.stderr()}`);
      serves.clear();
      workers.clear();
    },
  };
  return system;
}
