// A test process that dies without cleaning up (see owned-databases.test.ts): creates its
// database, prints its URL, then waits to be killed.
import { createTestDatabase } from './test-database.ts';

const database = await createTestDatabase({ migrate: false });
process.stdout.write(`${JSON.stringify({ url: database.url })}\n`);
setInterval(() => undefined, 60_000);
