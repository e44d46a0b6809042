import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';
import { makeTempDir, removeTempDir } from './with-temp-dir.ts';

/**
 * A Postgres server of a test's own (initdb in a temp folder, a free port), for tests that stop
 * and start Postgres without disturbing the shared server other test files use.
 */
export interface PrivatePostgres {
  readonly url: string;
  start(): Promise<void>;
  /** Fast shutdown: connections are cut, like a crash of the database host. */
  stop(): Promise<void>;
  /** Stops the server and deletes its folder. */
  destroy(): Promise<void>;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root).sort().at(-1);
  return version ? path.join(root, version, 'bin') : undefined;
}

/** Why a private server cannot run here, or undefined when it can. */
export function privatePostgresUnavailable(): string | undefined {
  const bin = binDir();
  if (!bin || !existsSync(path.join(bin, 'initdb'))) return 'no Postgres server binaries under /usr/lib/postgresql';
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
  } catch {
    return 'no "postgres" system user to run a private server as';
  }
  return undefined;
}

/** Root may not run Postgres: commands run as the postgres user when we are root. */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

/** Creates (initdb) and starts a private server; call `destroy()` in `after`. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir()!;
  const dir = makeTempDir('pg');
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
  const data = path.join(dir, 'data');
  const [initCmd, initArgs] = asPostgres(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  execFileSync(initCmd, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  const pgCtl = async (args: string[]): Promise<void> => {
    const [cmd, cmdArgs] = asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-w', '-t', '30', ...args]);
    await promisify(execFile)(cmd, cmdArgs);
  };
  let running = false;
  const start = async (): Promise<void> => {
    await pgCtl(['-o', `-p ${port} -k ${dir} -h 127.0.0.1 -c fsync=off`, '-l', path.join(dir, 'log'), 'start']);
    running = true;
  };
  // "fast" shutdown: roll back and disconnect every client, like losing the database host.
  const stop = async (): Promise<void> => {
    if (!running) return;
    await pgCtl(['-m', 'fast', 'stop']);
    running = false;
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/evalpool`,
    start,
    stop,
    async destroy() {
      await stop();
      removeTempDir(dir);
    },
  };
}
