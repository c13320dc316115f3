/**
 * Polls `probe` until it returns a value (not undefined, not false), failing with `what` after
 * `timeoutMs`. The one wait helper of the specs: a condition is `() => count === 3`, a lookup
 * `async () => row ?? undefined`.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 180_000,
  pauseMs = 300,
): Promise<Exclude<T, undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}
