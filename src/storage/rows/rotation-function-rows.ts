import type { RotationFunctionRecord } from '../stored-records.js';
import { bytes, fixed, integer, optional, table, text, time } from './table.js';

export const ROTATION_FUNCTIONS = table<RotationFunctionRecord>('rotation_functions', {
  account: fixed(text('account')),
  region: fixed(text('region')),
  name: fixed(text('name')),
  arn: fixed(text('arn')),
  kind: text('kind'),
  url: optional(text('url')),
  command: optional(text('command')),
  timeoutSeconds: integer('timeout_seconds'),
  sealedSigningKey: optional(bytes('sealed_signing_key')),
  roleArn: optional(text('role_arn')),
  createdAt: fixed(time('created_at')),
  updatedAt: time('updated_at'),
});
