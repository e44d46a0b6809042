import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dropDatabase } from '../../src/db/ensure-database.ts';
import { type CliProcess, runCli, spawnCli } from '../helpers/spawn-cli.ts';
import { randomDatabaseUrl } from '../helpers/test-database.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { STATE_TIMEOUT_MS, waitFor } from '../helpers/wait-for.ts';
import { makeTempDir, removeTempDir } from '../helpers/with-temp-dir.ts';

const ENVS = ['mujoco/reach-v1', 'mujoco/push-v1', 'mujoco/balance-v1'];
/**
 * Fixed lists: the demo policies are deterministic per task id, so the outcome is too. On these
 * ids the noisy policy fails some episodes in every env, so the expert (committed last, uid 2)
 * has to beat it on results, not on first-commit advantage.
 */
const TASK_IDS = [0, 1, 2, 3, 4, 5, 6, 7];
const EXPERT_UID = 2;

function listen(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Ports that were free a moment ago (the demo binds them right after). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => listen()));
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map(close));
  return ports;
}

/** Whether something accepts connections on 127.0.0.1:port. */
async function accepting(port: number): Promise<boolean> {
  try {
    const server = await listen(port);
    await close(server);
    return false;
  } catch {
    return true;
  }
}

async function writeMinersFile(dir: string, ports: readonly number[]): Promise<string> {
  const file = join(dir, `miners-${ports.join('-')}.json`);
  const miners = ['demo-random', 'demo-noisy', 'demo-expert'].map((hotkey, uid) => ({
    uid,
    hotkey,
    endpoint: `http://127.0.0.1:${ports[uid]}`,
  }));
  await writeFile(file, JSON.stringify({ miners }));
  return file;
}

async function writeSamplingLists(dir: string): Promise<string> {
  const lists = join(dir, 'sampling-lists');
  await mkdir(lists);
  for (const env of ENVS) {
    const definition = {
      env_id: env,
      family: 'mujoco',
      dataset: { start: 0, end: 1_000 },
      list_size: TASK_IDS.length,
      rotation: { count: 1, interval_seconds: 86_400 },
      scored: true,
      initial_list: TASK_IDS,
    };
    await writeFile(join(lists, `${env.replaceAll('/', '__')}.json`), JSON.stringify(definition));
  }
  return lists;
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** `NAME=value` words of a printed command line (values as a shell would read them: bare or single-quoted). */
function cliLineVariables(line: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [, name, value] of line.matchAll(/(\w+)=('(?:[^']|'\\'')*'|\S+)/g))
    variables[name!] = value!.startsWith("'") ? value!.slice(1, -1).replaceAll(`'\\''`, "'") : value!;
  return variables;
}

