import { AppError } from '../common/app-error';

/** Runs a CLI action; an AppError becomes one clear line on stderr and exit code 1. */
export function runCommand(action: () => Promise<unknown>): void {
  action().catch((error: unknown) => {
    process.exitCode = 1;
    if (error instanceof AppError) {
      process.stderr.write(`verity: ${error.message} [${error.code}]\n`);
      if (process.env.VERITY_DEBUG && error.cause) console.error(error.cause);
      return;
    }
    console.error(error);
  });
}
