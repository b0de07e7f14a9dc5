/** A unit of work whose COMMIT the database never confirmed (the connection broke on the way): it may or may not be durable. */
export class CommitOutcomeUnknown extends Error {
  constructor(cause: Error) {
    super(`the database did not confirm the commit: ${cause.message}`, { cause });
    this.name = 'CommitOutcomeUnknown';
  }
}
