/** The parts of an HTTP request (express) the identity is read from. */
export interface RequestLike {
  headers?: Record<string, string | string[] | undefined>;
  ip?: string;
  socket?: { remoteAddress?: string };
}

/** Header a dapp may send to name itself (a sub-scope of its peer address for clientRequestId). */
export const CLIENT_ID_HEADER = 'x-client-id';
const CLIENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The client a request comes from, the scope of its idempotency keys (clientRequestId): the peer
 * address of the connection, then the x-client-id header when it is well formed. Dapps do not
 * authenticate to the API, so the header is self-declared: alone it would let anyone who sends
 * another dapp's name read that dapp's inferences by key, or plant a key first so that the dapp's
 * own request is refused as DUPLICATE_REQUEST. The peer address is what a caller cannot choose
 * (the TCP handshake proves it; express's `trust proxy` is off, so X-Forwarded-For is ignored),
 * so two callers on different addresses never share a key, whatever they name themselves; the
 * header only separates dapps behind one address (which trust each other's names). The price: a
 * dapp whose address changes between a call and its retry gets a second inference. Rate limits
 * apply per peer address too (common/graphql-throttler.guard.ts).
 */
export function clientIdOf(req: RequestLike | undefined): string {
  const address = req?.ip ?? req?.socket?.remoteAddress ?? 'unknown';
  const header = req?.headers?.[CLIENT_ID_HEADER];
  const declared = typeof header === 'string' && CLIENT_ID_PATTERN.test(header) ? header : undefined;
  return declared ? `ip:${address}/client:${declared}` : `ip:${address}`;
}
