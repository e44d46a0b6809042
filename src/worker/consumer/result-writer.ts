import type { Kysely } from 'kysely';
import { RESULT_FENCE_TIMEOUT_MS, RESULT_WRITER_IDLE_TRANSACTION_MS, RESULT_WRITER_MAX_IN_FLIGHT } from '../../config/constants.ts';
import { limitIdleInTransaction } from '../../db/idle-transaction-limit.ts';
import type { Database } from '../../db/schema.ts';
import { insertAttempts } from '../../db/tables/attempts.ts';
import { insertResults, lockResultIdentities, resultIdentityKey } from '../../db/tables/results.ts';
import { withDeadline } from '../../runtime/deadline.ts';
import { errorMessage, toError } from '../../runtime/error-message.ts';
import type { Logger } from '../../runtime/logger.ts';
import { isPermanentWriteError, ResultWriteTimeoutError } from './errors.ts';
import type { TaskRecord } from './task-record.ts';

/** Options of {@link ResultWriter}. */
export interface ResultWriterOptions {
  readonly db: Kysely<Database>;
  readonly logger: Logger;
  /** Send a batch as soon as this many records wait. */
  readonly maxBatchRows: number;
  /** Longest a record waits for others before its batch is sent (0 = at once). */
  readonly flushMs: number;
  /** A batch not confirmed within this time fails for each of its records. */
  readonly writeTimeoutMs: number;
  /** Batches in flight at once (default {@link RESULT_WRITER_MAX_IN_FLIGHT}). */
  readonly maxInFlight?: number;
  /** Postgres ends a write transaction idle this long (default {@link RESULT_WRITER_IDLE_TRANSACTION_MS}). */
  readonly idleTransactionMs?: number;
  /**
   * A fence not answered within this time fails its own record (default
   * {@link RESULT_FENCE_TIMEOUT_MS}, at most half of `writeTimeoutMs`): well inside the batch's
   * timeout, so that one fence that hangs (Redis away: its commands wait in the client's offline
   * queue) never takes the whole batch down with it.
   */
  readonly fenceTimeoutMs?: number;
}

/** The fate of one record. */
export interface WriteReceipt {
  /**
   * For a record with a result row: true if this write stored it, false if a result with the
   * same identity was already there (first write wins). Undefined for attempt-only records.
   */
  readonly resultStored?: boolean;
  /** The record's fence said the writer may not store it any more: nothing of it was written. */
  readonly fenced?: true;
}

/**
 * Proves, inside the transaction that would store a record, that its writer may still store it
 * (the worker still holds the task's lock). Resolves false when it may not; a rejection (the
 * proof could not be obtained) fails the record's write, not the batch.
 */
export type WriteFence = () => Promise<boolean>;

interface Entry {
  readonly record: TaskRecord;
  readonly fence?: WriteFence;
}

interface Waiting extends Entry {
  resolve(receipt: WriteReceipt): void;
  reject(error: Error): void;
}

type Fate = { readonly receipt: WriteReceipt } | { readonly error: Error };

/**
 * Collects the records of concurrent jobs into multi-row inserts: a batch leaves when
 * `maxBatchRows` records wait or the oldest has waited `flushMs`. Each batch is one transaction
 * (results `on conflict do nothing`, then attempts), and each caller awaits the fate of its own
 * record: a receipt, or the batch's error.
 *
 * A scored attempt's row is inserted only together with the result it stored, so that writing
 * the same outcome twice (a retried write whose first commit was not acknowledged, a duplicate
 * delivery) never counts an attempt twice. A data error in a batch (a row Postgres refuses) is
 * isolated by writing that batch's records one by one; any other error fails the whole batch.
 *
 * A record written with a fence is stored only if its fence, asked inside the transaction, says
 * so. The results of fenced records are serialised per identity by advisory locks held from
 * before the fence is asked until the commit: a writer whose fence passed, then stalled before
 * its commit, makes any other writer of that identity wait for its commit (and then lose to it
 * on the unique key); a writer that comes after a takeover fails its fence. See TaskWorker.
 * That wait is bounded: a transaction idle for `idleTransactionMs` (its process frozen before
 * its commit) is ended by Postgres, its locks with it; its write then fails like any lost
 * connection (the caller parks the outcome and writes it again), and the waiting writer goes on.
 */
export class ResultWriter {
  readonly name = 'result-writer';
  readonly #options: ResultWriterOptions;
  readonly #maxInFlight: number;
  readonly #fenceTimeoutMs: number;
  readonly #logger: Logger;
  #queue: Waiting[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #due = false;
  #stopped = false;
  #stopping: Promise<void> | undefined;

