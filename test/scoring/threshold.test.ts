import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { threshold, thresholdGap } from '../../src/scoring/threshold.ts';
import { testScoringParams } from '../helpers/test-config.ts';
import { assertClose } from './build-input.ts';

const params = testScoringParams(); // z = 1.5, minGap = 0.02, maxGap = 0.10
const close = (actual: number, expected: number): void => assertClose(actual, expected);

describe('threshold', () => {
  test('sr 0.5 at n 100: inside the gap bounds', () => {
    // p = 0.5; p(1−p)/n = 0.25/100 = 0.0025; sqrt = 0.05; z·se = 1.5·0.05 = 0.075 → thr = 0.575
    close(thresholdGap(0.5, 100, params), 0.075);
    close(threshold(0.5, 100, params), 0.575);
  });

  test('sr 0.5 at n 500 (the published table: ~3.4%)', () => {
    // 0.25/500 = 0.0005; sqrt = 0.0223607; ×1.5 = 0.0335410 → thr = 0.5335410
    close(threshold(0.5, 500, params), 0.5335410196624969);
  });

  test('sr 0.8 and 0.6 at n 100', () => {
    // 0.8: 0.16/100 = 0.0016; sqrt = 0.04; ×1.5 = 0.06 → 0.86
    close(threshold(0.8, 100, params), 0.86);
    // 0.6: 0.24/100 = 0.0024; sqrt = 0.0489898; ×1.5 = 0.0734847 → 0.6734847
    close(threshold(0.6, 100, params), 0.6734846922834953);
  });

  test('many samples: the gap is floored at min_gap', () => {
    // sr 0.9, n 1000: 0.09/1000 = 9e-5; sqrt = 0.0094868; ×1.5 = 0.0142302 < 0.02 → 0.9 + 0.02
    close(thresholdGap(0.9, 1000, params), 0.02);
    close(threshold(0.9, 1000, params), 0.92);
  });

  test('few samples: the gap is capped at max_gap', () => {
    // sr 0.3, n 20: 0.21/20 = 0.0105; sqrt = 0.1024695; ×1.5 = 0.1537043 > 0.10 → 0.3 + 0.10
    close(threshold(0.3, 20, params), 0.4);
  });

  test('p is clipped to [0.01, 0.99] and the threshold to 1', () => {
    // sr 0.995 → p = 0.99: 0.0099/50 = 0.000198; sqrt = 0.0140712; ×1.5 = 0.0211068 → min(1.0161, 1) = 1
    assert.equal(threshold(0.995, 50, params), 1);
    // sr 0 → p = 0.01: 0.0099/400 = 2.475e-5; sqrt = 0.0049749; ×1.5 = 0.0074624 → floored 0.02
    close(threshold(0, 400, params), 0.02);
    assert.equal(threshold(1, 1000, params), 1);
  });

  test('n = 0 is maximal uncertainty, also with z = 0', () => {
    close(threshold(0.5, 0, params), 0.6);
    close(threshold(0.5, 0, { ...params, thresholdZ: 0 }), 0.6);
  });
});
