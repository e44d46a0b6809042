import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type pg from 'pg';
import { connectClient } from '../../src/db/connection-loss.ts';
import { splitDatabaseUrl } from '../../src/db/ensure-database.ts';
import type { TaskJobData } from '../../src/pool/task-job.ts';
import { privatePostgresUnavailable } from '../helpers/private-postgres.ts';
import { makeTask } from '../helpers/task-jobs.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { assertAlive, assertBooks, STARTUP_MS, useFaultSystem } from './fault-system.ts';

/**
 * Postgres goes away under load, the way operators and failovers make it, round after round,
 * while a `serve` with inline workers and a separate `worker` write results and the API is read:
 * - `terminate`: every backend of the service terminated (`pg_terminate_backend`);
 * - `restart`: the server restarted (fast shutdown: connections cut, transactions rolled back);
 * - `stop`: the server stopped until the API has refused `outageAnswers` requests (which must
 *   be 503 `unavailable` naming Postgres), then started again.
 * Every process stays up; the API answers only 200 or 503 throughout; and the books, read from
 * Postgres and Redis directly, hold: one result per task, none lost, no infrastructure fault scored.
 */
export type PostgresFault = 'terminate' | 'restart' | 'stop';

export interface PostgresFaultOptions {
  /** Tasks added before each fault; the fault comes as soon as some of them are being written. */
  readonly wave: number;
  /** Answers other than 200 (503 naming Postgres, asserted) seen while a `stop` lasts. */
  readonly outageAnswers: number;
}

const ENV = 'noop/pg-faults';

/** Registers the scenario as a suite of its own (its own private Postgres and Redis prefix). */
export function postgresFaultScenario(name: string, faults: readonly PostgresFault[], options: PostgresFaultOptions): void {
  const hotkey = `5PgFaults${name.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 40);

  describe(`Postgres faults under load: ${name}`, { skip: privatePostgresUnavailable() }, () => {
    const system = useFaultSystem();
    let admin: pg.Client | undefined;
    after(async () => {
      await admin?.end().catch(() => undefined);
    });

    test(`${faults.join(', ')}: every process stays up, the API answers 200 or 503, the books hold`, async (t) => {
      const { postgres, queues } = system;
      const stored = (): Promise<number> => system.stored(hotkey);
      const serve = system.spawn(['serve'], {
        EVALPOOL_PORT: '0',
        EVALPOOL_SCHEDULER_ENABLED: 'false',
        EVALPOOL_INLINE_WORKERS: '3',
        EVALPOOL_WORKER_ENVS: ENV,
      });
      const worker = system.spawn(['worker', '--envs', ENV, '--concurrency', '3'], {});
      const url = String((await serve.waitForLog((l) => l.msg === 'evalpool serve is listening', STARTUP_MS)).url);
      await serve.waitForLog((l) => l.msg === 'inline workers are running', STARTUP_MS);
      await worker.waitForLog((l) => l.msg === 'evalpool worker is running', STARTUP_MS);

      const alive = (): void => assertAlive({ serve, worker });

      // Readers of the API hold connections too (checked out while a query runs); every answer is kept.
      const answers = new Map<string, number>();
      // Answers other than 200: a `stop` lasts until enough of them (then their kind is asserted).
      let refused = 0;
      let reading = true;
      const readers = Array.from({ length: 3 }, async () => {
        for (let i = 0; reading; i++) {
          const path = i % 2 === 0 ? '/v1/miners' : '/v1/status';
          try {
            const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(20_000) });
            const body = (await response.json()) as { error?: string; detail?: string };
            const label = `${response.status}${body.error === undefined ? '' : ` ${body.error}: ${body.detail}`}`;
            answers.set(label, (answers.get(label) ?? 0) + 1);
            if (response.status !== 200) refused += 1;
          } catch {
            // a reader's own timeout on a loaded machine: not an answer
          }
        }
      });

      const adminClient = async (): Promise<pg.Client> => (admin ??= await connectClient(splitDatabaseUrl(postgres.url).adminUrl));
      const inject: Record<PostgresFault, () => Promise<void>> = {
        async terminate() {
          const client = await adminClient();
          await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [
            splitDatabaseUrl(postgres.url).name,
          ]);
        },
        async restart() {
          await admin?.end().catch(() => undefined);
          admin = undefined;
          await postgres.stop();
          await postgres.start();
        },
        async stop() {
          await admin?.end().catch(() => undefined);
          admin = undefined;
          await postgres.stop();
          const from = refused;
          await waitFor(
            `${options.outageAnswers} answers other than 200 while Postgres is stopped`,
            () => {
              alive();
              return refused - from >= options.outageAnswers;
            },
            120_000,
          );
          await postgres.start();
        },
      };

      const tasks: TaskJobData[] = [];
      try {
        for (const fault of faults) {
          const before = await waitFor('Postgres answering the test', () => stored().catch(() => undefined), 30_000);
          const wave = Array.from({ length: options.wave }, () => makeTask({ env: ENV, hotkey }));
          tasks.push(...wave);
          for (const task of wave) await queues.add(task);
          await waitFor(
            'results of the wave being written',
            async () => {
              alive();
              return (await stored().catch(() => before)) > before;
            },
            30_000,
          );
          await inject[fault]();
          alive();
        }
        await waitFor(
          `all ${tasks.length} tasks completed`,
          async () => {
            alive();
            return (await Promise.all(tasks.map((task) => queues.getJob(task)))).every((job) => job === undefined);
          },
          180_000,
        );
        alive();
      } finally {
        reading = false;
        await Promise.all(readers);
      }

      await assertBooks(
        t,
        system,
        { scenario: name, injected: `${faults.join(', ')} under load`, extra: `API ${JSON.stringify(Object.fromEntries(answers))}` },
        tasks,
      );
      const statuses = [...answers.keys()].filter(
        (label) => !label.startsWith('200') && label !== '503 unavailable: Postgres did not answer; try again shortly',
      );
      assert.deepEqual(statuses, [], `the API answered only 200 or 503 naming Postgres: ${JSON.stringify(Object.fromEntries(answers))}`);
      assert.ok(serve.logs().some((l) => l.msg === 'a Postgres connection was lost; the pool opens a new one'));

      serve.child.kill('SIGTERM');
      worker.child.kill('SIGTERM');
      assert.equal(await serve.exited(), 0, serve.stderr());
      assert.equal(await worker.exited(), 0, worker.stderr());
    });
  });
}
