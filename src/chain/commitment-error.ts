/** Why a commitment could not be turned into an endpoint. */
export type CommitmentErrorCode =
  /** not one of the three accepted forms, or a part of it is malformed */
  | 'bad_form'
  /** the encrypted blob is not valid base85 */
  | 'bad_base85'
  /** the encrypted blob decodes to the wrong number of bytes */
  | 'wrong_length'
  /** authentication failed: tampered blob or encrypted for another key */
  | 'decrypt_failed'
  /** an encrypted commitment was found but no backend private key is configured */
  | 'no_key';

/**
 * A commitment that cannot be used. The message is meant for logs and `miners show`
 * and never contains key material.
 */
export class CommitmentError extends Error {
  override readonly name = 'CommitmentError';
  constructor(
    readonly code: CommitmentErrorCode,
    message: string,
  ) {
    super(message);
  }
}
