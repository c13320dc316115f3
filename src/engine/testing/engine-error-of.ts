import { EngineError } from '../engine.errors';

/** The EngineError `fn` throws (anything else is rethrown; no throw at all fails the test). */
export function engineErrorOf(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected an EngineError');
}
