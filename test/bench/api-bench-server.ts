/**
 * The API of `evalpool serve` alone, for `api.bench.ts`: a separate process so that the load
 * generator does not share the server's event loop. Usage: `<database url> <redis url> [rate limit
 * per minute, default 0 = off]`; prints `{"url": ...}` once listening and stops cleanly on SIGTERM.
 */
import pino from 'pino';
import { createApp } from '../../src/api/app.ts';
import { startHttpServer } from '../../src/api/http-server.ts';
import { createDatabase } from '../../src/db/database.ts';
import { createMetrics, Registry } from '../../src/runtime/metrics.ts';
import { closeRedis, createRedis } from '../../src/runtime/redis.ts';
import { testConfig } from '../helpers/test-config.ts';

const [databaseUrl, redisUrl, rateLimit = '0'] = process.argv.slice(2);
if (!databaseUrl || !redisUrl) throw new Error('usage: api-bench-server.ts <database url> <redis url>');
const logger = pino({ level: 'warn' });
// No rate limit by default: the load comes from one client address. With one, set high enough
// never to refuse, it measures what the limiter costs per request.
const config = testConfig({ EVALPOOL_DATABASE_URL: databaseUrl, EVALPOOL_REDIS_URL: redisUrl, EVALPOOL_RATE_LIMIT_PER_MINUTE: rateLimit });
const db = createDatabase({ url: databaseUrl, poolSize: 4, logger });
const redisProbe = createRedis(redisUrl, 'probe', logger);
// With metrics, as `serve` runs it: every request goes through the HTTP metrics middleware.
const metrics = createMetrics(new Registry());
const server = await startHttpServer(createApp({ config, db, redisProbe, logger, metrics }), '127.0.0.1', 0);
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.once('SIGTERM', () => {
  void server
    .stop()
    .then(() => db.destroy())
    .then(() => closeRedis(redisProbe))
    .finally(() => process.exit(0));
});
