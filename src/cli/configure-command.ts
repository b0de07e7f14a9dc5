import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { COFFER_PROFILE, readIni, readProfile, sharedFiles, writeProfile } from './aws-profile.js';
import { failsInOneLine, QueryClient } from './coffer-client.js';
import { promptLine, promptSecret } from './prompt.js';
import { ENDPOINT_FILE } from './server-lifecycle.js';

/** Where `coffer server` listens unless told otherwise. */
const DEFAULT_ENDPOINT = 'http://127.0.0.1:4566';

interface ConfigureOptions {
  profile: string;
  dataDir?: string;
  endpointUrl?: string;
  region?: string;
  caBundle?: string;
}

/**
 * `coffer configure` (or `coffer login`): writes a profile as `aws configure` does, with the
 * server's endpoint next to the key pair, so that later commands (coffer's, the AWS CLI's,
 * an SDK's) find both from any directory with no environment variables.
 */
export function registerConfigureCommand(program: Command): void {
  program
    .command('configure')
    .alias('login')
    .description('write a profile (endpoint, region, key pair) to the AWS shared files, used by the other commands and the AWS CLI')
    .option('--profile <name>', 'the profile to write', COFFER_PROFILE)
    .option('--data-dir <dir>', "take the administrator's key pair from this server data directory's credentials file")
    .option('--endpoint-url <url>', `the server (default: where the --data-dir server noted it listens, else asked on a terminal, else ${DEFAULT_ENDPOINT})`)
    .option('--region <region>', 'the region to sign for (default: the data directory\'s, else us-east-1)')
    .option('--ca-bundle <file>', 'PEM file of the CA that signed the server\'s certificate (a server with its own TLS certificate)')
    .action(failsInOneLine(configure));
}

async function configure(o: ConfigureOptions): Promise<void> {
  const files = sharedFiles();
  const current = readProfile(o.profile, files);
  const fromDir = o.dataDir ? dataDirKeys(o.dataDir) : undefined;
  const ask = process.stdin.isTTY === true;
  if (!fromDir && !ask) throw new Error("give the server's data directory with --data-dir DIR, or run on a terminal to type the key pair");
  const suggested = (o.dataDir ? noted(o.dataDir) : undefined) ?? current.endpointUrl ?? DEFAULT_ENDPOINT;
  const endpointUrl = o.endpointUrl ?? (ask && !o.dataDir ? await promptLine('Coffer server URL', suggested) : suggested);
  try {
    new URL(endpointUrl);
  } catch {
    throw new Error(`'${endpointUrl}' is not a URL (like ${DEFAULT_ENDPOINT})`);
  }
  const accessKeyId = fromDir?.accessKeyId ?? (await promptLine('Access key ID', current.accessKeyId));
  const secretAccessKey = fromDir?.secretAccessKey ?? ((await promptSecret('Secret access key (not shown; Enter keeps the current one): ')) || current.secretAccessKey);
  if (!accessKeyId || !secretAccessKey) throw new Error('an access key ID and its secret access key are both needed');
  const region = o.region ?? fromDir?.region ?? current.region ?? 'us-east-1';
  const caBundle = o.caBundle ? resolve(o.caBundle) : undefined;
  writeProfile(files, o.profile, { region, endpointUrl, caBundle, accessKeyId, secretAccessKey });
  console.log(`profile "${o.profile}" written: server ${endpointUrl} and region ${region} in ${files.config}, key ${accessKeyId} in ${files.credentials}`);
  if (o.profile !== COFFER_PROFILE) console.log(`use it with --profile ${o.profile} (or AWS_PROFILE=${o.profile})`);
  try {
    const identity = await new QueryClient('sts', { profile: o.profile, endpointUrl, region }).call('GetCallerIdentity');
    console.log(`checked: the server knows this key (${identity.Arn})`);
  } catch (error) {
    console.error(`coffer: the profile is written, but checking it with the server failed: ${(error as Error).message}`);
  }
}

/** Where the server of a data directory said it listens (an address of every interface reached on loopback). */
function noted(dataDir: string): string | undefined {
  const path = join(dataDir, ENDPOINT_FILE);
  if (!existsSync(path)) return undefined;
  return readFileSync(path, 'utf8').trim().replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:') || undefined;
}

/** The administrator's key pair a server wrote into its data directory at first start. */
function dataDirKeys(dataDir: string): { accessKeyId: string; secretAccessKey: string; region?: string } {
  const path = join(dataDir, 'credentials');
  if (!existsSync(path)) {
    throw new Error(
      `${path} does not exist: give the data directory of a server that has started once (--data-dir of coffer server; a shamir server writes it once initialized and unsealed)`,
    );
  }
  const section = readIni(path).get(COFFER_PROFILE);
  const accessKeyId = section?.get('aws_access_key_id');
  const secretAccessKey = section?.get('aws_secret_access_key');
  if (!accessKeyId || !secretAccessKey) throw new Error(`${path} holds no key pair under [${COFFER_PROFILE}]`);
  return { accessKeyId, secretAccessKey, region: section?.get('region') };
}
