/**
 * Splits a command line into argv the way sh does for simple quoting, without any shell:
 * words are separated by blanks; '...' keeps everything literally; "..." keeps everything
 * except that \" \\ and \<newline> are escapes; outside quotes a backslash makes the next
 * character literal and \<newline> joins lines. Nothing is expanded, so what a shell would
 * treat specially ($, `, |, &, ;, <, >, parentheses) is refused unquoted rather than passed
 * on with a meaning the user did not intend; a user who wants a shell runs sh -c '...'.
 */

export class CommandLineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandLineError';
  }
}

const BLANKS = new Set([' ', '\t', '\n']);
const SHELL_SPECIAL = new Set(['$', '`', '|', '&', ';', '<', '>', '(', ')']);
/** Inside double quotes sh would still expand these. */
const EXPANDED_IN_DOUBLE_QUOTES = new Set(['$', '`']);
const DOUBLE_QUOTE_ESCAPES = new Set(['"', '\\', '$', '`']);

function refused(char: string, at: number): CommandLineError {
  return new CommandLineError(`${char} at position ${at + 1} would need a shell: put it inside '...' or escape it with \\ (or run sh -c '...')`);
}

export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  // Distinguishes an empty quoted word ('') from no word at all.
  let started = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (BLANKS.has(c)) {
      if (started) words.push(word);
      word = '';
      started = false;
      i += 1;
    } else if (c === '\\') {
      if (i + 1 === line.length) throw new CommandLineError('the command line ends with a lone backslash');
      if (line[i + 1] !== '\n') {
        word += line[i + 1];
        started = true;
      }
      i += 2;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new CommandLineError(`unterminated ' quote at position ${i + 1}`);
      word += line.slice(i + 1, end);
      started = true;
      i = end + 1;
    } else if (c === '"') {
      const [text, next] = doubleQuoted(line, i);
      word += text;
      started = true;
      i = next;
    } else if (SHELL_SPECIAL.has(c)) {
      throw refused(c, i);
    } else {
      word += c;
      started = true;
      i += 1;
    }
  }
  if (started) words.push(word);
  return words;
}

/** The text of the "..." opening at `open`, and the index after its closing quote. */
function doubleQuoted(line: string, open: number): [string, number] {
  let text = '';
  let i = open + 1;
  while (i < line.length) {
    const c = line[i];
    if (c === '"') return [text, i + 1];
    if (EXPANDED_IN_DOUBLE_QUOTES.has(c)) throw refused(c, i);
    if (c === '\\' && line[i + 1] === '\n') {
      i += 2;
    } else if (c === '\\' && DOUBLE_QUOTE_ESCAPES.has(line[i + 1])) {
      text += line[i + 1];
      i += 2;
    } else {
      // Any other backslash stays, as in sh.
      text += c;
      i += 1;
    }
  }
  throw new CommandLineError(`unterminated " quote at position ${open + 1}`);
}
