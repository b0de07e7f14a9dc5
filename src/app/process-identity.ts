import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who holds a lease, written so that another process can tell when the holder
 * is gone: `host:boot:pid:start:nonce`. The boot id changes when the machine
 * restarts; the process start time (in clock ticks since boot) tells a reused
 * pid from the holder's. Where /proc is missing, those two are empty and only
 * the pid is checked.
 */
export function processIdentity(): string {
  return [hostname(), bootId(), process.pid, startTicks(process.pid), randomBytes(4).toString('hex')].join(':');
}

/**
 * Whether the process named by `identity` is known to be gone: it ran on this
 * host and this host has restarted since, or its pid no longer runs (or now
 * runs another process). A holder on another host is never judged here: its
 * lease runs out by the database's clock.
 */
export function isGone(identity: string): boolean {
  const [host, boot, pidText, start] = identity.split(':');
  if (host !== hostname() || !pidText) return false;
  const ourBoot = bootId();
  if (boot && ourBoot && boot !== ourBoot) return true;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the pid runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const now = startTicks(pid);
  return Boolean(start && now && start !== now);
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

/** Field 22 of /proc/PID/stat, counted after the command name (which may hold spaces and parentheses). */
function startTicks(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}
