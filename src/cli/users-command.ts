import type { Command } from 'commander';
import { apiCommandGroup, failsInOneLine, QueryClient, queryList, type ClientOptions } from './coffer-client.js';
import type { QueryValue } from './query-answer.js';
import { outputOption, printFields, printJson, printTable, when, type OutputFormat } from './output.js';
import { revealAllowed } from './terminal.js';
import { sharedFiles, writeProfile } from './aws-profile.js';
import { ServerConnection } from './server-connection.js';

type GroupOptions = ClientOptions & { output: OutputFormat };
type Item = { [name: string]: QueryValue };

/** The inline policy `coffer users allow` keeps a user's grants in. */
const GRANTS_POLICY = 'coffer-secrets';

/** What reading and writing a secret take, as Secrets Manager's actions. */
const ACTIONS = {
  read: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'],
  write: ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecret', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'],
} as const;

/** `coffer users ...`: IAM users for people: who they are, their access keys, and which secrets they may read or write. */
export function registerUsersCommand(program: Command): void {
  const group = outputOption(apiCommandGroup(program, 'users', 'manage IAM users, their access keys and what they may do'));
  const opts = () => group.opts<GroupOptions>();
  const iam = () => new QueryClient('iam', opts());
  const json = () => opts().output === 'json';
  /** Every item of a paged list. */
  const all = async (action: string, field: string, params: Record<string, string> = {}): Promise<Item[]> => {
    const client = iam();
    const items: Item[] = [];
    let marker: string | undefined;
    do {
      const page = await client.call(action, { ...params, Marker: marker });
      items.push(...queryList(page[field]));
      marker = page.IsTruncated === 'true' ? String(page.Marker) : undefined;
    } while (marker);
    return items;
  };

  group
    .command('list')
    .description('list the IAM users')
    .action(
      failsInOneLine(async () => {
        const users = await all('ListUsers', 'Users');
        if (json()) return printJson(users);
        printTable(users.map((u) => ({ ...u, created: when(u.CreateDate) })), [['name', 'UserName'], ['created', 'created'], ['arn', 'Arn']], 'no users: the account root is not one');
      }),
    );

  group
    .command('show <name>')
    .description('show a user: ARN, groups, policies and access keys (never a secret key)')
    .action(
      failsInOneLine(async (name: string) => {
        const [user, keys, inline, attached, groups] = await Promise.all([
          iam().call('GetUser', { UserName: name }),
          all('ListAccessKeys', 'AccessKeyMetadata', { UserName: name }),
          all('ListUserPolicies', 'PolicyNames', { UserName: name }),
          all('ListAttachedUserPolicies', 'AttachedPolicies', { UserName: name }),
          all('ListGroupsForUser', 'Groups', { UserName: name }),
        ]);
        const u = user.User as Item;
        if (json()) return printJson({ User: u, AccessKeys: keys, InlinePolicies: inline, AttachedPolicies: attached, Groups: groups });
        printFields([
          ['Name', u.UserName],
          ['ARN', u.Arn],
          ['Created', when(u.CreateDate)],
          ['Groups', groups.map((g) => g.GroupName)],
          ['Inline policies', inline],
          ['Attached policies', attached.map((p) => p.PolicyArn)],
          ['Access keys', keys.map((k) => `${k.AccessKeyId} (${String(k.Status).toLowerCase()})`)],
        ]);
      }),
    );

  group
    .command('create <name>')
    .description('create a user, who may do nothing until allowed (see allow)')
    .action(
      failsInOneLine(async (name: string) => {
        const out = await iam().call('CreateUser', { UserName: name });
        if (json()) return printJson(out);
        console.log(`created user ${name}: ${(out.User as Item).Arn}\nIt may do nothing yet: give it secrets with \`coffer users allow ${name} --read NAME\`, and keys with \`coffer users create-key ${name}\`.`);
      }),
    );

  group
    .command('allow <name>')
    .description(`let a user read or write secrets (kept in its inline policy "${GRANTS_POLICY}"; a name ending in * is a prefix)`)
    .option('--read <secret>', 'a secret it may read (repeatable)', collect, [] as string[])
    .option('--write <secret>', 'a secret it may store new values in (repeatable)', collect, [] as string[])
    .action(
      failsInOneLine(async (name: string, o: { read: string[]; write: string[] }) => {
        if (!o.read.length && !o.write.length) throw new Error('say what it may do: --read SECRET and/or --write SECRET');
        const client = iam();
        const scope = await secretArnScope(opts());
        const statements = await currentGrants(client, name);
        for (const [access, names] of [['read', o.read], ['write', o.write]] as const) {
          if (!names.length) continue;
          statements.push({ Sid: `${access}${statements.length}`, Effect: 'Allow', Action: [...ACTIONS[access]], Resource: names.map((secret) => secretArnPattern(scope, secret)) });
        }
        const document = { Version: '2012-10-17', Statement: statements };
        await client.call('PutUserPolicy', { UserName: name, PolicyName: GRANTS_POLICY, PolicyDocument: JSON.stringify(document) });
        if (json()) return printJson(document);
        for (const secret of o.read) console.log(`${name} may read ${secret}`);
        for (const secret of o.write) console.log(`${name} may write ${secret}`);
      }),
    );

  group
    .command('create-key <name>')
    .description("make an access key for a user: save it as a profile (--save-profile), or show it, once (to a terminal, or with --reveal)")
    .option('--save-profile <profile>', 'write the key as this profile, with the same server and region, instead of showing it')
    .option('--reveal', 'show the secret key even though standard output is not a terminal')
    .action(
      failsInOneLine(async (name: string, o: { saveProfile?: string; reveal?: boolean }) => {
        if (!o.saveProfile && !revealAllowed(o.reveal)) {
          throw new Error('standard output is not a terminal, so the secret key would not be seen by a person: use --save-profile NAME, or --reveal');
        }
        const key = (await iam().call('CreateAccessKey', { UserName: name })).AccessKey as Item;
        if (o.saveProfile) {
          const connection = new ServerConnection(opts());
          const files = sharedFiles();
          writeProfile(files, o.saveProfile, {
            region: connection.region,
            endpointUrl: connection.endpoint.origin,
            accessKeyId: String(key.AccessKeyId),
            secretAccessKey: String(key.SecretAccessKey),
          });
          console.log(`access key ${key.AccessKeyId} of ${name} saved as profile "${o.saveProfile}" (${files.credentials}); use it with --profile ${o.saveProfile}`);
          return;
        }
        if (json()) return printJson(key);
        console.log(`AccessKeyId:     ${key.AccessKeyId}\nSecretAccessKey: ${key.SecretAccessKey}\nShown this once: Coffer keeps the secret key only sealed.`);
      }),
    );

  group
    .command('delete <name>')
    .description('delete a user; with --force, first its access keys, policies and group memberships')
    .option('--force', 'remove what the user still has before deleting it')
    .action(
      failsInOneLine(async (name: string, o: { force?: boolean }) => {
        const client = iam();
        if (o.force) {
          for (const key of await all('ListAccessKeys', 'AccessKeyMetadata', { UserName: name })) await client.call('DeleteAccessKey', { UserName: name, AccessKeyId: String(key.AccessKeyId) });
          for (const policy of await all('ListUserPolicies', 'PolicyNames', { UserName: name })) await client.call('DeleteUserPolicy', { UserName: name, PolicyName: String(policy) });
          for (const policy of await all('ListAttachedUserPolicies', 'AttachedPolicies', { UserName: name })) await client.call('DetachUserPolicy', { UserName: name, PolicyArn: String(policy.PolicyArn) });
          for (const g of await all('ListGroupsForUser', 'Groups', { UserName: name })) await client.call('RemoveUserFromGroup', { UserName: name, GroupName: String(g.GroupName) });
        }
        await client.call('DeleteUser', { UserName: name });
        if (!json()) console.log(`deleted user ${name}`);
      }),
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `arn:<partition>:secretsmanager:<region>:<account>:secret:` of the caller's account and the signing region. */
async function secretArnScope(options: ClientOptions): Promise<string> {
  const identity = await new QueryClient('sts', options).call('GetCallerIdentity');
  const partition = String(identity.Arn).split(':')[1];
  return `arn:${partition}:secretsmanager:${new ServerConnection(options).region}:${identity.Account}:secret:`;
}

/** A secret's ARN ends in - and six random characters, so a name matches with `-??????`; a name ending in * is a prefix. */
function secretArnPattern(scope: string, secret: string): string {
  if (secret.startsWith('arn:')) return secret;
  return secret.endsWith('*') ? `${scope}${secret}` : `${scope}${secret}-??????`;
}

/** The statements of the user's grants policy so far (none when it has none). */
async function currentGrants(client: QueryClient, user: string): Promise<object[]> {
  try {
    const policy = await client.call('GetUserPolicy', { UserName: user, PolicyName: GRANTS_POLICY });
    return (JSON.parse(decodeURIComponent(String(policy.PolicyDocument))) as { Statement: object[] }).Statement;
  } catch (error) {
    if ((error as { code?: string }).code === 'NoSuchEntity') return [];
    throw error;
  }
}
