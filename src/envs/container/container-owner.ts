import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * The process that owns a managed container, as written in its `evalpool.owner` label:
 * `<host>/<pid>/<start>`, where `<start>` is the process's start time in clock ticks since boot
 * (from `/proc/<pid>/stat`; empty where there is no `/proc`). The start time tells a dead
 * owner from a new process that reuses its pid.
 */
export interface ContainerOwner {
  readonly host: string;
  readonly pid: number;
  readonly start: string;
}

/** Whether the owner of a container still runs: `unknown` for an owner on another host. */
export type OwnerState = 'alive' | 'dead' | 'unknown';

/** Reads a process's start time from `/proc`, or '' when it cannot. */
export function processStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? '';
  } catch {
    return '';
  }
}

/** This process as an owner. */
export function currentOwner(): ContainerOwner {
  return { host: hostname(), pid: process.pid, start: processStart(process.pid) };
}

export function formatOwner(owner: ContainerOwner): string {
  return `${owner.host}/${owner.pid}/${owner.start}`;
}

/** Parses an `evalpool.owner` label; undefined for anything else. */
export function parseOwner(label: string | undefined): ContainerOwner | undefined {
  const match = /^([^/]+)\/(\d+)\/(\d*)$/.exec(label ?? '');
  if (match === null) return undefined;
  return { host: match[1]!, pid: Number(match[2]), start: match[3]! };
}

/**
 * Whether `owner` still runs, as seen from `here` (this process): a process of this host is
 * dead when its pid is gone or now belongs to a process that started at another time. Owners on
 * other hosts (workers sharing an engine) cannot be checked from here.
 */
export function ownerState(owner: ContainerOwner, here: ContainerOwner = currentOwner()): OwnerState {
  if (owner.host !== here.host) return 'unknown';
  if (owner.pid === here.pid) return owner.start === here.start ? 'alive' : 'dead';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the pid exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
  }
  if (owner.start === '') return 'alive';
  const start = processStart(owner.pid);
  return start === '' || start === owner.start ? 'alive' : 'dead';
}
