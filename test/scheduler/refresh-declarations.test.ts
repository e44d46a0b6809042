import assert from 'node:assert/strict';
import { after, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { declaredEpisodes, getMinerDeclarations } from '../../src/db/tables/miner-declarations.ts';
import { refreshDeclarations } from '../../src/scheduler/refresh-declarations.ts';
import { capturingLogger, testLogger } from '../helpers/test-logger.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../miners/test-server.ts';

const database = useTestDatabase();
const servers: TestServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

/** A miner whose /health answers `answers[i]` on its i-th probe (the last one repeats); undefined hangs. */
async function miner(answers: (number | undefined)[]): Promise<TestServer> {
  let probes = 0;
  const server = await startTestServer((_request, response) => {
    const answer = answers[Math.min(probes++, answers.length - 1)];
    if (answer === undefined) return; // hangs
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', max_concurrent_episodes: answer }));
  });
  servers.push(server);
  return server;
}

async function putMiner(uid: number, hotkey: string, endpoint: string): Promise<void> {
  await database.db
    .insertInto('miners')
    .values({ uid, hotkey, revision: 'r1', endpoint, committed_block: uid, active: true })
    .onConflict((oc) => oc.columns(['hotkey', 'revision']).doUpdateSet({ endpoint }))
    .execute();
}

const settings = { max: 32, refreshMs: 60_000, timeoutMs: 300 };
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);
const cap = async (hotkey: string, endpoint: string): Promise<number> => declaredEpisodes((await getMinerDeclarations(database.db)).get(hotkey), endpoint);

void describe('the leader’s declaration probe', () => {
  beforeEach(async () => {
    await sql`truncate miners, miner_declarations`.execute(database.db);
  });

  void test('probes new miners once, stores what they declare, and a restarted leader remembers it', async () => {
    const four = await miner([4]);
    const silent = await miner([]);
    await putMiner(1, 'hk-four', four.url);
    await putMiner(2, 'hk-hang', silent.url);
    const { logger, lines } = capturingLogger('info');
    const learnt = await refreshDeclarations(database.db, settings, t0, new AbortController().signal, logger);
    assert.deepEqual(learnt.map((d) => [d.hotkey, d.episodes]).sort(), [['hk-four', 4], ['hk-hang', 1]]);
    assert.equal(await cap('hk-four', four.url), 4);
    assert.equal(await cap('hk-hang', silent.url), 1, 'a /health that hangs is one episode at a time');
    assert.ok(lines.some((l) => l.msg === 'miner concurrency declaration has a problem (see problem)' && l.hotkey === 'hk-hang' && l.problem === 'no /health answer within 300 ms'));
    // A restarted leader (a new pass, nothing in memory) reads the stored answer and asks nobody.
    four.requests = [];
    assert.deepEqual(await refreshDeclarations(database.db, settings, at(1_000), new AbortController().signal, testLogger()), []);
    assert.equal(four.requests.length, 0);
    assert.equal(await cap('hk-four', four.url), 4);
  });

  void test('a flapping declaration moves no faster than the refresh period', async () => {
    const flapper = await miner([4, 1, 4, 1, 4, 1]);
    await putMiner(1, 'hk-flap', flapper.url);
    const seen: number[] = [];
    for (let ms = 0; ms <= 150_000; ms += 5_000) {
      await refreshDeclarations(database.db, settings, at(ms), new AbortController().signal, testLogger());
      seen.push(await cap('hk-flap', flapper.url));
    }
    assert.equal(flapper.requests.length, 3, 'probed at 0, 60 s and 120 s only');
    assert.deepEqual(
      seen.filter((n, i) => i === 0 || n !== seen[i - 1]),
      [4, 1, 4],
    );
    assert.deepEqual(seen.slice(0, 12), Array<number>(12).fill(4), 'the first answer holds for the whole period');
  });

  void test('a miner that moves is one episode at a time until its new endpoint answers', async () => {
    const before = await miner([8]);
    const moved = await miner([2]);
    await putMiner(1, 'hk-move', before.url);
    await refreshDeclarations(database.db, settings, t0, new AbortController().signal, testLogger());
    assert.equal(await cap('hk-move', before.url), 8);
    await putMiner(1, 'hk-move', moved.url);
    assert.equal(await cap('hk-move', moved.url), 1, 'the old endpoint’s declaration does not carry over');
    await refreshDeclarations(database.db, settings, at(1_000), new AbortController().signal, testLogger());
    assert.equal(await cap('hk-move', moved.url), 2, 'probed at once, not after the refresh period');
  });

  void test('a pass cut short by the end of the leadership stores nothing it did not hear', async () => {
    const silent = await miner([]);
    await putMiner(1, 'hk-cut', silent.url);
    const controller = new AbortController();
    const pass = refreshDeclarations(database.db, { ...settings, timeoutMs: 60_000 }, t0, controller.signal, testLogger());
    controller.abort();
    assert.deepEqual(await pass, []);
    assert.equal((await getMinerDeclarations(database.db)).size, 0);
  });
});
