import { readFile } from 'node:fs/promises';
import { parseStaticMinersFile, type StaticMinerEntry, StaticMinersFileError } from '../chain/static-miners-file.ts';
import { DEMO_MINER_PORTS_EXAMPLE_FALLBACK, DEMO_MINER_PORTS_EXAMPLE_SHIFT, DEMO_MINER_PORTS_MAX_FIRST } from '../config/constants.ts';
import { errorMessage } from '../runtime/error-message.ts';
import type { Lifecycle } from '../runtime/lifecycle.ts';
import type { Logger } from '../runtime/logger.ts';
import { DemoSetupError } from './demo-setup-error.ts';
import { type DemoMiner, startDemoMiner } from './miners/demo-miner.ts';
import { POLICY_KINDS, type PolicyKind } from './miners/policies/policy.ts';

/** A miners-file entry the demo serves itself: a local endpoint whose hotkey names a policy. */
export interface DemoMinerPlan {
  readonly uid: number;
  readonly hotkey: string;
  readonly policy: PolicyKind;
  readonly host: string;
  readonly port: number;
}

/** The miners of a file, split into those the demo starts and those expected to run elsewhere. */
export interface DemoMinersPlan {
  readonly local: readonly DemoMinerPlan[];
  readonly others: readonly StaticMinerEntry[];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const POLICY_IN_HOTKEY = new RegExp(`^demo-(${POLICY_KINDS.join('|')})(?:-|$)`);

/**
 * Which entries the demo serves: an `endpoint` on the loopback interface (127.0.0.1, localhost,
 * ::1) with a hotkey `demo-<policy>` or `demo-<policy>-<anything>` (policy: expert, noisy,
 * random). Every other entry (a remote endpoint, a commitment, another hotkey) is left to run
 * on its own.
 */
export function planDemoMiners(entries: readonly StaticMinerEntry[]): DemoMinersPlan {
  const local: DemoMinerPlan[] = [];
  const others: StaticMinerEntry[] = [];
  for (const entry of entries) {
    const url = entry.endpoint === undefined ? undefined : new URL(entry.endpoint);
    const policy = POLICY_IN_HOTKEY.exec(entry.hotkey)?.[1] as PolicyKind | undefined;
    if (url === undefined || policy === undefined || !LOOPBACK.has(url.hostname)) {
      others.push(entry);
      continue;
    }
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    const host = url.hostname === '[::1]' ? '::1' : url.hostname === 'localhost' ? '127.0.0.1' : url.hostname;
    local.push({ uid: entry.uid, hotkey: entry.hotkey, policy, host, port });
  }
  return { local, others };
}

/** Reads and validates the miners file; a missing or invalid file is a {@link DemoSetupError} naming it. */
export async function readDemoMinersFile(file: string): Promise<StaticMinerEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DemoSetupError(
      `cannot read the miners file ${file} (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}): set EVALPOOL_MINERS_FILE to a miners file`,
    );
  }
  try {
    return parseStaticMinersFile(file, text);
  } catch (error) {
    if (error instanceof StaticMinersFileError) throw new DemoSetupError(error.message);
    throw error;
  }
}

/** A demo miner the demo started, with where it listens. */
export interface StartedDemoMiner extends DemoMinerPlan {
  readonly url: string;
}

/**
 * Where the demo miners' ports come from, so that a port in use names what the operator chose:
 * the miners file, or `--miner-ports <first>` (which moved them to a copy of it).
 */
export type DemoMinerPorts = { readonly file: string } | { readonly first: number };

/** The demo miners' ports moved {@link DEMO_MINER_PORTS_EXAMPLE_SHIFT} further, as an example value of --miner-ports. */
function exampleFirstPort(plans: readonly DemoMinerPlan[]): number {
  const first = Math.min(...plans.map((p) => p.port)) + DEMO_MINER_PORTS_EXAMPLE_SHIFT;
  return first + plans.length <= DEMO_MINER_PORTS_MAX_FIRST ? first : DEMO_MINER_PORTS_EXAMPLE_FALLBACK;
}

/** Where a miner's port came from, and how to change it, in the words of what the operator did. */
function portOrigin(plans: readonly DemoMinerPlan[], ports: DemoMinerPorts): { from: string; change: string } {
  if ('first' in ports)
    return {
      from: `moved there by --miner-ports ${ports.first}`,
      change: 'pass another first port to --miner-ports',
    };
  return {
    from: `from ${ports.file}`,
    change: `move the demo miners with --miner-ports <first port> (e.g. --miner-ports ${exampleFirstPort(plans)})`,
  };
}

/**
 * Starts one demo miner per plan, each registered on `lifecycle` as soon as it listens (so a
 * failure later in the start stops those already running). A port in use is a
 * {@link DemoSetupError} naming the port, the miner, where its port came from (`ports`) and how to
 * change it.
 */
export async function startDemoMiners(
  plans: readonly DemoMinerPlan[],
  settings: {
    readonly ports: DemoMinerPorts;
    /** What each declares on `/health`: the backend's cap (EVALPOOL_SLOTS_MAX), so that none is cut with a warning. */
    readonly maxConcurrentEpisodes: number;
  },
  lifecycle: Lifecycle,
  logger: Logger,
): Promise<StartedDemoMiner[]> {
  const { ports, maxConcurrentEpisodes } = settings;
  const started: StartedDemoMiner[] = [];
  for (const plan of plans) {
    let miner: DemoMiner;
    try {
      miner = await startDemoMiner({
        policy: plan.policy,
        host: plan.host,
        port: plan.port,
        maxConcurrentEpisodes,
        logger: logger.child({ component: 'demo-miner', hotkey: plan.hotkey }),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const { from, change } = portOrigin(plans, ports);
      if (code === 'EADDRINUSE') {
        throw new DemoSetupError(
          `port ${plan.port} is already in use, so demo miner ${plan.hotkey} (${from}) cannot listen on it: stop what holds it, or ${change}`,
        );
      }
      if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new DemoSetupError(`demo miner ${plan.hotkey} (${from}) cannot listen on ${plan.host}:${plan.port} (${code}): ${change}`);
      }
      throw error;
    }
    lifecycle.defer(`demo-miner ${plan.hotkey}`, () => miner.close());
    started.push({ ...plan, url: miner.url });
  }
  return started;
}
