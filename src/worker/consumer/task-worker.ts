// The worker's one rule: every job it takes is released exactly one way, decided by the class
// of the attempt (docs/design.md, "Task lifecycle" and "Error classes"):
//
//   success / failure           → attempt + result written (first write wins), THEN the job
//                                 completes (and is removed): a result is never lost, never
//                                 counted twice.
//   miner_unavailable/env_error → attempt recorded, then a retryable error: BullMQ retries with
//                                 the job's backoff and, after its attempts, fails it (paused).
//                                 Except a measured non-answer (the miner had received the task,
//                                 in this attempt or an earlier one, and did not answer, or an
//                                 unattributed env fault followed, container-outcome.ts): its last
//                                 attempt is recorded as a scored failure instead; and an
//                                 unattributed fault at the last attempt of a task the miner was
//                                 never seen to have, when other miners' episodes of it played out
//                                 recently (playedByAnotherMiner).
//   worker_error                → back to pending without consuming an attempt (shutdown:
//                                 straight to the front of the queue; otherwise after a backoff,
//                                 at most MAX_WORKER_ERRORS times before it consumes attempts).
//   result write failed         → the outcome is parked in the job data and the job delayed
//                                 without consuming an attempt; the next delivery writes the
//                                 parked outcome instead of running the episode again.
//   invalid job data            → failed at once (it cannot succeed), with the reason.
//   lock lost (see below)       → episode stopped as soon as BullMQ reports the lost lock, its
//                                 outcome discarded as a worker_error attempt; the job is left
//                                 to the worker that took it over, untouched.
//
// A job this process cannot release (Redis unreachable) is left to its lock: when the lock
// expires, the stalled check returns it to pending. A redelivered job (its worker stalled or
// died) whose result is already stored completes without running again: that one indexed
// lookup is the only "is it still wanted" check; a task whose miner or task id retired meanwhile
// still runs, and the scheduler ignores its result.
//
// Lost locks. A worker stopped (SIGSTOP, a VM freeze) or blocked for longer than the lock
// duration loses its job: the stalled check returns it to pending and another worker runs it.
// The first worker, when it resumes, must not count its own episode, or the miner would get the
// task twice and keep the better (or the faster) of two. So every outcome is checked against the
// lock (`extendLock` with this delivery's token, which fails once the lock expired or belongs to
// another token) before anything is written or the job touched, and a lost one is discarded.
// That check and the Postgres insert cannot be one atomic step, so the store is fenced inside its
// transaction (ResultWriter): take an advisory lock on the result's identity, THEN check the
// Redis lock, THEN insert and commit. The order makes the worst case harmless:
// - check fails: nothing written; the successor's episode is the one that counts;
// - check passes, the worker stalls before its commit and loses the job: it held the job when it
//   checked, so its episode (finished before the takeover) is a legitimate result. The successor
//   finds no result and runs again, but its write needs the same advisory lock, so it waits for
//   the stalled commit and then loses on the unique key (or wins if the stalled transaction is
//   rolled back, e.g. the process dies). Which episode counts was thus fixed at the instant of
//   the takeover, before the second episode began: nothing the miner does in it can choose.
// Checking after the insert instead would leave a row that a failed check cannot take back.
// The worker does not wait for its episode to end to find out: BullMQ renews the locks of running
// jobs every half lock renewal period, and the first renewal after the resume reports a lost one
// ('lockRenewalFailed'); its evaluation is then aborted at once (runEvaluation's `lockLost`), so
// the miner is not played the rest of a second, concurrent episode of the task. Between the resume
// and that renewal's answer (one Redis round trip) a call under way may still complete and the
// next one start: the renewal cannot come sooner than the loop's first turn after the resume.

