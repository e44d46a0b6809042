import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { MinerCircuit } from '../../../src/api/readers.ts';
import { MINER_RECENT_ATTEMPTS } from '../../../src/config/constants.ts';
import type { ErrorClass } from '../../../src/db/schema.ts';
import { insertAttempts } from '../../../src/db/tables/attempts.ts';
import { recordLiveScoreSnapshot } from '../../../src/db/tables/score-snapshots.ts';
import { computeScores } from '../../../src/scoring/compute-scores.ts';
import { seedMiner, seedResults, seedSlots } from '../../helpers/seed.ts';
import { getJson, testApp } from '../../helpers/test-app.ts';
import { testConfig, testScoringParams } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { waitFor } from '../../helpers/wait-for.ts';

const database = useTestDatabase();
const config = testConfig({ EVALPOOL_SLOTS_DEFAULT: '6' });

interface MinerBody {
  uid: number;
  hotkey: string;
  revision: string;
  committed_block: number;
  slots: { effective: number; adjusted: number | null; pinned: number | null; scheduling_paused: boolean };
  in_flight: number | null;
  circuit: { state: string; retry_at: string | null; consecutive_failures: number | null } | null;
  last_result: { env_id: string; task_id: number; success: boolean; score: number; revision: string; created_at: string } | null;
}

const readers = {
  inFlight: () => Promise.resolve(new Map([['hk2', 3]])),
  circuits: () =>
    Promise.resolve(
      new Map<string, MinerCircuit>([['hk2', { state: 'open', retryAt: new Date('2026-06-01T00:00:05Z'), consecutiveFailures: 5 }]]),
    ),
};

