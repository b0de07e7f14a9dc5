import type { Shape } from '../model-types.js';

/**
 * Coffer's own API for the rotation functions a secret's RotationLambdaARN
 * names: `X-Amz-Target: CofferRotationFunctions.<Operation>`, SigV4 service
 * name `coffer`. Shapes check JSON types only; the domain service checks
 * values, so that a bad value is Lambda's InvalidParameterValueException
 * with a message saying what is expected.
 */
export const targetPrefix = 'CofferRotationFunctions';
export const signingName = 'coffer';

export const operations: Record<string, { input?: string }> = {
  CreateRotationFunction: { input: 'CreateRotationFunctionRequest' },
  GetRotationFunction: { input: 'FunctionNameRequest' },
  ListRotationFunctions: { input: 'Empty' },
  UpdateRotationFunction: { input: 'UpdateRotationFunctionRequest' },
  DeleteRotationFunction: { input: 'FunctionNameRequest' },
};

export const shapes: Record<string, Shape> = {
  Empty: { type: 'structure', members: {} },
  FunctionNameRequest: { type: 'structure', members: { FunctionName: 'Text' }, required: ['FunctionName'] },
  CreateRotationFunctionRequest: {
    type: 'structure',
    members: { FunctionName: 'Text', Kind: 'Text', Url: 'Text', Command: 'Text', TimeoutSeconds: 'Seconds', Role: 'Text' },
    required: ['FunctionName', 'Kind'],
  },
  UpdateRotationFunctionRequest: {
    type: 'structure',
    members: { FunctionName: 'Text', Kind: 'Text', Url: 'Text', Command: 'Text', TimeoutSeconds: 'Seconds', Role: 'Text', RotateSigningKey: 'Flag' },
    required: ['FunctionName'],
  },
  Text: { type: 'string' },
  Seconds: { type: 'integer' },
  Flag: { type: 'boolean' },
};

/** The types of each operation's request and response, as the shapes above and the handlers make them. */
export interface Operations {
  CreateRotationFunction: { input: CreateRotationFunctionRequest; output: IssuedRotationFunction };
  GetRotationFunction: { input: FunctionNameRequest; output: RotationFunction };
  ListRotationFunctions: { input: object; output: { Functions: RotationFunction[] } };
  UpdateRotationFunction: { input: UpdateRotationFunctionRequest; output: IssuedRotationFunction };
  DeleteRotationFunction: { input: FunctionNameRequest; output: void };
}

export interface FunctionNameRequest {
  FunctionName: string;
}

export interface CreateRotationFunctionRequest {
  FunctionName: string;
  Kind: string;
  Url?: string;
  Command?: string;
  TimeoutSeconds?: number;
  Role?: string;
}

export interface UpdateRotationFunctionRequest extends Partial<CreateRotationFunctionRequest> {
  FunctionName: string;
  RotateSigningKey?: boolean;
}

/** A rotation function; dates in epoch seconds. */
export interface RotationFunction {
  FunctionName: string;
  FunctionArn: string;
  Kind: string;
  Url?: string;
  Command?: string;
  TimeoutSeconds: number;
  Role?: string;
  CreatedDate: number;
  LastModifiedDate: number;
}

/** A function as created or updated: with its signing key (base64) when the call made one. */
export interface IssuedRotationFunction extends RotationFunction {
  SigningKey?: string;
}