import { setMaxListeners } from 'node:events';
import { DelayedError, type Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import {
  EVIDENCE_LOOKUP_BASE_DELAY_MS,
  MAX_WORKER_ERRORS,
  PARKED_RESULT_BASE_DELAY_MS,
  UNATTRIBUTED_EVIDENCE_MIN_MINERS,
  UNATTRIBUTED_EVIDENCE_WINDOW_MS,
  WORKER_ERROR_BASE_DELAY_MS,
} from '../../config/constants.ts';
import type { Database } from '../../db/schema.ts';
import { playedByAnotherMiner, resultExists } from '../../db/tables/results.ts';
import { publishCircuitState } from '../../pool/circuit-keys.ts';
import type { PoolWorkerOptions } from '../../pool/job-options.ts';
import { parseTaskJobData, queueName, type TaskJobData } from '../../pool/task-job.ts';
import { backoffDelay } from '../../runtime/backoff.ts';
import { DistinctMessages } from '../../runtime/distinct-messages.ts';
import { errorMessage } from '../../runtime/error-message.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { EvalpoolMetrics } from '../../runtime/metrics.ts';
import { ERROR_CLASSES, nextStep } from '../episode/error-class.ts';
import type { EvaluationOutcome, Evaluator } from '../evaluation/evaluator.ts';
import { attributedOutcome, exhaustedOutcome } from '../evaluation/exhausted-outcome.ts';
import { runEvaluation } from '../evaluation/run-evaluation.ts';
import { isPermanentWriteError, RetryableTaskError } from './errors.ts';
import { parseWorkerJobState, type WorkerJobState } from './job-state.ts';
import type { ResultWriter, WriteReceipt } from './result-writer.ts';
import { type FinishedAttempt, taskRecord } from './task-record.ts';

/** Options of {@link TaskWorker}. */
export interface TaskWorkerOptions {
  /** Environment ids whose queues this worker consumes. */
  readonly envs: readonly string[];
  /** Jobs run at once per env queue. */
  readonly concurrency: number;
  readonly evaluator: Evaluator;
  readonly writer: ResultWriter;
  /** Used only to check, on a redelivery, whether the result is already stored. */
  readonly db: Kysely<Database>;
  /** A BullMQ-ready connection (`maxRetriesPerRequest: null`), shared by the queues; not closed here. */
  readonly connection: Redis;
  /** BullMQ key prefix (`EVALPOOL_QUEUE_PREFIX`). */
  readonly prefix: string;
  /** Recorded with each attempt and result. */
  readonly workerId: string;
  /** Lock, stalled check and stall count shared with the leader's stalled checker (`poolWorkerOptions`). */
  readonly workerOptions: PoolWorkerOptions;
  /** An evaluation still running after this long is abandoned as an `env_error`. */
  readonly hardTimeoutMs: number;
  /** Cap of the backoff between tries of writing a parked outcome (and between worker_error releases). */
  readonly resultRetryMaxMs: number;
  /** On stop, running evaluations get this long to finish before they are aborted and released. */
  readonly drainMs: number;
  readonly logger: Logger;
  /** Where finished attempts, their durations and paused tasks are counted; absent = not counted. */
  readonly metrics?: EvalpoolMetrics;
}

/**
 * Consumes the env queues: one BullMQ `Worker` per queue, each running up to `concurrency` jobs.
 * `start()` and `stop()` are idempotent; `stop()` stops taking jobs, lets running evaluations
 * finish within `drainMs`, then aborts the rest (they go back to pending) and closes the queues.
 */
export class TaskWorker {
  readonly name = 'task-worker';
  readonly #options: TaskWorkerOptions;
  readonly #logger: Logger;
  readonly #shutdown = new AbortController();
  #workers: Worker[] = [];
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #running = 0;
  #closing = false;
  readonly #seenMiners = new Set<string>();
  /** The running evaluations, by queue and job id: aborted when BullMQ reports their lock lost. */
  readonly #lockWatch = new Map<string, AbortController>();
  readonly #episodes: Record<string, number> = Object.fromEntries(ERROR_CLASSES.map((c) => [c, 0]));

  constructor(options: TaskWorkerOptions) {
    if (options.envs.length === 0) throw new Error('a task worker needs at least one environment');
    this.#options = options;
    this.#logger = options.logger.child({ component: 'task-worker', workerId: options.workerId });
    // Every running evaluation listens to the shutdown signal.
    setMaxListeners(0, this.#shutdown.signal);
  }

  /** Evaluations running now (all queues). */
  get running(): number {
    return this.#running;
  }

  /** Finished attempts since start, by error class (every class present, from 0). */
  get episodes(): Readonly<Record<string, number>> {
    return { ...this.#episodes };
  }

  /** Opens one BullMQ worker per env queue and resolves once all are connected. */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  /** Stops taking jobs, drains, releases what is left, closes. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #start(): Promise<void> {
    if (this.#stopping) throw new Error('the task worker is stopped');
    const o = this.#options;
    for (const env of o.envs) {
      // Every series of the env exists from the start (at 0), so that `rate()` sees its first attempt.
      for (const errorClass of ERROR_CLASSES) o.metrics?.taskAttempts.inc({ env, error_class: errorClass }, 0);
      o.metrics?.tasksPaused.inc({ env }, 0);
      const worker = new Worker(queueName(env), (job, token) => this.#process(job, token), {
        connection: o.connection,
        prefix: o.prefix,
        name: o.workerId,
        concurrency: o.concurrency,
        ...o.workerOptions,
        removeOnComplete: { count: 0 },
      });
      this.#watch(worker, env);
      this.#workers.push(worker);
    }
    await Promise.all(this.#workers.map((w) => w.waitUntilReady()));
    this.#logger.info({ envs: o.envs, concurrency: o.concurrency }, 'consuming task queues');
  }

  async #stop(): Promise<void> {
    this.#closing = true;
    await this.#starting?.catch(() => undefined);
    if (this.#workers.length === 0) return;
    this.#logger.info(
      { running: this.#running, drainMs: this.#options.drainMs },
      'stopping: no new tasks, letting running evaluations finish',
    );
    const closing = Promise.all(this.#workers.map((w) => w.close()));
    const deadline = setTimeout(() => {
      if (this.#running > 0)
        this.#logger.warn({ running: this.#running }, 'drain time over: aborting running evaluations, their tasks go back to pending');
      this.#shutdown.abort(new Error('the worker is shutting down'));
    }, this.#options.drainMs);
    try {
      await closing;
    } finally {
      clearTimeout(deadline);
    }
    this.#logger.info('task queues closed');
  }

  #watch(worker: Worker, env: string): void {
    const errors = new DistinctMessages();
    worker.on('error', (error) => {
      // A lock this worker could not renew is reported as 'lockRenewalFailed' too (handled below).
      if (error.message.startsWith('could not renew lock for job')) return;
      // BullMQ reports each failed reconnect; one line per distinct message is enough.
      if (errors.changed(error.message)) this.#logger.warn({ env, err: error.message }, 'queue error');
    });
    worker.on('ready', () => errors.reset());
    worker.on('lockRenewalFailed', (jobIds: string[]) => {
      for (const jobId of jobIds) {
        const watch = this.#lockWatch.get(runningKey(queueName(env), jobId));
        if (watch === undefined || watch.signal.aborted) continue;
        this.#logger.info({ env, job: jobId }, 'the lock of a running task was lost (another worker may have it): stopping its evaluation');
        watch.abort(new Error("the worker lost the task's lock"));
      }
    });
    worker.on('stalled', (jobId) =>
      this.#logger.info({ env, job: jobId }, 'a task whose worker stopped renewing its lock went back to pending'),
    );
    worker.on('failed', (job, error) => {
      if (!job) return;
      const attempts = job.opts.attempts ?? 1;
      const final = error instanceof UnrecoverableError || job.attemptsMade >= attempts;
      if (final) this.#options.metrics?.tasksPaused.inc({ env });
      if (final && error instanceof RetryableTaskError)
        this.#logger.warn({ env, job: job.id, attempts, reason: error.message }, 'task paused: attempts exhausted');
    });
  }

  async #process(job: Job, token: string | undefined): Promise<void> {
    if (token === undefined) throw new Error('BullMQ handed over a job without a lock token');
    let task: TaskJobData;
    let state: WorkerJobState;
    try {
      task = parseTaskJobData(job.data);
      state = parseWorkerJobState(job.data);
    } catch (error) {
      const reason = `invalid task data: ${errorMessage(error)}`;
      this.#logger.error({ queue: job.queueName, job: job.id, reason }, 'task failed: its data is invalid');
      throw new UnrecoverableError(reason);
    }
    const log = this.#logger.child({ job: job.id, env: task.env, hotkey: task.hotkey, task_id: task.task_id });

    // A job taken while stopping (a fetch already in flight) is handed back untouched.
    if (this.#closing) return this.#releaseForShutdown(job, token, log);
    if (state.pending_result) return this.#store(job, token, task, state, state.pending_result, log);
    // A parked decision is this attempt's own (a job retried by hand has a later attempt: it runs).
    if (state.pending_decision?.attempt === job.attemptsMade + 1) return this.#decide(job, token, task, state, state.pending_decision, log);
    if (job.stalledCounter > 0 && (await this.#alreadyStored(task, log))) return;

    this.#running++;
    const watchKey = runningKey(job.queueName, job.id ?? '');
    const lockLost = new AbortController();
    this.#lockWatch.set(watchKey, lockLost);
    let run;
    try {
      run = await runEvaluation(this.#options.evaluator, task, {
        shutdown: this.#shutdown.signal,
        hardTimeoutMs: this.#options.hardTimeoutMs,
        lockLost: lockLost.signal,
      });
    } finally {
      this.#running--;
      this.#lockWatch.delete(watchKey);
    }
    const { outcome } = run;
    const attempt = job.attemptsMade + 1;
    const finished: FinishedAttempt = { attempt, workerId: this.#options.workerId, finishedAt: Date.now(), outcome };
    this.#seeMiner(task.hotkey);
    if (run.abandoned === 'lock_lost') return this.#discardLost(task, finished, log, { stopped: true });
    if (await this.#lockLost(job, token, log)) return this.#discardLost(task, finished, log);
    // A measured non-answer on the task's last attempt is recorded as a scored failure: that is
    // the class the attempt has, in the tables and in the metrics alike.
    this.#count(task.env, task.hotkey, measuredAtLast(job, task, finished) ?? outcome);
    if (outcome.errorClass === 'miner_unavailable' && outcome.circuitOpenUntilMs !== undefined)
      this.#publishCircuit(task.hotkey, outcome.circuitOpenUntilMs, log);

    switch (nextStep(outcome.errorClass)) {
      case 'record':
        return this.#store(job, token, task, state, finished, log);
      case 'retry':
        return this.#decide(job, token, task, state, finished, log);
      case 'release':
        if (run.abandoned === 'shutdown') {
          void this.#recordAttempt(task, finished, log);
          return this.#releaseForShutdown(job, token, log);
        }
        return this.#releaseAfterWorkerError(job, token, task, state, finished, log);
    }
  }

  /**
   * The release of a retryable attempt: retried, or at the task's last attempt a scored failure
   * (measured non-answer, or an unattributed fault with other miners' evidence), or paused.
   */
  async #decide(job: Job, token: string, task: TaskJobData, state: WorkerJobState, finished: FinishedAttempt, log: Logger): Promise<void> {
    const { outcome } = finished;
    const last = finished.attempt >= (job.opts.attempts ?? 1);
    const measured = measuredAtLast(job, task, finished);
    if (measured !== undefined) {
      log.info(
        { attempt: finished.attempt, reason: outcome.message },
        'the miner had this task and never answered it: scored as a failure',
      );
      return this.#store(job, token, task, state, { ...finished, outcome: measured }, log);
    }
    const unattributed =
      outcome.unattributedFault === true || (outcome.errorClass === 'miner_unavailable' && state.unattributed_fault === true);
    if (last && unattributed) {
      const evidence = await this.#playedElsewhere(task, log);
      if (evidence === undefined) {
        // Postgres could not say: decide again later, without running the episode again and
        // without consuming the attempt (a transient error must not pause the task).
        const failures = (state.evidence_lookup_failures ?? 0) + 1;
        const delay = backoffDelay(failures, EVIDENCE_LOOKUP_BASE_DELAY_MS, this.#options.resultRetryMaxMs);
        log.warn({ failures, retryInMs: delay }, 'evidence lookup failed: the decision of this last attempt is parked in the task');
        return this.#delay(job, token, { pending_decision: finished, evidence_lookup_failures: failures }, delay, log);
      }
      if (evidence) {
        log.info(
          { attempt: finished.attempt, reason: outcome.message },
          "the env failed only in this miner's episodes of a task other miners played out: scored as a failure",
        );
        return this.#store(job, token, task, state, { ...finished, outcome: attributedOutcome(outcome, finished.attempt) }, log);
      }
    }
    await this.#recordAttempt(task, finished, log);
    // The attempt row written just above says so too, for a job of this task created again.
    if (outcome.minerHadTask === true && task.miner_had_task !== true) await this.#remember(job, { miner_had_task: true }, log);
    if (outcome.unattributedFault === true && state.unattributed_fault !== true)
      await this.#remember(job, { unattributed_fault: true }, log);
    log.info({ class: outcome.errorClass, attempt: finished.attempt, reason: outcome.message }, 'attempt not scored; the task will retry');
    throw new RetryableTaskError(outcome.errorClass, outcome.message);
  }

  /** Writes attempt + result; on a write failure parks the outcome in the job and delays it. */
  async #store(job: Job, token: string, task: TaskJobData, state: WorkerJobState, finished: FinishedAttempt, log: Logger): Promise<void> {
    let receipt: WriteReceipt;
    try {
      receipt = await this.#options.writer.write(taskRecord(task, finished), () => this.#ownsLock(job, token));
    } catch (error) {
      const message = errorMessage(error);
      if (isPermanentWriteError(error)) {
        log.error({ err: message, outcome: finished.outcome }, 'Postgres refuses this result; the task fails');
        throw new UnrecoverableError(`the result cannot be stored (${message}); outcome: ${JSON.stringify(finished.outcome)}`);
      }
      const failures = (state.result_write_failures ?? 0) + 1;
      const delay = backoffDelay(failures, PARKED_RESULT_BASE_DELAY_MS, this.#options.resultRetryMaxMs);
      log.warn({ err: message, failures, retryInMs: delay }, 'result write failed: outcome parked in the task, to be written again');
      return this.#delay(job, token, { pending_result: finished, result_write_failures: failures }, delay, log);
    }
    // Counted already: by this process when it ran the episode, or by the one that parked it.
    if (receipt.fenced) return this.#discardLost(task, finished, log, { counted: true });
    if (receipt.resultStored) log.debug({ class: finished.outcome.errorClass, score: finished.outcome.score }, 'result stored');
    else log.info('a result for this task was already stored; this one is dropped (first write wins)');
  }

  async #releaseAfterWorkerError(
    job: Job,
    token: string,
    task: TaskJobData,
    state: WorkerJobState,
    finished: FinishedAttempt,
    log: Logger,
  ): Promise<void> {
    const count = (state.worker_errors ?? 0) + 1;
    await this.#recordAttempt(task, finished, log);
    if (count > MAX_WORKER_ERRORS) {
      log.warn({ count, reason: finished.outcome.message }, 'worker_error again: this attempt counts');
      throw new RetryableTaskError('worker_error', finished.outcome.message);
    }
    const delay = backoffDelay(count, WORKER_ERROR_BASE_DELAY_MS, this.#options.resultRetryMaxMs);
    log.warn(
      { count, retryInMs: delay, reason: finished.outcome.message },
      'worker_error: the task goes back to pending without using an attempt',
    );
    await this.#delay(job, token, { worker_errors: count }, delay, log);
  }

  /** Notes in the job what this attempt showed (the miner had the task; an unattributed fault), for the decision at its last attempt. */
  async #remember(
    job: Job,
    fields: Pick<TaskJobData, 'miner_had_task'> | Pick<WorkerJobState, 'unattributed_fault'>,
    log: Logger,
  ): Promise<void> {
    try {
      await job.updateData({ ...(job.data as Record<string, unknown>), ...fields });
    } catch (error) {
      // Then only a later attempt that shows it again counts at the last attempt (for the miner
      // having had the task, the attempt row also says so, for a job of this task created again).
      log.warn({ err: errorMessage(error), fields }, 'could not note this attempt in the task');
    }
  }

  /**
   * Whether other miners played this task out recently (the evidence that settles an unattributed
   * fault); undefined when Postgres cannot say.
   */
  async #playedElsewhere(task: TaskJobData, log: Logger): Promise<boolean | undefined> {
    try {
      const evidence = { since: new Date(Date.now() - UNATTRIBUTED_EVIDENCE_WINDOW_MS), minMiners: UNATTRIBUTED_EVIDENCE_MIN_MINERS };
      return await playedByAnotherMiner(this.#options.db, { env_id: task.env, task_id: task.task_id, hotkey: task.hotkey }, evidence);
    } catch (error) {
      log.warn({ err: errorMessage(error) }, 'could not look for other miners’ episodes of this task');
      return undefined;
    }
  }

  /** Saves worker fields into the job and moves it to delayed without consuming an attempt. */
  async #delay(job: Job, token: string, fields: WorkerJobState, delayMs: number, log: Logger): Promise<never> {
    try {
      // updateData does not check the lock: never write a stale copy over the new holder's data.
      if (!(await this.#ownsLock(job, token))) {
        log.info('lost the lock of this task before releasing it: left to the worker that took it over');
        throw new WaitingError();
      }
      await job.updateData({ ...(job.data as Record<string, unknown>), ...fields });
      await job.moveToDelayed(Date.now() + delayMs, token);
    } catch (error) {
      if (error instanceof WaitingError) throw error;
      log.error({ err: errorMessage(error) }, 'could not release the task; it returns to pending when its lock expires');
    }
    // Tells BullMQ the job was moved by the processor (or is left to its lock): nothing to do.
    throw new DelayedError();
  }

  async #releaseForShutdown(job: Job, token: string, log: Logger): Promise<never> {
    try {
      await job.moveToWait(token);
      log.info('shutdown: task released to pending');
    } catch (error) {
      log.error({ err: errorMessage(error) }, 'could not release the task; it returns to pending when its lock expires');
    }
    throw new WaitingError();
  }

  /** Whether this delivery still holds the job's lock (renewing it); throws when Redis cannot say. */
  async #ownsLock(job: Job, token: string): Promise<boolean> {
    return (await job.extendLock(token, this.#options.workerOptions.lockDuration)) === 1;
  }

  /** Whether the job's lock is provably gone; when Redis cannot say, the later steps decide. */
  async #lockLost(job: Job, token: string, log: Logger): Promise<boolean> {
    try {
      return !(await this.#ownsLock(job, token));
    } catch (error) {
      log.warn({ err: errorMessage(error) }, 'could not check the lock of this task');
      return false;
    }
  }

  /**
   * The outcome of a delivery whose lock was lost: recorded as an unscored worker_error attempt
   * (so the miner's history shows why it saw the task again), never as a result; the job now
   * belongs to another delivery and is not touched (WaitingError: BullMQ leaves it alone rather
   * than failing a moveToCompleted on a lock it does not hold). `stopped`: the episode was
   * aborted when the loss was reported, rather than finished.
   */
  async #discardLost(task: TaskJobData, finished: FinishedAttempt, log: Logger, { counted = false, stopped = false } = {}): Promise<never> {
    const { errorClass, score } = finished.outcome;
    const message = stopped
      ? "the worker lost the task's lock (it stalled longer than the lock duration) during its episode: the episode was stopped and discarded, the worker that took the task over evaluates it"
      : `the worker lost the task's lock (it stalled longer than the lock duration) before storing its ${errorClass} outcome (score ${score}); discarded, the worker that took the task over evaluates it`;
    const outcome: EvaluationOutcome = {
      errorClass: 'worker_error',
      success: false,
      score: 0,
      reward: null,
      timesteps: null,
      message,
      durationMs: finished.outcome.durationMs,
    };
    if (stopped)
      log.info(
        { attempt: finished.attempt },
        'lost the lock of this task: its episode was stopped, never scored; the worker that took it over evaluates it',
      );
    else
      log.info(
        { class: errorClass, score, attempt: finished.attempt },
        'lost the lock of this task: its outcome is discarded, never scored; the worker that took it over evaluates it',
      );
    if (!counted) this.#count(task.env, task.hotkey, outcome);
    await this.#recordAttempt(task, { ...finished, outcome }, log);
    throw new WaitingError();
  }

  async #recordAttempt(task: TaskJobData, finished: FinishedAttempt, log: Logger): Promise<void> {
    try {
      await this.#options.writer.write(taskRecord(task, finished));
    } catch (error) {
      // Attempts of unscored classes feed slot health only; losing one while Postgres is away
      // is better than holding the task.
      log.warn({ err: errorMessage(error), class: finished.outcome.errorClass }, 'attempt not recorded');
    }
  }

  async #alreadyStored(task: TaskJobData, log: Logger): Promise<boolean> {
    try {
      const stored = await resultExists(this.#options.db, {
        hotkey: task.hotkey,
        revision: task.revision,
        env_id: task.env,
        task_id: task.task_id,
      });
      if (stored) log.info('redelivered task already has its result: completing it without running it again');
      return stored;
    } catch (error) {
      log.warn({ err: errorMessage(error) }, 'could not check for an existing result; running the task');
      return false;
    }
  }

  #count(env: string, hotkey: string, outcome: EvaluationOutcome): void {
    this.#episodes[outcome.errorClass] = (this.#episodes[outcome.errorClass] ?? 0) + 1;
    const metrics = this.#options.metrics;
    if (!metrics) return;
    const labels = { env, error_class: outcome.errorClass };
    metrics.taskAttempts.inc(labels);
    metrics.minerAttempts.inc({ hotkey, error_class: outcome.errorClass });
    metrics.episodeDuration.observe(labels, outcome.durationMs / 1_000);
  }

  /** A miner's first attempt here: every class of its counter exists from 0, so that `rate()` sees the first of each. */
  #seeMiner(hotkey: string): void {
    const metrics = this.#options.metrics;
    if (!metrics || this.#seenMiners.has(hotkey)) return;
    this.#seenMiners.add(hotkey);
    for (const errorClass of ERROR_CLASSES) metrics.minerAttempts.inc({ hotkey, error_class: errorClass }, 0);
  }

  #publishCircuit(hotkey: string, openUntilMs: number, log: Logger): void {
    publishCircuitState(this.#options.connection, this.#options.prefix, hotkey, openUntilMs).catch((error: unknown) =>
      log.warn({ err: errorMessage(error) }, 'could not publish the circuit state'),
    );
  }
}

/** Names a running job across the worker's queues (job ids are unique per queue). */
function runningKey(queue: string, jobId: string): string {
  return `${queue}\u0000${jobId}`;
}

/** The scored failure a non-answer becomes at the task's last attempt (exhausted-outcome.ts), if it does. */
function measuredAtLast(job: Job, task: TaskJobData, finished: FinishedAttempt): EvaluationOutcome | undefined {
  const { outcome } = finished;
  if (finished.attempt < (job.opts.attempts ?? 1) || nextStep(outcome.errorClass) !== 'retry') return undefined;
  // A task created again continues its measured history: its earlier jobs' non-answers were
  // taken off this job's attempts and count in the total.
  const total = (task.earlier_attempts ?? 0) + finished.attempt;
  return exhaustedOutcome(outcome, total, outcome.minerHadTask === true || task.miner_had_task === true);
}
