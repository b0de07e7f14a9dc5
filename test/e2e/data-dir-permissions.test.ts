// A server whose user cannot use a file of its data directory (or its log
// file) stops with a message that names the file and says what to do, never
// a bare "EPERM … chmod", "unable to open database file" or a stack trace.
// Files owned by another user need root to make: the server runs as nobody
// (setpriv), on files root owns.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from '../support/coffer-server.js';
import { cleanEnv, describeRun, requireTool, run } from '../support/child-process.js';
import { copyDataDir, populatedDataDir, removeDataDirs } from '../support/data-dir-faults.js';

const NOBODY = 65534;
let original: string;
const copies: string[] = [];

before(async () => {
  original = (await populatedDataDir(1)).dataDir;
});

after(() => removeDataDirs(original, ...copies));

/** Whether this test can run: as root, with setpriv to become nobody. */
async function canDropPrivileges(t: TestContext): Promise<boolean> {
  if (process.getuid?.() !== 0) {
    t.skip('making files that another user owns needs root');
    return false;
  }
  return requireTool(t, 'setpriv (util-linux)', 'setpriv', ['--version']);
}

/** A copy of the data directory that nobody owns, in a directory anyone may enter, with `rootOwned` (relative paths) left to root. */
function dataDirFor(rootOwned: string[]): string {
  const dir = copyDataDir(original);
  copies.push(dir);
  chmodSync(join(dir, '..'), 0o755);
  for (const path of ['', 'coffer.db', 'audit.db', 'root-key', 'credentials', 'audit-public-key.pem']) chownSync(join(dir, path), NOBODY, NOBODY);
  for (const path of rootOwned) chownSync(join(dir, path), 0, 0);
  // Where the server's log goes, unless a test says otherwise.
  mkdirSync(join(dir, '..', 'logs'));
  chownSync(join(dir, '..', 'logs'), NOBODY, NOBODY);
  return dir;
}

/** Starts the server as nobody; it must exit non-zero with one line naming `path` and what to do. */
async function refusedAsNobody(dataDir: string, path: string, logFile = join(dataDir, '..', 'logs', 'server.log')): Promise<string> {
  const result = await run(
    'setpriv',
    [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, BIN, 'server', '--port', '0', '--data-dir', dataDir, '--log-file', logFile],
    cleanEnv({}),
  );
  const what = describeRun('coffer server as nobody', result);
  assert.notEqual(result.code, 0, what);
  const message = result.stderr.trim();
  assert.ok(message.includes(path), `the message names ${path}: ${what}`);
  assert.match(message, /chown -R nobody/, what);
  assert.doesNotMatch(message, /^\s+at /m, `no stack trace: ${what}`);
  return message;
}

test('a data directory owned by another user: named, with the chown to run (not a bare EPERM chmod)', async (t) => {
  if (!(await canDropPrivileges(t))) return;
  const dir = dataDirFor(['']);
  await refusedAsNobody(dir, dir);
});

const FILES = [
  ['coffer.db', 'not "unable to open database file"'],
  ['audit.db', 'not "unable to open database file"'],
  ['root-key', 'not a bare EPERM chmod'],
];
for (const [file, instead] of FILES) {
  test(`${file} owned by another user: named, with the chown to run (${instead})`, async (t) => {
    if (!(await canDropPrivileges(t))) return;
    const dir = dataDirFor([file!]);
    await refusedAsNobody(dir, join(dir, file!));
  });
}

test('a log file in a directory the user cannot write: named (not a stack trace)', async (t) => {
  if (!(await canDropPrivileges(t))) return;
  const dir = dataDirFor([]);
  const logs = join(dir, '..', 'root-logs');
  mkdirSync(logs, { mode: 0o755 });
  await refusedAsNobody(dir, join(logs, 'server.log'), join(logs, 'server.log'));
});
