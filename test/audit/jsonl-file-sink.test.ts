import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChain } from '../../src/audit/chain-verifier.js';
import type { Entry } from '../../src/audit/hash-chain.js';
import { JsonlFileSink, type SinkFs } from '../../src/audit/jsonl-file-sink.js';
import type { SinkEntry } from '../../src/audit/audit-sink.js';
import { toEntryRecord } from '../../src/audit/stored-entry.js';
import { buildChain, copy, serialize } from './chain-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'coffer-jsonl-sink-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `case-${++dirs}`);

const chain = buildChain(52);
const { publicKey } = chain;
const expected = copy(chain.entries);
/** What the audit thread hands a sink: each record as its canonical JSON. */
const entries = chain.entries.map(toEntryRecord);

/** The entries in batches of the given sizes, in order. */
function batches(sizes: number[]): SinkEntry[][] {
  let at = 0;
  return sizes.map((size) => entries.slice(at, (at += size)));
}

async function writeAll(sink: JsonlFileSink, parts: SinkEntry[][]): Promise<void> {
  for (const part of parts) await sink.write(part);
}

/** A sink's whole life: write the parts, then close. */
async function writeAndClose(sink: JsonlFileSink, parts: SinkEntry[][]): Promise<void> {
  await writeAll(sink, parts);
  await sink.close();
}

const readEntries = (path: string): Entry[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Entry);

