import { request as httpRequest } from 'node:http';
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

/**
 * The same call from a chosen peer: `localAddress` picks the source address of the connection
 * (any 127.0.0.0/8 address reaches a server on 127.0.0.1 on Linux), `headers` are sent as given.
 * Lets a test play two dapps on different machines.
 */
export function graphqlRequestFrom<T = any>(
  peer: { localAddress: string; headers?: Record<string, string> },
  url: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphqlResult<T>> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        localAddress: peer.localAddress,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...peer.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as GraphqlResult<T>);
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
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
