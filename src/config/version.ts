import { readFileSync } from 'node:fs';

/** Coffer's version, from its package.json (two folders above dist/src/cli). */
export function cofferVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
