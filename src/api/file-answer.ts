import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

const SOURCE = Symbol('source');

/**
 * An answer that is a file rather than JSON (a backup): the transport streams it as
 * application/octet-stream. Its enumerable fields are what the audit record keeps of it.
 */
export class FileAnswer {
  private readonly [SOURCE]: { path: string; done: () => void };

  constructor(
    path: string,
    readonly Bytes: number,
    readonly Sha256: string,
    /** Called once the file is sent (or the client went away). */
    done: () => void,
  ) {
    this[SOURCE] = { path, done };
  }

  open(): Readable {
    return createReadStream(this[SOURCE].path);
  }

  done(): void {
    this[SOURCE].done();
  }
}
