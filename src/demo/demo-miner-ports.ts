import type { StaticMinerEntry } from '../chain/static-miners-file.ts';
import { planDemoMiners } from './demo-miners.ts';

/**
 * The miners file's entries with the demo's own miners moved to `first`, `first + 1`, … in file
 * order (`evalpool demo --miner-ports`), so that a second demo on the same host needs no edited
 * copy of the file. Entries the demo does not serve are kept as they are.
 */
export function moveDemoMinerPorts(entries: readonly StaticMinerEntry[], first: number): StaticMinerEntry[] {
  const local = new Set(planDemoMiners(entries).local.map((m) => m.hotkey));
  let next = first;
  return entries.map((entry) => {
    if (!local.has(entry.hotkey) || entry.endpoint === undefined) return entry;
    const url = new URL(entry.endpoint);
    url.port = String(next++);
    return { ...entry, endpoint: url.toString().replace(/\/$/, '') };
  });
}
