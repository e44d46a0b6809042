import type { KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { MINERS_FILE_DEBOUNCE_MS, MINERS_FILE_POLL_MS } from '../config/constants.ts';
import { errorMessage } from '../runtime/error-message.ts';
import { type FileWatch, fileVersion, watchFile } from '../runtime/watch-file.ts';
import { BlockClock } from './block-clock.ts';
import { deriveRevision, resolveCommitment } from './commitment.ts';
import { CommitmentError } from './commitment-error.ts';
import type { DiscoveredMiner, ExcludedMiner, MinerSnapshot, MinerSource } from './miner-source.ts';
import { parseStaticMinersFile, type StaticMinerEntry, unreadableMinersFile } from './static-miners-file.ts';

/** Settings of a {@link StaticMinerSource}. */
export interface StaticMinerSourceOptions {
  /** Path of the miners file (`EVALPOOL_MINERS_FILE`); format in static-miners-file.ts. */
  readonly file: string;
  readonly logger: Logger;
  /** Backend private key, needed only for entries with an encrypted commitment. */
  readonly backendKey?: KeyObject;
  /** Block numbers for the snapshots (default: 12 s blocks from the documented genesis). */
  readonly clock?: BlockClock;
  /** How the file is watched for {@link StaticMinerSource.onChange} (defaults: the constants). */
  readonly watch?: { readonly debounceMs?: number; readonly pollMs?: number };
}

interface Loaded {
  readonly version: string;
  readonly miners: readonly DiscoveredMiner[];
  readonly excluded: readonly ExcludedMiner[];
  readonly loadedAt: Date;
}

function toMiner(entry: StaticMinerEntry, backendKey: KeyObject | undefined): DiscoveredMiner {
  const committed_block = entry.committed_block ?? 0;
  if (entry.endpoint !== undefined) {
    const endpoint = entry.endpoint.replace(/\/+$/, '');
    return {
      uid: entry.uid,
      hotkey: entry.hotkey,
      endpoint,
      committed_block,
      form: 'static',
      revision: deriveRevision(entry.revision ?? 'static', '', endpoint),
    };
  }
  const resolved = resolveCommitment(entry.commitment ?? '', backendKey);
  const revision = entry.revision === undefined ? resolved.revision : deriveRevision(entry.revision, '', resolved.endpoint);
  return { uid: entry.uid, hotkey: entry.hotkey, endpoint: resolved.endpoint, committed_block, form: resolved.form, revision };
}

/**
 * Miners from a JSON file, reloaded when the file's mtime or size changes (checked on every
 * refresh). Block numbers come from the clock. A file that becomes unreadable or invalid after a
 * good load keeps the last good miners (snapshot marked `stale`); with no good load yet, refresh
 * rejects with an error naming the file, the entry and the field. `onChange` tells when the file
 * changed (watched, polled only when watching fails), so the leader reads it at once.
 */
export class StaticMinerSource implements MinerSource {
  readonly #options: StaticMinerSourceOptions;
  readonly #clock: BlockClock;
  #loaded: Loaded | undefined;
  #stale: { since: Date; error: string } | undefined;
  #closed = false;
  #inflight: Promise<MinerSnapshot> | undefined;
  readonly #listeners = new Set<() => void>();
  #watch: FileWatch | undefined;

  constructor(options: StaticMinerSourceOptions) {
    this.#options = options;
    this.#clock = options.clock ?? new BlockClock();
  }

  refresh(signal?: AbortSignal): Promise<MinerSnapshot> {
    if (this.#closed) return Promise.reject(new Error('static miner source is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    this.#inflight ??= this.#refresh().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #refresh(): Promise<MinerSnapshot> {
    try {
      await this.#reloadIfChanged();
      this.#stale = undefined;
    } catch (error) {
      const message = errorMessage(error);
      if (this.#loaded === undefined) throw error;
      // The current problem is shown (since the first one); the scheduler's miners task logs
      // one line per change of it, for every source.
      if (this.#stale?.error !== message) this.#stale = { since: this.#stale?.since ?? new Date(this.#clock.now()), error: message };
    }
    const loaded = this.#loaded;
    if (loaded === undefined) throw new Error('unreachable: no miners loaded');
    return {
      miners: loaded.miners,
      excluded: loaded.excluded,
      block: this.#clock.currentBlock(),
      source: 'static',
      // The file was checked now; a stale snapshot dates from the last good load.
      fetchedAt: this.#stale === undefined ? new Date(this.#clock.now()) : loaded.loadedAt,
      ...(this.#stale === undefined ? {} : { stale: this.#stale }),
    };
  }

  async #reloadIfChanged(): Promise<void> {
    const { file, logger, backendKey } = this.#options;
    let info;
    try {
      info = await stat(file);
    } catch (error) {
      throw unreadableMinersFile(file, error);
    }
    const version = fileVersion(info);
    if (this.#loaded?.version === version) return;
    const entries = parseStaticMinersFile(file, await readFile(file, 'utf8'));
    const miners: DiscoveredMiner[] = [];
    const excluded: ExcludedMiner[] = [];
    for (const entry of entries) {
      try {
        miners.push(toMiner(entry, backendKey));
      } catch (error) {
        if (!(error instanceof CommitmentError)) throw error;
        excluded.push({ uid: entry.uid, hotkey: entry.hotkey, reason: `${error.code}: ${error.message}` });
        logger.warn(
          { file, uid: entry.uid, hotkey: entry.hotkey, code: error.code, reason: error.message },
          'miner excluded: unusable commitment',
        );
      }
    }
    miners.sort((a, b) => a.uid - b.uid);
    excluded.sort((a, b) => a.uid - b.uid);
    this.#loaded = { version, miners, excluded, loadedAt: new Date(this.#clock.now()) };
    logger.info({ file, miners: miners.length, excluded: excluded.length }, 'miners file loaded');
  }

  /**
   * Calls `listener` (debounced) whenever the file changes, appears or disappears; the watch runs
   * while someone listens. Returns the unsubscribe.
   */
  onChange(listener: () => void): () => void {
    if (this.#closed) return () => undefined;
    this.#listeners.add(listener);
    this.#watch ??= watchFile(
      this.#options.file,
      () => {
        for (const l of this.#listeners) l();
      },
      {
        debounceMs: this.#options.watch?.debounceMs ?? MINERS_FILE_DEBOUNCE_MS,
        pollMs: this.#options.watch?.pollMs ?? MINERS_FILE_POLL_MS,
        onFallback: (reason) =>
          this.#options.logger.warn(
            { file: this.#options.file, reason },
            "cannot watch the miners file's folder: polling the file instead",
          ),
      },
    );
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size > 0) return;
      this.#watch?.close();
      this.#watch = undefined;
    };
  }

  /** How the file is watched now (undefined: nobody listens). */
  get watchMode(): FileWatch['mode'] | undefined {
    return this.#watch?.mode;
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    this.#watch?.close();
    this.#watch = undefined;
    return Promise.resolve();
  }
}
