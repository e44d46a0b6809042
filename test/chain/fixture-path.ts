/**
 * The one place that names the subtensor metadata fixture. It lives in the shared folder beside
 * the repository (`../shared/fixtures/subtensor/metadata-v16.scale` seen from the repo root) and is
 * never copied into the repository; a checkout without it skips the tests that need it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of the real subtensor runtime metadata (V16). */
const SUBTENSOR_METADATA_PATH = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'subtensor', 'metadata-v16.scale');

/** The metadata bytes, or a skip message for `test(name, { skip }, ...)` when the file is absent. */
export function loadSubtensorMetadata(): { bytes: Uint8Array; skip: false } | { bytes: undefined; skip: string } {
  if (!existsSync(SUBTENSOR_METADATA_PATH)) {
    return {
      bytes: undefined,
      skip: `subtensor metadata fixture not found at ${SUBTENSOR_METADATA_PATH} (a checkout without shared/): skipping chain tests`,
    };
  }
  return { bytes: readFileSync(SUBTENSOR_METADATA_PATH), skip: false };
}
