/**
 * How the client talks to the API: queries and mutations over HTTP (src/common/graphql-post.ts,
 * as `verity worker` does), subscriptions over graphql-ws on the same path. Every failure is a
 * VerityClientError: the API's own `extensions.code` when it answered with an error.
 */
import { createClient, type Client } from 'graphql-ws';
import { describeUrl, postGraphql } from '../common/graphql-post';
import { clientFailure, VerityClientError } from './client.errors';

/** The WebSocket constructor graphql-ws uses (a browser's, Node 22's, or the `ws` package's). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => unknown;

export interface TransportOptions {
  /** The API's GraphQL endpoint over HTTP(S), e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  /** Its graphql-ws endpoint; by default the same URL with ws(s)://. */
  wsUrl?: string;
  /** Per HTTP call (default 30 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Default: globalThis.WebSocket, else the `ws` package. */
  webSocketImpl?: WebSocketConstructor;
}

export interface SubscriptionHandlers<T> {
  next(data: T): void;
  error(error: VerityClientError): void;
  complete(): void;
}

const DEFAULT_TIMEOUT_MS = 30_000;

function defaultWebSocket(): WebSocketConstructor {
  const native = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (native) return native;
  // Node before 22 has no global WebSocket: the `ws` package (a dependency of Verity) stands in.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('ws') as WebSocketConstructor;
}

/** The error a graphql-ws failure stands for: a GraphQL error's code, or API_UNREACHABLE for a socket that failed. */
function subscriptionFailure(url: string, field: string, reason: unknown): VerityClientError {
  if (Array.isArray(reason)) {
    const first = reason[0] as { message?: string; extensions?: { code?: unknown } } | undefined;
    const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : 'GRAPHQL_ERROR';
    return clientFailure(code, `${field}: ${first?.message ?? 'error without a message'}`, {});
  }
  const detail =
    reason instanceof Error
      ? reason.message
      : typeof (reason as { code?: unknown })?.code === 'number'
        ? `socket closed with code ${(reason as { code: number }).code}`
        : String(reason);
  return new VerityClientError('API_UNREACHABLE', `the API at ${describeUrl(url)} did not keep ${field} open: ${detail}`, {}, { cause: reason });
}

export class GraphqlTransport {
  private ws: Client | null = null;

  constructor(private readonly options: TransportOptions) {}

  get url(): string {
    return this.options.url;
  }

  /** One query or mutation; `field` is its top-level field, returned. */
  async request<TData, TVariables extends Record<string, unknown>>(
    document: string,
    field: keyof TData & string,
    variables: TVariables,
  ): Promise<TData> {
    const data = await postGraphql({
      url: this.options.url,
      field,
      query: document,
      variables,
      timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      fetchFn: this.options.fetch,
      fail: clientFailure,
    });
    return data as TData;
  }

  /** Subscribes; returns the function that ends the subscription. */
  subscribe<TData, TVariables extends Record<string, unknown>>(
    document: string,
    field: keyof TData & string,
    variables: TVariables,
    handlers: SubscriptionHandlers<TData>,
  ): () => void {
    const url = this.wsUrl();
    this.ws ??= createClient({
      url,
      webSocketImpl: this.options.webSocketImpl ?? defaultWebSocket(),
      lazy: true,
      retryAttempts: 0,
    });
    return this.ws.subscribe<TData>(
      { query: document, variables },
      {
        next: (value) => {
          if (value.errors?.length) {
            handlers.error(subscriptionFailure(url, field, value.errors));
          } else if (value.data) {
            handlers.next(value.data);
          }
        },
        error: (reason) => handlers.error(subscriptionFailure(url, field, reason)),
        complete: () => handlers.complete(),
      },
    );
  }

  /** Closes the WebSocket, if one was opened. */
  async close(): Promise<void> {
    const ws = this.ws;
    this.ws = null;
    if (ws) await ws.dispose();
  }

  private wsUrl(): string {
    return this.options.wsUrl ?? this.options.url.replace(/^http/, 'ws');
  }
}
