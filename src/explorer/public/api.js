// @ts-check
/**
 * The explorer's only door to Verity: the public GraphQL API of the origin that served the page,
 * queries over HTTP POST and subscriptions over graphql-ws, both on /graphql.
 */
import { createClient } from 'graphql-ws';

/** A refusal or failure the API answered with (its `extensions.code`), or no answer at all. */
export class ApiError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

const GRAPHQL_PATH = '/graphql';

/**
 * @param {{ message?: unknown, extensions?: { code?: unknown } }[] | undefined} errors
 * @returns {ApiError | undefined}
 */
function firstError(errors) {
  const [first] = errors ?? [];
  if (!first) return undefined;
  const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'UNKNOWN';
  return new ApiError(
    code,
    typeof first.message === 'string' ? first.message : 'the API refused the request',
  );
}

/**
 * Runs a query; resolves to its data or rejects with an ApiError.
 * @param {string} query
 * @param {Record<string, unknown>} [variables]
 * @returns {Promise<any>}
 */
export async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch(GRAPHQL_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('NETWORK', 'the API did not answer; is the service running?');
  }
  /** @type {{ data?: any, errors?: { message?: unknown, extensions?: { code?: unknown } }[] }} */
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(
      `HTTP_${response.status}`,
      `the API answered HTTP ${response.status} without a GraphQL body`,
    );
  }
  const error = firstError(body.errors);
  if (error) throw error;
  return body.data;
}

/** @typedef {'connecting' | 'live' | 'reconnecting' | 'idle'} LinkState */

/** @type {Set<(state: LinkState) => void>} */
const linkListeners = new Set();
/** @type {LinkState} */
let linkState = 'connecting';

/** @param {LinkState} state */
function setLinkState(state) {
  linkState = state;
  for (const listener of linkListeners) listener(state);
}

/**
 * Calls `listener` with the WebSocket's state now and at every change; returns the unsubscribe.
 * @param {(state: LinkState) => void} listener
 */
export function onLinkState(listener) {
  linkListeners.add(listener);
  listener(linkState);
  return () => void linkListeners.delete(listener);
}

/** @type {import('graphql-ws').Client | undefined} */
let wsClient;

function client() {
  if (!wsClient) {
    const url = new URL(GRAPHQL_PATH, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    wsClient = createClient({
      url: url.href,
      // keep following after a restart of the API: retry for as long as the page is open
      retryAttempts: Number.MAX_SAFE_INTEGER,
      shouldRetry: () => true,
      on: {
        connecting: () => setLinkState(linkState === 'live' ? 'reconnecting' : 'connecting'),
        connected: () => setLinkState('live'),
        // 1000: closed by the client once nothing is followed (lazy); anything else is a loss
        closed: (event) =>
          setLinkState(/** @type {CloseEvent} */ (event).code === 1000 ? 'idle' : 'reconnecting'),
      },
    });
  }
  return wsClient;
}

/**
 * Subscribes over graphql-ws; returns the function that ends the subscription.
 * @param {string} query
 * @param {Record<string, unknown>} variables
 * @param {{ next: (data: any) => void, error?: (error: ApiError) => void, complete?: () => void }} sink
 */
export function subscribe(query, variables, sink) {
  return client().subscribe(
    { query, variables },
    {
      next: (result) => {
        const error = firstError(/** @type {any} */ (result.errors));
        if (error) sink.error?.(error);
        else sink.next(result.data);
      },
      error: (cause) => {
        const errors = Array.isArray(cause) ? cause : undefined;
        sink.error?.(firstError(errors) ?? new ApiError('SUBSCRIPTION_CLOSED', 'the live connection closed'));
      },
      complete: () => sink.complete?.(),
    },
  );
}
