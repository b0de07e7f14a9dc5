import { promises as nodeFs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditSink, SinkEntry } from './audit-sink.js';
import { withTimeout, type TimedSink } from './sink-timeout.js';

/** The file operations the sink uses; replaceable so that a test can watch them. */
export type SinkFs = Pick<typeof nodeFs, 'open' | 'rename' | 'mkdir' | 'stat'>;

export interface JsonlFileSinkOptions {
  /** Rotate before a write would take the file past this size. Default 64 MiB. */
  maxBytes?: number;
  fs?: SinkFs;
}

export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** What the sink knows about the file it appends to. */
interface OpenFile {
  handle: FileHandle;
  size: number;
  first?: number;
  last?: number;
  /** A write cut short (crash, full disk) left a partial line; the next write ends it first. */
  torn: boolean;
}

/**
 * Appends chain entries to a file, one JSON line each with the record as the
 * canonical JSON its hash covers. A write is one append of the whole batch and
 * one fdatasync, so a group commit costs one flush. When a write would take
 * the file past `maxBytes`, the file is renamed to `<path>.<first>-<last>`
 * after the sequences it holds and a fresh one is started; nothing is deleted.
 */
export class JsonlFileSink implements AuditSink {
  readonly name: string;
  private readonly maxBytes: number;
  private readonly fs: SinkFs;
  private file?: OpenFile;
  /** Writes run one at a time, in the order they were asked for. */
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    readonly path: string,
    options: JsonlFileSinkOptions = {},
  ) {
    this.name = `file:${path}`;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.fs = options.fs ?? nodeFs;
  }

  /** An empty batch only opens the file: a cheap check that the sink can write. */
  write(entries: readonly SinkEntry[]): Promise<void> {
    return this.inTurn(() => this.append(entries));
  }

  close(): Promise<void> {
    return this.inTurn(async () => {
      this.closed = true;
      await this.release();
    });
  }

  private inTurn(step: () => Promise<void>): Promise<void> {
    const run = this.tail.then(async () => {
      try {
        await step();
      } catch (error) {
        // The message names the file and the cause; never what was being written.
        throw new Error(`audit file ${this.path}: ${(error as Error).message}`, { cause: error });
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async append(entries: readonly SinkEntry[]): Promise<void> {
    if (this.closed) throw new Error('the sink is closed');
    let file = this.file ?? (await this.open());
    if (!entries.length) return;
    let bytes = serializeEntries(entries, file.torn);
    if (file.size > 0 && file.size + bytes.length > this.maxBytes) {
      file = await this.rotate(file);
      bytes = serializeEntries(entries, false);
    }
    try {
      for (let done = 0; done < bytes.length; ) done += (await file.handle.write(bytes, done)).bytesWritten;
      await file.handle.datasync();
    } catch (error) {
      // The file's end is now unknown: reopen (and end any partial line) on the next write.
      await this.release().catch(() => undefined);
      throw error;
    }
    file.size += bytes.length;
    file.torn = false;
    file.first ??= entries[0].sequence;
    file.last = entries.at(-1)!.sequence;
  }

  /** Opens (creating if need be) the file and learns its size and the sequences already in it. */
  private async open(): Promise<OpenFile> {
    await this.fs.mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    // Read as well as append: reopening an existing file reads its first and last lines.
    const handle = await this.fs.open(this.path, 'a+', 0o600);
    try {
      const { size } = await handle.stat();
      const file: OpenFile = { handle, size, torn: false, ...(size ? await bounds(handle, size) : {}) };
      if (!size) await this.syncDirectory();
      this.file = file;
      return file;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /** Rename, then start a fresh file, then make both directory changes durable: a crash in between loses no entry. */
  private async rotate(file: OpenFile): Promise<OpenFile> {
    const target = await this.unusedName(`${this.path}.${file.first}-${file.last}`);
    await this.release();
    await this.fs.rename(this.path, target);
    return this.open();
  }

  /** The name itself, or with a counter if that is taken: a rotation never replaces a file. */
  private async unusedName(base: string): Promise<string> {
    for (let n = 1; ; n++) {
      const name = n === 1 ? base : `${base}.${n}`;
      if (!(await this.exists(name))) return name;
    }
  }

  private async exists(path: string): Promise<boolean> {
    try {
      await this.fs.stat(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  private async syncDirectory(): Promise<void> {
    const dir = await this.fs.open(dirname(this.path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  private async release(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    await file?.handle.close();
  }
}

/** One line per entry; a leading newline first if the file ends in a partial line. */
function serializeEntries(entries: readonly SinkEntry[], torn: boolean): Buffer {
  return Buffer.from((torn ? '\n' : '') + entries.map(entryLine).join(''), 'utf8');
}

/** An entry as one JSON line (with its newline), the record as the canonical JSON its hash covers: audit files and archive segments. */
export function entryLine(e: SinkEntry): string {
  return `{"sequence":${e.sequence},"previousHash":${JSON.stringify(e.previousHash)},"hash":${JSON.stringify(e.hash)},"record":${e.recordJson}}\n`;
}

/** Every line starts with its sequence, and no raw newline occurs inside a JSON line. */
const LINE_START = /(?:^|\n)\{"sequence":(\d+),/g;
const CHUNK = 64 * 1024;

/**
 * The sequences of the first and last lines of an existing file, reading only
 * its ends, and whether it ends inside a line.
 */
async function bounds(handle: FileHandle, size: number): Promise<Omit<OpenFile, 'handle' | 'size'>> {
  const first = lineStarts(await readAt(handle, 0, Math.min(size, 64)), true)[0];
  if (first === undefined) throw new Error('the file does not start with an audit entry');
  for (let span = Math.min(size, CHUNK); ; span = Math.min(size, span * 2)) {
    const tail = await readAt(handle, size - span, span);
    // A chunk cut mid-file may start mid-line, so there only a newline marks a line start.
    const last = lineStarts(tail, span === size).at(-1);
    if (last !== undefined) return { first, last, torn: tail[tail.length - 1] !== 0x0a };
    if (span === size) throw new Error('the file does not end with an audit entry');
  }
}

function lineStarts(bytes: Buffer, atFileStart: boolean): number[] {
  const text = bytes.toString('latin1');
  return [...text.matchAll(LINE_START)].filter((m) => atFileStart || m[0][0] === '\n').map((m) => Number(m[1]));
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** The JSON Lines files every entry also goes to, each allowed `timeoutMs` to confirm a write. */
export function fileSinks(files: readonly string[], timeoutMs: number): TimedSink[] {
  return files.map((file) => withTimeout(new JsonlFileSink(file), timeoutMs));
}
