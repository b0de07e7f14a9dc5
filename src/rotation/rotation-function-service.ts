import { randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { ServiceError } from '../errors/service-error.js';
import type { RootCipher } from '../keys/root-key.js';
import { signingKeyPurpose } from '../keys/root-sealed-purposes.js';
import type { RequestScope } from '../shared/request-scope.js';
import type { Repositories, RotationFunctionRecord, Storage } from '../storage/index.js';
import { ROTATION_FUNCTION_KINDS, type RotationFunctionKind } from './rotation-function.js';

export const DEFAULT_TIMEOUT_SECONDS = 30;
export const MAX_TIMEOUT_SECONDS = 900;
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_URL_LENGTH = 2048;
const MAX_COMMAND_LENGTH = 4096;
const SIGNING_KEY_BYTES = 32;
const ROLE_ARN = /^arn:[a-z-]+:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

export interface NewRotationFunction {
  name: string;
  kind: string;
  url?: string;
  command?: string;
  timeoutSeconds?: number;
  /** The execution role's ARN. */
  role?: string;
}

/** What an update changes; absent members keep their value. */
export interface RotationFunctionChanges {
  kind?: string;
  url?: string;
  command?: string;
  timeoutSeconds?: number;
  /** The execution role's ARN; an empty string removes it. */
  role?: string;
  /** Webhook functions: replace the signing key. */
  rotateSigningKey?: boolean;
}

/** A function as stored, and its signing key when this call made one (the only time it is seen). */
export interface IssuedRotationFunction {
  fn: RotationFunctionRecord;
  signingKey?: Buffer;
}

const invalid = (message: string) => new ServiceError('InvalidParameterValueException', message, { messageKey: 'message' });

/** Lambda's ARN form, so that a secret's RotationLambdaARN names the function as AWS would. */
export function rotationFunctionArn(scope: Pick<RequestScope, 'partition' | 'region' | 'account'>, name: string): string {
  return `arn:${scope.partition}:lambda:${scope.region}:${scope.account}:function:${name}`;
}

/**
 * The registry of rotation functions a secret's RotationLambdaARN can name,
 * per account and region. A webhook function's signing key is stored only
 * sealed under the root key and handed out once, when it is made.
 */
export class RotationFunctionService {
  constructor(
    private readonly storage: Storage,
    private readonly rootKey: RootCipher,
    /** Why the rotation service cannot assume a role, or undefined when it can. */
    private readonly roleProblem: (roleArn: string, now: number) => Promise<string | undefined> = async () => undefined,
  ) {}

  async create(scope: RequestScope, input: NewRotationFunction): Promise<IssuedRotationFunction> {
    checkName(input.name);
    const kind = checkKind(input.kind);
    const settings = checkSettings(kind, input.url, input.command);
    const timeoutSeconds = checkTimeout(input.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
    const roleArn = await this.checkRole(kind, input.role, scope.now);
    const arn = rotationFunctionArn(scope, input.name);
    const signingKey = kind === 'webhook' ? randomBytes(SIGNING_KEY_BYTES) : undefined;
    const fn: RotationFunctionRecord = {
      account: scope.account,
      region: scope.region,
      name: input.name,
      arn,
      kind,
      url: settings.url,
      command: settings.command,
      timeoutSeconds,
      roleArn,
      createdAt: scope.now,
      updatedAt: scope.now,
    };
    const stored = await this.storage.transaction(async (tx) => {
      if (await tx.rotationFunctions.find(scope.account, scope.region, input.name)) {
        throw new ServiceError('ResourceConflictException', `A rotation function named ${input.name} already exists: ${arn}`, { messageKey: 'message' });
      }
      const record = { ...fn, sealedSigningKey: signingKey && (await this.rootKey.sealIn(tx, signingKey, signingKeyPurpose(arn))) };
      await tx.rotationFunctions.insert(record);
      return record;
    });
    return { fn: stored, signingKey };
  }

  async get(scope: RequestScope, name: string): Promise<RotationFunctionRecord> {
    checkName(name);
    return this.find(this.storage, scope, name);
  }

  list(scope: RequestScope): Promise<RotationFunctionRecord[]> {
    return this.storage.rotationFunctions.list(scope.account, scope.region);
  }

  /** The function a RotationLambdaARN names, if it is registered. */
  findByArn(arn: string): Promise<RotationFunctionRecord | undefined> {
    return this.storage.rotationFunctions.findByArn(arn);
  }

  /**
   * Settings not given are kept, except those the new kind does not take. A
   * function that becomes a webhook, or asks for it, gets a new signing key.
   */
  async update(scope: RequestScope, name: string, changes: RotationFunctionChanges): Promise<IssuedRotationFunction> {
    checkName(name);
    const { rotateSigningKey, ...settingChanges } = changes;
    if (!rotateSigningKey && Object.values(settingChanges).every((v) => v === undefined)) {
      throw invalid('Nothing to update: give a new Kind, Url, Command, TimeoutSeconds or Role, or RotateSigningKey.');
    }
    const roleChange = changes.role === undefined || changes.role === '' ? undefined : await this.checkRole(changes.kind ?? 'command', changes.role, scope.now);
    return this.storage.transaction(async (tx) => {
      const old = await this.find(tx, scope, name);
      const kind = changes.kind === undefined ? (old.kind as RotationFunctionKind) : checkKind(changes.kind);
      const sameKind = kind === old.kind;
      const settings = checkSettings(kind, changes.url ?? (sameKind ? old.url : undefined), changes.command ?? (sameKind ? old.command : undefined));
      if (kind === 'webhook' && changes.role) throw invalid('webhook functions take no Role: they act with no credentials of Coffer\'s.');
      if (rotateSigningKey && kind !== 'webhook') throw invalid(`Only webhook functions have a signing key; ${name} is a ${kind} function.`);
      const signingKey = kind === 'webhook' && (!sameKind || rotateSigningKey) ? randomBytes(SIGNING_KEY_BYTES) : undefined;
      const fn: RotationFunctionRecord = {
        ...old,
        kind,
        // Both set: a setting the new kind does not take is cleared.
        url: settings.url,
        command: settings.command,
        timeoutSeconds: checkTimeout(changes.timeoutSeconds ?? old.timeoutSeconds),
        sealedSigningKey: signingKey ? await this.rootKey.sealIn(tx, signingKey, signingKeyPurpose(old.arn)) : kind === 'webhook' ? old.sealedSigningKey : undefined,
        // A webhook acts with no credentials of Coffer's, so it takes no role.
        roleArn: kind === 'webhook' ? undefined : changes.role === undefined ? old.roleArn : roleChange,
        updatedAt: scope.now,
      };
      await tx.rotationFunctions.update(fn);
      return { fn, signingKey };
    });
  }

  /** Secrets whose RotationLambdaARN names the function keep it, as AWS lets a Lambda be deleted under them. */
  async delete(scope: RequestScope, name: string): Promise<void> {
    checkName(name);
    await this.storage.transaction(async (tx) => {
      await this.find(tx, scope, name);
      await tx.rotationFunctions.delete(scope.account, scope.region, name);
    });
  }

  /** The role, checked as Lambda checks an execution role: it must exist and let lambda.amazonaws.com assume it. */
  private async checkRole(kind: string, role: string | undefined, now: number): Promise<string | undefined> {
    if (role === undefined) return undefined;
    if (kind === 'webhook') throw invalid('webhook functions take no Role: they act with no credentials of Coffer\'s.');
    if (!ROLE_ARN.test(role)) throw invalid('Role must be the ARN of an IAM role (arn:aws:iam::<account>:role/<name>).');
    const problem = await this.roleProblem(role, now);
    if (problem !== undefined) throw invalid(`The role defined for the function cannot be assumed by Lambda: ${problem}.`);
    return role;
  }

  /** The webhook function's HMAC signing key, unsealed (for the rotation engine to sign its requests). */
  signingKey(fn: RotationFunctionRecord): Buffer {
    if (!fn.sealedSigningKey) throw new Error(`rotation function ${fn.arn} has no signing key`);
    return this.rootKey.open(fn.sealedSigningKey, signingKeyPurpose(fn.arn));
  }

  private async find(repos: Pick<Repositories, 'rotationFunctions'>, scope: RequestScope, name: string): Promise<RotationFunctionRecord> {
    const fn = await repos.rotationFunctions.find(scope.account, scope.region, name);
    if (!fn) throw new ServiceError('ResourceNotFoundException', `Rotation function not found: ${rotationFunctionArn(scope, name)}`, { messageKey: 'message' });
    return fn;
  }
}

function checkName(name: string): void {
  if (!NAME.test(name)) throw invalid('FunctionName must be 1 to 64 letters, digits, hyphens (-) or underscores (_).');
}

function checkKind(kind: string): RotationFunctionKind {
  if (!(ROTATION_FUNCTION_KINDS as readonly string[]).includes(kind)) {
    throw invalid(`Kind must be one of: ${ROTATION_FUNCTION_KINDS.join(', ')}.`);
  }
  return kind as RotationFunctionKind;
}

function checkTimeout(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
    throw invalid(`TimeoutSeconds must be a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}.`);
  }
  return seconds;
}

/** A webhook takes a Url, a command function a Command; built-in kinds run inside Coffer and take neither. */
function checkSettings(kind: RotationFunctionKind, url: string | undefined, command: string | undefined): { url?: string; command?: string } {
  if (kind === 'webhook') {
    if (command !== undefined) throw invalid('webhook functions take no Command (--command).');
    if (url === undefined) throw invalid('webhook functions need a Url (--url): the endpoint that receives each rotation step.');
    checkWebhookUrl(url);
    return { url };
  }
  if (kind === 'command') {
    if (url !== undefined) throw invalid('command functions take no Url (--url).');
    if (command === undefined) throw invalid('command functions need a Command (--command): the program, with its arguments, run for each rotation step.');
    if (command.trim() === '' || command.length > MAX_COMMAND_LENGTH) throw invalid(`Command must name a program, in at most ${MAX_COMMAND_LENGTH} characters.`);
    return { command };
  }
  if (url !== undefined || command !== undefined) throw invalid(`${kind} functions take no Url or Command: Coffer runs them itself.`);
  return {};
}

function checkWebhookUrl(text: string): void {
  if (text.length > MAX_URL_LENGTH) throw invalid(`Url must be at most ${MAX_URL_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('Url must be an absolute http or https URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('Url must be an absolute http or https URL.');
  // It would be stored and shown in clear; the signing key is how Coffer authenticates to the webhook.
  if (url.username || url.password) throw invalid('Url must not carry credentials (user:password@): the webhook authenticates Coffer by its signing key.');
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw invalid(
      'Url must use https: plain http would carry each rotation request across the network in clear text, open to reading and tampering. Plain http is accepted only to a loopback host (localhost, 127.0.0.0/8, [::1]).',
    );
  }
}

/**
 * Stricter than the config's isLoopback (a bind address): a URL host such as
 * `127.0.0.1.example.com` must not pass. The URL parser has already normalized
 * IPv4 forms (`127.1` is `127.0.0.1`).
 */
function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || (isIPv4(hostname) && hostname.startsWith('127.'));
}
