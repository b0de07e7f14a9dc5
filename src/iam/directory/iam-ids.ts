import { randomBytes } from 'node:crypto';
import type { IamEntityKind } from '../../storage/index.js';

/** Where an IAM call acts: IAM is global, so an account and partition, no region. */
export interface IamScope {
  account: string;
  partition: string;
  now: number;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The prefix of each kind's unique id, as AWS's (AIDA... for users). */
export const ID_PREFIX: Record<IamEntityKind | 'policy', string> = { user: 'AIDA', group: 'AGPA', role: 'AROA', policy: 'ANPA' };

/** A 21-character unique id: the kind's prefix and 17 random base-32 characters. */
export function newIamId(kind: IamEntityKind | 'policy'): string {
  const bytes = randomBytes(17);
  let id = ID_PREFIX[kind];
  for (const byte of bytes) id += ID_ALPHABET[byte & 31];
  return id;
}

/** `arn:<partition>:iam::<account>:<kind><path><name>` (users, groups, roles, policies). */
export function iamArn(scope: Pick<IamScope, 'account' | 'partition'>, kind: IamEntityKind | 'policy', path: string, name: string): string {
  return `arn:${scope.partition}:iam::${scope.account}:${kind}${path}${name}`;
}

export function rootArn(scope: Pick<IamScope, 'account' | 'partition'>): string {
  return `arn:${scope.partition}:iam::${scope.account}:root`;
}

export function assumedRoleArn(scope: Pick<IamScope, 'account' | 'partition'>, roleName: string, sessionName: string): string {
  return `arn:${scope.partition}:sts::${scope.account}:assumed-role/${roleName}/${sessionName}`;
}

/** The parts of a caller ARN Coffer issues credentials for. */
export type CallerArn =
  | { type: 'root'; partition: string; account: string }
  | { type: 'user' | 'role'; partition: string; account: string }
  | { type: 'assumed-role'; partition: string; account: string; roleName: string; sessionName: string };

const CALLER_ARN = /^arn:([^:]+):(iam|sts)::(\d{12}):(.+)$/;

export function parseCallerArn(arn: string): CallerArn | undefined {
  const m = CALLER_ARN.exec(arn);
  if (!m) return undefined;
  const [, partition, service, account, resource] = m as unknown as [string, string, string, string, string];
  if (service === 'iam') {
    if (resource === 'root') return { type: 'root', partition, account };
    if (resource.startsWith('user/')) return { type: 'user', partition, account };
    if (resource.startsWith('role/')) return { type: 'role', partition, account };
    return undefined;
  }
  const session = /^assumed-role\/([^/]+)\/(.+)$/.exec(resource);
  return session ? { type: 'assumed-role', partition, account, roleName: session[1]!, sessionName: session[2]! } : undefined;
}
