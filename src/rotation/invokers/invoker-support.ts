import type { RotationStep } from '../rotation-function.js';

/** What a failed step rejects with; the step comes first so a log line says where the rotation stopped. */
export function stepFailure(step: RotationStep, detail: string): Error {
  return new Error(`rotation step ${step} failed: ${detail}`);
}

/**
 * Text written by the function (a response body, stderr) made safe to put in a log or
 * an error: control characters, terminal escapes included, become spaces.
 */
export function printable(text: string, keepNewlines = false): string {
  return text.replace(keepNewlines ? /[\u0000-\u0009\u000b-\u001f\u007f]/g : /[\u0000-\u001f\u007f]/g, ' ');
}

/** setTimeout fires at once for delays it cannot hold, so an out-of-range timeout is a configuration error. */
export function checkTimeout(timeoutMs: number): void {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > 2 ** 31 - 1) {
    throw new RangeError(`rotation function timeout must be between 1 and ${2 ** 31 - 1} ms, got ${timeoutMs}`);
  }
}
