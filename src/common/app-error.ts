/**
 * The base of every error Verity raises on purpose: a stable machine-readable code, a short
 * message that says what was wrong, optional details, and the underlying cause.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
