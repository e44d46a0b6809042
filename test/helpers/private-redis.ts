import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port.ts';
import { makeTempDir, removeTempDir } from './with-temp-dir.ts';

/**
 * A Redis server of a test's own (`redis-server` on a free port, its files in a temp folder), for
 * tests that flush, kill and restart Redis without disturbing the shared server of other files.
 */
export interface PrivateRedis {
  readonly url: string;
  /**
   * Starts the server again on the same port and folder (with the AOF, when it was written);
   * `databases` sets how many database indexes it has (16 by default).
   */
  start(settings?: { readonly databases?: number }): Promise<void>;
  /** kill -9: nothing is saved on the way down (only what the AOF already holds survives). */
  kill(): Promise<void>;
  /** Kills the server and deletes its folder. */
  destroy(): Promise<void>;
}

/** Why a private server cannot run here, or undefined when it can. */
export function privateRedisUnavailable(): string | undefined {
  const found = (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(path.join(dir, 'redis-server')));
  return found ? undefined : 'no redis-server on PATH';
}

/**
 * Starts a private server; `appendonly` writes every command to an AOF (fsync every second) so
 * that a restart finds the data again; without it nothing is ever saved (`--save ""`).
 */
export async function startPrivateRedis(options: { readonly appendonly?: boolean } = {}): Promise<PrivateRedis> {
  const dir = makeTempDir('redis');
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (settings: { readonly databases?: number } = {}): Promise<void> => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      options.appendonly ? 'yes' : 'no',
      '--logfile',
      '',
      ...(settings.databases === undefined ? [] : ['--databases', String(settings.databases)]),
    ];
    const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      started.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections')) resolve();
      });
      started.once('exit', (code, signal) => reject(new Error(`redis-server exited (${code ?? signal}) before it was ready:\n${out}`)));
    });
  };
  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    kill,
    async destroy() {
      await kill();
      removeTempDir(dir);
    },
  };
}
