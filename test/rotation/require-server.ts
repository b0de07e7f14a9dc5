import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { requiredInCi } from '../support/coffer-server.js';

const probes = new Map<string, Promise<string | undefined>>();

/**
 * Whether a local server is reachable: probed once per process. When it is not, the test is
 * skipped, except under CI=true where its absence fails the test.
 */
export async function requireServer(t: TestContext, label: string, probe: () => Promise<unknown>): Promise<boolean> {
  if (!probes.has(label)) {
    probes.set(
      label,
      probe().then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      ),
    );
  }
  const problem = await probes.get(label);
  if (problem === undefined) return true;
  if (requiredInCi()) assert.fail(`${label} is required when CI=true but unreachable: ${problem}`);
  t.skip(`${label} unreachable: ${problem}`);
  return false;
}