  constructor(options: ResultWriterOptions) {
    if (options.maxBatchRows < 1) throw new Error('maxBatchRows must be at least 1');
    this.#options = options;
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? RESULT_WRITER_MAX_IN_FLIGHT);
    this.#fenceTimeoutMs = options.fenceTimeoutMs ?? Math.min(RESULT_FENCE_TIMEOUT_MS, options.writeTimeoutMs / 2);
    this.#logger = options.logger.child({ component: 'result-writer' });
  }

  /**
   * Queues a record; resolves when its batch committed, rejects with the batch's error (or the
   * fence's). With a `fence`, the record is written only if the fence passes in the transaction.
   */
  write(record: TaskRecord, fence?: WriteFence): Promise<WriteReceipt> {
    if (this.#stopped) return Promise.reject(new Error('the result writer is stopped'));
    return new Promise<WriteReceipt>((resolve, reject) => {
      this.#queue.push({ record, fence, resolve, reject });
      this.#kick();
    });
  }

  /** Records waiting to be sent (not counting batches in flight). */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Sends what waits, waits for every batch in flight, then refuses new writes. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#drain();
    return this.#stopping;
  }

  async #drain(): Promise<void> {
    this.#stopped = true;
    this.#due = true;
    while (this.#queue.length > 0 || this.#inFlight.size > 0) {
      this.#kick();
      await Promise.race(this.#inFlight);
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #kick(): void {
    const { maxBatchRows, flushMs } = this.#options;
    while (
      this.#queue.length > 0 &&
      this.#inFlight.size < this.#maxInFlight &&
      (this.#queue.length >= maxBatchRows || this.#due || flushMs === 0)
    ) {
      const batch = this.#queue.splice(0, maxBatchRows);
      if (this.#queue.length === 0) this.#due = this.#stopped;
      const flight = this.#send(batch).finally(() => {
        this.#inFlight.delete(flight);
        this.#kick();
      });
      this.#inFlight.add(flight);
    }
    if (this.#queue.length === 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    } else if (!this.#timer && !this.#due) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#due = true;
        this.#kick();
      }, flushMs);
    }
  }

  async #send(batch: Waiting[]): Promise<void> {
    try {
      const fates = await this.#withTimeout(this.#writeBatch(batch));
      batch.forEach((w, i) => settle(w, fates[i]!));
    } catch (error) {
      const failure = toError(error);
      if (batch.length > 1 && isPermanentWriteError(failure)) {
        this.#logger.warn({ rows: batch.length, err: failure.message }, 'a batch was refused; writing its records one by one');
        for (const w of batch) {
          try {
            const [fate] = await this.#withTimeout(this.#writeBatch([w]));
            settle(w, fate!);
          } catch (single) {
            w.reject(toError(single));
          }
        }
        return;
      }
      for (const w of batch) w.reject(failure);
    }
  }

  /**
   * One transaction: the fenced records' identity locks and fences, then results (first write
   * wins), then the attempts that belong. A record whose fence says no or fails is left out.
   */
  async #writeBatch(entries: readonly Entry[]): Promise<Fate[]> {
    return this.#options.db.transaction().execute(async (trx) => {
      await limitIdleInTransaction(trx, this.#options.idleTransactionMs ?? RESULT_WRITER_IDLE_TRANSACTION_MS);
      const fenced = entries.filter((e) => e.fence && e.record.result).map((e) => e.record.result!);
      await lockResultIdentities(trx, fenced);
      const fenceErrors = await Promise.all(
        entries.map(async (e): Promise<Error | 'refused' | undefined> => {
          if (!e.fence) return undefined;
          try {
            const ms = this.#fenceTimeoutMs;
            return (await withDeadline(e.fence(), ms, { timeoutError: () => new Error(`the fence did not answer within ${ms} ms`) }))
              ? undefined
              : 'refused';
          } catch (error) {
            return new Error(`the writer could not prove it may store this record: ${errorMessage(error)}`, { cause: error });
          }
        }),
      );
      const records = entries.map((e, i) => (fenceErrors[i] === undefined ? e.record : undefined));
      const claimed = new Set<string>();
      // A record is a candidate for its identity only if no earlier record of this batch has it.
      const candidate = records.map((r) => {
        if (!r?.result) return false;
        const key = resultIdentityKey(r.result);
        if (claimed.has(key)) return false;
        claimed.add(key);
        return true;
      });
      const stored = new Set(
        (
          await insertResults(
            trx,
            records.filter((_, i) => candidate[i]).map((r) => r!.result!),
          )
        ).map(resultIdentityKey),
      );
      const resultStored = records.map((r, i) => candidate[i]! && stored.has(resultIdentityKey(r!.result!)));
      await insertAttempts(
        trx,
        records.filter((r, i) => r !== undefined && (!r.result || resultStored[i])).map((r) => r!.attempt),
      );
      return records.map((r, i): Fate => {
        const refusal = fenceErrors[i];
        if (refusal === 'refused') return { receipt: { fenced: true } };
        if (refusal !== undefined) return { error: refusal };
        return { receipt: r!.result ? { resultStored: resultStored[i]! } : {} };
      });
    });
  }

  #withTimeout<T>(work: Promise<T>): Promise<T> {
    const ms = this.#options.writeTimeoutMs;
    return withDeadline(work, ms, { timeoutError: () => new ResultWriteTimeoutError(ms) });
  }
}

function settle(waiting: Waiting, fate: Fate): void {
  if ('error' in fate) waiting.reject(fate.error);
  else waiting.resolve(fate.receipt);
}
