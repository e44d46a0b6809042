import { createProgram } from './program.ts';

// The entry of bin/evalpool.js (compiled to dist/src/cli/main.js by `npm ci`).
await createProgram().parseAsync(process.argv);
