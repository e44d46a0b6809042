import type { Miner } from '../db/schema.ts';
import { declaredEpisodes, type MinerDeclarationRow } from '../db/tables/miner-declarations.ts';
import { effectiveSlots, type MinerSlotsRow } from '../db/tables/miner-slots.ts';

/**
 * The pool's law per miner (docs/design.md, "Per-miner slots"): **in flight(miner) ≤ min(slots,
 * declared)**, where `slots` is the adjusted (or pinned) value and `declared` what the miner's
 * `/health` declared at its current endpoint (1 when it declared nothing: the subnet's template
 * serves one episode at a time). An ops pin does not lift it: more episodes than a miner can keep
 * apart would only corrupt them. Admission and removal both read the cap from here.
 */
export function minerCapOf(
  miners: readonly Pick<Miner, 'hotkey' | 'endpoint'>[],
  slotRows: ReadonlyMap<string, MinerSlotsRow>,
  declarations: ReadonlyMap<string, MinerDeclarationRow>,
  defaultSlots: number,
): (hotkey: string) => number {
  const endpoints = new Map(miners.map((m) => [m.hotkey, m.endpoint]));
  return (hotkey) => {
    const slots = effectiveSlots(slotRows.get(hotkey), defaultSlots);
    const endpoint = endpoints.get(hotkey);
    return Math.min(slots, endpoint === undefined ? 1 : declaredEpisodes(declarations.get(hotkey), endpoint));
  };
}
