export type * from './stored-records.js';
export type * from './repositories.js';
export type * from './iam-records.js';
export type * from './secret-changes.js';
