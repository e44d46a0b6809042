import type { Kysely } from 'kysely';
import type { Config } from '../config/schema.ts';
import type { Database } from '../db/schema.ts';
import type { DiscoveredMinerRow } from '../db/tables/miners.ts';
import type { PoolList } from '../pool/pool-list.ts';
import type { Logger } from '../runtime/logger.ts';

/**
 * One rotation a list went through (ids out of the front, ids in at the back); the sampling
 * module's `Rotation` has this shape.
 */
export interface Rotation {
  readonly envId: string;
  readonly idsOut: readonly number[];
  readonly idsIn: readonly number[];
  /** The list's version after the rotation. */
  readonly version: number;
}

/**
 * Where miners come from (chain or static file). Any object with this shape fits, e.g. the chain
 * module's `MinerSource`. After its first success `refresh` must not reject on I/O failures but
 * return the last known miners with `stale` set (an outage must never empty the pool).
 */
export interface MinerSourceLike {
  refresh(signal?: AbortSignal): Promise<{
    readonly miners: readonly DiscoveredMinerRow[];
    readonly block: number;
    readonly stale?: { readonly since: Date; readonly error: string };
    readonly excluded?: readonly unknown[];
  }>;
  /** Called when the miners changed between refreshes (a watched file): the leader refreshes at once. */
  onChange?(listener: () => void): () => void;
}

/**
 * What the scheduler needs from the other rooms (sampling, slots, chain), injected so that each
 * can be wired (or stubbed) by the service assembly.
 */
export interface SchedulerDeps {
  /** Every env's current list (sampling). */
  getCurrentLists(db: Kysely<Database>): Promise<readonly PoolList[]>;
  /** Rotates the lists whose interval is due; returns the rotations done (sampling). */
  rotateDueLists(db: Kysely<Database>, now: Date, logger: Logger): Promise<readonly Rotation[]>;
  /** Gives every hotkey a slots row with the default if it has none (slots). */
  ensureMinerSlots(db: Kysely<Database>, hotkeys: readonly string[], defaultSlots: number): Promise<unknown>;
  /** One slot adjustment pass from the last hour of attempts (slots). */
  adjustSlots(db: Kysely<Database>, slots: Config['slots'], now: Date, logger: Logger): Promise<unknown>;
  /** Miner discovery; absent = the `miners` table is managed elsewhere and only read. */
  readonly minerSource?: MinerSourceLike;
}
