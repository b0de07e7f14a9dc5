import type { Command } from 'commander';
import { apiCommandGroup, CofferClient, failsInOneLine, type ClientOptions } from './coffer-client.js';
import { promptSecret } from './prompt.js';

/** `coffer operator ...`: seal status, Shamir init, unseal, seal and root key rotation of a running server. */
export function registerOperatorCommand(program: Command): void {
  const operator = apiCommandGroup(program, 'operator', 'seal, unseal and rotate the root key of a running Coffer server');
  const client = () => new CofferClient('CofferOperator', operator.opts<ClientOptions>());
  const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));
  const action = failsInOneLine;

  operator.command('status').description('show whether the server is sealed').action(action(async () => print(await client().call('GetSealStatus', {}, false))));

  operator
    .command('init')
    .description('make the root key of a server started with --root-key-provider shamir and print its shares, once')
    .requiredOption('--shares <n>', 'how many shares to make')
    .requiredOption('--threshold <k>', 'how many shares unseal the server')
    .action(
      action(async (opts: { shares: string; threshold: string }) => {
        const out = await client().call('Initialize', { Shares: Number(opts.shares), Threshold: Number(opts.threshold) }, false);
        console.error('Keep each share apart: they are shown once and stored nowhere. Any threshold of them unseals the server.');
        for (const share of out.Shares as string[]) console.log(share);
      }),
    );

  operator
    .command('unseal [share]')
    .description(
      'give one unseal share (asked for when not given; the server unseals once the threshold is reached), or for a passphrase server its passphrase (COFFER_ROOT_PASSPHRASE, else asked for)',
    )
    .action(
      action(async (share?: string) => {
        const { provider } = await client().call('GetSealStatus', {}, false);
        // Only shamir and passphrase servers take material; a file or kms server answers why it cannot be unsealed so.
        const input =
          provider === 'passphrase'
            ? { Passphrase: process.env.COFFER_ROOT_PASSPHRASE || (await promptSecret('Root key passphrase: ')) }
            : provider === 'shamir'
              ? { Share: share ?? (await promptSecret('Unseal share: ')) }
              : {};
        print(await client().call('Unseal', input, false));
      }),
    );

  operator.command('seal').description('seal the server, every worker and every server on its database: each forgets its root key until unsealed').action(action(async () => print(await client().call('Seal'))));

  operator
    .command('rotate-root')
    .description('replace the root key, optionally moving to another provider; key material is re-wrapped, no secret re-encrypted')
    .option('--to-provider <kind>', 'file, passphrase, kms or shamir (default: the current one)')
    .option('--kms-key-id <id>', 'kms: the external KMS key')
    .option('--kms-endpoint <url>', 'kms: an AWS-KMS-compatible endpoint')
    .option('--kms-region <region>', 'kms: its region')
    .option('--shares <n>', 'shamir: how many shares to make')
    .option('--threshold <k>', 'shamir: how many shares unseal')
    .action(
      action(async (opts: { toProvider?: string; kmsKeyId?: string; kmsEndpoint?: string; kmsRegion?: string; shares?: string; threshold?: string }) => {
        const passphrase =
          opts.toProvider === 'passphrase' ? (process.env.COFFER_NEW_ROOT_PASSPHRASE ?? (await promptSecret('New root key passphrase: '))) : undefined;
        const out = await client().call('RotateRootKey', {
          Provider: opts.toProvider,
          Passphrase: passphrase,
          KmsKeyId: opts.kmsKeyId,
          KmsEndpoint: opts.kmsEndpoint,
          KmsRegion: opts.kmsRegion,
          Shares: opts.shares === undefined ? undefined : Number(opts.shares),
          Threshold: opts.threshold === undefined ? undefined : Number(opts.threshold),
        });
        print(out);
        if (opts.toProvider) console.error(`Restart the server with --root-key-provider ${opts.toProvider} (and its settings) from now on.`);
      }),
    );
}
