import { maskUrlPassword } from '../config/mask.ts';

/**
 * The server refused the database index of the URL (`redis://host:port/<index>`): its SELECT
 * failed. ioredis only emits that as an 'error' event and goes on with database 0, so a typo in
 * the index would read and write another database's queues; `createRedis` (redis.ts) closes such a
 * connection instead and `waitForRedis` rejects with this error.
 */
export class RedisDatabaseRefusedError extends Error {
  override readonly name = 'RedisDatabaseRefusedError';
  /** @param answer the server's reply to SELECT, e.g. "ERR DB index is out of range" */
  constructor(
    readonly url: string,
    readonly database: string,
    readonly answer: string,
  ) {
    super(`Redis at ${maskUrlPassword(url)} refused database ${database}: ${answer}`);
  }
}
