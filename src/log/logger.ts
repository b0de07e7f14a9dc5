import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger } from 'pino';
import { fileError } from '../errors/file-error.js';
import { repeatLimiter } from './repeat-limiter.js';

const BUFFER_BYTES = 8 * 1024;
const FLUSH_EVERY_MS = 250;

/**
 * Structured JSON logs. Lines are gathered into 8 KiB writes (and flushed at
 * least every 250 ms, and on shutdown): a write per request line would cost
 * more than the request itself.
 */
export function createLogger(level: string, file?: string, clock?: () => number): Logger {
  // Opened here first: the destination opens it asynchronously, and a failure there is a crash with a stack trace.
  if (file) {
    try {
      mkdirSync(dirname(file), { recursive: true });
      closeSync(openSync(file, 'a'));
    } catch (error) {
      throw fileError(error, file, 'open the log file');
    }
  }
  const destination = pino.destination({ dest: file ?? 1, sync: false, minLength: BUFFER_BYTES, mkdir: true });
  // Flushed only when something was written since: an idle server does not wake to flush nothing.
  let written = false;
  const write = destination.write.bind(destination);
  destination.write = (line: string) => {
    written = true;
    return write(line);
  };
  setInterval(() => {
    if (!written) return;
    written = false;
    destination.flush();
  }, FLUSH_EVERY_MS).unref();
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, hooks: { logMethod: repeatLimiter(clock) } }, destination);
}
