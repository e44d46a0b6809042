import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DistinctMessages } from '../../src/runtime/distinct-messages.ts';

void describe('DistinctMessages', () => {
  void test('lets a message through once until it changes or the source recovers', () => {
    const messages = new DistinctMessages();
    assert.deepEqual(
      ['a', 'a', 'b', 'b', 'a'].map((m) => messages.changed(m)),
      [true, false, true, false, true],
    );
    assert.equal(messages.reset(), true);
    assert.equal(messages.reset(), false);
    assert.equal(messages.changed('a'), true);
  });
});
