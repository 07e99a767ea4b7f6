import { randomUUID } from '../util/lazy-builtins.js';
import { readFileSync, readlinkSync } from 'node:fs';

/**
 * Who holds a lock, recorded so another process can later tell whether that holder still runs.
 * A pid alone cannot: pids are reused, and in a container every first process is pid 1, which is
 * always alive. The start time of the process (Linux: field 22 of /proc/<pid>/stat, in clock ticks
 * since boot) tells a reused pid apart from the process that wrote the lock.
 */
export interface ProcessIdentity {
  pid: number;
  /** The process's start time as the kernel reports it; null where /proc is not available. */
  startTime: string | null;
  /**
   * Where the pid means something: the boot and the pid namespace. A pid recorded in another
   * namespace (another container) or before a reboot says nothing about the pids we can see here.
   * Null where /proc is not available.
   */
  scope: string | null;
  /** Random per process: tells this process from an earlier one that had the same pid. */
  token: string;
}

function readText(read: () => string): string | null {
  try {
    return read().trim() || null;
  } catch {
    return null;
  }
}

/** The start time of a running process, or null when it is gone or /proc cannot say. */
export function processStartTime(pid: number): string | null {
  const stat = readText(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
  if (stat === null) return null;
  // Field 2 is the command name in parentheses and may itself hold spaces and parentheses:
  // count fields from the last ')'. What follows starts at field 3, so field 22 is the 20th.
  const rest = stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\s+/);
  return rest[19] ?? null;
}

function currentScope(): string | null {
  const namespace = readText(() => readlinkSync('/proc/self/ns/pid'));
  if (namespace === null) return null;
  const boot = readText(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')) ?? 'unknown-boot';
  return `${boot}/${namespace}`;
}

let self: ProcessIdentity | undefined;

/** This process, as it records itself in the locks it takes. */
export function currentProcess(): ProcessIdentity {
  self ??= { pid: process.pid, startTime: processStartTime(process.pid), scope: currentScope(), token: randomUUID() };
  return self;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process that recorded `owner` is known to be gone. False means "alive, or cannot be
 * told from here" (another namespace or machine): such a holder is left to its lock's expiry.
 */
export function ownerGone(owner: ProcessIdentity): boolean {
  const me = currentProcess();
  if (owner.token === me.token) return false;
  if (owner.scope !== null && me.scope !== null && owner.scope !== me.scope) return false;
  if (owner.pid === me.pid) {
    // Our pid with our start time is this process (a worker thread has its own token); with another
    // start time, or none to compare, it is an earlier process that had our pid, so it has ended.
    return owner.startTime === null || me.startTime === null || owner.startTime !== me.startTime;
  }
  if (!Number.isInteger(owner.pid) || owner.pid <= 0 || !pidAlive(owner.pid)) return true;
  if (owner.startTime === null) return false;
  const live = processStartTime(owner.pid);
  // Null here means /proc is unreadable for that pid (or it just exited): trust the liveness check.
  return live !== null && live !== owner.startTime;
}
