import type { Connection } from '../../client/signed-json-request.js';
import { formatDotenv, writePrivateFile } from '../dotenv.js';
import { EXIT } from './child-process.js';
import { secretVariables, type SecretSpec } from './secret-env.js';

/** What one run needs to fetch and place its secrets. */
export interface RunPlan {
  specs: SecretSpec[];
  prefix: string;
  envFile?: string;
  connection(): Promise<Connection>;
}

/** The variables the plan's secrets make now, read in one BatchGetSecretValue (per twenty). */
export async function readVariables(plan: RunPlan): Promise<Map<string, string>> {
  if (plan.specs.length === 0) return new Map();
  const { batchGetSecrets } = await import('./batch-get.js');
  const secrets = await batchGetSecrets(await plan.connection(), plan.specs.map((s) => s.secretId));
  return secretVariables(plan.specs, secrets, plan.prefix);
}

/** The child's environment: ours with the secrets' variables, or ours alone when they go to a file instead. */
export function childEnvironment(plan: RunPlan, variables: Map<string, string>): NodeJS.ProcessEnv {
  if (plan.envFile !== undefined) {
    writePrivateFile(plan.envFile, formatDotenv(variables));
    return process.env;
  }
  return { ...process.env, ...Object.fromEntries(variables) };
}

export function failed(message: string, status: number = EXIT.failed): never {
  console.error(`coffer run: ${message}`);
  process.exit(status);
}
