// Helpers the invoker tests share.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** A word quoted for splitCommandLine (and sh): '...' with each ' written as '\''. */
export function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line of quoted words. */
export function commandLine(...words: string[]): string {
  return words.map(quote).join(' ');
}

/** A temporary directory, removed after the test. */
export function scratchDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-invokers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The message a step that must fail rejects with. */
export async function rejection(step: Promise<void>): Promise<string> {
  const err = await step.then(
    () => assert.fail('the step should have failed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof Error);
  return err.message;
}
