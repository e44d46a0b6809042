import type { Kysely, Selectable } from 'kysely';
import type { Database, WeightsTable } from '../schema.ts';

/** A published weights row. Block numbers are unique and increase with every publication. */
export type WeightsRow = Selectable<WeightsTable>;

/** What one publication stores. */
export interface NewWeights {
  readonly blockNumber: number;
  /** Float weights by uid (as a string key), the validators' `weights`. */
  readonly weights: Readonly<Record<string, number>>;
  readonly weightsU16: { readonly uids: readonly number[]; readonly values: readonly number[] };
  /** Any JSON object. */
  readonly metadata: object;
}

/** The identity of the newest row: cheap to read, used to tell whether a cache is stale. */
export interface WeightsHead {
  readonly id: number;
  readonly block_number: number;
  readonly created_at: Date;
}

/** Inserts a weights row; a block number that already has one fails with a unique violation (23505). */
export async function insertWeights(db: Kysely<Database>, row: NewWeights): Promise<WeightsRow> {
  return db
    .insertInto('weights')
    .values({
      block_number: row.blockNumber,
      weights: JSON.stringify(row.weights),
      weights_u16: JSON.stringify(row.weightsU16),
      metadata: JSON.stringify(row.metadata),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The weights with the highest block number (what validators submit), if any. */
export async function getLatestWeights(db: Kysely<Database>): Promise<WeightsRow | undefined> {
  return db.selectFrom('weights').selectAll().orderBy('block_number', 'desc').limit(1).executeTakeFirst();
}

/** Id, block and time of the latest weights, without the JSON: one probe of the unique index on `block_number`. */
export async function getLatestWeightsHead(db: Kysely<Database>): Promise<WeightsHead | undefined> {
  return db.selectFrom('weights').select(['id', 'block_number', 'created_at']).orderBy('block_number', 'desc').limit(1).executeTakeFirst();
}

/** The weights published at exactly this block, if any. */
export async function getWeightsByBlock(db: Kysely<Database>, blockNumber: number): Promise<WeightsRow | undefined> {
  return db.selectFrom('weights').selectAll().where('block_number', '=', blockNumber).executeTakeFirst();
}
