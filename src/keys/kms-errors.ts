import { ServiceError } from '../errors/service-error.js';

/** KMS errors carry a lowercase `message`, as AWS KMS sends them; all are HTTP 400 on the wire. */
function kmsError(code: string, message: string): ServiceError {
  return new ServiceError(code, message, { messageKey: 'message' });
}

export const KmsErrors = {
  notFound: (message: string) => kmsError('NotFoundException', message),
  disabled: (arn: string) => kmsError('DisabledException', `${arn} is disabled.`),
  pendingDeletion: (arn: string) => kmsError('KMSInvalidStateException', `${arn} is pending deletion.`),
  notPendingDeletion: (arn: string) => kmsError('KMSInvalidStateException', `${arn} is not pending deletion.`),
  // AWS answers a wrong context or a damaged blob with an empty message.
  invalidCiphertext: () => kmsError('InvalidCiphertextException', ''),
  incorrectKey: () =>
    kmsError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.'),
  validation: (message: string) => kmsError('ValidationException', message),
  alreadyExists: (message: string) => kmsError('AlreadyExistsException', message),
  // AWS does not document the code for touching what AWS manages; this is the one moto and botocore users see.
  notAuthorized: (message: string) => kmsError('NotAuthorizedException', message),
  tag: (message: string) => kmsError('TagException', message),
  limitExceeded: (message: string) => kmsError('LimitExceededException', message),
  unsupported: (message: string) => kmsError('UnsupportedOperationException', message),
  malformedPolicy: (message: string) => kmsError('MalformedPolicyDocumentException', message),
  dryRun: () => kmsError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.'),
};
