import { findUnknownExtensions } from '@polkadot/types/extrinsic/signedExtensions';
import type { Registry } from '@polkadot/types/types';

/** The runtime asks for a signed extension polkadot-js cannot encode. */
export class SignedExtensionError extends Error {
  override readonly name = 'SignedExtensionError';
}

/**
 * Checks that every transaction extension of the runtime can be signed by polkadot-js.
 * Subtensor declares extensions polkadot-js does not know (`SudoTransactionExtension`,
 * `SubtensorTransactionExtension`, `DrandPriority` in the fixture's runtime); polkadot-js encodes
 * unknown ones as nothing, which is right only when both their explicit and implicit (signed)
 * data are empty types. This verifies that against the metadata and refuses otherwise, so a
 * runtime upgrade that adds data to one of them fails here instead of producing extrinsics with
 * a bad signature. Returns the names of the unknown, empty extensions.
 */
export function assertSignableExtensions(registry: Registry): string[] {
  const extrinsic = registry.metadata.extrinsic;
  const declared = extrinsic.transactionExtensions.map((ext) => ({
    name: ext.identifier.toString(),
    type: ext.type.toNumber(),
    implicit: ext.implicit.toNumber(),
  }));
  const unknown = new Set(findUnknownExtensions(declared.map((ext) => ext.name)));
  const problems: string[] = [];
  for (const ext of declared) {
    if (!unknown.has(ext.name)) continue;
    for (const [role, id] of [
      ['data', ext.type],
      ['signed data', ext.implicit],
    ] as const) {
      const encoded = registry.createType(registry.lookup.getTypeDef(id).type).toU8a();
      if (encoded.length !== 0) problems.push(`${ext.name} has non-empty ${role} (${registry.lookup.getTypeDef(id).type})`);
    }
  }
  if (problems.length > 0) throw new SignedExtensionError(`cannot sign for this runtime: ${problems.join('; ')}`);
  return [...unknown];
}