describe('GET /v1/miners', () => {
  before(async () => {
    await seedMiner(database.db, { uid: 2, committedBlock: 40 });
    await seedMiner(database.db, { uid: 1, committedBlock: 30 });
    await seedMiner(database.db, { uid: 5, active: false });
    await seedSlots(database.db, 'hk2', 9, { pinned: 12 });
    await seedResults(database.db, { uid: 2 }, 'env-a', [17], [1]);
  });

  test('active miners by uid with slots, in-flight, circuit and last result; no endpoint', async () => {
    const { status, body } = await getJson<{ miners: MinerBody[]; unavailable: Record<string, string | null> }>(
      testApp(database.db, { config, readers }),
      '/v1/miners',
    );
    assert.equal(status, 200);
    assert.deepEqual(
      body.miners.map((m) => m.uid),
      [1, 2],
    );
    const [one, two] = body.miners;
    assert.deepEqual(one!.slots, { effective: 6, adjusted: null, pinned: null, scheduling_paused: false });
    assert.equal(one!.in_flight, 0);
    assert.deepEqual(one!.circuit, { state: 'closed', retry_at: null, consecutive_failures: null });
    assert.equal(one!.last_result, null);
    assert.deepEqual(two!.slots, { effective: 12, adjusted: 9, pinned: 12, scheduling_paused: false });
    assert.equal(two!.in_flight, 3);
    assert.deepEqual(two!.circuit, { state: 'open', retry_at: '2026-06-01T00:00:05.000Z', consecutive_failures: 5 });
    assert.equal(two!.last_result?.env_id, 'env-a');
    assert.equal(two!.last_result?.task_id, 17);
    assert.equal(two!.last_result?.success, true);
    assert.deepEqual(body.unavailable, { in_flight: null, circuit: null });
    assert.ok(!JSON.stringify(body).includes('127.0.0.1:1/miner'), 'endpoints are not public');
  });

  test("one miner's last attempt of each class with its whole message and time, and its latest attempts (bounded, newest first)", async () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 5, 1, 0, minute));
    const attempt = (minute: number, errorClass: ErrorClass, message: string | null) => ({
      task_uuid: crypto.randomUUID(),
      attempt: 1,
      env_id: 'env-a',
      task_id: minute,
      uid: 2,
      hotkey: 'hk2',
      revision: 'r1',
      error_class: errorClass,
      error_message: message,
      duration_ms: 10,
      worker_id: 'w1',
      created_at: at(minute),
    });
    const refused = `POST /reset: connect ECONNREFUSED 10.0.0.7:8000 ${'x'.repeat(200)}`;
    await insertAttempts(database.db, [
      attempt(1, 'miner_unavailable', 'an older refusal'),
      attempt(2, 'env_error', 'simulator exception: NaN in qpos'),
      attempt(3, 'miner_unavailable', refused),
      ...Array.from({ length: MINER_RECENT_ATTEMPTS + 5 }, (_, i) => attempt(10 + i, 'success', null)),
      attempt(50, 'failure', 'action timed out at step 12'),
    ]);
    await insertAttempts(database.db, [{ ...attempt(60, 'worker_error', 'another miner'), hotkey: 'hk1', uid: 1 }]);
    const { body } = await getJson<{
      miner: MinerBody & {
        last_errors: Record<string, { message: string; at: string; env_id: string }>;
        recent_attempts: { error_class: string; at: string }[];
      };
    }>(testApp(database.db, { config, readers }), '/v1/miners/2');
    assert.deepEqual(Object.keys(body.miner.last_errors).sort(), ['env_error', 'failure', 'miner_unavailable']);
    assert.equal(body.miner.last_errors.miner_unavailable!.message, refused);
    assert.equal(body.miner.last_errors.miner_unavailable!.at, at(3).toISOString());
    assert.equal(body.miner.last_errors.env_error!.message, 'simulator exception: NaN in qpos');
    assert.equal(body.miner.recent_attempts.length, MINER_RECENT_ATTEMPTS);
    assert.equal(body.miner.recent_attempts[0]!.error_class, 'failure');
    assert.equal(body.miner.recent_attempts[0]!.at, at(50).toISOString());
    assert.ok(body.miner.recent_attempts.every((a, i, all) => i === 0 || a.at <= all[i - 1]!.at));
  });

  test('without readers, in-flight and circuit are null and say why', async () => {
    const { body } = await getJson<{ miners: MinerBody[]; unavailable: Record<string, string | null> }>(
      testApp(database.db, { config }),
      '/v1/miners',
    );
    assert.equal(body.miners[0]!.in_flight, null);
    assert.equal(body.miners[0]!.circuit, null);
    assert.equal(body.unavailable.in_flight, 'in-flight counts: not available in this process');
  });

  test('one miner by uid; 404 for an unknown or inactive uid; 400 for a bad uid', async () => {
    const app = testApp(database.db, { config, readers });
    const { status, body } = await getJson<{ miner: MinerBody }>(app, '/v1/miners/2');
    assert.equal(status, 200);
    assert.equal(body.miner.hotkey, 'hk2');
    assert.equal(body.miner.in_flight, 3);
    const inactive = await getJson(app, '/v1/miners/5');
    assert.equal(inactive.status, 404);
    assert.equal(inactive.body.detail, 'no active miner has uid 5');
    for (const raw of ['abc', '-1', '1.0', '65536', '99999999999999999999']) {
      const bad = await getJson(app, `/v1/miners/${raw}`);
      assert.equal(bad.status, 400, raw);
      assert.match(String(bad.body.detail), /^uid must be/);
    }
  });

  test('its outcome in the latest scoring pass, explained (the live pass followed in place); null before any pass and for a hotkey the pass did not score', async () => {
    const app = testApp(database.db, { config, readers, tuning: { cacheRefreshMs: 0 } });
    type ScoreBody = {
      summary: string;
      eligible: boolean;
      contests: { env_id: string; outcome: string; rival: { uid: number } | null }[];
      coverage_shortfalls: { env_id: string; missing: number }[];
    } | null;
    const scoreOf = async (uid: number) => (await getJson<{ miner: { score: ScoreBody } }>(app, `/v1/miners/${uid}`)).body.miner.score;
    assert.equal(await scoreOf(2), null, 'no pass yet');

    const identity = (uid: number, hotkey: string, committedBlock: number) => ({ uid, hotkey, revision: 'r1', committedBlock });
    // uid 1 committed first; uid 2 copies it (same rate, later): it never exceeds uid 1's threshold.
    const pass = (secondSuccesses: number) => {
      const report = computeScores(
        {
          envs: [{ envId: 'env-a', listSize: 10 }],
          miners: [identity(1, 'hk1', 30), identity(2, 'hk2', 40)],
          aggregates: [
            { uid: 1, envId: 'env-a', n: 10, sum: 6, sumSq: 6 },
            { uid: 2, envId: 'env-a', n: 10, sum: secondSuccesses, sumSq: secondSuccesses },
          ],
        },
        testScoringParams(),
      );
      return {
        blockNumber: 100,
        eligibleCount: report.eligibleCount,
        reason: null,
        report: { ...report, computedAt: new Date().toISOString(), computationMs: 1 },
      };
    };
    await recordLiveScoreSnapshot(database.db, pass(6));
    const copycat = await waitFor('the first pass served', async () => (await scoreOf(2)) ?? undefined);
    assert.equal(copycat.eligible, true);
    assert.deepEqual(
      copycat.contests.map((c) => [c.env_id, c.outcome, c.rival?.uid]),
      [['env-a', 'not-exceeded', 1]],
    );
    assert.match(copycat.summary, /wins none of the 1 env subset.*env-a: 60\.0% does not exceed uid 1's threshold/);

    // The live snapshot is updated in place (same id): the explanation follows it.
    const { created } = await recordLiveScoreSnapshot(database.db, pass(10));
    assert.equal(created, false);
    const better = await waitFor('the updated pass served', async () => {
      const score = await scoreOf(2);
      return score?.contests[0]?.outcome === 'holds' ? score : undefined;
    });
    assert.match(better.summary, /^Eligible; wins 1 of 1 env subset \(1 point\), holding env-a alone/);

    // A new hotkey registered at uid 1 since the pass: the pass's outcome was someone else's.
    await seedMiner(database.db, { uid: 1, hotkey: 'hk1-new', committedBlock: 90 });
    assert.equal(await scoreOf(1), null);
  });
});
