// Issue 13 §1, live: serve + inline workers + three miners running the same noisy policy. Two of
// them pick their tasks: they take each task at /reset and decline a seeded 15% of them after
// receiving it (HTTP 500 at /reset, or a dropped connection at the third /act). Declined tasks
// must end as scored failures, the selective miners' coverage must reach the list like the honest
// one's, and picking must not lift their success rate above the honest miner's.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { declines, type MisbehaviourInput, parseMisbehaviour } from '../../src/demo/miners/misbehaviour.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { E2E_ENVS, type RunningSystem, startSystem } from './system-fixture.ts';

const redis = useTestRedis();
const LIST_SIZE = 20;
const SELECTIVE_500: MisbehaviourInput = { mode: 'selective', fraction: 0.15, decline: 'error500', salt: 1 };
const SELECTIVE_DROP: MisbehaviourInput = { mode: 'selective', fraction: 0.15, decline: 'drop', dropAtAct: 3, salt: 2 };

const open: { system?: RunningSystem; database?: TestDatabase } = {};
after(async () => {
  await open.system?.stop();
  await open.database?.drop();
});

test('selective miners (decline 15% after /reset): declined tasks are scored failures, full coverage, no gain over an honest miner', async (t) => {
  const database = await createTestDatabase();
  open.database = database;
  const system = await startSystem({
    databaseUrl: database.url,
    prefix: `${redis.prefix}-sel`,
    policies: [
      { name: 'honest', policy: 'noisy' },
      { name: 'picky500', policy: 'noisy', misbehaviour: SELECTIVE_500 },
      { name: 'pickydrop', policy: 'noisy', misbehaviour: SELECTIVE_DROP },
    ],
    listSize: LIST_SIZE,
    variables: { EVALPOOL_CIRCUIT_COOLDOWN_MS: '500', EVALPOOL_CIRCUIT_MAX_COOLDOWN_MS: '2000' },
  });
  open.system = system;
  const db = database.db;

  const lists = new Map(
    (
      await waitFor('the sampling lists', async () => {
        const rows = await db.selectFrom('sampling_lists').select(['env_id', 'task_ids']).execute();
        return rows.length === E2E_ENVS.length ? rows : undefined;
      })
    ).map((r) => [r.env_id, new Set(r.task_ids)]),
  );
  const results = (hotkey: string) =>
    db
      .selectFrom('results')
      .select(['env_id', 'task_id', 'success', 'score', 'timesteps', 'error_class', 'error_message'])
      .where('hotkey', '=', hotkey)
      .execute();
  const inList = (rows: Awaited<ReturnType<typeof results>>) => rows.filter((r) => lists.get(r.env_id)?.has(r.task_id) === true);

  // Coverage: every miner's n reaches the list size in every env (a declined task counts, scored 0).
  await waitFor(
    'every miner to have a result for every listed task',
    async () => {
      for (const name of ['honest', 'picky500', 'pickydrop']) {
        const rows = inList(await results(`demo-${name}`));
        for (const env of E2E_ENVS) if (rows.filter((r) => r.env_id === env).length < LIST_SIZE) return false;
      }
      return true;
    },
    600_000,
    500,
  );

  const honest = inList(await results('demo-honest'));
  const honestSuccess = new Map(honest.map((r) => [`${r.env_id}#${r.task_id}`, r.success]));
  // The honest miner never declines: none of its results is a measured non-answer, and every
  // result is a scored class (infrastructure faults never become results).
  assert.ok(honest.every((r) => r.error_class === 'success' || r.error_class === 'failure'));
  assert.ok(!honest.some((r) => /received this task/.test(r.error_message ?? '')), 'the honest miner never declined a task');
  const rate = (rows: typeof honest) => rows.filter((r) => r.success).length / rows.length;

  for (const [name, input] of [
    ['picky500', SELECTIVE_500],
    ['pickydrop', SELECTIVE_DROP],
  ] as const) {
    const misbehaviour = parseMisbehaviour(input);
    const rows = inList(await results(`demo-${name}`));
    const declined = rows.filter((r) => declines(misbehaviour, r.task_id));
    assert.ok(declined.length > 0, `${name} declined some tasks`);
    for (const r of declined) {
      if (name === 'pickydrop' && r.error_message === null) {
        // An episode that ends before its third /act is never dropped: played normally.
        assert.ok((r.timesteps ?? 0) < misbehaviour.dropAtAct, `${name} ${r.env_id}#${r.task_id}: played out in ${r.timesteps} steps`);
        continue;
      }
      assert.equal(r.error_class, 'failure', `${name} ${r.env_id}#${r.task_id}: ${r.error_message ?? ''}`);
      assert.equal(r.score, 0);
      // A 500 at /reset is measured (retried, then scored); a drop after /reset answered is a failure at once, naming the /act.
      assert.match(
        r.error_message ?? '',
        name === 'picky500'
          ? /^scored as a failure: the miner received this task and gave no answer in 3 attempt\(s\)/
          : /^act .*connection failed/,
      );
    }
    if (name === 'picky500')
      assert.ok(
        declined.every((r) => /received this task/.test(r.error_message ?? '')),
        'every declined /reset is a measured non-answer',
      );
    // Same policy, same tasks: where it played, it did what the honest miner did; where it
    // declined, it scored 0. Picking cannot lift its success rate above the honest one's.
    const played = rows.filter((r) => !/received this task/.test(r.error_message ?? ''));
    const better = played.filter((r) => r.success && honestSuccess.get(`${r.env_id}#${r.task_id}`) === false).length;
    assert.ok(better <= 2, `${name} succeeded on ${better} tasks the honest miner failed (same deterministic policy)`);
    assert.ok(
      rate(rows) <= rate(honest) + 2 / rows.length,
      `${name}: success rate ${rate(rows).toFixed(3)} vs honest ${rate(honest).toFixed(3)}`,
    );
    t.diagnostic(
      `${name}: n=${rows.length}, declined=${declined.length}, sr=${rate(rows).toFixed(3)}; honest n=${honest.length}, sr=${rate(honest).toFixed(3)}`,
    );
  }
});
