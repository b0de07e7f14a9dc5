/** AWS's IAM policy language: parsing, compiling and evaluating policies against requests. */
export { accessDeniedMessage } from './access-denied-message.js';
export {
  type AuthorizationRequest,
  type AuthorizationRequestInput,
  type CallerKeys,
  type ContextKeys,
  type ContextValue,
  type PrincipalType,
  type RequestPrincipal,
  buildAuthorizationRequest,
  callerKeys,
  describePrincipal,
  tagMap,
  targetRequest,
} from './authorization-request.js';
export { type CompiledPolicy, type PolicyKind, type PolicyVersion, parsePolicy } from './policy-document.js';
export { PolicyDocumentError } from './policy-document-error.js';
export { PolicyCache } from './policy-cache.js';
export { type Decision, type EvaluationResult, type PolicySet, type PolicyType, evaluate } from './policy-evaluator.js';
