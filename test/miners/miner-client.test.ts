import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import type { TaskConfig } from '../../src/envs/policy-contract.ts';
import { proprioObservation } from '../../src/envs/policy-contract.ts';
import type { MinerErrorKind } from '../../src/miners/errors.ts';
import { MinerRequestError } from '../../src/miners/errors.ts';
import { MinerClient } from '../../src/miners/miner-client.ts';
import { asPeerWork } from '../../src/runtime/loop-stall.ts';
import { stallLoop } from '../helpers/stall-loop.ts';
import { waitFor } from '../helpers/wait-for.ts';
import type { Handler, TestServer } from './test-server.ts';
import { answerAction, refusedPort, startTestServer } from './test-server.ts';

const observation = proprioObservation({ joint_pos: [0.1, 0.2] });
const EPISODE = '0b7d3c1e-5f2a-4c8e-9a41-6d2f0e8b7c55';
const taskConfig: TaskConfig = { env_id: 'mujoco/reach-v1', env_name: 'mujoco', task_name: 'reach-v1', seed: 7, task_id: 7 };

const cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of cleanup.reverse()) await close();
});

async function server(handler: Handler): Promise<TestServer> {
  const s = await startTestServer(handler);
  cleanup.push(() => s.close());
  return s;
}

/**
 * Default limits with room for a loaded machine, where a healthy loopback answer can take
 * seconds: the tests about timeouts set a short one on the call that never answers.
 */
const ROOMY_MS = 20_000;

function client(endpoint: string, options: Partial<ConstructorParameters<typeof MinerClient>[0]> = {}): MinerClient {
  const c = new MinerClient({ endpoint, actionTimeoutMs: ROOMY_MS, resetTimeoutMs: ROOMY_MS, ...options });
  cleanup.push(() => c.close());
  return c;
}

