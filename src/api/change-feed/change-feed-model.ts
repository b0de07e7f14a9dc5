import type { Shape } from '../model-types.js';

/**
 * Coffer's change feed, in the AWS JSON 1.1 style of its other APIs:
 * `X-Amz-Target: CofferChangeFeed.GetChanges`, SigV4 service name `coffer`.
 */
export const targetPrefix = 'CofferChangeFeed';
export const signingName = 'coffer';

export const operations: Record<string, { input?: string }> = {
  GetChanges: { input: 'GetChangesRequest' },
};

export const shapes: Record<string, Shape> = {
  GetChangesRequest: {
    type: 'structure',
    members: { Cursor: 'Cursor', WaitTimeSeconds: 'WaitTimeSeconds', MaxResults: 'MaxResults', SecretIds: 'SecretIdList' },
  },
  Cursor: { type: 'string', min: 1, max: 4096 },
  // As SQS's long polling: at most 20 seconds, well within every idle timeout on the way.
  WaitTimeSeconds: { type: 'integer', min: 0, max: 20 },
  MaxResults: { type: 'integer', min: 1, max: 1000 },
  SecretIdList: { type: 'list', member: 'SecretId', min: 1, max: 100 },
  SecretId: { type: 'string', min: 1, max: 2048 },
};

/** The types of each operation's request and response, as the shapes above and the handler make them. */
export interface Operations {
  GetChanges: { input: GetChangesRequest; output: GetChangesResponse };
}

export interface GetChangesRequest {
  Cursor?: string;
  WaitTimeSeconds?: number;
  MaxResults?: number;
  SecretIds?: string[];
}

export interface GetChangesResponse {
  Changes: SecretChange[];
  NextCursor: string;
}

/** One change to a secret; dates in epoch seconds. */
export interface SecretChange {
  Type: string;
  ARN: string;
  Name: string;
  VersionId?: string;
  /** Every version's labels after the change, where labels may have moved. */
  VersionIdsToStages?: Record<string, string[]>;
  DeletionDate?: number;
  Step?: string;
  Date: number;
}
