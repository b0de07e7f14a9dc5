import { ServiceError } from '../../errors/service-error.js';

/** IAM's and STS's errors, with the codes and HTTP statuses of their models. */
export const IamErrors = {
  noSuchEntity: (message: string) => new ServiceError('NoSuchEntity', message, { status: 404 }),
  alreadyExists: (message: string) => new ServiceError('EntityAlreadyExists', message, { status: 409 }),
  deleteConflict: (message: string) => new ServiceError('DeleteConflict', message, { status: 409 }),
  limitExceeded: (message: string) => new ServiceError('LimitExceeded', message, { status: 409 }),
  malformedPolicy: (message: string) => new ServiceError('MalformedPolicyDocument', message),
  invalidInput: (message: string) => new ServiceError('InvalidInput', message),
  validation: (message: string) => new ServiceError('ValidationError', message),
  accessDenied: (message: string) => new ServiceError('AccessDenied', message, { status: 403 }),
  packedPolicyTooLarge: (message: string) => new ServiceError('PackedPolicyTooLarge', message),
};