async function failsWith(promise: Promise<unknown>, kind: MinerErrorKind, check?: (error: MinerRequestError) => void): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof MinerRequestError, `expected a MinerRequestError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    check?.(error);
    return true;
  });
}

void describe('MinerClient', () => {
  void test('posts the contract to /reset and /act and returns the validated action', async () => {
    const s = await server(answerAction);
    const c = client(s.url);
    await c.reset(EPISODE, taskConfig);
    assert.deepEqual(await c.act(EPISODE, observation), { continuous: { joint_torque: [0.1, -0.2] }, discrete: {}, extra: {} });
    assert.deepEqual(
      s.requests.map((r) => [r.method, r.url, JSON.parse(r.body) as unknown, r.headers['x-episode-id']]),
      [
        // The episode id is a top-level field and a header, never a key of `obs`.
        ['POST', '/reset', { task_config: taskConfig, episode_id: EPISODE }, EPISODE],
        ['POST', '/act', { obs: observation, episode_id: EPISODE }, EPISODE],
      ],
    );
  });

  void test('refuses an episode id that cannot travel in a header, before any request', async () => {
    const s = await server(answerAction);
    await assert.rejects(client(s.url).act('bad id\r\nx: y', observation), /episode id .* must be 1-128 letters/);
    assert.equal(s.requests.length, 0);
  });

  void test('keeps one connection alive across requests; keepAlive false opens one per request', async () => {
    const s = await server(answerAction);
    const kept = client(s.url);
    for (let i = 0; i < 20; i++) await kept.act(EPISODE, observation);
    // The pool may open a second connection when the next request is sent in the same tick as
    // the previous body ends (before the first connection is marked free); never more.
    const keptConnections = s.connections;
    assert.ok(keptConnections <= 2, `${keptConnections} connections for 20 requests`);
    const fresh = client(s.url, { keepAlive: false });
    for (let i = 0; i < 5; i++) await fresh.act(EPISODE, observation);
    assert.equal(s.connections, keptConnections + 5);
  });

  void test('an endpoint with a path prefix posts under it', async () => {
    const s = await server(answerAction);
    await client(`${s.url}/miners/abc/`).act(EPISODE, observation);
    assert.equal(s.requests[0]?.url, '/miners/abc/act');
  });

  void test('connection refused', async () => {
    const port = await refusedPort();
    await failsWith(client(`http://127.0.0.1:${port}`).reset(EPISODE, taskConfig), 'connect', (e) =>
      assert.equal(e.connectFailure, 'refused'),
    );
  });

  void test('DNS failure', async () => {
    await failsWith(
      client('http://no-such-miner.invalid:8080', { connectTimeoutMs: ROOMY_MS }).reset(EPISODE, taskConfig),
      'connect',
      (e) => assert.equal(e.connectFailure, 'dns'),
    );
  });

  void test('TLS failure (https to a plain HTTP server)', async () => {
    const s = await server(answerAction);
    await failsWith(client(s.url.replace('http:', 'https:')).reset(EPISODE, taskConfig), 'connect', (e) =>
      assert.equal(e.connectFailure, 'tls'),
    );
  });

  void test('a server that never answers: timeout', async () => {
    const s = await server(() => {});
    await failsWith(client(s.url).act(EPISODE, observation, { timeoutMs: 100 }), 'timeout');
  });

  void test("a timeout that fires after this process stalled past it is worker_stalled, not the miner's timeout", async () => {
    const s = await server(() => {});
    const pending = client(s.url).act(EPISODE, observation, { timeoutMs: 100 });
    stallLoop(600);
    await failsWith(pending, 'worker_stalled');
  });

  void test('an answer that came while this process stalled past the deadline is read, not abandoned (the honest miner)', async () => {
    // The server answers, then this process stalls (the stall is in the handler) well past the
    // 100 ms deadline: the answer waits in the socket when the late timer comes due.
    const s = await server((_req, res) => {
      answerAction(_req, res, '');
      stallLoop(600);
    });
    assert.deepEqual(await client(s.url).act(EPISODE, observation, { timeoutMs: 100 }), {
      continuous: { joint_torque: [0.1, -0.2] },
      discrete: {},
      extra: {},
    });
  });

  void test('a stall spent parsing a peer’s answer is not this process’s: the late miner’s timeout stands', async () => {
    const late = await server(() => {});
    const c = client(late.url);
    const pending = c.act(EPISODE, observation, { timeoutMs: 100 });
    // Before the request is even written, the loop is busy with another miner's huge answer.
    asPeerWork(() => stallLoop(600));
    await failsWith(pending, 'timeout');
  });

  void test('a server that sends headers then stalls the body: timeout', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"action":');
    });
    await failsWith(client(s.url).act(EPISODE, observation, { timeoutMs: 100 }), 'timeout');
  });

  for (const status of [500, 503, 429, 404]) {
    void test(`HTTP ${status}`, async () => {
      const s = await server((_req, res) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end('{"error":"nope"}');
      });
      await failsWith(client(s.url).reset(EPISODE, taskConfig), 'http_status', (e) => assert.equal(e.status, status));
    });
  }

  void test('garbage JSON', async () => {
    const s = await server((_req, res) => res.end('<html>oops'));
    await failsWith(client(s.url).act(EPISODE, observation), 'invalid_json', (e) => assert.match(e.message, /is not JSON/));
  });

  void test("Python's NaN tokens are named as such", async () => {
    const s = await server((_req, res) => res.end('{"action": {"continuous": {"joint_torque": [NaN, Infinity]}}}'));
    await failsWith(client(s.url).act(EPISODE, observation), 'invalid_json', (e) => assert.match(e.message, /NaN or Infinity/));
  });

  void test('JSON that breaks the contract', async () => {
    const s = await server((_req, res) => res.end('{"action": {"continuous": {"joint_torque": ["a", null]}}}'));
    await failsWith(client(s.url).act(EPISODE, observation), 'schema_mismatch', (e) =>
      assert.match(e.message, /action\.continuous\.joint_torque\.0/),
    );
    const t = await server((_req, res) => res.end('[1, 2]'));
    await failsWith(client(t.url).act(EPISODE, observation), 'schema_mismatch');
  });

  void test('a body over the limit, declared by content-length', async () => {
    const s = await server((_req, res) => res.end('x'.repeat(5_000)));
    await failsWith(client(s.url, { maxResponseBytes: 1_000 }).act(EPISODE, observation), 'body_too_large', (e) =>
      assert.match(e.message, /5000 bytes/),
    );
  });

  void test('a streamed body over the limit is cut off while streaming', async () => {
    let stopped = false;
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = 'y'.repeat(16_384);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (res.destroyed) stopped = true;
        else res.once('drain', pump);
      };
      res.on('close', () => (stopped = true));
      pump();
    });
    await failsWith(client(s.url, { maxResponseBytes: 100_000 }).act(EPISODE, observation), 'body_too_large');
    await waitFor('the server to stop sending', () => stopped);
    assert.ok(stopped, 'the connection was dropped, so the server stopped sending');
  });

  void test('the caller aborting is "aborted", not a miner fault', async () => {
    const s = await server(() => {});
    const controller = new AbortController();
    const pending = client(s.url).act(EPISODE, observation, { signal: controller.signal, timeoutMs: 5_000 });
    setTimeout(() => controller.abort(), 20);
    await failsWith(pending, 'aborted');
    await failsWith(client(s.url).act(EPISODE, observation, { signal: AbortSignal.abort() }), 'aborted');
  });

  void test('a long-lived caller signal keeps no listeners after the requests', async () => {
    const s = await server(answerAction);
    const c = client(s.url);
    const shutdown = new AbortController().signal;
    for (let i = 0; i < 20; i++) await c.act(EPISODE, observation, { signal: shutdown });
    assert.equal(getEventListeners(shutdown, 'abort').length, 0);
  });

  void test('close is idempotent and later calls fail as aborted', async () => {
    const s = await server(answerAction);
    const c = client(s.url);
    await c.act(EPISODE, observation);
    await Promise.all([c.close(), c.close()]);
    assert.equal(c.closed, true);
    await failsWith(c.act(EPISODE, observation), 'aborted');
  });

  void test('tracks requests in flight and the time of last use', async () => {
    const s = await server(answerAction);
    let clock = 1_000;
    const c = client(s.url, { now: () => clock });
    assert.equal(c.lastUsedAt, 1_000);
    clock = 2_000;
    const pending = c.act(EPISODE, observation);
    assert.equal(c.inFlight, 1);
    await pending;
    assert.equal(c.inFlight, 0);
    assert.equal(c.lastUsedAt, 2_000);
  });

  void test('refuses endpoints that are not http(s) URLs', () => {
    assert.throws(() => new MinerClient({ endpoint: 'ftp://x' }), /must be http\(s\)/);
    assert.throws(() => new MinerClient({ endpoint: 'not a url' }), /is not a URL/);
    assert.throws(() => new MinerClient({ endpoint: 'http://x/?a=1' }), /query/);
  });
});

