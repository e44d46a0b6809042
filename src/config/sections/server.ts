import { boolean, integer, list, optionalText, text } from '../variable.ts';

/** The HTTP API of `evalpool serve` and its process lifecycle. */
export const server = {
  host: text('EVALPOOL_HOST', { default: '127.0.0.1', doc: 'Address the HTTP API listens on (0.0.0.0 to expose it).' }),
  port: integer('EVALPOOL_PORT', { default: 8000, min: 0, max: 65535, doc: 'Port of the HTTP API (0 picks a free port).' }),
  migrateOnStart: boolean('EVALPOOL_MIGRATE_ON_START', {
    default: true,
    doc: '`serve` creates the database if missing and applies pending migrations before starting.',
  }),
  shutdownGraceMs: integer('EVALPOOL_SHUTDOWN_GRACE_MS', {
    default: 10_000,
    min: 100,
    max: 600_000,
    doc: 'On SIGINT/SIGTERM, how long resources get to close in order before the process is forced to exit.',
  }),
  healthTimeoutMs: integer('EVALPOOL_HEALTH_TIMEOUT_MS', {
    default: 1_000,
    min: 50,
    max: 30_000,
    doc: 'Timeout of each probe (Postgres `select 1`, Redis `PING`) behind `GET /health`.',
  }),
  adminToken: optionalText('EVALPOOL_ADMIN_TOKEN', {
    secret: true,
    fromFile: true,
    pattern: /^\S{16,}$/,
    rule: 'at least 16 characters without spaces',
    doc: 'Bearer token of the admin API (`/v1/admin/*`) and the queue view (`/admin/queues`); unset = those routes answer 404.',
  }),
  corsOrigins: list('EVALPOOL_CORS_ORIGINS', {
    default: '',
    pattern: /^(\*|https?:\/\/[^\s,]+)$/,
    rule: 'origins like https://example.org, or *',
    doc: 'Origins allowed by CORS (GET/HEAD) on the read API (`/health`, `/v1/*` except `/v1/admin/*`); empty = no CORS headers. Never on admin routes.',
  }),
  rateLimitPerMinute: integer('EVALPOOL_RATE_LIMIT_PER_MINUTE', {
    default: 6_000,
    min: 0,
    max: 10_000_000,
    doc: 'Requests per minute allowed per client IP (IPv6: per /64) on all routes, as a sliding window; over it the API answers 429 with `Retry-After` (0 disables the limit).',
  }),
  trustProxy: boolean('EVALPOOL_TRUST_PROXY', {
    default: false,
    doc: 'The API runs behind one reverse proxy: the client IP (rate limit, admin log) is the last address of `X-Forwarded-For` and `X-Forwarded-Proto` is believed; false = the socket address, headers ignored.',
  }),
  bodyLimitBytes: integer('EVALPOOL_BODY_LIMIT_BYTES', {
    default: 65_536,
    min: 1_024,
    max: 16_777_216,
    doc: 'Largest request body accepted by the API; a larger one gets 413.',
  }),
};
