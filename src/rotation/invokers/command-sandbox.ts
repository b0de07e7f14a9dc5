import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';

/** How a command function is started: the program to exec, as whom, and in which directory. */
export interface SandboxedCommand {
  file: string;
  args: string[];
  uid?: number;
  gid?: number;
  /** Where the sandbox program starts (the function's own directory is set inside). */
  cwd: string;
  /** Variables the sandbox sets over the function's own (HOME). */
  env: Record<string, string>;
}

/** Wraps a command function's program and arguments so that it runs contained. */
export type CommandSandbox = (file: string, args: string[]) => SandboxedCommand;

export interface SandboxOptions {
  /** The OS user command functions run as: a name or a numeric id. */
  user: string;
  /** Running them as the server's own user must be asked for: it then shares the server's file permissions. */
  allowServerUser: boolean;
  /** Files and directories of the server (data dir, TLS key, logs) that must not be visible, even to a user that could read them. */
  hidden: string[];
  /** The sandbox program (bubblewrap). */
  bwrap?: string;
}

/** Where the function runs: an empty directory of its own, fresh for every step. */
const WORK_DIR = '/tmp';

export class SandboxError extends Error {}

/**
 * Command functions run under bubblewrap as an unprivileged user of their own: a new
 * mount, PID, IPC and UTS namespace (the network is shared, to reach Coffer and the
 * database being rotated) in which the host's files are read-only, /tmp is an empty
 * tmpfs and the working directory, /proc shows only the sandbox's processes, and the
 * server's data dir, TLS key and logs are covered. The server's own user is refused
 * unless allowed, since it owns those files.
 */
export function bubblewrapSandbox(options: SandboxOptions): CommandSandbox {
  let identity: { uid: number; gid: number } | undefined;
  return (file, args) => {
    identity ??= resolveUser(options.user);
    const { uid, gid } = identity;
    const serverUid = process.getuid?.();
    if (uid === serverUid && !options.allowServerUser) {
      throw new SandboxError(
        `command functions would run as the server's own user (${options.user}, uid ${uid}), which can read the server's files: give --rotation-user another user, or --allow-rotation-as-server-user to accept this`,
      );
    }
    if (serverUid !== 0 && uid !== serverUid) {
      throw new SandboxError(`the server runs as uid ${serverUid} and cannot start command functions as ${options.user} (uid ${uid}): run it as root, or see --rotation-user`);
    }
    const covers = options.hidden.filter((path) => !path.startsWith(`${WORK_DIR}/`) && reachable(path, uid, gid)).flatMap(cover);
    const bwrapArgs = [
      '--unshare-all', '--share-net', '--die-with-parent', '--new-session',
      '--ro-bind', '/', '/',
      '--dev', '/dev',
      '--proc', '/proc',
      ...covers,
      '--tmpfs', WORK_DIR,
      '--chdir', WORK_DIR,
      '--', file, ...args,
    ];
    return { file: options.bwrap ?? 'bwrap', args: bwrapArgs, cwd: '/', ...(uid === serverUid ? {} : { uid, gid }), env: { HOME: WORK_DIR } };
  };
}

/** The numeric user and its primary group, as `id` finds them (passwd, NSS). */
function resolveUser(user: string): { uid: number; gid: number } {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new SandboxError(`the rotation user ${user} does not exist (--rotation-user)`);
  }
}

/** A directory becomes an empty tmpfs, a file an empty one. */
function cover(path: string): string[] {
  const isDirectory = statSync(path, { throwIfNoEntry: false })?.isDirectory();
  if (isDirectory === undefined) return [];
  return isDirectory ? ['--tmpfs', path] : ['--ro-bind', '/dev/null', path];
}

/**
 * Whether `uid` can reach `path` through its parent directories: bubblewrap, running as
 * that user, can cover only what it can reach; what it cannot reach the function cannot either.
 */
function reachable(path: string, uid: number, gid: number): boolean {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const stat = statSync(dir, { throwIfNoEntry: false });
    if (!stat) return false;
    const bits = stat.uid === uid ? 0o100 : stat.gid === gid ? 0o010 : 0o001;
    if ((stat.mode & bits) === 0) return false;
    if (dir === '/') return true;
  }
}
