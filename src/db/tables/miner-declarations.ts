import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, MinerDeclarationsTable } from '../schema.ts';

/** A miner's declaration as stored. */
export type MinerDeclarationRow = Selectable<MinerDeclarationsTable>;

/** Every stored declaration, by hotkey. */
export async function getMinerDeclarations(db: Kysely<Database>): Promise<Map<string, MinerDeclarationRow>> {
  const rows = await db.selectFrom('miner_declarations').selectAll().execute();
  return new Map(rows.map((r) => [r.hotkey, r]));
}

/**
 * The episodes a miner at `endpoint` may run at once: its declaration when it was read from this
 * very endpoint, else 1 (never probed, or it moved since: the subnet's template serves one).
 */
export function declaredEpisodes(row: MinerDeclarationRow | undefined, endpoint: string): number {
  if (row === undefined || row.endpoint !== endpoint) return 1;
  return Math.max(1, row.max_concurrent_episodes);
}

/** What one probe learnt. */
export interface NewMinerDeclaration {
  readonly hotkey: string;
  readonly endpoint: string;
  readonly episodes: number;
  readonly problem?: string;
}

/** Stores probe results in one statement (the latest probe of a hotkey replaces the previous). */
export async function saveMinerDeclarations(db: Kysely<Database>, declarations: readonly NewMinerDeclaration[], now: Date): Promise<void> {
  if (declarations.length === 0) return;
  const column = <T>(pick: (d: NewMinerDeclaration) => T): T[] => declarations.map(pick);
  await sql`
    insert into miner_declarations (hotkey, endpoint, max_concurrent_episodes, problem, probed_at)
    select hotkey, endpoint, episodes, problem, ${now}::timestamptz
    from unnest(${column((d) => d.hotkey)}::text[], ${column((d) => d.endpoint)}::text[], ${column((d) => d.episodes)}::int[], ${column((d) => d.problem ?? null)}::text[])
      as v(hotkey, endpoint, episodes, problem)
    on conflict (hotkey) do update
      set endpoint = excluded.endpoint, max_concurrent_episodes = excluded.max_concurrent_episodes,
          problem = excluded.problem, probed_at = excluded.probed_at`.execute(db);
}
