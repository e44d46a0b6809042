import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { coverage, isEligible, meetsCoverage } from '../../src/scoring/coverage.ts';

describe('coverage and eligibility', () => {
  test('coverage is n / |L|', () => {
    assert.equal(coverage(80, 100), 0.8);
    assert.equal(coverage(0, 7), 0);
  });

  test('the boundary counts as covered, also where n·min would round up', () => {
    assert.equal(meetsCoverage(80, 100, 0.8), true);
    assert.equal(meetsCoverage(79, 100, 0.8), false);
    // 0.7 * 10 === 7.000000000000001, but 7 / 10 === 0.7
    assert.equal(meetsCoverage(7, 10, 0.7), true);
  });

  test('eligible only if every env is covered; no env means not eligible', () => {
    assert.equal(isEligible([1, 0.8, 0.95], 0.8), true);
    assert.equal(isEligible([1, 0.79, 1], 0.8), false);
    assert.equal(isEligible([], 0.8), false);
  });
});
