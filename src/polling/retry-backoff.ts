import { describeChainError, isTransportError } from '../chain/chain-error-kinds';

/**
 * In-memory pause per key after a failure that retrying at once would only repeat (a contract
 * revert): the pause doubles per consecutive failure, up to a cap. Forgotten on restart, which
 * only means one early retry.
 */
export class RetryBackoff {
  private readonly entries = new Map<string, { failures: number; until: number }>();

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {}

  isWaiting(key: string, now = Date.now()): boolean {
    const entry = this.entries.get(key);
    return entry !== undefined && entry.until > now;
  }

  /** Keys still pausing now. */
  waitingKeys(now = Date.now()): string[] {
    return [...this.entries].filter(([, entry]) => entry.until > now).map(([key]) => key);
  }

  failed(key: string, now = Date.now()): number {
    const failures = (this.entries.get(key)?.failures ?? 0) + 1;
    const pause = Math.min(this.initialMs * 2 ** (failures - 1), this.maxMs);
    this.entries.set(key, { failures, until: now + pause });
    return pause;
  }

  succeeded(key: string): void {
    this.entries.delete(key);
  }

  /**
   * One key's step of a pass, unless the key is pausing: a success forgets the key's failures; a
   * transport error (the node does not answer) is thrown, to end the pass; any other failure (a
   * revert) pauses the key, and `report` is told the pause in whole seconds and the error in one
   * line (describeChainError).
   */
  async attempt(
    key: string,
    step: () => Promise<void>,
    report: (pauseSeconds: number, error: string) => void,
  ): Promise<void> {
    if (this.isWaiting(key)) return;
    try {
      await step();
      this.succeeded(key);
    } catch (error) {
      if (isTransportError(error)) throw error;
      const pauseMs = this.failed(key);
      report(Math.round(pauseMs / 1000), describeChainError(error));
    }
  }
}
