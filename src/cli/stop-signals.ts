import type { Logger } from 'pino';

/**
 * SIGINT and SIGTERM for a client of the API (`verity worker`, `verity challenger`): the first one
 * stops after the work in flight (`stop`), a second one exits at once without finishing it.
 */
export function stopOnSignals(log: Logger, inFlight: string, stop: () => void): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, `second signal: exiting without finishing the ${inFlight}`);
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, `stopping: finishing the ${inFlight}`);
    stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
