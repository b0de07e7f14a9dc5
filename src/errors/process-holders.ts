import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A process of this machine, as `ps` would name it. */
export interface ProcessHolder {
  pid: number;
  command: string;
}

/**
 * The processes that hold an open file descriptor whose link `matches` (a path, or `socket:[inode]`),
 * found in /proc. Empty where there is no /proc, or where its entries cannot be read (another
 * user's processes): a message then simply names no process.
 */
function holders(matches: (link: string) => boolean): ProcessHolder[] {
  const found: ProcessHolder[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  } catch {
    return [];
  }
  for (const pid of pids) {
    try {
      const fds = readdirSync(`/proc/${pid}/fd`);
      if (!fds.some((fd) => matches(safeReadlink(`/proc/${pid}/fd/${fd}`)))) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      found.push({ pid: Number(pid), command });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

function safeReadlink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

/** The processes that have `path` open. */
export function processesHoldingFile(path: string): ProcessHolder[] {
  return holders((link) => link === path);
}

/** The processes listening on TCP `port` (any address), from /proc/net/tcp and tcp6. */
export function processesListeningOn(port: number): ProcessHolder[] {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; the inode is the tenth field.
      if (fields.length > 9 && fields[3] === '0A' && parseInt(fields[1]!.split(':')[1]!, 16) === port) inodes.add(`socket:[${fields[9]}]`);
    }
  }
  return inodes.size ? holders((link) => inodes.has(link)) : [];
}

/** "pid 123 (node coffer.js server …)", or how to find out where /proc says nothing. */
export function describeHolders(found: ProcessHolder[], fallback: string): string {
  if (!found.length) return fallback;
  return found.map(({ pid, command }) => `pid ${pid}${command ? ` (${command.length > 120 ? `${command.slice(0, 117)}...` : command})` : ''}`).join(', ');
}
