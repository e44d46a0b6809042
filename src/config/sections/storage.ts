import { integer, text, url } from '../variable.ts';

/** Where state lives: Postgres (the truth) and Redis (work in flight). */
export const storage = {
  databaseUrl: url('EVALPOOL_DATABASE_URL', {
    default: 'postgres://postgres@127.0.0.1:5432/evalpool',
    protocols: ['postgres:', 'postgresql:'],
    doc: 'Postgres connection URL; the database is created on start if it does not exist.',
  }),
  databasePoolSize: integer('EVALPOOL_DATABASE_POOL_SIZE', {
    default: 10,
    min: 1,
    max: 200,
    doc: 'Most Postgres connections one process opens.',
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
