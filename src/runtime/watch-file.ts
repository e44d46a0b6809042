import { type FSWatcher, type Stats, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from './error-message.ts';

/** Settings of {@link watchFile}. */
export interface WatchFileOptions {
  /** Events are gathered for this long before the file is compared (a save comes in bursts). */
  readonly debounceMs: number;
  /** Period of the fallback poll, used only when the folder cannot be watched. */
  readonly pollMs: number;
  /** Told once when watching fails and polling takes over (the reason, e.g. `ENOENT`). */
  readonly onFallback?: (reason: string) => void;
}

/** A running {@link watchFile}; `close()` is idempotent. */
export interface FileWatch {
  /** `watch` while the folder is watched, `poll` after a fall back to polling. */
  readonly mode: 'watch' | 'poll';
  close(): void;
}

/**
 * What tells one version of a file from another: a rename changes the inode, a rewrite mtime,
 * ctime or size (rewrites within one mtime tick still change ctime, inode or size).
 */
export function fileVersion(info: Pick<Stats, 'ino' | 'mtimeMs' | 'ctimeMs' | 'size'>): string {
  return `${info.ino}:${info.mtimeMs}:${info.ctimeMs}:${info.size}`;
}

async function signature(file: string): Promise<string> {
  try {
    return fileVersion(await stat(file));
  } catch (error) {
    return `missing:${(error as NodeJS.ErrnoException).code ?? 'unknown'}`;
  }
}

/**
 * Calls `onChange` when `file` changes, appears or disappears. The folder is watched, not the
 * file: editors and deploy tools replace a file by a rename (a watch on the old inode would go
 * deaf), and a file that does not exist yet cannot be watched. Any event in the folder is
 * debounced, then the file's signature (through symlinks, so a Kubernetes ConfigMap's swapped
 * `..data` link counts) is compared with the last one: a busy folder costs a `stat`, not a call.
 * When the folder cannot be watched (missing, no inotify watches left) or the watch fails later,
 * the file is polled every `pollMs` instead.
 */
export function watchFile(file: string, onChange: () => void, options: WatchFileOptions): FileWatch {
  let mode: 'watch' | 'poll' = 'watch';
  let closed = false;
  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let poller: NodeJS.Timeout | undefined;
  let comparing = false;
  let again = false;
  let last: Promise<string> | string = signature(file);

  const compare = async (): Promise<void> => {
    if (comparing) {
      again = true;
      return;
    }
    comparing = true;
    try {
      do {
        again = false;
        const before = await last;
        const now = await signature(file);
        last = now;
        if (!closed && now !== before) onChange();
      } while (again && !closed);
    } finally {
      comparing = false;
    }
  };
  const startPolling = (reason: string): void => {
    if (closed || mode === 'poll') return;
    mode = 'poll';
    watcher?.close();
    watcher = undefined;
    options.onFallback?.(reason);
    poller = setInterval(() => void compare(), options.pollMs);
  };

  try {
    watcher = watch(path.dirname(path.resolve(file)), { persistent: false }, () => {
      if (closed) return;
      clearTimeout(debounce);
      debounce = setTimeout(() => void compare(), options.debounceMs);
    });
    watcher.on('error', (error) => startPolling(errorMessage(error)));
  } catch (error) {
    startPolling((error as NodeJS.ErrnoException).code ?? errorMessage(error));
  }

  return {
    get mode() {
      return mode;
    },
    close() {
      closed = true;
      watcher?.close();
      clearTimeout(debounce);
      clearInterval(poller);
    },
  };
}
