import type { Kysely } from 'kysely';
import type { PoolCounts, SchedulerStatus, TaskStats } from '../../src/api/readers.ts';
import type { Database } from '../../src/db/schema.ts';
import { ensureMinerSlots, pinSlots, setSchedulingPaused } from '../../src/db/tables/miner-slots.ts';
import { prng } from './prng.ts';
import { range, seedList, seedMiner, seedResults } from './seed.ts';

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** A deterministic SS58-looking hotkey for a uid (48 characters, starts with 5). */
export function fakeHotkey(uid: number): string {
  let x = (uid * 2_654_435_761 + 12_345) >>> 0;
  let out = '5';
  for (let i = 0; i < 47; i++) {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    out += B58[(x >>> 16) % 58];
  }
  return out;
}

/** The environments of the seeded pool: three scored, one not. */
export const DASHBOARD_ENVS = [
  { id: 'mujoco/reach-v1', scored: true, intervalSeconds: 3_600, rotatedMinutesAgo: 41 },
  { id: 'mujoco/push-v1', scored: true, intervalSeconds: 7_200, rotatedMinutesAgo: 95 },
  { id: 'mujoco/pick-place-v1', scored: true, intervalSeconds: 1_800, rotatedMinutesAgo: 12 },
  { id: 'mujoco/drawer-open-v1', scored: false, intervalSeconds: 3_600, rotatedMinutesAgo: 70 },
] as const;

/** Size of every seeded sampling list. */
const DASHBOARD_LIST_SIZE = 40;

/** A seeded miner: coverage per scored env and its success probability. */
export interface DashboardMiner {
  readonly uid: number;
  readonly hotkey: string;
  readonly coverage: readonly number[];
  readonly successRate: number;
}

/** A hotkey written to look like markup: the page must show it as text. */
export const HOSTILE_HOTKEY = '<img src=x onerror="window.__xss=1">';

/** The hand-written first twelve miners: an expert, noisy and random ones, late joiners. */
export function dashboardMiners(): DashboardMiner[] {
  const profiles: [number[], number][] = [
    [[1, 1, 1], 0.55],
    [[0.95, 0.9, 1], 0.62],
    [[0.4, 0.3, 0.2], 0.5],
    [[1, 1, 0.95], 0.92],
    [[1, 0.85, 0.9], 0.7],
    [[0.8, 0.9, 0.85], 0.3],
    [[0.6, 0.7, 0.5], 0.6],
    [[1, 1, 1], 0.1],
    [[0.9, 0.95, 1], 0.8],
    [[0, 0, 0], 0],
    [[0.85, 1, 0.9], 0.75],
    [[0.5, 0.4, 0.6], 0.5],
  ];
  return profiles.map(([coverage, successRate], uid) => ({
    uid,
    hotkey: uid === 11 ? HOSTILE_HOTKEY : fakeHotkey(uid),
    coverage,
    successRate,
  }));
}

/** `count` more miners from `fromUid`, with random coverage and skill. */
export function moreMiners(fromUid: number, count: number): DashboardMiner[] {
  const rnd = prng(fromUid);
  return Array.from({ length: count }, (_, i) => ({
    uid: fromUid + i,
    hotkey: fakeHotkey(fromUid + i),
    coverage: [0, 0, 0].map(() => (rnd() < 0.7 ? 0.8 + rnd() * 0.2 : rnd() * 0.8)),
    successRate: rnd() * 0.8,
  }));
}

/** Creates the sampling lists, with rotations spread over the last two hours. */
export async function seedDashboardEnvs(db: Kysely<Database>, now = new Date()): Promise<void> {
  for (const env of DASHBOARD_ENVS) {
    await seedList(db, env.id, range(100, DASHBOARD_LIST_SIZE), { scored: env.scored });
    await db
      .updateTable('sampling_lists')
      .set({
        rotation_interval_seconds: env.intervalSeconds,
        last_rotated_at: new Date(now.getTime() - env.rotatedMinutesAgo * 60_000),
        version: 3 + (env.rotatedMinutesAgo % 7),
      })
      .where('env_id', '=', env.id)
      .execute();
  }
}

