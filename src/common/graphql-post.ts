/**
 * One GraphQL call over HTTP, as the API's own clients make it (`verity worker`, `verity
 * challenger`): POST with a timeout, then one error per way it can fail, each naming the field
 * asked for: the API did not answer (API_UNREACHABLE, with undici's reason), answered without a
 * GraphQL body or without the field (API_BAD_RESPONSE), or answered with an error (its
 * `extensions.code`, else INTERNAL_SERVER_ERROR for a 5xx and GRAPHQL_ERROR otherwise). Each
 * client raises its own error class through `fail`. URLs in messages lose credentials and query.
 */

export interface GraphqlPost {
  url: string;
  /** The top-level field asked for: named in errors, and required in the answer. */
  field: string;
  query: string;
  variables: Record<string, unknown>;
  timeoutMs: number;
  fetchFn?: typeof fetch;
  /** Builds the client's own error. */
  fail: (code: string, message: string, details: Record<string, unknown>, cause?: unknown) => Error;
}

interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: { message?: string; extensions?: { code?: unknown } }[];
}

/** The URL without credentials or query, for messages and logs. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

/** The answer's `data` (holding `field`, possibly null), or the client's error saying what went wrong. */
export async function postGraphql(call: GraphqlPost): Promise<Record<string, unknown>> {
  const { url, field, fail } = call;
  let response: Response;
  try {
    response = await (call.fetchFn ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: call.query, variables: call.variables }),
      signal: AbortSignal.timeout(call.timeoutMs),
    });
  } catch (cause) {
    // undici says "fetch failed" and keeps the reason (ECONNREFUSED, a timeout) one level down.
    const inner = (cause as { cause?: { code?: unknown; message?: unknown } }).cause;
    const reason =
      typeof inner?.code === 'string' ? inner.code : typeof inner?.message === 'string' ? inner.message : String(cause);
    throw fail('API_UNREACHABLE', `the API at ${describeUrl(url)} did not answer ${field}: ${reason}`, {}, cause);
  }
  let body: GraphqlBody;
  try {
    body = (await response.json()) as GraphqlBody;
  } catch (cause) {
    throw fail('API_BAD_RESPONSE', `${field}: HTTP ${response.status} without a GraphQL body`, { status: response.status }, cause);
  }
  const first = body.errors?.[0];
  if (first) {
    const code =
      typeof first.extensions?.code === 'string'
        ? first.extensions.code
        : response.status >= 500
          ? 'INTERNAL_SERVER_ERROR'
          : 'GRAPHQL_ERROR';
    throw fail(code, `${field}: ${first.message ?? 'error without a message'}`, { status: response.status });
  }
  const data = body.data;
  if (!response.ok || !data || data[field] === undefined) {
    throw fail('API_BAD_RESPONSE', `${field}: HTTP ${response.status} without data`, { status: response.status });
  }
  return data;
}
