import assert from 'node:assert/strict';
import { after, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { declaredEpisodes, getMinerDeclarations } from '../../src/db/tables/miner-declarations.ts';
import { refreshDeclarations } from '../../src/scheduler/refresh-declarations.ts';
import { seedMiner } from '../helpers/seed.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { capturingLogger, testLogger } from '../helpers/test-logger.ts';
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

const putMiner = (uid: number, hotkey: string, endpoint: string) =>
  seedMiner(database.db, { uid, hotkey, endpoint, committedBlock: uid, moveEndpoint: true });

const settings = { max: 32, refreshMs: 60_000, timeoutMs: 300 };
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);
const cap = async (hotkey: string, endpoint: string): Promise<number> =>
  declaredEpisodes((await getMinerDeclarations(database.db)).get(hotkey), endpoint);

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
    assert.deepEqual(learnt.map((d) => [d.hotkey, d.episodes]).sort(), [
      ['hk-four', 4],
      ['hk-hang', 1],
    ]);
    assert.equal(await cap('hk-four', four.url), 4);
    assert.equal(await cap('hk-hang', silent.url), 1, 'a /health that hangs is one episode at a time');
    assert.ok(
      lines.some(
        (l) =>
          l.msg === 'miner concurrency declaration has a problem (see problem)' &&
          l.hotkey === 'hk-hang' &&
          l.problem === 'no /health answer within 300 ms',
      ),
    );
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

  void test('only a well-formed answer changes a declaration: a /health that fails or answers garbage keeps the earlier one', async () => {
    // The adversary: declared 4, then tries to shrink its cap (and get its retried tasks trimmed)
    // by letting /health fail in every way a probe can see, short of a well-formed answer.
    type Answer = { status?: number; body?: string } | 'hang' | 'reset';
    let answer: Answer = { body: '{"max_concurrent_episodes":4}' };
    const flapper = await startTestServer((request, response) => {
      const now = answer;
      if (now === 'hang') return;
      if (now === 'reset') return request.socket.destroy();
      response.writeHead(now.status ?? 200, { 'content-type': 'application/json' }).end(now.body ?? '');
    });
    servers.push(flapper);
    await putMiner(1, 'hk-flap', flapper.url);
    const fast = { ...settings, refreshMs: 0, timeoutMs: 2_000 }; // room for a well-formed answer on a loaded machine
    let ms = 0;
    const probeWith = async (next: Answer): Promise<{ cap: number; problem: string | null }> => {
      answer = next;
      await refreshDeclarations(database.db, fast, at((ms += 1_000)), new AbortController().signal, testLogger());
      const row = (await getMinerDeclarations(database.db)).get('hk-flap');
      return { cap: declaredEpisodes(row, flapper.url), problem: row?.problem ?? null };
    };
    assert.equal((await probeWith({ body: '{"max_concurrent_episodes":4}' })).cap, 4);
    const garbage: [string, Answer][] = [
      ['a hang past the timeout', 'hang'],
      ['a reset connection', 'reset'],
      ['HTTP 500', { status: 500, body: '{"max_concurrent_episodes":1}' }],
      ['HTTP 404', { status: 404, body: 'not found' }],
      ['a body that is not JSON', { body: 'garbage' }],
      ['a JSON array', { body: '[1]' }],
      ['max_concurrent_episodes 0', { body: '{"max_concurrent_episodes":0}' }],
      ['max_concurrent_episodes "1"', { body: '{"max_concurrent_episodes":"1"}' }],
    ];
    for (const [what, next] of garbage) {
      const { cap, problem } = await probeWith(next);
      assert.equal(cap, 4, `${what}: the earlier declaration stands`);
      assert.match(problem ?? '', /the earlier declaration \(4\) stands$/, what);
    }
    // A well-formed answer is the miner's to give: it may lower its cap (its running episodes finish).
    assert.deepEqual(await probeWith({ body: '{"status":"ok"}' }), { cap: 1, problem: null }, 'declaring nothing, well-formed, is one');
    assert.equal((await probeWith({ body: '{"max_concurrent_episodes":3}' })).cap, 3);
    // Its endpoint refusing connections (the server gone) keeps it too.
    await flapper.close();
    const gone = await probeWith({ body: '' });
    assert.equal(gone.cap, 3);
    assert.match(gone.problem ?? '', /\/health failed: .*; the earlier declaration \(3\) stands/);
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
