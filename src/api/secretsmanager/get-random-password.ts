import type { OperationHandler } from '../operation.js';
import { generateRandomPassword, type PasswordRules } from '../../secrets/random-password.js';

export const getRandomPassword = (): OperationHandler => async (_ctx, input) => ({
  RandomPassword: generateRandomPassword(input as PasswordRules),
});
