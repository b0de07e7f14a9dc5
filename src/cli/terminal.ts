/** What a command may show depends on where its output goes. */

/** Secret material goes to a person's terminal; to a pipe or a file (a log, a CI transcript) only when asked for. */
export function revealAllowed(reveal: boolean | undefined): boolean {
  return reveal === true || process.stdout.isTTY === true;
}

/** Everything on standard input. */
export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
