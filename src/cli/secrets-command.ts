import { InvalidArgumentError, type Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { apiCommandGroup, CofferClient, failsInOneLine, type ClientOptions } from './coffer-client.js';
import { outputOption, printFields, printJson, printTable, when, type OutputFormat } from './output.js';
import { promptSecret } from './prompt.js';
import { readStdin, revealAllowed } from './terminal.js';

type GroupOptions = ClientOptions & { output: OutputFormat };
type Answer = Record<string, unknown>;

interface ValueOptions {
  value?: string;
  valueFile?: string;
  binary?: boolean;
}

/** `coffer secrets ...`: Secrets Manager for people; values are shown only by `get`, and only to a terminal unless --reveal. */
export function registerSecretsCommand(program: Command): void {
  const group = outputOption(apiCommandGroup(program, 'secrets', 'list, read, write, rotate and delete secrets'));
  const opts = () => group.opts<GroupOptions>();
  // As the AWS SDKs do, each write carries a fresh ClientRequestToken (its idempotency token).
  const call = (operation: string, input: object) => new CofferClient('secretsmanager', opts(), 'secretsmanager').call(operation, input);
  const json = () => opts().output === 'json';
  /** Every item of a list answer, page after page (NextToken). */
  const allPages = async (operation: string, field: string, input: object): Promise<Answer[]> => {
    const items: Answer[] = [];
    let token: string | undefined;
    do {
      const page = await call(operation, { ...input, NextToken: token });
      items.push(...((page[field] as Answer[] | undefined) ?? []));
      token = page.NextToken as string | undefined;
    } while (token);
    return items;
  };

  group
    .command('list')
    .description('list the secrets (names, descriptions, rotation; never values)')
    .option('--filter <text>', 'only secrets whose name, description, tag or other field contains this')
    .option('--include-deleted', 'also the secrets scheduled for deletion')
    .action(
      failsInOneLine(async (o: { filter?: string; includeDeleted?: boolean }) => {
        const secrets = await allPages('ListSecrets', 'SecretList', {
          MaxResults: 100,
          ...(o.filter ? { Filters: [{ Key: 'all', Values: [o.filter] }] } : {}),
          ...(o.includeDeleted ? { IncludePlannedDeletion: true } : {}),
        });
        if (json()) return printJson(secrets);
        printTable(
          secrets.map((s) => ({ ...s, changed: when(s.LastChangedDate ?? s.CreatedDate), rotation: rotationOf(s), deleted: s.DeletedDate ? `deleted ${when(s.DeletedDate)}` : '' })),
          [['name', 'Name'], ['last changed', 'changed'], ['rotation', 'rotation'], ['description', 'Description'], ...(o.includeDeleted ? ([['deletion', 'deleted']] as [string, string][]) : [])],
          'no secrets',
        );
      }),
    );

  group
    .command('get <name>')
    .description('print a secret\'s value (to a terminal; anywhere else only with --reveal)')
    .option('--stage <label>', 'the version with this staging label', 'AWSCURRENT')
    .option('--version-id <id>', 'this version instead of a label')
    .option('--field <key>', 'of a JSON value, only this field')
    .option('--reveal', 'print the value even though standard output is not a terminal (a pipe, a file)')
    .action(
      failsInOneLine(async (name: string, o: { stage: string; versionId?: string; field?: string; reveal?: boolean }) => {
        if (!revealAllowed(o.reveal)) {
          throw new Error('standard output is not a terminal (a pipe or a file), so the value is not printed: add --reveal to print it there anyway');
        }
        const out = await call('GetSecretValue', { SecretId: name, ...(o.versionId ? { VersionId: o.versionId } : { VersionStage: o.stage }) });
        if (json()) return printJson(out);
        if (out.SecretBinary !== undefined && o.field === undefined) {
          process.stdout.write(Buffer.from(String(out.SecretBinary), 'base64'));
          return;
        }
        const text = String(out.SecretString ?? '');
        console.log(o.field === undefined ? text : fieldOf(text, o.field, name));
      }),
    );

  valueOptions(
    group
      .command('create <name>')
      .description('create a secret, with a first value if one is given')
      .option('--description <text>', 'what the secret is for')
      .option('--kms-key <key>', 'the KMS key (id, ARN or alias) that protects it; default: aws/secretsmanager')
      .option('--tag <key=value>', 'a tag (repeatable)', tags, {} as Record<string, string>),
  ).action(
    failsInOneLine(async (name: string, o: ValueOptions & { description?: string; kmsKey?: string; tag: Record<string, string> }) => {
      const value = o.value !== undefined || o.valueFile !== undefined ? await valueFrom(o) : {};
      const out = await call('CreateSecret', {
        Name: name,
        ClientRequestToken: randomUUID(),
        Description: o.description,
        KmsKeyId: o.kmsKey,
        ...value,
        ...(Object.keys(o.tag).length ? { Tags: Object.entries(o.tag).map(([Key, Value]) => ({ Key, Value })) } : {}),
      });
      if (json()) return printJson(out);
      console.log(`created ${out.Name}${out.VersionId ? ` (version ${out.VersionId}, AWSCURRENT)` : ' with no value yet'}\n${out.ARN}`);
    }),
  );

  valueOptions(
    group
      .command('put <name>')
      .description('store a new value; it becomes AWSCURRENT (value from --value, --value-file, standard input, or asked for on a terminal)')
      .option('--stage <label>', 'give the new version this label instead of AWSCURRENT (repeatable)', (label: string, previous: string[]) => [...previous, label], [] as string[]),
  ).action(
    failsInOneLine(async (name: string, o: ValueOptions & { stage: string[] }) => {
      const out = await call('PutSecretValue', { SecretId: name, ClientRequestToken: randomUUID(), ...(await valueFrom(o, true)), ...(o.stage.length ? { VersionStages: o.stage } : {}) });
      if (json()) return printJson(out);
      console.log(`stored version ${out.VersionId} of ${out.Name} (${((out.VersionStages as string[] | undefined) ?? []).join(', ')})`);
    }),
  );

  group
    .command('describe <name>')
    .description('show a secret: its ARN, key, rotation, dates, tags and versions (never its value)')
    .action(
      failsInOneLine(async (name: string) => {
        const s = await call('DescribeSecret', { SecretId: name });
        if (json()) return printJson(s);
        const stages = Object.entries((s.VersionIdsToStages as Record<string, string[]> | undefined) ?? {}).map(([id, labels]) => `${id} (${labels.join(', ')})`);
        printFields([
          ['Name', s.Name],
          ['ARN', s.ARN],
          ['Description', s.Description],
          ['KMS key', s.KmsKeyId ?? 'aws/secretsmanager'],
          ['Created', when(s.CreatedDate)],
          ['Last changed', when(s.LastChangedDate)],
          ['Last accessed', when(s.LastAccessedDate)],
          ['Rotation', rotationOf(s)],
          ['Rotation function', s.RotationLambdaARN],
          ['Last rotated', when(s.LastRotatedDate)],
          ['Next rotation', when(s.NextRotationDate)],
          ['Deleted on', when(s.DeletedDate)],
          ['Tags', ((s.Tags as { Key: string; Value: string }[] | undefined) ?? []).map((t) => `${t.Key}=${t.Value}`)],
          ['Versions', stages],
        ]);
      }),
    );

  group
    .command('versions <name>')
    .description("list a secret's versions with their staging labels")
    .option('--include-deprecated', 'also versions without a label')
    .action(
      failsInOneLine(async (name: string, o: { includeDeprecated?: boolean }) => {
        const versions = await allPages('ListSecretVersionIds', 'Versions', { SecretId: name, ...(o.includeDeprecated ? { IncludeDeprecated: true } : {}) });
        if (json()) return printJson(versions);
        printTable(
          versions.map((v) => ({ ...v, created: when(v.CreatedDate), accessed: when(v.LastAccessedDate) })),
          [['version id', 'VersionId'], ['stages', 'VersionStages'], ['created', 'created'], ['last accessed', 'accessed']],
          'no versions',
        );
      }),
    );

  group
    .command('delete <name>')
    .description('schedule a secret for deletion (restorable until then), or delete it at once with --force')
    .option('--recovery-days <days>', 'days before it is purged, 7 to 30', wholeNumber, 30)
    .option('--force', 'delete it now, for good')
    .action(
      failsInOneLine(async (name: string, o: { recoveryDays: number; force?: boolean }) => {
        const out = await call('DeleteSecret', { SecretId: name, ...(o.force ? { ForceDeleteWithoutRecovery: true } : { RecoveryWindowInDays: o.recoveryDays }) });
        if (json()) return printJson(out);
        console.log(
          o.force
            ? `deleted ${out.Name}, for good`
            : `${out.Name} will be deleted on ${when(out.DeletionDate)}; until then \`coffer secrets restore ${out.Name}\` brings it back`,
        );
      }),
    );

  group
    .command('restore <name>')
    .description('cancel the scheduled deletion of a secret')
    .action(
      failsInOneLine(async (name: string) => {
        const out = await call('RestoreSecret', { SecretId: name });
        if (json()) return printJson(out);
        console.log(`restored ${out.Name}`);
      }),
    );

  group
    .command('rotate <name>')
    .description('rotate a secret now with its rotation function, and set its schedule')
    .option('--function <name-or-arn>', 'the rotation function (see coffer rotation-functions); default: the one the secret has')
    .option('--every <days>', 'rotate automatically every this many days', wholeNumber)
    .option('--schedule <expression>', 'rotate on a schedule: rate(N days|hours) or cron(...)')
    .option('--window <duration>', 'how long the rotation window is, e.g. 3h')
    .option('--no-now', 'only set the schedule (the function checks its setup) instead of rotating now')
    .action(
      failsInOneLine(async (name: string, o: { function?: string; every?: number; schedule?: string; window?: string; now: boolean }) => {
        const rules = o.every !== undefined || o.schedule !== undefined || o.window !== undefined
          ? { AutomaticallyAfterDays: o.every, ScheduleExpression: o.schedule, Duration: o.window }
          : undefined;
        const functionArn = o.function === undefined || o.function.startsWith('arn:') ? o.function : functionArnFor(String((await call('DescribeSecret', { SecretId: name })).ARN), o.function);
        const out = await call('RotateSecret', { SecretId: name, ClientRequestToken: randomUUID(), RotationLambdaARN: functionArn, RotationRules: rules, RotateImmediately: o.now });
        if (json()) return printJson(out);
        console.log(o.now ? `rotation of ${out.Name} started: version ${out.VersionId} is AWSPENDING until the function finishes` : `rotation of ${out.Name} is set up`);
      }),
    );
}

/** Where a value comes from: --value, --value-file (- for standard input), else standard input or the terminal. */
function valueOptions(command: Command): Command {
  return command
    .option('--value <string>', 'the value (it shows in the process list and shell history: prefer --value-file or standard input)')
    .option('--value-file <file>', 'read the value from this file (- for standard input)')
    .option('--binary', 'store the bytes as SecretBinary rather than text');
}

async function valueFrom(o: ValueOptions, ask = false): Promise<{ SecretString: string } | { SecretBinary: string }> {
  let bytes: Buffer;
  if (o.value !== undefined) bytes = Buffer.from(o.value);
  else if (o.valueFile !== undefined && o.valueFile !== '-') bytes = readFileSync(o.valueFile);
  else if (o.valueFile === '-' || !process.stdin.isTTY) bytes = await readStdin();
  else if (ask) bytes = Buffer.from(await promptSecret('Secret value: '));
  else throw new Error('give the value with --value, --value-file or on standard input');
  return o.binary ? { SecretBinary: bytes.toString('base64') } : { SecretString: bytes.toString('utf8') };
}

function rotationOf(secret: Answer): string {
  if (!secret.RotationEnabled) return 'off';
  const rules = (secret.RotationRules ?? {}) as { AutomaticallyAfterDays?: number; ScheduleExpression?: string };
  return rules.ScheduleExpression ?? (rules.AutomaticallyAfterDays ? `every ${rules.AutomaticallyAfterDays} days` : 'on');
}

/** The ARN of a rotation function named in the secret's account and region. */
function functionArnFor(secretArn: string, name: string): string {
  const [, partition, , region, account] = secretArn.split(':');
  return `arn:${partition}:lambda:${region}:${account}:function:${name}`;
}

function fieldOf(text: string, field: string, name: string): string {
  let value: unknown;
  try {
    value = (JSON.parse(text) as Record<string, unknown>)[field];
  } catch {
    throw new Error(`the value of ${name} is not JSON, so it has no field ${field}`);
  }
  if (value === undefined) throw new Error(`the value of ${name} has no field ${field}`);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function tags(pair: string, previous: Record<string, string>): Record<string, string> {
  const eq = pair.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError('Give a tag as key=value.');
  return { ...previous, [pair.slice(0, eq)]: pair.slice(eq + 1) };
}

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('Give a whole number.');
  return Number(value);
}
