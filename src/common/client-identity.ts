/** The parts of an HTTP request (express) the identity is read from. */
export interface RequestLike {
  headers?: Record<string, string | string[] | undefined>;
  ip?: string;
  socket?: { remoteAddress?: string };
}

/** Header a dapp may send to name itself (scopes clientRequestId and rate limits). */
export const CLIENT_ID_HEADER = 'x-client-id';
const CLIENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The client a request comes from: the x-client-id header when it is well formed, otherwise the
 * peer address. Without authentication the header is self-declared: it scopes idempotency keys (clientRequestId), while rate limits apply
 * per peer address (common/graphql-throttler.guard.ts), so renaming does not escape them.
 */
export function clientIdOf(req: RequestLike | undefined): string {
  const address = req?.ip ?? req?.socket?.remoteAddress ?? 'unknown';
  const header = req?.headers?.[CLIENT_ID_HEADER];
  const declared = typeof header === 'string' && CLIENT_ID_PATTERN.test(header) ? header : undefined;
  return declared ? `client:${declared}` : `ip:${address}`;
}
