import type { Command } from 'commander';
import { apiCommandGroup, CofferClient, failsInOneLine, type ClientOptions } from './coffer-client.js';
import { outputOption, printJson, printTable, when, type OutputFormat } from './output.js';

type Answer = Record<string, unknown>;

/** `coffer keys list`: the KMS keys with their aliases and state. */
export function registerKeysCommand(program: Command): void {
  const group = outputOption(apiCommandGroup(program, 'keys', 'list the KMS keys that protect secrets'));

  group
    .command('list')
    .description('list the KMS keys: id, aliases, state, creation date and description')
    .action(
      failsInOneLine(async () => {
        const opts = group.opts<ClientOptions & { output: OutputFormat }>();
        const kms = new CofferClient('TrentService', opts, 'kms');
        const pages = async (operation: string, field: string): Promise<Answer[]> => {
          const items: Answer[] = [];
          let marker: string | undefined;
          do {
            const page = await kms.call(operation, { Limit: 100, Marker: marker });
            items.push(...((page[field] as Answer[] | undefined) ?? []));
            marker = page.Truncated ? (page.NextMarker as string) : undefined;
          } while (marker);
          return items;
        };
        const [keys, aliases] = await Promise.all([pages('ListKeys', 'Keys'), pages('ListAliases', 'Aliases')]);
        const described = await Promise.all(keys.map(async (key) => (await kms.call('DescribeKey', { KeyId: key.KeyId })).KeyMetadata as Answer));
        const rows: Answer[] = described.map((key) => ({ ...key, Aliases: aliases.filter((alias) => alias.TargetKeyId === key.KeyId).map((alias) => alias.AliasName) }));
        if (opts.output === 'json') return printJson(rows);
        printTable(
          rows.map((key) => ({ ...key, created: when(key.CreationDate), manager: String(key.KeyManager ?? '').toLowerCase() })),
          [['key id', 'KeyId'], ['aliases', 'Aliases'], ['state', 'KeyState'], ['managed by', 'manager'], ['created', 'created'], ['description', 'Description']],
          'no keys yet: Secrets Manager makes aws/secretsmanager when it first needs it',
        );
      }),
    );
}
