import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { drawTaskIds } from '../../src/sampling/draw-task-ids.ts';
import { DatasetTooSmallError } from '../../src/sampling/sampling-error.ts';

describe('drawTaskIds', () => {
  test('law: count distinct ids, inside the range, none excluded (both the sampling and the enumeration branch)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 300 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 300 }),
        (start, size, excludedOffsets, wanted) => {
          const range = { start, end: start + size };
          const exclude = new Set(excludedOffsets.map((o) => start + o));
          const free = size - [...exclude].filter((id) => id < range.end).length;
          const count = Math.min(wanted, free);
          const ids = drawTaskIds('e', range, count, exclude);
          assert.equal(ids.length, count);
          assert.equal(new Set(ids).size, count);
          for (const id of ids) {
            assert.ok(Number.isInteger(id) && id >= range.start && id < range.end, `${id} outside ${range.start}..${range.end}`);
            assert.ok(!exclude.has(id));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a full draw of a nearly full dataset returns exactly the free ids', () => {
    const exclude = new Set([0, 1, 2, 3, 5, 6, 8]);
    assert.deepEqual(
      drawTaskIds('e', { start: 0, end: 10 }, 3, exclude).sort((a, b) => a - b),
      [4, 7, 9],
    );
  });

  test('every free id can be drawn (crude uniformity check, no fixed seed needed)', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) for (const id of drawTaskIds('e', { start: 100, end: 110 }, 2, new Set([103]))) seen.add(id);
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      [100, 101, 102, 104, 105, 106, 107, 108, 109],
    );
  });

  test('draws from a huge dataset without enumerating it', () => {
    const ids = drawTaskIds('e', { start: 0, end: 2_147_483_647 }, 10_000, new Set([1, 2, 3]));
    assert.equal(new Set(ids).size, 10_000);
  });

  test('refuses with a typed error when fewer ids are free than asked for', () => {
    assert.throws(
      () => drawTaskIds('mujoco/x-v1', { start: 0, end: 10 }, 4, new Set([0, 1, 2, 3, 4, 5, 6, 20])),
      (error: unknown) => {
        assert.ok(error instanceof DatasetTooSmallError);
        assert.equal(error.available, 3);
        assert.equal(error.needed, 4);
        assert.match(
          error.message,
          /mujoco\/x-v1: the dataset is too small: a draw of 4 ids needs 4 free task ids, but the dataset has 10, 3 of them free/,
        );
        return true;
      },
    );
  });
});
