/**
 * Miner commitments: the string a miner stores on chain (or an operator writes in the static
 * miners file) that says where its policy is served.
 *
 * Accepted forms (surrounding whitespace ignored):
 * - `<repo>:<rev>:<deployment-id>` → `https://<deployment-id>.deployments.basilica.ai`
 * - `http://…` or `https://…` → that URL (trailing `/` removed)
 * - `<repo>:<rev>:e:<base85 blob>` → the deployment id decrypted with the backend key (see endpoint-crypto.ts)
 *
 * `repo` is `[A-Za-z0-9._/-]+` (e.g. a Hugging Face repo id), `rev` is `[A-Za-z0-9._-]{1,64}`
 * (normally the first 8 characters of a commit hash), the deployment id is a DNS label
 * (lowercased), the URL must parse and carry no credentials.
 *
 * Revision (what, with the hotkey, identifies a miner; see {@link deriveRevision}):
 * - repo forms (plain and encrypted): `<rev>-<h>` with h = SHA-256(`<repo>\n<endpoint>`)[0..12 hex];
 *   the encrypted form hashes the decrypted endpoint, so re-encrypting the same deployment (a new
 *   ephemeral key, hence a new blob) keeps the identity while a new deployment changes it;
 * - URL form: `url-<h>` with h = SHA-256(`\n<endpoint>`)[0..12 hex].
 * A revision never contains `:` (it goes into job ids).
 */
import { createHash, type KeyObject } from 'node:crypto';
import { BASILICA_ENDPOINT_SUFFIX, REVISION_PATTERN } from '../config/constants.ts';
import { CommitmentError } from './commitment-error.ts';
import { decryptDeploymentId } from './endpoint-crypto.ts';

/** A commitment split into its parts, before any decryption. */
export type ParsedCommitment =
  | { readonly form: 'deployment'; readonly repo: string; readonly rev: string; readonly deploymentId: string }
  | { readonly form: 'url'; readonly url: string }
  | { readonly form: 'encrypted'; readonly repo: string; readonly rev: string; readonly blob: string };

/** What a usable commitment resolves to. */
export interface ResolvedCommitment {
  readonly form: ParsedCommitment['form'];
  readonly endpoint: string;
  readonly revision: string;
}

const REPO = /^[A-Za-z0-9._/-]+$/;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const REVISION_HASH_HEX = 12;

function parseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CommitmentError('bad_form', `not a valid URL: ${JSON.stringify(text)}`);
  }
  if (url.username !== '' || url.password !== '') throw new CommitmentError('bad_form', 'URL commitments must not carry credentials');
  if (url.hostname === '') throw new CommitmentError('bad_form', `URL without a host: ${JSON.stringify(text)}`);
  return text.replace(/\/+$/, '');
}

/** Splits a commitment string into its parts; throws {@link CommitmentError} (`bad_form`). */
export function parseCommitment(raw: string): ParsedCommitment {
  const text = raw.trim();
  if (text === '') throw new CommitmentError('bad_form', 'empty commitment');
  if (/^https?:\/\//i.test(text)) return { form: 'url', url: parseUrl(text) };
  const parts = text.split(':');
  const [repo = '', rev = '', third = '', blob] = parts;
  if (parts.length < 3 || parts.length > 4) {
    throw new CommitmentError(
      'bad_form',
      `expected "<repo>:<rev>:<deployment-id>", "<repo>:<rev>:e:<blob>" or an http(s) URL, got ${parts.length} ":"-separated parts`,
    );
  }
  if (!REPO.test(repo)) throw new CommitmentError('bad_form', `bad repo ${JSON.stringify(repo)} (allowed: letters, digits, . _ / -)`);
  if (!REVISION_PATTERN.test(rev))
    throw new CommitmentError('bad_form', `bad revision ${JSON.stringify(rev)} (1-64 of letters, digits, . _ -)`);
  if (parts.length === 4) {
    if (third !== 'e') throw new CommitmentError('bad_form', `expected "e" before the encrypted blob, got ${JSON.stringify(third)}`);
    if (blob === undefined || blob === '') throw new CommitmentError('bad_form', 'encrypted commitment without a blob');
    return { form: 'encrypted', repo, rev, blob };
  }
  const deploymentId = third.toLowerCase();
  if (deploymentId === 'e') throw new CommitmentError('bad_form', 'encrypted commitment without a blob');
  if (!DNS_LABEL.test(deploymentId))
    throw new CommitmentError('bad_form', `bad deployment id ${JSON.stringify(third)} (must be a DNS label)`);
  return { form: 'deployment', repo, rev, deploymentId };
}

/** The endpoint of a Basilica deployment. */
function basilicaEndpoint(deploymentId: string): string {
  return `https://${deploymentId}${BASILICA_ENDPOINT_SUFFIX}`;
}

/**
 * A revision that changes whenever `base`, `repo` or `endpoint` changes: `<base>-<12 hex of
 * SHA-256(repo \n endpoint)>`. `base` is the committed rev, the static file's revision, or "url".
 */
export function deriveRevision(base: string, repo: string, endpoint: string): string {
  const hash = createHash('sha256').update(`${repo}\n${endpoint}`).digest('hex').slice(0, REVISION_HASH_HEX);
  return `${base}-${hash}`;
}

/**
 * Turns a commitment string into an endpoint and a revision, decrypting the encrypted form with
 * `backendKey`. Throws {@link CommitmentError}: `bad_form`, `bad_base85`, `wrong_length`,
 * `decrypt_failed`, or `no_key` when the commitment is encrypted and no key is configured.
 */
export function resolveCommitment(raw: string, backendKey?: KeyObject): ResolvedCommitment {
  const parsed = parseCommitment(raw);
  switch (parsed.form) {
    case 'url':
      return { form: 'url', endpoint: parsed.url, revision: deriveRevision('url', '', parsed.url) };
    case 'deployment': {
      const endpoint = basilicaEndpoint(parsed.deploymentId);
      return { form: 'deployment', endpoint, revision: deriveRevision(parsed.rev, parsed.repo, endpoint) };
    }
    case 'encrypted': {
      if (backendKey === undefined) throw new CommitmentError('no_key', 'encrypted commitment, but no backend private key is configured');
      const endpoint = basilicaEndpoint(decryptDeploymentId(parsed.blob, backendKey));
      return { form: 'encrypted', endpoint, revision: deriveRevision(parsed.rev, parsed.repo, endpoint) };
    }
  }
}
