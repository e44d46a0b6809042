import assert from 'node:assert/strict';

/** What the subnet validator client turns a weights answer into (kinitro `WeightsData`). */
export interface ParsedWeights {
  readonly cycleId: number;
  readonly blockNumber: number;
  readonly weights: ReadonlyMap<number, number>;
  readonly uids: readonly number[];
  readonly valuesU16: readonly number[];
  readonly metadata: Record<string, unknown>;
}

/**
 * Asserts that a `/v1/weights/*` body is what the subnet's validator client reads, field by field
 * (threetau/kinitro `BackendClient.get_latest_weights`: `data["cycle_id"]`, `data["block_number"]`,
 * `{int(k): float(v)}` over `data["weights"]`, `data["weights_u16"]["uids"|"values"]`,
 * `data.get("metadata", {})`), plus evalpool's own guarantees (ISO-8601 UTC timestamp, u16 values
 * summing to 65535 in ascending uid order, the same uids in both forms). Returns the parsed form.
 */
export function assertValidatorWeightsFormat(body: unknown): ParsedWeights {
  assert.ok(body !== null && typeof body === 'object' && !Array.isArray(body), 'the body is a JSON object');
  const b = body as Record<string, unknown>;
  assert.deepEqual(Object.keys(b).sort(), ['block_number', 'cycle_id', 'metadata', 'timestamp', 'weights', 'weights_u16']);
  assert.ok(Number.isSafeInteger(b.cycle_id) && (b.cycle_id as number) > 0, 'cycle_id is a positive integer');
  assert.ok(Number.isSafeInteger(b.block_number) && (b.block_number as number) >= 0, 'block_number is an integer >= 0');
  assert.match(String(b.timestamp), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'timestamp is ISO-8601 UTC');
  assert.ok(!Number.isNaN(Date.parse(String(b.timestamp))));

  assert.ok(b.weights !== null && typeof b.weights === 'object' && !Array.isArray(b.weights), 'weights is an object');
  const weights = new Map<number, number>();
  for (const [k, v] of Object.entries(b.weights as Record<string, unknown>)) {
    assert.match(k, /^(0|[1-9][0-9]*)$/, `weights key ${k} is a uid`);
    assert.ok(typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1, `weights[${k}] is a float in [0, 1]`);
    weights.set(Number(k), v);
  }
  const total = [...weights.values()].reduce((a, x) => a + x, 0);
  assert.ok(Math.abs(total - 1) < 1e-9, `float weights sum to 1 (got ${total})`);

  const u16 = b.weights_u16 as Record<string, unknown>;
  assert.deepEqual(Object.keys(u16).sort(), ['uids', 'values']);
  const uids = u16.uids as number[];
  const values = u16.values as number[];
  assert.ok(Array.isArray(uids) && Array.isArray(values) && uids.length === values.length, 'uids and values are parallel arrays');
  uids.forEach((uid, i) => {
    assert.ok(Number.isInteger(uid) && uid >= 0 && uid <= 65_535, `uid ${uid} is a u16`);
    if (i > 0) assert.ok(uid > uids[i - 1]!, 'uids ascend');
  });
  for (const x of values) assert.ok(Number.isInteger(x) && x >= 0 && x <= 65_535, `value ${x} is a u16`);
  assert.equal(
    values.reduce((a, x) => a + x, 0),
    65_535,
    'u16 values sum to 65535',
  );
  assert.deepEqual(
    [...weights.keys()].sort((x, y) => x - y),
    uids,
    'the same uids in weights and weights_u16',
  );

  assert.ok(b.metadata !== null && typeof b.metadata === 'object' && !Array.isArray(b.metadata), 'metadata is an object');
  return {
    cycleId: b.cycle_id as number,
    blockNumber: b.block_number as number,
    weights,
    uids,
    valuesU16: values,
    metadata: b.metadata as Record<string, unknown>,
  };
}
