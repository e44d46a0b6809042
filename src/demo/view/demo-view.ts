import { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import type { DemoProgress } from '../demo-progress.ts';
import { envCoverage, episodeCounts, progressLine } from './demo-format.ts';

/** Where the demo writes, and whether it is a terminal (live bars) or a pipe (plain lines). */
export interface DemoViewOptions {
  readonly out: NodeJS.WritableStream;
  readonly isTTY: boolean;
  /** Least time between two plain progress lines (default 2 s). */
  readonly plainEveryMs?: number;
}

/**
 * The demo's terminal: live bars (one per miner, with its coverage per env) on a terminal, a
 * plain progress line at most every `plainEveryMs` otherwise. Text and log lines printed while
 * the bars are live go above them instead of through them.
 */
export class DemoView {
  readonly #out: NodeJS.WritableStream;
  readonly #isTTY: boolean;
  readonly #plainEveryMs: number;
  #bars: cliProgress.MultiBar | undefined;
  readonly #rows = new Map<number, cliProgress.SingleBar>();
  #lastPlainAt = 0;
  #lastPlain = '';
  #finished = false;

  /** A stream for the logger: its lines are printed like {@link print}. */
  readonly logStream: Writable;

  constructor(options: DemoViewOptions) {
    this.#out = options.out;
    this.#isTTY = options.isTTY;
    this.#plainEveryMs = options.plainEveryMs ?? 2_000;
    this.logStream = new Writable({
      write: (chunk: Buffer | string, _encoding, callback) => {
        this.#write(String(chunk));
        callback();
      },
    });
  }

  /** Prints lines of text (above the live bars while they show). */
  print(text: string): void {
    this.#write(text.endsWith('\n') ? text : `${text}\n`);
  }

  #write(text: string): void {
    if (this.#bars?.isActive) this.#bars.log(text);
    else this.#out.write(text);
  }

  /** Shows the coverage so far; ignored after {@link finishProgress}. */
  progress(progress: DemoProgress, elapsedSeconds: number): void {
    if (this.#finished || progress.miners.length === 0) return;
    if (this.#isTTY) {
      this.#showBars(progress);
      return;
    }
    const line = progressLine(progress, elapsedSeconds);
    const counts = line.slice(line.indexOf(']') + 1);
    const due = Date.now() - this.#lastPlainAt >= this.#plainEveryMs;
    if (due && counts !== this.#lastPlain) {
      this.#lastPlainAt = Date.now();
      this.#lastPlain = counts;
      this.#out.write(`${line}\n`);
    }
  }

  #showBars(progress: DemoProgress): void {
    const width = Math.max(...progress.miners.map((m) => m.hotkey.length));
    this.#bars ??= new cliProgress.MultiBar(
      {
        stream: this.#out,
        format: ' {hotkey} {bar} {value}/{total}  {coverage}',
        barsize: 24,
        hideCursor: true,
        autopadding: true,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    for (const miner of progress.miners) {
      const { done, total } = episodeCounts(progress, miner);
      const payload = { hotkey: miner.hotkey.padEnd(width), coverage: envCoverage(progress, miner) };
      const bar = this.#rows.get(miner.uid);
      if (bar === undefined) this.#rows.set(miner.uid, this.#bars.create(total, done, payload));
      else {
        bar.setTotal(total);
        bar.update(done, payload);
      }
    }
  }

  /** Ends the live progress (the bars stay on screen as they last were). Idempotent. */
  finishProgress(): void {
    this.#finished = true;
    this.#bars?.stop();
    this.#bars = undefined;
  }
}
