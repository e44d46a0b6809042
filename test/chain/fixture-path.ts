/**
 * The one place that names the subtensor metadata fixture. It is real chain metadata, not committed
 * here: docs/development.md ("The subtensor metadata fixture") says where it comes from and where
 * to put it (`../shared/fixtures/subtensor/metadata-v16.scale` seen from the repository root). A
 * checkout without it skips the tests that need it, saying so.
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
      skip: `subtensor metadata fixture not found at ${SUBTENSOR_METADATA_PATH} (see docs/development.md, "The subtensor metadata fixture"): skipping chain tests`,
    };
  }
  return { bytes: readFileSync(SUBTENSOR_METADATA_PATH), skip: false };
}
