import type { Command } from 'commander';
import pino from 'pino';
import { loadDefenderConfig } from '../config/load-config';
import { startDefender } from '../defender/start-defender';

/** Prefix of every line `verity defender` logs (it shares `verity serve`'s output when it is its child). */
export const DEFENDER_LOG_PREFIX = '[defender] ';

/** `verity defender`. */
export function registerDefenderCommands(program: Command): void {
  program
    .command('defender')
    .description(
      'watch disputes on the service\'s results and defend them, in a process of its own (DATABASE_URL, RPC_URL, CHAIN_ID, DEFENDER_PRIVATE_KEY; `verity serve` starts one by default)',
    )
    .action(runDefender);
}

/**
 * Starts the defender and runs it until SIGINT or SIGTERM, or until its parent `verity serve` is
 * gone. Also the whole program of the child process (src/cli/defender-main.ts).
 */
export async function runDefender(): Promise<void> {
  const config = loadDefenderConfig();
  const log = pino({ level: config.logLevel, msgPrefix: DEFENDER_LOG_PREFIX });
  const defender = await startDefender(config, log);
  log.info(
    { address: defender.address, disputeGame: defender.deployment.contracts.DisputeGame, pid: process.pid },
    `defender ready: answering disputes from ${defender.address}`,
  );
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`stopping (${why})`);
    defender
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        log.error({ err: error }, 'stop failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Started by `verity serve`: its parent is gone when the IPC channel closes.
  if (process.send) process.on('disconnect', () => stop('the parent process is gone'));
}
