import { DATABASE_READ_TIMEOUT_MARGIN_MS, DATABASE_STATEMENT_TIMEOUT_MS, DATABASE_URL_DEFAULT, DAY_MS } from '../constants.ts';
import { integer, text, url } from '../variable.ts';

/** Where state lives: Postgres (the truth) and Redis (work in flight). */
export const storage = {
  databaseUrl: url('EVALPOOL_DATABASE_URL', {
    default: DATABASE_URL_DEFAULT,
    protocols: ['postgres:', 'postgresql:'],
    doc: 'Postgres connection URL; the database is created on start if it does not exist.',
  }),
  databasePoolSize: integer('EVALPOOL_DATABASE_POOL_SIZE', {
    default: 10,
    min: 1,
    max: 200,
    doc: 'Most Postgres connections one process opens.',
  }),
  databaseStatementTimeoutMs: integer('EVALPOOL_DATABASE_STATEMENT_TIMEOUT_MS', {
    default: DATABASE_STATEMENT_TIMEOUT_MS,
    min: 0,
    max: DAY_MS,
    doc: `Longest one SQL statement may run before Postgres cancels it; the client gives up ${DATABASE_READ_TIMEOUT_MARGIN_MS / 1_000} s later if the server does not answer at all. 0 = no limit. Raise it for migrations of very large tables.`,
  }),
  redisUrl: url('EVALPOOL_REDIS_URL', {
    default: 'redis://127.0.0.1:6379',
    protocols: ['redis:', 'rediss:'],
    doc: 'Redis connection URL (BullMQ needs `maxmemory-policy noeviction`).',
  }),
  queuePrefix: text('EVALPOOL_QUEUE_PREFIX', {
    default: 'evalpool',
    pattern: /^[A-Za-z0-9_.-]{1,64}$/,
    rule: '1 to 64 letters, digits, dots, dashes or underscores (no colon)',
    doc: 'Prefix of every Redis key evalpool writes (BullMQ prefix); lets several deployments share one Redis.',
  }),
};
