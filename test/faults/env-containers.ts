import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { type DemoMiner, startDemoMiner } from '../../src/demo/miners/demo-miner.ts';
import { LABELS } from '../../src/envs/container/container-labels.ts';
import { DockerEngine } from '../../src/envs/container/docker-engine.ts';
import type { TaskJobData } from '../../src/pool/task-job.ts';
import { definitionFileName } from '../../src/sampling/sampling-definition.ts';
import { requireEngineAndImage, SKIP_CONTAINER_TESTS, TEST_DOCKER_SOCKET, TEST_ENV_IMAGE } from '../helpers/container-engine.ts';
import { privatePostgresUnavailable } from '../helpers/private-postgres.ts';
import type { CliProcess } from '../helpers/spawn-cli.ts';
import { makeTask } from '../helpers/task-jobs.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { makeTempDir, removeTempDir } from '../helpers/with-temp-dir.ts';
import { assertAlive, assertBooks, type FaultSystem, STARTUP_MS, useFaultSystem } from './fault-system.ts';

/**
 * Env containers under fault, with `evalpool worker` processes running the container family on the
 * real engine and evalpool's own env image, against a demo miner over HTTP:
 * - `containerKilledScenario`: the env container killed by the engine mid-episode, round after
 *   round: each episode it cut is an `env_error` attempt (never scored against the miner), a new
 *   replica replaces it, every task completes later with a real episode;
 * - `workerKilledScenario`: the worker killed (-9) while its containers run, round after round:
 *   the containers it left behind are removed by the next worker's start, every task completes,
 *   and at the end no container with the labels of these workers remains;
 * - `workerGoneScenario`: two workers, one killed (-9) and never replaced: the survivor's periodic
 *   sweep removes the dead one's containers once it has been gone for the grace period, and never
 *   touches its own; every task completes.
 */
const ENV = 'container/reach-v1';
// Locks long enough for a loaded machine, short enough that an orphan comes back in seconds.
const SETTINGS = {
  EVALPOOL_DOCKER_SOCKET: TEST_DOCKER_SOCKET,
  EVALPOOL_LOCK_DURATION_MS: '8000',
  EVALPOOL_STALLED_INTERVAL_MS: '2000',
  EVALPOOL_TASK_ATTEMPTS: '8',
  EVALPOOL_TASK_BACKOFF_MS: '200',
  // Not what these scenarios are about: a busy machine must not turn expert actions into failures.
  EVALPOOL_ACTION_TIMEOUT_MS: '5000',
};

export interface ContainerFaultOptions {
  readonly rounds: number;
  /** Tasks added before each fault. */
  readonly wave: number;
}

interface Fixture {
  readonly system: FaultSystem;
  engine(): DockerEngine;
  miner(): DemoMiner;
  /** `evalpool worker` on the container env, with `id` (and `variables` over the scenario's settings); resolves once it runs. */
  startWorker(id: string, variables?: Readonly<Record<string, string>>): Promise<CliProcess>;
  /** Containers the engine holds with these worker ids. */
  containersOf(ids: readonly string[]): Promise<{ id: string; worker: string }[]>;
}

