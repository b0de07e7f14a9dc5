/** An error answered by Coffer, as its AWS protocol carries it: the code and AWS's message. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = code;
  }
}

/** Whether the error is the server refusing the caller (shown as such, never as a generic failure). */
export function isAccessDenied(error: unknown): boolean {
  return error instanceof AwsError && /^AccessDenied/.test(error.code);
}
