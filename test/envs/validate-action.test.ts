import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { ActionSpec } from '../../src/envs/action-spec.ts';
import { boxSpec } from '../../src/envs/action-spec.ts';
import { InvalidActionError } from '../../src/envs/errors.ts';
import type { Action } from '../../src/envs/policy-contract.ts';
import { validateAction } from '../../src/envs/validate-action.ts';

const spec: ActionSpec = {
  continuous: { torque: boxSpec(2, -1, 1, 'two motors'), gripper: boxSpec(1, 0, 0.5, 'one gripper') },
  discrete: { mode: { n: 3, doc: 'three modes' } },
};

const action = (continuous: Record<string, number[]>, discrete: Record<string, number> = { mode: 1 }): Action => ({
  continuous,
  discrete,
  extra: {},
});

function rejects(a: Action, pattern: RegExp): void {
  assert.throws(
    () => validateAction(spec, a),
    (error: unknown) => error instanceof InvalidActionError && pattern.test(error.message),
  );
}

void describe('validateAction', () => {
  void test('accepts an action that matches the spec', () => {
    const valid = validateAction(spec, action({ torque: [0.5, -0.25], gripper: [0.1] }, { mode: 2 }));
    assert.deepEqual(valid, { continuous: { torque: [0.5, -0.25], gripper: [0.1] }, discrete: { mode: 2 } });
  });

  void test('clips finite values to the bounds', () => {
    const valid = validateAction(spec, action({ torque: [7, -1e300], gripper: [-3] }));
    assert.deepEqual(valid.continuous, { torque: [1, -1], gripper: [0] });
  });

  void test('rejects unknown and missing keys', () => {
    rejects(action({ torque: [0, 0], gripper: [0], extra_arm: [1] }), /unknown continuous action key "extra_arm"/);
    rejects(action({ torque: [0, 0] }), /missing continuous action key "gripper"/);
    rejects(action({ torque: [0, 0], gripper: [0] }, {}), /missing discrete action key "mode"/);
    rejects(action({ torque: [0, 0], gripper: [0] }, { mode: 0, other: 1 }), /unknown discrete action key "other"/);
  });

  void test('rejects wrong lengths', () => {
    rejects(action({ torque: [0, 0, 0], gripper: [0] }), /"torque" has length 3, expected 2/);
    rejects(action({ torque: [], gripper: [0] }), /"torque" has length 0, expected 2/);
  });

  void test('rejects NaN and infinities', () => {
    rejects(action({ torque: [Number.NaN, 0], gripper: [0] }), /"torque"\[0\] is NaN/);
    rejects(action({ torque: [0, Number.POSITIVE_INFINITY], gripper: [0] }), /"torque"\[1\] is Infinity/);
    rejects(action({ torque: [0, 0], gripper: [Number.NEGATIVE_INFINITY] }), /"gripper"\[0\] is -Infinity/);
  });

  void test('rejects discrete values out of range or not integers', () => {
    rejects(action({ torque: [0, 0], gripper: [0] }, { mode: 3 }), /"mode" is 3, expected an integer in \[0, 3\)/);
    rejects(action({ torque: [0, 0], gripper: [0] }, { mode: 1.5 }), /"mode" is 1.5/);
    rejects(action({ torque: [0, 0], gripper: [0] }, { mode: -1 }), /"mode" is -1/);
  });

  void test('in-bounds actions pass unchanged; the output is always in bounds', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(fc.tuple(finite, finite), finite, fc.integer({ min: 0, max: 2 }), ([t0, t1], g, mode) => {
        const valid = validateAction(spec, action({ torque: [t0, t1], gripper: [g] }, { mode }));
        for (const [key, values] of Object.entries(valid.continuous)) {
          const box = spec.continuous[key]!;
          values.forEach((x, i) => assert.ok(x >= box.low[i]! && x <= box.high[i]!));
        }
        if (Math.abs(t0) <= 1) assert.equal(valid.continuous.torque![0], t0);
        assert.equal(valid.discrete.mode, mode);
      }),
    );
  });
});
