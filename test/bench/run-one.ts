// Runs one bench module in a process of its own and writes its results as JSON to a file, so
// that no bench measures memory or timers left behind by another (see run.ts).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchContext, BenchResult } from './bench-result.ts';

const [file, scale, out] = process.argv.slice(2);
if (!file || !scale || !out) throw new Error('usage: run-one.ts <module.bench.ts> <scale> <out.json>');
const here = path.dirname(fileURLToPath(import.meta.url));
const ctx: BenchContext = {
  postgresUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: 'redis://127.0.0.1:6379',
  scale: Number(scale),
};
const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { run: (c: BenchContext) => Promise<BenchResult[]> };
const results = await mod.run(ctx);
writeFileSync(out, JSON.stringify(results));
