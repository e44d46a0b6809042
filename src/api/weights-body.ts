import type { WeightsRow } from '../db/tables/weights.ts';

/**
 * The body of `GET /v1/weights/latest` and `/v1/weights/{block}`, field for field what the
 * subnet's validator client reads (threetau/kinitro `kinitro/validator/client.py`,
 * `BackendClient.get_latest_weights`, and the backend's `WeightsResponse` model):
 *
 * - `cycle_id` (int): read as `data["cycle_id"]`, a *required* key: without it the client fails
 *   to parse the answer and never sets weights. evalpool has no cycles: it is the weights row id,
 *   which increases with every publication.
 * - `block_number` (int): the client submits only when it is above the last block it submitted.
 * - `timestamp`: a datetime in the backend's model; ISO-8601 UTC here (when the row was written).
 * - `weights`: `{"<uid>": float}`; the client parses keys with `int()` and values with `float()`
 *   and submits *these* (it renormalises them itself).
 * - `weights_u16`: `{uids: [int], values: [int]}`, ascending uid, values summing to 65535.
 * - `metadata`: an open object (the client defaults it to `{}`).
 */
export interface WeightsBody {
  readonly cycle_id: number;
  readonly block_number: number;
  readonly timestamp: string;
  readonly weights: Readonly<Record<string, number>>;
  readonly weights_u16: { readonly uids: readonly number[]; readonly values: readonly number[] };
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** The validators' view of a weights row. `weights` keys come in ascending uid order. */
export function weightsBody(row: WeightsRow): WeightsBody {
  const weights: Record<string, number> = {};
  // Integer-like keys enumerate in ascending numeric order in JavaScript, whatever jsonb did.
  for (const uid of Object.keys(row.weights).sort((a, b) => Number(a) - Number(b))) weights[uid] = row.weights[uid]!;
  return {
    cycle_id: row.id,
    block_number: row.block_number,
    timestamp: row.created_at.toISOString(),
    weights,
    weights_u16: { uids: row.weights_u16.uids, values: row.weights_u16.values },
    metadata: row.metadata,
  };
}