/** A raw TCP server (no HTTP): `onSocket` decides what the "miner" does with each connection. */
async function tcpServer(onSocket: (socket: Socket) => void, options: { pauseOnConnect?: boolean } = {}): Promise<string> {
  const sockets = new Set<Socket>();
  const s = createNetServer({ pauseOnConnect: options.pauseOnConnect ?? false }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        s.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

/** Resolves once the socket has received a whole request (headers and a body of content-length bytes). */
function readRequest(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 'NaN');
      if (end >= 0 && text.length >= end + 4 + length) resolve(text.slice(end + 4));
    });
  });
}

// "Delivered" (the request's bytes were written to a connected socket) decides whether a failed
// /reset means the miner had the task (classify-error.ts). Each way a miner can fail is checked
// against a real server; the adversarial ones try to look "never delivered" after reading the task.
void describe('MinerClient: whether the request was delivered', () => {
  void test('refused, DNS and TLS failures: never delivered', async () => {
    const port = await refusedPort();
    await failsWith(client(`http://127.0.0.1:${port}`).reset(EPISODE, taskConfig), 'connect', (e) => assert.equal(e.delivered, false));
    await failsWith(
      client('http://no-such-miner.invalid:8080', { connectTimeoutMs: 2_000 }).reset(EPISODE, taskConfig, { timeoutMs: 3_000 }),
      'connect',
      (e) => assert.equal(e.delivered, false),
    );
    const s = await server(answerAction);
    await failsWith(client(s.url.replace('http:', 'https:')).reset(EPISODE, taskConfig), 'connect', (e) =>
      assert.equal(e.delivered, false),
    );
  });

  void test('a miner that stalls its TLS handshake has not received the task (connect timeout, or the request timeout first)', async () => {
    const url = (await tcpServer(() => undefined)).replace('http:', 'https:');
    await failsWith(client(url, { connectTimeoutMs: 200 }).reset(EPISODE, taskConfig, { timeoutMs: 5_000 }), 'connect', (e) =>
      assert.equal(e.delivered, false),
    );
    await failsWith(client(url, { connectTimeoutMs: 5_000 }).reset(EPISODE, taskConfig, { timeoutMs: 200 }), 'timeout', (e) =>
      assert.equal(e.delivered, false),
    );
  });

  void test('a request still queued in the pool when its timeout fires was never delivered', async () => {
    const s = await server(() => undefined);
    const c = client(s.url, { maxConnections: 1 });
    const holder = new AbortController();
    const first = c.act(EPISODE, observation, { timeoutMs: 5_000, signal: holder.signal }).catch(() => undefined);
    // Ours, not the miner's: it waited for our one connection (classified worker_error).
    await failsWith(c.reset(EPISODE, taskConfig, { timeoutMs: 100 }), 'queued', (e) => assert.equal(e.delivered, false));
    holder.abort();
    await first;
  });

  void test('a miner that never accepts or reads (paused socket) has the task in its kernel: delivered', async () => {
    const url = await tcpServer(() => undefined, { pauseOnConnect: true });
    await failsWith(client(url).reset(EPISODE, taskConfig, { timeoutMs: 200 }), 'timeout', (e) => assert.equal(e.delivered, true));
  });

  void test('a miner that reads the task and then resets the connection: delivered', async () => {
    let seen = '';
    const url = await tcpServer((socket) => void readRequest(socket).then((body) => ((seen = body), socket.resetAndDestroy())));
    await failsWith(client(url).reset(EPISODE, taskConfig), 'network', (e) => assert.equal(e.delivered, true));
    assert.deepEqual(JSON.parse(seen), { task_config: taskConfig, episode_id: EPISODE });
  });

  void test('a miner that reads the task and closes cleanly without answering: delivered', async () => {
    const url = await tcpServer((socket) => void readRequest(socket).then(() => socket.end()));
    await failsWith(client(url).reset(EPISODE, taskConfig), 'network', (e) => assert.equal(e.delivered, true));
  });

  void test('a miner that resets every connection the moment it accepts it never reads a task, delivered or not', async () => {
    let read = 0;
    const url = await tcpServer((socket) => {
      socket.on('data', () => read++);
      socket.resetAndDestroy();
    });
    // Whether the bytes were written before the reset arrived is a race the miner cannot steer
    // towards a task it knows: it read nothing.
    await failsWith(client(url).reset(EPISODE, taskConfig), 'network');
    assert.equal(read, 0);
  });

  void test('a miner that reads and hangs, answers 500, or answers garbage: delivered', async () => {
    const hang = await server(() => undefined);
    await failsWith(client(hang.url).reset(EPISODE, taskConfig, { timeoutMs: 100 }), 'timeout', (e) => assert.equal(e.delivered, true));
    const error = await server((_req, res) => res.writeHead(500).end('{}'));
    await failsWith(client(error.url).reset(EPISODE, taskConfig), 'http_status', (e) => assert.equal(e.delivered, true));
    const garbage = await server((_req, res) => res.end('<html>'));
    await failsWith(client(garbage.url).act(EPISODE, observation), 'invalid_json', (e) => assert.equal(e.delivered, true));
  });
});
