import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
const SESSION_FORMAT = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/** A queue-view session as a cookie carries it, and when it ends. */
export interface AdminSession {
  readonly value: string;
  readonly expiresAt: Date;
}

/**
 * The configured admin token. Candidates are compared in constant time on their SHA-256 digests
 * (equal lengths whatever was sent, so neither the content nor the length leaks through timing).
 * Sessions for the queue view are stateless: `<expiry>.<HMAC-SHA256(token, expiry)>`, so they
 * survive restarts, work on every replica, never contain the token, and all end when it changes.
 */
export class AdminToken {
  readonly #token: string;
  readonly #digest: Buffer;

  constructor(token: string) {
    this.#token = token;
    this.#digest = digest(token);
  }

  /** Whether `candidate` is the token. */
  matches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.#digest);
  }

  /** A session valid for `seconds` from `nowMs`. */
  issueSession(nowMs: number, seconds: number): AdminSession {
    const expiry = Math.floor(nowMs / 1_000) + seconds;
    return { value: `${expiry}.${this.#mac(expiry)}`, expiresAt: new Date(expiry * 1_000) };
  }

  /** Whether `value` is a session this token issued that has not expired at `nowMs`. */
  verifySession(value: string, nowMs: number): boolean {
    const match = SESSION_FORMAT.exec(value);
    if (!match) return false;
    const expiry = Number(match[1]);
    if (expiry * 1_000 <= nowMs) return false;
    return timingSafeEqual(Buffer.from(match[2]!, 'utf8'), Buffer.from(this.#mac(expiry), 'utf8'));
  }

  #mac(expiry: number): string {
    return createHmac('sha256', this.#token).update(`evalpool-admin-session|v1|${expiry}`).digest('base64url');
  }
}
