import type { AccessKeyStore, SessionCredentials } from '../access-key-store.js';
import { buildAuthorizationRequest, evaluate, parsePolicy } from '../policy/index.js';
import type { PrincipalDirectory } from '../principal-directory.js';
import type { IamManagedPolicyRecord, Storage } from '../../storage/index.js';
import { checkedPolicy } from './iam-documents.js';
import { DEFAULT_MAX_SESSION_DURATION } from './iam-entities.js';
import { IamErrors } from './iam-errors.js';
import { assumedRoleArn, parseCallerArn, rootArn, type IamScope } from './iam-ids.js';
import { sessionPolicy } from './session-policy.js';

/** Who calls STS: the verified signer of the request. */
export interface StsCaller {
  /** Undefined only in --dev mode (signatures unchecked): taken as the root user. */
  principalArn?: string;
  accessKeyId: string;
  sessionIssuerArn?: string;
  sessionPolicy?: string;
}

export interface AssumeRoleRequest {
  roleArn: string;
  sessionName: string;
  durationSeconds?: number;
  policy?: string;
  policyArns?: string[];
  externalId?: string;
}

export interface IssuedSession {
  credentials: SessionCredentials;
  expiresAt: number;
}

/** GetSessionToken's default for IAM users, and the root user's maximum. */
const USER_SESSION_SECONDS = 43_200;
const ROOT_SESSION_SECONDS = 3_600;
/** A role session assuming another role (role chaining) gets an hour at most. */
const CHAINED_SESSION_SECONDS = 3_600;

/** STS: who a caller is, and the temporary credentials it can get. */
export class StsSessions {
  constructor(
    private readonly storage: Storage,
    private readonly accessKeys: AccessKeyStore,
    private readonly principals: PrincipalDirectory,
  ) {}

  /** GetCallerIdentity's UserId and Arn. */
  async identity(scope: IamScope, caller: StsCaller): Promise<{ userId: string; arn: string }> {
    const arn = caller.principalArn ?? rootArn(scope);
    const policies = await this.principals.policiesOf(arn);
    return { userId: policies?.userId ?? caller.accessKeyId, arn };
  }

  /** GetSessionToken: the caller's own identity, for a while (the root user's for an hour at most). */
  async sessionToken(scope: IamScope, caller: StsCaller, durationSeconds: number | undefined): Promise<IssuedSession> {
    if (caller.accessKeyId.startsWith('ASIA')) throw IamErrors.accessDenied('Cannot call GetSessionToken with session credentials');
    const arn = caller.principalArn ?? rootArn(scope);
    const requested = durationSeconds ?? USER_SESSION_SECONDS;
    const seconds = parseCallerArn(arn)?.type === 'root' ? Math.min(requested, ROOT_SESSION_SECONDS) : requested;
    const expiresAt = scope.now + seconds * 1000;
    return { credentials: await this.accessKeys.createSession(arn, { expiresAt }, scope.now), expiresAt };
  }

