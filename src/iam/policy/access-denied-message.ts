import type { AuthorizationRequest } from './authorization-request.js';
import type { EvaluationResult } from './policy-evaluator.js';

/**
 * AWS's AccessDeniedException message for a denied request, e.g.
 * `User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform:
 * secretsmanager:GetSecretValue on resource: <arn> because no identity-based policy allows the
 * secretsmanager:GetSecretValue action`. Operations on no particular resource (`*`) name none.
 */
export function accessDeniedMessage(
  request: Pick<AuthorizationRequest, 'action' | 'resource'> & { readonly principal: { readonly arn: string } },
  result: Pick<EvaluationResult, 'reason'>,
): string {
  const onResource = request.resource && request.resource !== '*' ? ` on resource: ${request.resource}` : '';
  return `User: ${request.principal.arn} is not authorized to perform: ${request.action}${onResource} ${result.reason}`;
}
