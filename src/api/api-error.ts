import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

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