  /**
   * AssumeRole. The role's trust policy decides, as a resource policy that must allow: naming
   * the caller (or its role) grants by itself; naming the account leaves it to the caller's
   * identity policies (and its session policy) to allow sts:AssumeRole on the role.
   */
  async assumeRole(scope: IamScope, caller: StsCaller, request: AssumeRoleRequest): Promise<IssuedSession & { assumedRoleId: string; arn: string; packedSize?: number }> {
    const callerArn = caller.principalArn ?? rootArn(scope);
    const kind = parseCallerArn(callerArn)?.type;
    if (kind === 'root') throw IamErrors.accessDenied('Roles may not be assumed by root accounts.');
    const denied = () => IamErrors.accessDenied(`User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${request.roleArn}`);
    const role = await this.storage.iam.findEntityByArn(request.roleArn);
    const callerPolicies = await this.principals.policiesOf(callerArn);
    if (!role || role.kind !== 'role' || !callerPolicies) throw denied();

    const seconds = request.durationSeconds ?? DEFAULT_MAX_SESSION_DURATION;
    if (kind === 'assumed-role' && seconds > CHAINED_SESSION_SECONDS) {
      throw IamErrors.validation('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    }
    if (seconds > (role.maxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION)) {
      throw IamErrors.validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    }

    const authorization = buildAuthorizationRequest({
      principalArn: callerArn,
      sessionIssuerArn: caller.sessionIssuerArn,
      action: 'sts:AssumeRole',
      resource: role.arn,
      resourceAccount: role.account,
      now: scope.now,
      userId: callerPolicies.userId,
      principalTags: callerPolicies.principalTags,
      context: { 'sts:RoleSessionName': request.sessionName, ...(request.externalId === undefined ? {} : { 'sts:ExternalId': request.externalId }) },
    });
    const decision = evaluate(
      {
        resourcePolicy: parsePolicy(role.trustPolicy ?? '', 'trust'),
        resourcePolicyRequired: true,
        identityPolicies: callerPolicies.identityPolicies,
        permissionsBoundary: callerPolicies.permissionsBoundary,
        sessionPolicies: caller.sessionPolicy === undefined ? undefined : [checkedPolicy(caller.sessionPolicy, 'identity')],
      },
      authorization,
    );
    if (decision.decision !== 'Allow') throw denied();

    const session = sessionPolicy(request.policy, await this.managedSessionPolicies(request.policyArns ?? []));
    const expiresAt = scope.now + seconds * 1000;
    const arn = assumedRoleArn(scope, role.name, request.sessionName);
    const credentials = await this.accessKeys.createSession(arn, { expiresAt, issuerArn: role.arn, policy: session.document }, scope.now);
    return { credentials, expiresAt, assumedRoleId: `${role.id}:${request.sessionName}`, arn, packedSize: session.packedSize };
  }

  /**
   * Whether an AWS service principal (`lambda.amazonaws.com`) may assume the role: its trust
   * policy must name the service for sts:AssumeRole, as for a Lambda execution role. Undefined
   * when it may, else why not.
   */
  async serviceCannotAssume(roleArn: string, service: string, now: number): Promise<string | undefined> {
    const role = await this.storage.iam.findEntityByArn(roleArn);
    if (!role || role.kind !== 'role') return `the role ${roleArn} does not exist`;
    const request = buildAuthorizationRequest({ principalArn: service, action: 'sts:AssumeRole', resource: role.arn, now });
    const decision = evaluate({ resourcePolicy: parsePolicy(role.trustPolicy ?? '', 'trust'), resourcePolicyRequired: true }, request);
    return decision.decision === 'Allow' ? undefined : `the trust policy of ${roleArn} does not allow ${service} to assume it (sts:AssumeRole)`;
  }

  /** A session of the role for a service acting with it (a rotation function's run), until `expiresAt`; the trust policy must allow the service. */
  async serviceRoleSession(scope: IamScope, request: { roleArn: string; service: string; sessionName: string; expiresAt: number }): Promise<SessionCredentials> {
    const problem = await this.serviceCannotAssume(request.roleArn, request.service, scope.now);
    if (problem !== undefined) throw IamErrors.accessDenied(`${request.service} cannot assume the role: ${problem}`);
    const role = (await this.storage.iam.findEntityByArn(request.roleArn))!;
    const arn = assumedRoleArn(scope, role.name, request.sessionName);
    return this.accessKeys.createSession(arn, { expiresAt: request.expiresAt, issuerArn: role.arn }, scope.now);
  }

  private async managedSessionPolicies(arns: string[]): Promise<IamManagedPolicyRecord[]> {
    const policies: IamManagedPolicyRecord[] = [];
    for (const arn of arns) {
      const policy = await this.storage.iam.findPolicy(arn);
      if (!policy) throw IamErrors.malformedPolicy(`Policy ${arn} does not exist or is not attachable.`);
      policies.push(policy);
    }
    return policies;
  }
}
