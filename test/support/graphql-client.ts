import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphqlResult<T = any> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; details?: unknown } }[];
}

/** A dapp's view of the API: plain GraphQL over HTTP. */
export async function graphqlRequest<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphqlResult<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphqlResult<T>;
}

/** A graphql-ws client on the same path as HTTP. */
export function subscriptionClient(httpUrl: string): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
  });
}

/** Subscribes and resolves with the first `count` events, or up to the first event `done` accepts. */
export function collectEvents<T>(
  client: Client,
  query: string,
  count: number,
  done: (event: T) => boolean = () => false,
): { ready: Promise<void>; events: Promise<T[]> } {
  const received: T[] = [];
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const events = new Promise<T[]>((resolve, reject) => {
    const unsubscribe = client.subscribe<T>(
      { query },
      {
        next: (value) => {
          if (value.errors) reject(new Error(JSON.stringify(value.errors)));
          received.push(value.data as T);
          if (received.length === count || done(value.data as T)) {
            unsubscribe();
            resolve(received);
          }
        },
        error: reject,
        complete: () => resolve(received),
      },
    );
    client.on('connected', () => setTimeout(markReady, 50));
  });
  return { ready, events };
}
