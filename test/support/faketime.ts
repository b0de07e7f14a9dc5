import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Debian's libfaketime, wherever the architecture puts it; undefined when not installed. */
export function libfaketime(): string | undefined {
  for (const dir of readdirSync('/usr/lib', { withFileTypes: true })) {
    const path = join('/usr/lib', dir.name, 'faketime/libfaketime.so.1');
    if (dir.isDirectory() && existsSync(path)) return path;
  }
  return undefined;
}

/**
 * The environment that runs a process under libfaketime with its wall-clock
 * offset read from `offsetFile` (e.g. "+0", "+8d", "-1d"), looked at again every
 * second, so that a test moves the clock of a running server. The monotonic
 * clock is left alone, as a real wall-clock step leaves it.
 */
export function faketimeEnv(library: string, offsetFile: string, offset = '+0'): Record<string, string> {
  writeFileSync(offsetFile, `${offset}\n`);
  return {
    LD_PRELOAD: library,
    FAKETIME_TIMESTAMP_FILE: offsetFile,
    FAKETIME_CACHE_DURATION: '1',
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
}

/** Moves the faked wall clock: the process sees it within a second or so. */
export function setFakeOffset(offsetFile: string, offset: string): void {
  writeFileSync(offsetFile, `${offset}\n`);
}
