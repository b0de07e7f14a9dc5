import type { RequestContext } from '../operation.js';
import type { StsCaller } from '../../iam/directory/sts-sessions.js';
import type { SessionCredentials } from '../../iam/access-key-store.js';

export function stsCaller(ctx: RequestContext): StsCaller {
  return {
    principalArn: ctx.principalArn,
    accessKeyId: ctx.accessKeyId,
    ...(ctx.sessionIssuerArn ? { sessionIssuerArn: ctx.sessionIssuerArn } : {}),
    ...(ctx.sessionPolicy ? { sessionPolicy: ctx.sessionPolicy } : {}),
  };
}

/** STS's Credentials structure (Expiration as epoch seconds, formatted by the XML writer). */
export function credentialsShape(credentials: SessionCredentials, expiresAt: number) {
  return {
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    SessionToken: credentials.sessionToken,
    Expiration: expiresAt / 1000,
  };
}