test('each entry is one JSON line, in order, in a 0600 file in a directory created for it', async () => {
  const path = join(freshDir(), 'nested', 'audit.jsonl');
  const sink = new JsonlFileSink(path);
  assert.equal(sink.name, `file:${path}`);
  await writeAndClose(sink, batches([1, 7, 20, 24]));

  const text = readFileSync(path, 'utf8');
  assert.ok(text.endsWith('\n'));
  assert.match(text.split('\n')[0], /^\{"sequence":1,"previousHash":"[0-9a-f]{64}","hash":"[0-9a-f]{64}","record":\{/);
  assert.deepEqual(readEntries(path), expected);
  assert.deepEqual(verifyChain(readEntries(path), [], publicKey), { ok: true, count: 52, head: { sequence: 52, hash: entries[51].hash } });
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test('a batch is one write and one fdatasync; an empty batch only opens the file', async () => {
  const calls: string[] = [];
  const watched: SinkFs = {
    ...fsp,
    open: async (...args: Parameters<typeof fsp.open>) => {
      const handle = await fsp.open(...args);
      const { write, datasync } = handle;
      handle.write = ((...a: Parameters<typeof write>) => (calls.push('write'), write.apply(handle, a))) as typeof write;
      handle.datasync = () => (calls.push('datasync'), datasync.call(handle));
      return handle;
    },
  };
  const path = join(freshDir(), 'audit.jsonl');
  const sink = new JsonlFileSink(path, { fs: watched });
  await sink.write([]);
  assert.deepEqual(calls, []);
  assert.equal(statSync(path).size, 0, 'the probe creates the file');

  await writeAll(sink, batches([7, 30]));
  assert.deepEqual(calls, ['write', 'datasync', 'write', 'datasync']);
  // Concurrent writes are serialized in call order.
  await Promise.all(batches([37, 5, 10]).slice(1).map((part) => sink.write(part)));
  await sink.close();
  assert.deepEqual(readEntries(path), expected);
});

test('rotation names each file by the sequences it holds and loses nothing', async () => {
  const dir = freshDir();
  const path = join(dir, 'audit.jsonl');
  const lineBytes = Math.max(...serialize(chain.entries).map((l) => Buffer.byteLength(l) + 1));
  const maxBytes = lineBytes * 10;
  const sink = new JsonlFileSink(path, { maxBytes });
  await writeAndClose(sink, batches([3, 4, 7, 1, 9, 9, 2, 8, 6, 3]));

  const rotated = readdirSync(dir)
    .filter((name) => name !== 'audit.jsonl')
    .map((name) => {
      const [first, last] = name.slice('audit.jsonl.'.length).split('-').map(Number);
      return { name, first, last };
    })
    .sort((a, b) => a.first - b.first);
  assert.ok(rotated.length >= 4, `only ${rotated.length} rotations`);
  const all: Entry[] = [];
  for (const { name, first, last } of rotated) {
    const held = readEntries(join(dir, name));
    assert.deepEqual([held[0].sequence, held.at(-1)!.sequence], [first, last], name);
    assert.ok(statSync(join(dir, name)).size <= maxBytes, `${name} is over the limit`);
    all.push(...held);
  }
  all.push(...readEntries(path));
  assert.deepEqual(all, expected);
});

test('a reopened file is continued: its earlier entries count in the rotated name', async () => {
  const dir = freshDir();
  const path = join(dir, 'audit.jsonl');
  await writeAndClose(new JsonlFileSink(path), batches([5]));
  const size = statSync(path).size;

  const sink = new JsonlFileSink(path, { maxBytes: size + 1 });
  await writeAndClose(sink, batches([5, 3]).slice(1));
  assert.deepEqual(readEntries(join(dir, 'audit.jsonl.1-5')), expected.slice(0, 5));
  assert.deepEqual(readEntries(path), expected.slice(5, 8));
});

test('a rotation never replaces an existing file of the same name', async () => {
  const dir = freshDir();
  const path = join(dir, 'audit.jsonl');
  mkdirSync(dir);
  writeFileSync(`${path}.1-2`, 'kept\n');
  const sink = new JsonlFileSink(path, { maxBytes: 1 });
  await writeAndClose(sink, batches([2, 1]));
  assert.equal(readFileSync(`${path}.1-2`, 'utf8'), 'kept\n');
  assert.deepEqual(readEntries(`${path}.1-2.2`), expected.slice(0, 2));
});

test('a partial last line left by a crash stays on its own line', async () => {
  const path = join(freshDir(), 'audit.jsonl');
  await writeAndClose(new JsonlFileSink(path), batches([2]));
  const torn = serialize(chain.entries.slice(2, 3))[0].slice(0, 40);
  appendFileSync(path, torn);

  const sink = new JsonlFileSink(path);
  await writeAndClose(sink, batches([3, 4]).slice(1));
  const lines = readFileSync(path, 'utf8').split('\n');
  assert.equal(lines[2], torn);
  assert.deepEqual(lines.slice(3, 7).map((line) => JSON.parse(line) as Entry), expected.slice(3, 7));
});

test('a write that cannot be made rejects naming the path and the cause, not the record, and recovers', async () => {
  const dir = freshDir();
  // Both fail for root too: a directory where the file should be, and a file where a directory should be.
  const path = join(dir, 'audit.jsonl');
  mkdirSync(path, { recursive: true });
  writeFileSync(join(dir, 'plain'), '');
  const cases: [string, RegExp][] = [
    [path, /EISDIR/],
    [join(dir, 'plain', 'audit.jsonl'), /ENOTDIR|EEXIST/],
  ];
  // Root ignores permissions, so this case only means something for other users.
  if (process.getuid?.() !== 0) {
    writeFileSync(join(dir, 'locked'), '', { mode: 0o000 });
    cases.push([join(dir, 'locked'), /EACCES/]);
  }
  for (const [target, cause] of cases) {
    const sink = new JsonlFileSink(target);
    const error = await sink.write(entries.slice(0, 1)).then(
      () => assert.fail(`writing to ${target} succeeded`),
      (e: Error) => e,
    );
    assert.ok(error.message.startsWith(`audit file ${target}: `), error.message);
    assert.match(error.message, cause);
    assert.doesNotMatch(error.message, /call-1|alice|secret/);
  }

  // The same sink writes again once the cause is gone.
  const sink = new JsonlFileSink(path);
  await assert.rejects(sink.write(entries.slice(0, 1)), /EISDIR/);
  rmSync(path, { recursive: true });
  await sink.write(entries.slice(0, 1));
  await sink.close();
  assert.deepEqual(readEntries(path), expected.slice(0, 1));
});

test('after close a write rejects', async () => {
  const path = join(freshDir(), 'audit.jsonl');
  const sink = new JsonlFileSink(path);
  await sink.write(entries.slice(0, 1));
  await sink.close();
  await assert.rejects(sink.write(entries.slice(1, 2)), new RegExp(`audit file ${path}: the sink is closed`));
});
