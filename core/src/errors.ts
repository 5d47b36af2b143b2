/**
 * The one error type services throw on purpose. Its status is what the client gets;
 * anything that is not an AppError is a bug and answers 500.
 */
export class AppError extends Error {
  override name = 'AppError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
