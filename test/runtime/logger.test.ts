import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../src/runtime/logger.ts';
import { testConfig } from '../helpers/test-config.ts';
import { capturingStream } from '../helpers/test-logger.ts';

test('JSON lines by default, with secrets redacted at any common key', () => {
  const out = capturingStream();
  const logger = createLogger(testConfig({ EVALPOOL_LOG_LEVEL: 'info' }), { destination: out.stream, isTTY: false });
  logger.child({ component: 'x' }).info({ token: 'tok-123', nested: { password: 'pw-456', seed: 'seed words' } }, 'hello');
  const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
  assert.equal(line.msg, 'hello');
  assert.equal(line.component, 'x');
  assert.doesNotMatch(out.text(), /tok-123|pw-456|seed words/);
});

test("pretty when EVALPOOL_LOG_PRETTY is true, its time in the CLI tables' format (UTC date and time, with ms)", () => {
  const out = capturingStream();
  const logger = createLogger(testConfig({ EVALPOOL_LOG_LEVEL: 'info', EVALPOOL_LOG_PRETTY: 'true' }), {
    destination: out.stream,
    isTTY: false,
  });
  logger.info('hello');
  assert.match(out.text(), /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z\] INFO.*hello/);
  assert.throws(() => JSON.parse(out.text()) as unknown);
});
