import { AppError } from '../common/app-error';

/** Thrown at boot when the environment is invalid; lists every problem at once. */
export class ConfigError extends AppError {
  constructor(readonly problems: string[]) {
    super('CONFIG_INVALID', `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      problems,
    });
  }
}
