import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { replaceConfigTable } from '../../src/config/config-table.ts';

test("README's configuration table matches the schema (fix: npm run evalpool -- config table --write README.md)", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.equal(readme, replaceConfigTable(readme));
});
