/**
 * `verity challenger`: watch optimistic-mode results and dispute the wrong ones (src/challenger.ts,
 * docs/challenger.md). Flags override the environment (CHALLENGER_PRIVATE_KEY, RPC_URL,
 * VERITY_API_URL, LOG_LEVEL). With --request the exit code tells the outcome: 0 when the result
 * agrees with the engine or its dispute was won, 1 when the dispute was lost.
 */
import { type Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { loadChallengerConfig } from '../config/load-config';
import { DEFAULT_CHALLENGER_INTERVAL_MS, startChallenger, type ChallengeOutcome } from '../challenger';
import { stopOnSignals } from './stop-signals';

interface ChallengerFlags {
  apiUrl?: string;
  request?: string;
  once?: boolean;
  intervalMs: number;
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected an integer >= 1');
  return parsed;
}

/** The line printed at the end of a --request run, and the exit code it means. */
export function describeOutcome(outcome: ChallengeOutcome): { line: string; exitCode: number } {
  switch (outcome.kind) {
    case 'agrees':
      return {
        line: `request ${outcome.requestId}: the result agrees with the engine; nothing to dispute`,
        exitCode: 0,
      };
    case 'refuted':
      return {
        line: `request ${outcome.requestId}: the result is wrong and dispute ${outcome.disputeId} already refuted it`,
        exitCode: 0,
      };
    case 'won':
      return {
        line: `request ${outcome.requestId}: dispute ${outcome.disputeId} won (${outcome.reason})`,
        exitCode: 0,
      };
    case 'lost':
      return {
        line: `request ${outcome.requestId}: dispute ${outcome.disputeId} lost (${outcome.reason})`,
        exitCode: 1,
      };
    case 'stopped':
      return { line: 'challenger stopped', exitCode: 0 };
  }
}

async function challengerAction(flags: ChallengerFlags): Promise<void> {
  const config = loadChallengerConfig();
  const log = pino({ level: config.logLevel });
  const handle = await startChallenger({
    apiUrl: flags.apiUrl ?? config.apiUrl,
    rpcUrl: config.rpcUrl,
    privateKey: config.privateKey,
    intervalMs: flags.intervalMs,
    request: flags.request,
    once: flags.once,
    log,
  });
  stopOnSignals(log, 'move in flight', () => {
    handle.stop().catch((error: unknown) => log.error({ err: error }, 'challenger stop failed'));
  });
  const outcome = await handle.done;
  const { line, exitCode } = flags.request ? describeOutcome(outcome) : { line: '', exitCode: 0 };
  // Exit explicitly once the outcome is written, as `verity worker` does: idle sockets may linger.
  process.stdout.write(line ? `${line}\n` : '', () => process.exit(exitCode));
}

export function registerChallengerCommands(program: Command): void {
  program
    .command('challenger')
    .description(
      'watch optimistic-mode results, recompute each with the engine and dispute the wrong ones in the DisputeGame; needs CHALLENGER_PRIVATE_KEY and RPC_URL',
    )
    .option(
      '--api-url <url>',
      'GraphQL endpoint of the API (default: VERITY_API_URL, else http://127.0.0.1:4000/graphql)',
    )
    .option(
      '--request <id>',
      'check only this result (inference id, or 0x request id), dispute it if wrong and play the dispute to the end; exit 1 if it was lost',
    )
    .option('--once', 'one pass over the results, then exit')
    .option(
      '--interval-ms <n>',
      'pause between passes and between looks at a dispute waiting on the defender',
      positiveInteger,
      DEFAULT_CHALLENGER_INTERVAL_MS,
    )
    .action(challengerAction);
}
