import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * A value as dotenv readers take it back unchanged (the dotenv package, Docker Compose,
 * python-dotenv): in single quotes, read literally, when it holds no single quote or line
 * break; else in double quotes with `\`, `"`, `$` and line breaks escaped.
 */
function quoted(value: string): string {
  if (!/['\n\r]/.test(value)) return `'${value}'`;
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

export function formatDotenv(variables: Map<string, string>): string {
  return [...variables].map(([name, value]) => `${name}=${quoted(value)}\n`).join('');
}

/** Writes the file readable by its owner alone, whole or not at all (a reader never sees half of it). */
export function writePrivateFile(path: string, text: string): void {
  const temporary = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t' };

/** A double-quoted value from `text` (after its opening quote): its value and what follows the closing quote. */
function doubleQuoted(text: string): { value: string; after: string } | undefined {
  let value = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') return { value, after: text.slice(i + 1) };
    if (c === '\\' && i + 1 < text.length) value += ESCAPES[text[++i]!] ?? text[i];
    else value += c;
  }
  return undefined;
}

/**
 * Reads a dotenv file: `NAME=value` lines (an `export ` before is allowed), `#` comment lines,
 * values bare (trimmed, up to a ` #` comment), in single quotes (literal) or in double quotes
 * (escapes `\n`, `\r`, `\t`, and `\` before any other character gives it; may span lines).
 * A line that is none of these is refused, named by its number (never its value).
 */
export function parseDotenv(text: string): Map<string, string> {
  const variables = new Map<string, string>();
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const number = i + 1;
    if (/^\s*(#|$)/.test(lines[i]!)) continue;
    const line = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(lines[i]!);
    if (!line) throw new Error(`line ${number} is not NAME=value`);
    const [, name, rest] = line as unknown as [string, string, string];
    let value: string;
    let after = '';
    if (rest.startsWith("'")) {
      const end = rest.indexOf("'", 1);
      if (end < 0) throw new Error(`line ${number}: the quote is not closed`);
      value = rest.slice(1, end);
      after = rest.slice(end + 1);
    } else if (rest.startsWith('"')) {
      let quoted = rest.slice(1);
      let found = doubleQuoted(quoted);
      while (!found && i + 1 < lines.length) {
        quoted += `\n${lines[++i]}`;
        found = doubleQuoted(quoted);
      }
      if (!found) throw new Error(`line ${number}: the quote is not closed`);
      ({ value, after } = found);
    } else {
      value = rest.replace(/(^|\s+)#.*$/, '').trim();
    }
    if (!/^\s*(#.*)?$/.test(after)) throw new Error(`line ${number}: text after the closing quote`);
    variables.set(name, value);
  }
  return variables;
}
