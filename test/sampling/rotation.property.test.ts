import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { getRotationHistory } from '../../src/db/tables/rotations.ts';
import { getSamplingList } from '../../src/db/tables/sampling-lists.ts';
import { ensureSamplingLists } from '../../src/sampling/ensure-sampling-lists.ts';
import { rotateDueLists } from '../../src/sampling/rotate-due-lists.ts';
import { rotateNow } from '../../src/sampling/rotate-now.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { buildDefinition } from './build-definition.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');

const shape = fc
  .record({
    listSize: fc.integer({ min: 1, max: 12 }),
    countShare: fc.double({ min: 0, max: 1, noNaN: true }),
    interval: fc.integer({ min: 1, max: 1_000 }),
  })
  .chain(({ listSize, countShare, interval }) => {
    const count = Math.max(1, Math.ceil(listSize * countShare));
    return fc.record({
      listSize: fc.constant(listSize),
      count: fc.constant(count),
      interval: fc.constant(interval),
      // Small datasets force the enumeration branch and draws that empty the free ids.
      extra: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(1_000_000)),
      steps: fc.array(
        fc.oneof(
          { weight: 5, arbitrary: fc.record({ kind: fc.constant('wait' as const), seconds: fc.integer({ min: 0, max: 5 * interval }) }) },
          { weight: 2, arbitrary: fc.record({ kind: fc.constant('ops' as const) }) },
          {
            weight: 1,
            arbitrary: fc.record({
              kind: fc.constant('redefine' as const),
              listSize: fc.integer({ min: count, max: 12 }),
              extra: fc.integer({ min: 0, max: 40 }),
            }),
          },
        ),
        { maxLength: 12 },
      ),
    });
  });

describe('sampling lists: law of rotation', () => {
  const t = useTestDatabase();

  test('after any sequence of rotations: list_size unique ids inside the dataset, and the history replays to the list', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(shape, async ({ listSize, count, interval, extra, steps }) => {
        const envId = `p/run-${run++}`;
        const definition = (size: number, more: number) =>
          buildDefinition({
            env_id: envId,
            list_size: size,
            dataset: { start: 7, end: 7 + size + count + more },
            rotation: { count, interval_seconds: interval },
          });
        let now = T0;
        await ensureSamplingLists(t.db, [definition(listSize, extra)], testLogger(), { now: new Date(now) });

        for (const step of steps) {
          if (step.kind === 'wait') {
            now += step.seconds * 1000;
            await rotateDueLists(t.db, new Date(now), testLogger(), { envIds: [envId] });
          } else if (step.kind === 'ops') {
            await rotateNow(t.db, envId, 'ops', new Date(now));
          } else {
            await ensureSamplingLists(t.db, [definition(step.listSize, step.extra)], testLogger(), { force: true, now: new Date(now) });
          }

          const row = await getSamplingList(t.db, envId);
          assert.ok(row);
          assert.equal(row.task_ids.length, row.list_size);
          assert.equal(new Set(row.task_ids).size, row.list_size);
          for (const id of row.task_ids) assert.ok(Number.isInteger(id) && id >= row.dataset_start && id < row.dataset_end);

          const history = await getRotationHistory(t.db, envId);
          assert.deepEqual(
            history.map((h) => h.version),
            [...history.keys()],
            'versions are 0, 1, 2, ... without gaps',
          );
          assert.equal(history.at(-1)?.version, row.version);
          let replayed: number[] = [];
          for (const h of history) {
            if (h.reason === 'schedule' || h.reason === 'ops') {
              assert.deepEqual(h.ids_out, replayed.slice(0, h.ids_out.length), 'FIFO: the oldest ids leave');
              assert.equal(h.ids_in.length, h.ids_out.length);
              for (const id of h.ids_in) assert.ok(!replayed.includes(id), 'a new id was not in the list');
              replayed = [...replayed.slice(h.ids_out.length), ...h.ids_in];
            } else {
              assert.deepEqual(h.ids_out, replayed);
              replayed = [...h.ids_in];
            }
          }
          assert.deepEqual(replayed, row.task_ids);
        }
      }),
      { numRuns: 40 },
    );
  });
});
