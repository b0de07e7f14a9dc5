import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AwsSettings } from '../client/aws-settings.js';
import { ApiError, postSignedJson, type Connection } from '../client/signed-json-request.js';
import { apiOptions, failsInOneLine, type ClientOptions } from './api-options.js';
import { parseDotenv } from './dotenv.js';

interface ImportOptions extends ClientOptions {
  from: string;
  prefix: string;
  name?: string;
}

type Outcome = 'created' | 'updated' | 'unchanged' | 'skipped';

const FORMATS: Record<string, 'dotenv' | 'json'> = { '.env': 'dotenv', dotenv: 'dotenv', env: 'dotenv', json: 'json' };

/** The file's entries as secret values: a dotenv file's values, or a JSON object's (strings as they are, anything else as JSON). */
function entriesOf(text: string, format: 'dotenv' | 'json'): Map<string, string> {
  if (format === 'dotenv') return parseDotenv(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`the file is not JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the JSON file must hold an object');
  return new Map(Object.entries(parsed).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
}

const call = (connection: Connection, operation: string, input: object) => postSignedJson(connection, 'secretsmanager', `secretsmanager.${operation}`, input);

/** Creates the secret, or gives it the value as a new version if it holds another. An empty value cannot be stored. */
async function importSecret(connection: Connection, name: string, value: string): Promise<Outcome> {
  if (value === '') return 'skipped';
  try {
    await call(connection, 'CreateSecret', { Name: name, SecretString: value, ClientRequestToken: randomUUID() });
    return 'created';
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'ResourceExistsException') throw error;
  }
  const current = await call(connection, 'GetSecretValue', { SecretId: name }).catch((error: unknown) => {
    // A secret with no value yet, or none labelled AWSCURRENT: it gets this one.
    if (error instanceof ApiError && error.code === 'ResourceNotFoundException') return {} as Record<string, unknown>;
    throw error;
  });
  if (current.SecretString === value) return 'unchanged';
  await call(connection, 'PutSecretValue', { SecretId: name, SecretString: value, ClientRequestToken: randomUUID() });
  return 'updated';
}

/**
 * `coffer import --from .env|json FILE [--prefix app/] [--name NAME]`: creates or updates one
 * secret per entry (named prefix + key), or with `--name` one JSON secret holding them all
 * (which `coffer run --secret NAME` turns back into variables). Says what it did to each
 * secret, never a value.
 */
export function registerImportCommand(program: Command): void {
  apiOptions(
    program
      .command('import')
      .description('create or update secrets from a dotenv or JSON file, one per entry (or one JSON secret with --name)')
      .argument('<file>', 'the file to read')
      .requiredOption('--from <format>', '.env (dotenv) or json')
      .option('--prefix <prefix>', 'put before every secret name (app/ makes app/DB_PASSWORD)', '')
      .option('--name <name>', 'put every entry into this one JSON secret instead'),
  ).action(
    failsInOneLine(async (file: string, opts: ImportOptions) => {
      const format = FORMATS[opts.from.toLowerCase()];
      if (!format) throw new Error(`--from ${opts.from}: give .env or json`);
      let entries: Map<string, string>;
      try {
        entries = entriesOf(readFileSync(file, 'utf8'), format);
      } catch (error) {
        throw new Error(`${file}: ${(error as Error).message}`);
      }
      const secrets = opts.name !== undefined ? new Map([[opts.name, JSON.stringify(Object.fromEntries(entries))]]) : new Map([...entries].map(([key, value]) => [`${opts.prefix}${key}`, value]));
      const connection = await new AwsSettings(opts).connection();
      const counts: Record<Outcome | 'failed', number> = { created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
      for (const [name, value] of secrets) {
        try {
          const outcome = await importSecret(connection, name, value);
          counts[outcome]++;
          console.log(outcome === 'skipped' ? `skipped ${name}: its value is empty, and Secrets Manager stores no empty value` : `${outcome} ${name}`);
        } catch (error) {
          counts.failed++;
          console.log(`failed ${name}: ${error instanceof ApiError ? `${error.code}: ${error.message}` : (error as Error).message}`);
        }
      }
      console.error(`${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.skipped} skipped, ${counts.failed} failed`);
      if (counts.failed > 0) process.exitCode = 1;
    }),
  );
}
