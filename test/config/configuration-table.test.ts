import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { replaceConfigTable } from '../../src/config/config-table.ts';

test("docs/configuration.md's table matches the schema (fix: npm run evalpool -- config table --write docs/configuration.md)", () => {
  const page = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  assert.equal(page, replaceConfigTable(page));
});
