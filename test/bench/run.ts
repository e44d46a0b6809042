// `npm run bench [-- --quick] [-- --only name,name]`: runs every test/bench/*.bench.ts, each in a
// process of its own (run-one.ts), prints one table and writes the figures as JSON under
// bench-output/. Benchmarks measure; they never fail the build (tests assert, benchmarks measure).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatTable } from '../../src/runtime/format-table.ts';
import { makeTempDir, removeTempDir } from '../helpers/with-temp-dir.ts';
import type { BenchResult } from './bench-result.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string', default: 'bench-output' },
  },
});

const scale = values.quick ? 0.1 : 1;
const scratch = makeTempDir('bench');

const only = values.only?.split(',').map((s) => s.trim());
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !only || only.some((o) => f.startsWith(o)))
  .sort();

const rows: { bench: string; result: BenchResult }[] = [];
const failures: { bench: string; error: string }[] = [];
for (const file of files) {
  const bench = file.replace(/\.bench\.ts$/, '');
  process.stderr.write(`bench ${bench}: running${scale < 1 ? ` (scale ${scale})` : ''}...\n`);
  const started = performance.now();
  const out = path.join(scratch, `${bench}.json`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'run-one.ts'), file, String(scale), out], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    if (child.status !== 0) throw new Error(`exited with ${child.status ?? child.signal}`);
    for (const result of JSON.parse(readFileSync(out, 'utf8')) as BenchResult[]) rows.push({ bench, result });
    process.stderr.write(`bench ${bench}: done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    failures.push({ bench, error: (error as Error).message });
    process.stderr.write(`bench ${bench}: FAILED: ${(error as Error).message}\n`);
  }
}
removeTempDir(scratch);

console.log(
  formatTable(
    ['bench', 'figure', 'value', 'unit', 'baseline', 'target', 'ok'],
    rows.map(({ bench, result: r }) => [
      bench,
      r.name,
      r.value,
      r.unit,
      r.baseline,
      r.target,
      r.ok === undefined ? undefined : r.ok ? 'yes' : 'NO',
    ]),
    { fractionDigits: 2 },
  ),
);
for (const { result: r, bench } of rows) if (r.notes) console.log(`  ${bench} / ${r.name}: ${r.notes}`);

const report = {
  at: new Date().toISOString(),
  scale,
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  results: rows.map(({ bench, result }) => ({ bench, ...result })),
  failures,
};
mkdirSync(values.out, { recursive: true });
const stamp = report.at.replace(/[:.]/g, '-');
writeFileSync(path.join(values.out, `bench-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(path.join(values.out, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwritten: ${path.join(values.out, `bench-${stamp}.json`)}`);
if (failures.length > 0) process.exitCode = 1;
