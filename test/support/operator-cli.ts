/** `coffer operator ...` against a test server, with its administrator profile as the AWS CLI would use it. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BIN, type TestServer } from './coffer-server.js';
import { cleanEnv, describeRun, run } from './child-process.js';

export async function operator(server: TestServer, args: string[], extraEnv: Record<string, string> = {}) {
  const env = cleanEnv({
    AWS_ENDPOINT_URL: server.url,
    AWS_SHARED_CREDENTIALS_FILE: join(server.dataDir, 'credentials'),
    AWS_PROFILE: 'coffer',
    ...extraEnv,
  });
  const result = await run(process.execPath, [BIN, 'operator', ...args], env);
  return { ...result, ok: result.code === 0, describe: () => describeRun(`coffer operator ${args.join(' ')}`, result) };
}

export async function operatorOk(server: TestServer, args: string[], extraEnv?: Record<string, string>): Promise<string> {
  const result = await operator(server, args, extraEnv);
  assert.ok(result.ok, result.describe());
  return result.stdout;
}
