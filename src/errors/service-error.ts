/**
 * An error that reaches the client as an AWS JSON 1.1 error: `__type` is the code,
 * the message goes under `Message` (Secrets Manager service errors) or `message`
 * (front-end, auth and KMS errors), as AWS's own front end does.
 */
export type MessageKey = 'Message' | 'message';

export class ServiceError extends Error {
  readonly code: string;
  readonly status: number;
  readonly messageKey: MessageKey;

  constructor(code: string, message: string, options: { status?: number; messageKey?: MessageKey } = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = options.status ?? 400;
    this.messageKey = options.messageKey ?? 'Message';
  }
}

/** Errors raised by AWS's front end (validation, serialization, routing, auth): lowercase `message`. */
export function frontEndError(code: string, message: string): ServiceError {
  return new ServiceError(code, message, { messageKey: 'message' });
}

export const SecretsErrors = {
  notFound: (message = "Secrets Manager can't find the specified secret.") =>
    new ServiceError('ResourceNotFoundException', message),
  invalidRequest: (message: string) => new ServiceError('InvalidRequestException', message),
  invalidParameter: (message: string) => new ServiceError('InvalidParameterException', message),
  exists: (message: string) => new ServiceError('ResourceExistsException', message),
  limitExceeded: (message: string) => new ServiceError('LimitExceededException', message),
  encryptionFailure: (message: string) => new ServiceError('EncryptionFailure', message),
  decryptionFailure: (message: string) => new ServiceError('DecryptionFailure', message),
  invalidNextToken: (message = 'The NextToken value is invalid.') =>
    new ServiceError('InvalidNextTokenException', message),
};
