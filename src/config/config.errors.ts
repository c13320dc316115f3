import { moduleErrorClass, type ErrorCategories } from '../common/app-error';

export const CONFIG_ERROR_CATEGORIES = {
  /** The environment is invalid; `details.problems` lists every problem. */
  CONFIG_INVALID: 'INTERNAL',
  /** PORT is already taken on HOST. */
  PORT_IN_USE: 'INTERNAL',
  /** `verity serve --with-worker` on a chain other than the embedded anvil, without WORKER_PRIVATE_KEY. */
  WORKER_KEY_MISSING: 'INTERNAL',
  /** `verity defender` without DATABASE_URL or RPC_URL. */
  DEFENDER_CONFIG: 'INTERNAL',
  /** A defender child on a chain other than the embedded anvil, without DEFENDER_PRIVATE_KEY. */
  DEFENDER_KEY_MISSING: 'INTERNAL',
  /** DEFENDER_PRIVATE_KEY is the service's own key (its moves would race the committer's nonces). */
  DEFENDER_KEY_SHARED: 'INTERNAL',
  /** The chain client's RPC URL is unknown, so it cannot be passed to the defender child. */
  DEFENDER_RPC_UNKNOWN: 'INTERNAL',
  /** The defender account holds no ETH. */
  DEFENDER_UNFUNDED: 'INTERNAL',
} as const satisfies ErrorCategories<string>;

export type ConfigErrorCode = keyof typeof CONFIG_ERROR_CATEGORIES;

/** The process cannot start with this configuration. */
export class ConfigError extends moduleErrorClass(CONFIG_ERROR_CATEGORIES) {
  /** The problems of CONFIG_INVALID (empty for the other codes). */
  get problems(): string[] {
    return (this.details?.problems as string[] | undefined) ?? [];
  }
}

/** The environment is invalid: one error listing every problem at once. */
export function invalidConfig(problems: string[]): ConfigError {
  return new ConfigError(
    'CONFIG_INVALID',
    `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    {
      problems,
    },
  );
}