function useContainerFixture(): Fixture {
  const system = useFaultSystem();
  const dir = makeTempDir('container-faults');
  let engine: DockerEngine | undefined;
  let miner: DemoMiner | undefined;
  before(async () => {
    await requireEngineAndImage();
    engine = new DockerEngine({ socketPath: TEST_DOCKER_SOCKET });
    // Slow enough on /act that an episode is under way for seconds when the fault comes.
    miner = await startDemoMiner({ policy: 'expert', misbehaviour: { mode: 'slow', on: 'act', delayMs: 30 } });
    const definition = {
      env_id: ENV,
      family: 'container',
      image: TEST_ENV_IMAGE,
      max_timesteps: 200,
      max_concurrency: 4,
      dataset: { start: 0, end: 100_000 },
      list_size: 8,
      rotation: { count: 1, interval_seconds: 86_400 },
      scored: true,
    };
    writeFileSync(path.join(dir, definitionFileName(ENV)), JSON.stringify(definition));
  });
  after(async () => {
    await miner?.close();
    engine?.close();
    removeTempDir(dir);
  });
  return {
    system,
    engine: () => engine!,
    miner: () => miner!,
    async startWorker(id, variables = {}) {
      const worker = system.spawn(['worker', '--envs', ENV, '--concurrency', '3'], {
        ...SETTINGS,
        EVALPOOL_SAMPLING_LISTS_DIR: dir,
        EVALPOOL_WORKER_ID: id,
        ...variables,
      });
      await worker.waitForLog((l) => l.msg === 'evalpool worker is running', STARTUP_MS);
      return worker;
    },
    async containersOf(ids) {
      const listed = await engine!.list([`${LABELS.managed}=true`]);
      return listed.filter((c) => ids.includes(c.labels[LABELS.worker] ?? '')).map((c) => ({ id: c.id, worker: c.labels[LABELS.worker]! }));
    },
  };
}

/** Adds a wave of tasks and waits until the worker's episodes are under way in a container. */
async function waveUnderWay(
  f: Fixture,
  tasks: TaskJobData[],
  wave: number,
  hotkey: string,
  alive: () => void,
  round: number,
): Promise<void> {
  const added = Array.from({ length: wave }, () => makeTask({ env: ENV, hotkey, endpoint: f.miner().url }));
  tasks.push(...added);
  for (const task of added) await f.system.queues.add(task);
  const acts = f.miner().counts.act;
  await waitFor(
    `round ${round}: episodes under way`,
    async () => {
      alive();
      return (await f.system.queues.queue(ENV).getActiveCount()) > 0 && f.miner().counts.act > acts + 5;
    },
    STARTUP_MS,
  );
}

async function waitAllDone(f: Fixture, tasks: readonly TaskJobData[], alive: () => void): Promise<void> {
  await waitFor(
    `all ${tasks.length} tasks completed`,
    async () => {
      alive();
      return (await Promise.all(tasks.map((task) => f.system.queues.getJob(task)))).every((job) => job === undefined);
    },
    600_000,
  );
}

/** Every result a real episode (no message): a container fault never ended in a score. */
async function assertRealEpisodes(t: TestContext, f: Fixture, hotkey: string): Promise<{ envErrors: number }> {
  const failures = await f.system.db
    .selectFrom('results')
    .select(['task_id', 'error_class', 'error_message'])
    .where('hotkey', '=', hotkey)
    .where('error_message', 'is not', null)
    .execute();
  assert.deepEqual(failures, [], 'no container fault scored against the miner');
  const envErrors = await f.system.db
    .selectFrom('attempts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('hotkey', '=', hotkey)
    .where('error_class', '=', 'env_error')
    .executeTakeFirst();
  t.diagnostic(`${Number(envErrors?.n ?? 0)} env_error attempts`);
  return { envErrors: Number(envErrors?.n ?? 0) };
}

export function containerKilledScenario(name: string, options: ContainerFaultOptions): void {
  describe(`env container faults: ${name}`, { skip: SKIP_CONTAINER_TESTS || privatePostgresUnavailable() }, () => {
    const f = useContainerFixture();
    test(`the env container killed mid-episode, ${options.rounds} round(s): env_error attempts, a new replica, every task completes with a real episode`, async (t) => {
      const hotkey = `5ContainerKilled${name.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 40);
      const workerId = `container-killed-${process.pid}`;
      const worker = await f.startWorker(workerId);
      const alive = (): void => assertAlive({ worker });
      const tasks: TaskJobData[] = [];
      const killed: string[] = [];
      for (let round = 1; round <= options.rounds; round++) {
        await waveUnderWay(f, tasks, options.wave, hotkey, alive, round);
        const running = await waitFor(`round ${round}: a running container`, async () => {
          const listed = (await f.containersOf([workerId])).filter((c) => !killed.includes(c.id));
          return listed.length > 0 ? listed : undefined;
        });
        for (const c of running) {
          await f.engine().kill(c.id);
          killed.push(c.id);
        }
      }
      await waitAllDone(f, tasks, alive);
      const { envErrors } = await assertRealEpisodes(t, f, hotkey);
      assert.ok(envErrors >= 1, 'the killed containers cut episodes: env_error attempts');
      const now = await f.containersOf([workerId]);
      assert.ok(
        now.every((c) => !killed.includes(c.id)),
        'the killed containers were replaced',
      );
      await assertBooks(
        t,
        f.system,
        {
          scenario: `env container killed (${name})`,
          injected: `engine kill of the worker's env containers mid-episode, ${options.rounds} round(s)`,
          extra: `${envErrors} env_error attempts, ${killed.length} containers killed and replaced`,
        },
        tasks,
      );
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited(), 0, worker.stderr());
      assert.deepEqual(await f.containersOf([workerId]), [], 'no container of the worker remains');
    });
  });
}

