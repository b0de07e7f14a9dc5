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
 * What is known of the process named by `identity`: `gone` when it ran on
 * this host and this host has restarted since, or its pid no longer runs (or
 * now runs another process); `running` when it runs here; `unknown` for a
 * process of another host (its lease runs out by the database's clock).
 */
export function processState(identity: string): 'gone' | 'running' | 'unknown' {
  const [host, boot, pidText, start] = identity.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return 'unknown';
  const ourBoot = bootId();
  if (boot && ourBoot && boot !== ourBoot) return 'gone';
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the pid runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? 'gone' : 'running';
  }
  const now = startTicks(pid);
  return start && now && start !== now ? 'gone' : 'running';
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
