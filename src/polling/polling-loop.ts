import type { LoggerService } from '@nestjs/common';
import { describeChainError } from '../chain/chain-error-kinds';

/** How often an error that repeats unchanged is logged again. */
const REPEATED_ERROR_LOG_MS = 10_000;

/**
 * Runs `iterate` again and again, `intervalMs` apart (measured from the end of one iteration to
 * the start of the next, so iterations never overlap). A failing iteration is logged and the loop
 * goes on; the same error repeated (a node that stays down) is logged again only every 10 s.
 * Errors are logged as one line (describeChainError): never viem's details, which name the RPC URL.
 * `stop()` resolves once the iteration in progress, if any, has finished.
 */
export class PollingLoop {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;
  private lastError: { text: string; at: number } | undefined;

  constructor(
    readonly name: string,
    private readonly intervalMs: number,
    private readonly iterate: () => Promise<void>,
    private readonly log: LoggerService,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.runIteration().finally(() => {
        this.inFlight = undefined;
        if (this.running) this.schedule(this.intervalMs);
      });
    }, delayMs);
  }

  private async runIteration(): Promise<void> {
    try {
      await this.iterate();
      if (this.lastError) this.log.log?.(`${this.name}: recovered after "${this.lastError.text}"`);
      this.lastError = undefined;
    } catch (error) {
      const text = describeChainError(error);
      if (!this.running) {
        this.log.warn?.(`${this.name}: iteration cut short by shutdown: ${text}`);
        return;
      }
      const now = Date.now();
      if (this.lastError?.text === text && now - this.lastError.at < REPEATED_ERROR_LOG_MS) return;
      this.lastError = { text, at: now };
      this.log.error(`${this.name} iteration failed: ${text}`);
    }
  }
}
