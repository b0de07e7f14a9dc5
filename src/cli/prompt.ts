import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** Asks for a secret on the terminal without echoing it. */
export async function promptSecret(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new Error(`${question.trim()} is needed, and standard input is not a terminal to ask on`);
  process.stderr.write(question);
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  muted = true;
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

/** Asks a question on the terminal; an empty answer is `fallback`. */
export async function promptLine(question: string, fallback = ''): Promise<string> {
  if (!process.stdin.isTTY) throw new Error(`${question.trim()} is needed, and standard input is not a terminal to ask on`);
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(fallback ? `${question} [${fallback}]: ` : `${question}: `, resolve));
    return answer.trim() || fallback;
  } finally {
    rl.close();
  }
}