export function workerKilledScenario(name: string, options: ContainerFaultOptions): void {
  describe(`env containers left by a killed worker: ${name}`, { skip: SKIP_CONTAINER_TESTS || privatePostgresUnavailable() }, () => {
    const f = useContainerFixture();
    test(`a worker killed (-9) with containers running, ${options.rounds} round(s): the next worker removes them, every task completes, no labelled container remains`, async (t) => {
      const hotkey = `5ContainerWorkerKilled${name.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 40);
      const ids: string[] = [];
      const start = async (): Promise<CliProcess> => {
        ids.push(`container-victim-${process.pid}-${ids.length + 1}`);
        return f.startWorker(ids.at(-1)!);
      };
      let worker = await start();
      const tasks: TaskJobData[] = [];
      let leftBehind = 0;
      for (let round = 1; round <= options.rounds; round++) {
        await waveUnderWay(f, tasks, options.wave, hotkey, () => assertAlive({ worker }), round);
        const victim = ids.at(-1)!;
        worker.child.kill('SIGKILL');
        assert.equal(await worker.exited(), 'SIGKILL');
        const left = await f.containersOf([victim]);
        assert.ok(left.length > 0, 'the killed worker left its containers behind');
        leftBehind += left.length;
        worker = await start();
        await waitFor(
          `round ${round}: the next worker removed the containers left behind`,
          async () => (await f.containersOf([victim])).length === 0,
        );
      }
      await waitAllDone(f, tasks, () => assertAlive({ worker }));
      const { envErrors } = await assertRealEpisodes(t, f, hotkey);
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited(), 0, worker.stderr());
      const remaining = await f.containersOf(ids);
      await assertBooks(
        t,
        f.system,
        {
          scenario: `worker killed with env containers (${name})`,
          injected: `kill -9 of the worker while its env containers ran, ${options.rounds} round(s), a new worker each time`,
          extra: `${leftBehind} containers left behind, all removed by the next worker; ${remaining.length} labelled containers at the end; ${envErrors} env_error attempts`,
        },
        tasks,
      );
      assert.deepEqual(remaining, [], "no container with these workers' labels remains");
    });
  });
}

/**
 * The sweep's settings: a heartbeat expires 3 beats (6 s) after a kill, and a worker seen without
 * one for the grace (10 s) loses its containers. A live worker would have to stall for both
 * (16 s) to be taken for gone: room for a loaded machine.
 */
const SWEEP_SETTINGS = {
  EVALPOOL_WORKER_HEARTBEAT_MS: '2000',
  EVALPOOL_CONTAINER_SWEEP_INTERVAL_MS: '500',
  EVALPOOL_CONTAINER_SWEEP_GRACE_MS: '10000',
};

export function workerGoneScenario(name: string, options: ContainerFaultOptions): void {
  describe(`env containers of a worker gone for good: ${name}`, { skip: SKIP_CONTAINER_TESTS || privatePostgresUnavailable() }, () => {
    const f = useContainerFixture();
    test(`a worker killed (-9) and never replaced, another one running, ${options.rounds} round(s): the survivor's sweep removes the dead one's containers, never its own; every task completes`, async (t) => {
      const hotkey = `5ContainerWorkerGone${name.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 40);
      const survivorId = `container-survivor-${process.pid}`;
      const survivor = await f.startWorker(survivorId, SWEEP_SETTINGS);
      const alive = (): void => assertAlive({ survivor });
      const tasks: TaskJobData[] = [];
      const gone: string[] = [];
      let swept = 0;
      for (let round = 1; round <= options.rounds; round++) {
        const victimId = `container-gone-${process.pid}-${round}`;
        gone.push(victimId);
        const victim = await f.startWorker(victimId, SWEEP_SETTINGS);
        await waveUnderWay(f, tasks, options.wave, hotkey, () => assertAlive({ survivor, victim }), round);
        // Both run episodes in containers of their own.
        await waitFor(`round ${round}: containers of both workers`, async () => {
          alive();
          const listed = await f.containersOf([victimId, survivorId]);
          return listed.some((c) => c.worker === victimId) && listed.some((c) => c.worker === survivorId);
        });
        victim.child.kill('SIGKILL');
        assert.equal(await victim.exited(), 'SIGKILL');
        const left = await f.containersOf([victimId]);
        assert.ok(left.length > 0, 'the killed worker left its containers behind');
        const own = (await f.containersOf([survivorId])).map((c) => c.id);
        await waitFor(`round ${round}: the survivor's sweep to remove the containers of the worker gone`, async () => {
          alive();
          return (await f.containersOf([victimId])).length === 0;
        });
        swept += left.length;
        // The survivor's containers are its own business: the sweep left every one of them (a
        // container the survivor recycled itself, which it logs, is the only way one goes).
        const recycled = survivor
          .logs()
          .filter((l) => l.msg === 'recycling the env container')
          .map((l) => String(l.name));
        const kept = (await f.containersOf([survivorId])).map((c) => c.id);
        const missing = own.filter((id) => !kept.includes(id));
        assert.ok(
          missing.length === 0 || recycled.length > 0,
          `the survivor's containers stay (${missing.length} went; recycled: ${recycled.join(', ')})`,
        );
        const removals = survivor.logs().filter((l) => l.msg === 'removed an env container of a worker gone for good');
        assert.ok(
          removals.every((l) => gone.includes(String(l.worker))),
          `only the dead workers' containers were swept: ${JSON.stringify(removals)}`,
        );
      }
      await waitAllDone(f, tasks, alive);
      const { envErrors } = await assertRealEpisodes(t, f, hotkey);
      // Most often all by the survivor's sweep; a manager starting meanwhile on this host (another
      // test file's) may remove some first, as leftovers of a dead process: the state is what counts.
      const removals = survivor.logs().filter((l) => l.msg === 'removed an env container of a worker gone for good').length;
      t.diagnostic(`${removals} of ${swept} containers left behind removed by the survivor's sweep`);
      survivor.child.kill('SIGTERM');
      assert.equal(await survivor.exited(), 0, survivor.stderr());
      const remaining = await f.containersOf([survivorId, ...gone]);
      await assertBooks(
        t,
        f.system,
        {
          scenario: `worker gone for good with env containers (${name})`,
          injected: `kill -9 of a container-env \`worker\` mid-episode, never replaced, another worker running, ${options.rounds} round(s)`,
          extra: `${swept} containers left behind, ${removals} removed by the survivor's sweep, none kept; ${remaining.length} labelled containers at the end; ${envErrors} env_error attempts`,
        },
        tasks,
      );
      assert.deepEqual(remaining, [], "no container with these workers' labels remains");
    });
  });
}
