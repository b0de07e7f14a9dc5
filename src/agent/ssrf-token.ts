import { readFileSync } from 'node:fs';

/**
 * The token requests must carry, as AWS's agent finds it: the first of the variables that is
 * set; a value `file://PATH` names a file holding the token (trimmed).
 */
export function readSsrfToken(variables: string[], env: NodeJS.ProcessEnv = process.env): string {
  const name = variables.find((variable) => env[variable] !== undefined);
  if (name === undefined) {
    throw new Error(`no SSRF token: set ${variables.join(', or ')} (a value file://PATH names a file holding it)`);
  }
  const value = env[name]!;
  if (!value.startsWith('file://')) return value;
  const path = value.slice('file://'.length);
  let token: string;
  try {
    token = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new Error(`the SSRF token file ${path} (named by ${name}) cannot be read: ${(error as Error).message}`);
  }
  if (!token) throw new Error(`the SSRF token file ${path} (named by ${name}) is empty`);
  return token;
}
