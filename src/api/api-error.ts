import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Dependency } from '../runtime/unavailable-dependency.ts';

/** The JSON body of every error the API answers: a short code and a sentence for humans. */
export interface ErrorBody {
  readonly error: string;
  readonly detail: string;
}

/**
 * The one error type routes throw; `onError` in the app turns it into `{error, detail}` with its
 * status. Anything else thrown becomes a 500 without internals.
 */
export class ApiError extends HTTPException {
  readonly code: string;
  readonly detail: string;

  constructor(status: ContentfulStatusCode, code: string, detail: string) {
    super(status, { message: detail });
    this.code = code;
    this.detail = detail;
  }

  body(): ErrorBody {
    return { error: this.code, detail: this.detail };
  }
}

/** 503 `unavailable` naming the dependency that did not answer (Postgres or Redis down, restarting, too slow). */
export function dependencyUnavailable(dependency: Dependency): ApiError {
  return new ApiError(503, 'unavailable', `${dependency} did not answer; try again shortly`);
}

/**
 * Not an HTTP status a client ever reads: the status with which requests whose client went away
 * before the answer are counted and logged (nginx's 499 "client closed request").
 */
export const CLIENT_CLOSED_REQUEST = 499;
