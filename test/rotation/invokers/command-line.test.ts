import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandLineError, splitCommandLine } from '../../../src/rotation/invokers/command-line.js';

const splits: Array<[string, string[]]> = [
  ['python3 run.py a b', ['python3', 'run.py', 'a', 'b']],
  ['  a   b\t c \n', ['a', 'b', 'c']],
  ['', []],
  ['   ', []],
  [`a 'b c' "d e"`, ['a', 'b c', 'd e']],
  [`'' ""`, ['', '']],
  [`a''b "c"d'e'`, ['ab', 'cde']],
  [`'it'\\''s'`, ["it's"]],
  [`"say \\"hi\\""`, ['say "hi"']],
  [`"back\\\\slash"`, ['back\\slash']],
  // In double quotes a backslash before anything else stays, as in sh.
  [`"a\\nb"`, ['a\\nb']],
  [`"\\$HOME"`, ['$HOME']],
  [`a\\ b c\\'d`, ['a b', "c'd"]],
  ['a \\\n b', ['a', 'b']],
  ['"a\\\nb"', ['ab']],
  // Single quotes keep everything literally, what a shell would interpret included.
  [`sh -c 'echo $HOME | tr a-z A-Z; exit 1'`, ['sh', '-c', 'echo $HOME | tr a-z A-Z; exit 1']],
  [`"multi\nline"`, ['multi\nline']],
  ['*.py ~/x #y', ['*.py', '~/x', '#y']],
  [
    `python3 -c "import json,sys; sys.path.insert(0, '/opt/rot'); import lambda_function; lambda_function.lambda_handler(json.load(sys.stdin), None)"`,
    ['python3', '-c', "import json,sys; sys.path.insert(0, '/opt/rot'); import lambda_function; lambda_function.lambda_handler(json.load(sys.stdin), None)"],
  ],
];

test('splits a command line as sh would for simple quoting', () => {
  for (const [line, argv] of splits) assert.deepEqual(splitCommandLine(line), argv, JSON.stringify(line));
});

const refused: Array<[string, RegExp]> = [
  [`'abc`, /unterminated ' quote at position 1/],
  [`a "bc`, /unterminated " quote at position 3/],
  ['abc\\', /lone backslash/],
  ['a | b', /\| at position 3 would need a shell/],
  ['a; b', /;/],
  ['a && b', /&/],
  ['a > out.log', />/],
  ['a < in', /</],
  ['(a)', /\(/],
  ['echo $HOME', /\$/],
  ['echo `id`', /`/],
  ['echo "$HOME"', /\$ at position 7/],
  ['echo "`id`"', /`/],
];

test('refuses unterminated quotes, a lone backslash and what only a shell would understand', () => {
  for (const [line, message] of refused) {
    assert.throws(() => splitCommandLine(line), (err: unknown) => err instanceof CommandLineError && message.test(err.message), line);
  }
});