describe('evalpool demo as a process', () => {
  const redis = useTestRedis();
  let dir: string;
  let lists: string;
  before(async () => {
    dir = makeTempDir('demo-test');
    lists = await writeSamplingLists(dir);
  });
  after(() => removeTempDir(dir));

  const variables = (extra: Record<string, string>): Record<string, string> => ({
    EVALPOOL_QUEUE_PREFIX: redis.prefix,
    EVALPOOL_PORT: '0',
    EVALPOOL_SAMPLING_LISTS_DIR: lists,
    EVALPOOL_SCHEDULER_TICK_MS: '200',
    EVALPOOL_WEIGHTS_INTERVAL_SECONDS: '2',
    EVALPOOL_LOG_LEVEL: 'warn',
    ...extra,
  });

  test('publishes weights that favour the expert, has a leader, and stops cleanly on SIGINT', async (t) => {
    const databaseUrl = randomDatabaseUrl();
    const minerPorts = await freePorts(3);
    const cli: CliProcess = spawnCli(
      ['demo'],
      variables({ EVALPOOL_DATABASE_URL: databaseUrl, EVALPOOL_MINERS_FILE: await writeMinersFile(dir, minerPorts) }),
    );
    try {
      const url = await waitFor(
        'the dashboard URL on stdout',
        () => {
          if (cli.child.exitCode !== null) throw new Error(`demo exited early\nstdout:\n${cli.stdout()}\nstderr:\n${cli.stderr()}`);
          return /dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(cli.stdout())?.[1];
        },
        STATE_TIMEOUT_MS,
        100,
      );
      t.diagnostic(`demo listening on ${url}`);
      assert.match(cli.stdout(), new RegExp(`demo-expert\\s+expert\\s+http://127\\.0\\.0\\.1:${minerPorts[2]}`));

      // Weights are published once any miner is eligible; the demo's table waits for all three.
      const weights = await waitFor(
        'published weights that rank all three miners',
        async () => {
          const answer = await getJson(`${url}/v1/weights/latest`);
          if (answer.status !== 200) return undefined;
          const eligible = (answer.body.metadata as { eligible_uids?: unknown[] }).eligible_uids ?? [];
          return eligible.length === 3 ? (answer.body.weights as Record<string, number>) : undefined;
        },
        STATE_TIMEOUT_MS,
        500,
      );
      const expert = weights[String(EXPERT_UID)]!;
      for (const [uid, weight] of Object.entries(weights)) {
        if (uid !== String(EXPERT_UID))
          assert.ok(
            expert > weight,
            `expert (uid ${EXPERT_UID}) ${expert} should outweigh uid ${uid} ${weight}: ${JSON.stringify(weights)}`,
          );
      }

      // The CLI line's variables are all another command needs to read this demo's state.
      const line = /^CLI\s+(.*) npx evalpool weights show$/m.exec(cli.stdout())?.[1];
      assert.ok(line, `no CLI line in:\n${cli.stdout()}`);
      const printed = cliLineVariables(line);
      assert.deepEqual(Object.keys(printed).sort(), ['EVALPOOL_DATABASE_URL', 'EVALPOOL_MINERS_FILE', 'EVALPOOL_QUEUE_PREFIX']);
      const miners = await runCli(['miners', 'show'], printed);
      assert.equal(miners.code, 0, miners.stderr);
      for (const [uid, port] of minerPorts.entries())
        assert.match(miners.stdout, new RegExp(`^\\s*${uid}\\s.*http://127\\.0\\.0\\.1:${port}`, 'm'), miners.stdout);

      const status = await getJson(`${url}/v1/status`);
      assert.equal(status.status, 200);
      const scheduler = status.body.scheduler as { leader_id: string | null } | null;
      assert.ok(scheduler?.leader_id, `no leader in /v1/status: ${JSON.stringify(status.body)}`);

      await waitFor(
        'the weights table on stdout',
        () => /→ demo-expert \(uid 2, the expert policy\) leads/.test(cli.stdout()),
        STATE_TIMEOUT_MS,
        100,
      );

      cli.child.kill('SIGINT');
      assert.equal(await cli.exited(), 0, `stdout:\n${cli.stdout()}\nstderr:\n${cli.stderr()}`);
      assert.match(cli.stdout(), /stopped\.\n/);
      const apiPort = Number(new URL(url).port);
      for (const port of [apiPort, ...minerPorts]) assert.equal(await accepting(port), false, `port ${port} still open after exit`);
    } finally {
      await cli.kill();
      await dropDatabase(databaseUrl);
    }
  });

  test('a demo miner port in use: one sentence naming the port, the miners file and --miner-ports, exit 1', async () => {
    const taken = await listen();
    try {
      const port = (taken.address() as { port: number }).port;
      const [a, b] = await freePorts(2);
      const file = await writeMinersFile(dir, [a!, port, b!]);
      const result = await runCli(['demo'], variables({ EVALPOOL_MINERS_FILE: file }));
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        new RegExp(
          `^evalpool: port ${port} is already in use, so demo miner demo-noisy \\(from ${file}\\) cannot listen on it: .*--miner-ports <first port> \\(e\\.g\\. --miner-ports ${Math.min(a!, port, b!) + 100}\\)\n$`,
        ),
      );
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    } finally {
      await close(taken);
    }
  });

  test('--miner-ports on a port in use: names the flag as passed, not a copy of the miners file, and suggests no value', async () => {
    const taken = await listen();
    try {
      const port = (taken.address() as { port: number }).port;
      const file = await writeMinersFile(dir, await freePorts(3));
      const result = await runCli(['demo', '--miner-ports', String(port)], variables({ EVALPOOL_MINERS_FILE: file }));
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        `evalpool: port ${port} is already in use, so demo miner demo-random (moved there by --miner-ports ${port}) cannot listen on it: stop what holds it, or pass another first port to --miner-ports\n`,
      );
    } finally {
      await close(taken);
    }
  });

  test('the API port in use: one sentence naming the port and the --port flag, exit 1', async () => {
    const taken = await listen();
    const databaseUrl = randomDatabaseUrl();
    try {
      const port = (taken.address() as { port: number }).port;
      const minersFile = await writeMinersFile(dir, await freePorts(3));
      const result = await runCli(
        ['demo', '--port', String(port)],
        variables({ EVALPOOL_DATABASE_URL: databaseUrl, EVALPOOL_MINERS_FILE: minersFile }),
      );
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        `evalpool: port ${port} is already in use, so the HTTP API cannot listen on it: stop what holds it, or pass another port to --port (0 picks a free one)\n`,
      );
    } finally {
      await close(taken);
      await dropDatabase(databaseUrl);
    }
  });

  test('Redis or Postgres not running: says which one and how to start it, exit 1', async () => {
    const databaseUrl = randomDatabaseUrl();
    try {
      const minersFile = await writeMinersFile(dir, await freePorts(3));
      const noRedis = await runCli(
        ['demo'],
        variables({ EVALPOOL_DATABASE_URL: databaseUrl, EVALPOOL_MINERS_FILE: minersFile, EVALPOOL_REDIS_URL: 'redis://127.0.0.1:1' }),
      );
      assert.equal(noRedis.code, 1);
      assert.match(
        noRedis.stderr,
        /^evalpool: Redis is not answering at redis:\/\/127\.0\.0\.1:1 .*start it with: redis-server --daemonize yes --port 1 /,
      );
      const noPostgres = await runCli(
        ['demo'],
        variables({ EVALPOOL_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x', EVALPOOL_MINERS_FILE: minersFile }),
      );
      assert.equal(noPostgres.code, 1);
      assert.match(
        noPostgres.stderr,
        /^evalpool: Postgres is not answering at postgres:\/\/postgres@127\.0\.0\.1:1\/x .*start the cluster that listens on port 1 /,
      );
    } finally {
      await dropDatabase(databaseUrl);
    }
  });
});
