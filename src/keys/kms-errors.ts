import { ServiceError } from '../errors/service-error.js';

/** KMS errors carry a lowercase `message`, as AWS KMS sends them. */
function kmsError(code: string, message: string): ServiceError {
  return new ServiceError(code, message, { messageKey: 'message' });
}

export const KmsErrors = {
  notFound: (message: string) => kmsError('NotFoundException', message),
  disabled: (arn: string) => kmsError('DisabledException', `${arn} is disabled.`),
  pendingDeletion: (arn: string) => kmsError('KMSInvalidStateException', `${arn} is pending deletion.`),
  // AWS answers a wrong context or a damaged blob with an empty message.
  invalidCiphertext: () => kmsError('InvalidCiphertextException', ''),
  incorrectKey: () =>
    kmsError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.'),
};
