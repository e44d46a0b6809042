import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { privatePostgresUnavailable } from '../helpers/private-postgres.ts';
import { prng } from '../helpers/prng.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { assertBooks } from './fault-system.ts';
import { type RawAnswer, rawRequest } from './http-request.ts';
import { BECAME_LEADER, LIVE_ADMIN_TOKEN, LIVE_ENV, type LiveSystem, useLiveSystem } from './live-system.ts';

/**
 * Scenarios on a live system (two `serve`: leader and standby; two workers; demo miners; the
 * scheduler fills the pool from Postgres): the leader killed, everything stopped and started
 * again, a burst of admin actions. Each injects its fault mid-run, waits until the system has
 * recovered (every wanted task evaluated, no stray job, weights with every miner eligible) and
 * audits the books with the slot law sampled throughout.
 */

/** Results stored so far (every miner). */
async function storedResults(live: LiveSystem): Promise<number> {
  const row = await live.fault.db
    .selectFrom('results')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Waits until at least `results` results are stored and tasks are assigned: the system is mid-run.
 * Fails at once, saying so, when every wanted task is evaluated first (nothing left to be mid-run of).
 */
async function waitMidRun(live: LiveSystem, what: string, results: number): Promise<number> {
  let last = '';
  return waitFor(what, async () => {
    live.alive();
    const n = await storedResults(live);
    const counts = await live.fault.queues.queue(LIVE_ENV).getJobCounts('wait', 'active', 'delayed', 'prioritized', 'failed');
    const wanted = (await live.wanted()).length;
    last = `${n} results of ${wanted} wanted, pool ${JSON.stringify(counts)}`;
    assert.ok(n < wanted, `${what}: every wanted task was evaluated before (${last})`);
    return n >= results && (counts.active ?? 0) > 0 ? n : undefined;
  }).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; ${last}`);
  });
}

const total = (live: LiveSystem, listSize: number): number => live.entries.length * listSize;

/** The leader `serve` killed (-9) mid-run, `rounds` times; the standby takes over each time and a new standby starts. */
export function leaderKillScenario(name: string, options: { readonly listSize: number; readonly rounds: number }): void {
  describe(`leader killed: ${name}`, { skip: privatePostgresUnavailable() }, () => {
    const live = useLiveSystem({ listSize: options.listSize });

    test(`kill -9 of the leader ${options.rounds}×: the standby takes over, the pool continues, the books hold`, async (t) => {
      await live.startAll();
      const sampler = live.fault.startSlotSampler();
      const takeovers: string[] = [];
      const standbys: Promise<string>[] = [];
      for (let round = 1; round <= options.rounds; round++) {
        const leader = await live.leader();
        // Each round once the current leader has kept the pool going: results since the last kill.
        const at = await waitMidRun(live, `round ${round}: mid-run`, (await storedResults(live)) + 2);
        const victim = live.serves.get(leader)!;
        const others = [...live.serves.entries()].filter(([label]) => label !== leader);
        const terms = (label: string): number =>
          live.serves
            .get(label)!
            .logs()
            .filter((l) => l.msg === BECAME_LEADER).length;
        const before = new Map(others.map(([label]) => [label, terms(label)]));
        victim.child.kill('SIGKILL');
        assert.equal(await victim.exited(), 'SIGKILL');
        live.serves.delete(leader);
        // Once the dead leader's lease expires; how soon is not asserted (the lease logic's timing is unit-tested).
        const successor = await waitFor(`round ${round}: the standby took over`, () => {
          live.alive();
          return others.find(([label]) => terms(label) > before.get(label)!)?.[0];
        });
        takeovers.push(`${leader}→${successor} after ${at} results`);
        // A new standby, as an operator's supervisor would start; the next round does not wait
        // for it (the pool would drain meanwhile), the recovery does.
        standbys.push(live.startServe(`${leader}${round}`));
      }
      await Promise.all(standbys);
      await live.waitRecovered({ weights: true });
      const slots = await sampler.stop();
      await assertBooks(
        t,
        live.fault,
        {
          scenario: `leader killed (${name})`,
          injected: `kill -9 of the leader serve mid-run, ${options.rounds} round(s), a new standby each time`,
          extra: `takeovers ${takeovers.join(', ')}`,
        },
        await live.wanted(),
        { slots },
      );
      await live.stopAll();
    });
  });
}

/** SIGTERM of every process mid-run, then all started again. */
export function restartAllScenario(name: string, options: { readonly listSize: number }): void {
  describe(`everything stopped and started again: ${name}`, { skip: privatePostgresUnavailable() }, () => {
    const live = useLiveSystem({ listSize: options.listSize });

    test('SIGTERM of both serves and both workers mid-run: each exits 0; started again, nothing lost, no duplicate result', async (t) => {
      await live.startAll();
      const sampler = live.fault.startSlotSampler();
      const at = await waitMidRun(live, 'mid-run', Math.floor(total(live, options.listSize) / 3));
      await live.stopAll();
      const stoppedWith = await storedResults(live);
      const pooled = await live.fault.queues.queue(LIVE_ENV).getJobCounts('wait', 'active', 'delayed', 'prioritized', 'failed');
      await live.startAll();
      await live.waitRecovered({ weights: true });
      const slots = await sampler.stop();
      await assertBooks(
        t,
        live.fault,
        {
          scenario: `everything restarted (${name})`,
          injected: 'SIGTERM of both serves and both workers mid-run (each exited 0), then all started again',
          extra: `stopped after ${at} results with ${stoppedWith} stored and ${JSON.stringify(pooled)} jobs left in Redis`,
        },
        await live.wanted(),
        { slots },
      );
      assert.equal(pooled.active, 0, 'a clean shutdown leaves no assigned job behind');
      await live.stopAll();
    });
  });
}

/** The admin API's answers of a scenario, by status and error code. */
export class Answers {
  readonly counts = new Map<string, number>();
  readonly failures: string[] = [];

  add(label: string, answer: RawAnswer, allowed: (answer: RawAnswer) => boolean): void {
    const error = answer.status !== 'timeout' && answer.status !== 'error' && answer.status >= 400 ? ` ${errorCode(answer.body)}` : '';
    const key = `${answer.status}${error}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (!allowed(answer)) this.failures.push(`${label} → ${answer.status}: ${answer.body.slice(0, 300)}`);
  }

  summary(): string {
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${n}× ${k}`)
      .join(', ');
  }
}

function errorCode(body: string): string {
  if (body === '') return '(no body: HEAD)';
  try {
    const { error } = JSON.parse(body) as { error?: unknown };
    return typeof error === 'string' ? error : '?';
  } catch {
    return 'non-JSON';
  }
}

/** The one 5xx the admin API documents: an action over its deadline (Redis or Postgres slow). */
export const documented5xx = (answer: RawAnswer): boolean => answer.status === 503 && errorCode(answer.body) === 'unavailable';

const ADMIN = { authorization: `Bearer ${LIVE_ADMIN_TOKEN}`, 'content-type': 'application/json' };

/** Undoes what admin actions left: every miner unpinned and resumed. */
export async function restoreMiners(live: LiveSystem): Promise<void> {
  for (const m of live.entries) {
    const base = live.url([...live.serves.keys()][0]!);
    const path = `/v1/admin/miners/${encodeURIComponent(m.hotkey)}`;
    const unpin = await rawRequest(base, { method: 'PUT', path: `${path}/slots`, headers: ADMIN, body: '{"pinned":null}' }, 60_000);
    const resume = await rawRequest(base, { method: 'POST', path: `${path}/resume`, headers: ADMIN }, 60_000);
    for (const answer of [unpin, resume])
      assert.ok(answer.status === 200 || answer.status === 404, `restoring ${m.hotkey}: ${answer.status} ${answer.body}`);
  }
}

/**
 * A burst of concurrent admin actions on both serves while the pool runs: pins (0 to 6, and unpins),
 * pauses and resumes of the miners, listings and deletions of paused tasks, ops rotations, and,
 * in the middle, a miner leaving the miners file and coming back with a new revision.
 */
export function adminBurstScenario(
  name: string,
  options: { readonly listSize: number; readonly requests: number; readonly seed: number },
): void {
  describe(`admin burst: ${name}`, { skip: privatePostgresUnavailable() }, () => {
    const live = useLiveSystem({ listSize: options.listSize });

    test(`${options.requests} concurrent admin actions mid-run: no 5xx but the documented 503, the books hold`, async (t) => {
      await live.startAll();
      const sampler = live.fault.startSlotSampler();
      await waitMidRun(live, 'mid-run', 1);
      const random = prng(options.seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const hotkeys = live.entries.map((e) => e.hotkey);
      let rotations = 0;
      const action = (): { method: string; path: string; body?: string } => {
        const hotkey = encodeURIComponent(pick(hotkeys));
        const kind = pick(['pin', 'pin', 'unpin', 'pause', 'resume', 'resume', 'list', 'delete', 'dry-delete', 'rotate'] as const);
        switch (kind) {
          case 'pin':
            return { method: 'PUT', path: `/v1/admin/miners/${hotkey}/slots`, body: JSON.stringify({ pinned: Math.floor(random() * 7) }) };
          case 'unpin':
            return { method: 'PUT', path: `/v1/admin/miners/${hotkey}/slots`, body: '{"pinned":null}' };
          case 'pause':
          case 'resume':
            return { method: 'POST', path: `/v1/admin/miners/${hotkey}/${kind}` };
          case 'list':
            return { method: 'GET', path: `/v1/admin/paused-tasks?hotkey=${hotkey}` };
          case 'delete':
            return { method: 'DELETE', path: `/v1/admin/paused-tasks?env=${encodeURIComponent(LIVE_ENV)}` };
          case 'dry-delete':
            return { method: 'DELETE', path: '/v1/admin/paused-tasks?dry_run=true' };
          case 'rotate':
            // A few rotations: each one retires an id (its pending jobs must go) and brings one in.
            if (rotations++ >= 3) return { method: 'GET', path: '/v1/admin/paused-tasks' };
            return { method: 'POST', path: '/v1/admin/rotations', body: JSON.stringify({ env: LIVE_ENV }) };
        }
      };
      const serves = [...live.serves.keys()].map((label) => live.url(label));
      const answers = new Answers();
      const burst = Array.from({ length: options.requests }, async (_, i) => {
        const a = action();
        // Miners change mid-burst: the second miner leaves, then returns with a new revision.
        if (i === Math.floor(options.requests / 3)) live.writeMiners(live.entries.filter((_, j) => j !== 1));
        if (i === Math.floor((2 * options.requests) / 3))
          live.writeMiners(live.entries.map((e, j) => (j === 1 ? { ...e, revision: 'rev-2' } : e)));
        const answer = await rawRequest(
          pick(serves),
          { method: a.method, path: a.path, headers: ADMIN, ...(a.body ? { body: a.body } : {}) },
          120_000,
        );
        answers.add(
          `${a.method} ${a.path} ${a.body ?? ''}`,
          answer,
          (r) => typeof r.status === 'number' && (r.status < 500 || documented5xx(r)),
        );
      });
      await Promise.all(burst);
      await restoreMiners(live);
      live.writeMiners(live.entries.map((e, j) => (j === 1 ? { ...e, revision: 'rev-2' } : e)));
      await live.waitRecovered({ weights: true });
      const slots = await sampler.stop();
      await assertBooks(
        t,
        live.fault,
        {
          scenario: `admin burst (${name})`,
          injected: `${options.requests} concurrent admin requests on both serves (pins 0-6 and unpins, pauses, resumes, paused-task listings and deletions, ${Math.min(rotations, 3)} rotations); a miner left and came back with a new revision mid-burst`,
          extra: `answers ${answers.summary()}`,
        },
        await live.wanted(),
        { slots },
      );
      assert.deepEqual(answers.failures, [], 'no 5xx but the documented 503, no hang');
      await live.stopAll();
    });
  });
}