/** Miners, their results in the scored envs, and their slots (one pinned, one paused). */
export async function seedDashboardMiners(db: Kysely<Database>, miners: readonly DashboardMiner[]): Promise<void> {
  for (const m of miners) {
    await seedMiner(db, { uid: m.uid, hotkey: m.hotkey, committedBlock: 4_000_000 + m.uid * 37 });
    const rnd = prng(m.uid + 1);
    for (const [i, env] of DASHBOARD_ENVS.filter((e) => e.scored).entries()) {
      const n = Math.round((m.coverage[i] ?? 0) * DASHBOARD_LIST_SIZE);
      await seedResults(db, { uid: m.uid, hotkey: m.hotkey }, env.id, range(100, n), () => (rnd() < m.successRate ? 1 : 0));
    }
  }
  await ensureMinerSlots(
    db,
    miners.map((m) => m.hotkey),
    8,
  );
  for (const m of miners)
    await db
      .updateTable('miner_slots')
      .set({ slots: 4 + ((m.uid * 5) % 13) })
      .where('hotkey', '=', m.hotkey)
      .execute();
  if (miners.some((m) => m.uid === 3)) await pinSlots(db, fakeHotkey(3), 24);
  if (miners.some((m) => m.uid === 7)) await setSchedulingPaused(db, fakeHotkey(7), true);
}

/** Pool counts for a miner that look like a busy pool (deterministic per uid). */
function minerCounts(uid: number): PoolCounts {
  const slots = uid === 3 ? 24 : 4 + ((uid * 5) % 13);
  const assigned = Math.min(slots, 1 + ((uid * 3) % 5));
  const pending = uid === 7 ? 0 : Math.max(0, slots - assigned - (uid % 3));
  return { pending, assigned, paused: uid % 4 === 1 ? 2 : 0 };
}

/** The pool's counts for these miners, split over the scored envs. */
export function dashboardTaskStats(miners: readonly DashboardMiner[]): TaskStats {
  const byMiner: Record<string, PoolCounts> = {};
  const byEnv: Record<string, { pending: number; assigned: number; paused: number }> = {};
  const scored = DASHBOARD_ENVS.filter((e) => e.scored);
  for (const e of scored) byEnv[e.id] = { pending: 0, assigned: 0, paused: 0 };
  for (const m of miners) {
    const c = minerCounts(m.uid);
    byMiner[m.hotkey] = c;
    for (const key of ['pending', 'assigned', 'paused'] as const) {
      for (let k = 0; k < c[key]; k++) byEnv[scored[(m.uid + k) % scored.length]!.id]![key] += 1;
    }
  }
  const total = Object.values(byMiner).reduce(
    (t, c) => ({ pending: t.pending + c.pending, assigned: t.assigned + c.assigned, paused: t.paused + c.paused }),
    { pending: 0, assigned: 0, paused: 0 },
  );
  return { total, byEnv, byMiner };
}

/** In-flight counts (pending + assigned) by hotkey, consistent with {@link dashboardTaskStats}. */
export function dashboardInFlight(miners: readonly DashboardMiner[]): Map<string, number> {
  return new Map(miners.map((m) => [m.hotkey, minerCounts(m.uid).pending + minerCounts(m.uid).assigned]));
}

/** A scheduler leader that ticked a moment ago. */
export function dashboardSchedulerStatus(now: Date, activeMiners: number, block: number): SchedulerStatus {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  return {
    leaderId: 'evalpool-serve-a1-48213',
    lastTickAt: ago(1_200),
    tasks: ['miners', 'reconcile', 'tick', 'paused-ttl', 'slots', 'weights'].map((name, i) => ({
      name,
      lastRunAt: ago(1_000 + i * 700),
      lastDurationMs: 4 + i * 3,
      lastError: null,
    })),
    minerDiscovery: { at: ago(20_000), block, active: activeMiners, excluded: 0 },
  };
}
