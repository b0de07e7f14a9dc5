export type * from './records.js';
export type * from './repositories.js';
