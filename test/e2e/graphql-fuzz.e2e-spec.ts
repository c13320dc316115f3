import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { Hex } from 'viem';
import {
  arg,
  hostileCursor,
  hostileNumber,
  hostileString,
  inputObject,
  invalidBase64,
  invalidUuid,
  malformedHex,
  nest,
  operationCase,
  requestBody,
  unknownEnum,
  type FuzzOperation,
  type Hostile,
} from '../support/graphql-fuzz';
import { graphqlRequest } from '../support/graphql-client';
import { startTestApp, type TestApp } from '../support/test-app';
import { MODEL_OWNER, zkConsent } from '../support/zk-consent';

/** Fixed, so a failure reproduces: fast-check prints the seed, the path and the shrunk case. */
const SEED = 18_2024;
const RUNS = 100;
/** A request that takes longer than this is a hang, not a slow machine. */
const HANG_MS = 10_000;

/** The codes an answer may carry: GraphQL's own, and Verity's named refusals. */
const NAMED_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  'MODEL_NOT_FOUND',
  'INVALID_MODEL_UPLOAD',
  'INVALID_CURSOR',
  'INVALID_PAGE_SIZE',
  'MALFORMED_ONNX',
  'UNSUPPORTED_OP',
  'UNSUPPORTED_MODEL',
  'DYNAMIC_SHAPE',
  'INPUT_SHAPE',
  'INPUT_FORMAT',
  'NON_FINITE_INPUT',
  'INPUT_OUT_OF_BOUND',
  'OVERFLOW',
  'MODEL_TOO_LARGE_RANGE',
  'INVALID_ARGUMENT',
  'INFERENCE_NOT_FOUND',
  'MODE_NOT_ALLOWED',
  'DUPLICATE_REQUEST',
  'INVALID_CLIENT_REQUEST_ID',
  'ZK_CIRCUIT_NOT_FOUND',
  'ZK_NOT_READY',
  'ZK_MODEL_TOO_LARGE',
  'ZK_UNSUPPORTED_MODEL',
  'ZK_INPUT_INVALID',
  'ZK_OWNER_REQUIRED',
  'ZK_OWNER_SIGNATURE_INVALID',
  'WORKER_AUTH_INVALID',
  'WORKER_AUTH_EXPIRED',
  'WORKER_AUTH_REPLAYED',
  'WORKER_NOT_REGISTERED',
  'WORKER_NOT_STAKED',
  'SIGNATURE_NOT_CANONICAL',
]);
/** What an unhandled JavaScript or SQL error says; never shown to a client. */
const RAW_ERROR =
  /Cannot read prop|of undefined|of null|undefined is not|is not a function|is not iterable|TypeError|RangeError|call stack|invalid input syntax|out of range for type|violates|QueryFailedError|invalid byte sequence/i;

const FIXTURES = join(__dirname, '..', 'fixtures', 'onnx-conformance', '1l_relu');
const RELU_ONNX = readFileSync(join(FIXTURES, 'network.onnx'));

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

describe('the GraphQL API under generated hostile inputs', () => {
  let app: TestApp;
  let modelId: string;
  let modelCommitment: Hex;

  const post = async (body: string, contentType = 'application/json'): Promise<Answer> => {
    const response = await fetch(app.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
      signal: AbortSignal.timeout(HANG_MS),
    });
    const text = await response.text();
    let parsed: Answer['body'];
    try {
      parsed = JSON.parse(text) as Answer['body'];
    } catch {
      throw new Error(`HTTP ${response.status} answered with a body that is not JSON: ${text.slice(0, 200)}`);
    }
    return { status: response.status, body: parsed };
  };

  /** The properties every answer has: no 5xx, and each error a named code with a message of our own. */
  const expectNamedAnswer = ({ status, body }: Answer): void => {
    if (status >= 500) throw new Error(`HTTP ${status}: ${JSON.stringify(body).slice(0, 500)}`);
    for (const error of body.errors ?? []) {
      const code = error.extensions?.code;
      if (!code || !NAMED_CODES.has(code) || RAW_ERROR.test(error.message)) {
        throw new Error(`unnamed or raw error: ${code} ${error.message.slice(0, 300)}`);
      }
    }
    if (!body.errors && status === 200 && !body.data) throw new Error(`HTTP 200 without data or errors`);
  };

  const rowCounts = async (): Promise<Record<string, string>> => {
    const [counts] = await app.app.get(DataSource).query<Record<string, string>[]>(
      `SELECT (SELECT count(*) FROM models) AS models, (SELECT count(*) FROM inferences) AS inferences,
              (SELECT count(*) FROM zk_circuits) AS zk_circuits, (SELECT count(*) FROM workers) AS workers,
              (SELECT count(*) FROM worker_call_nonces) AS nonces`,
    );
    return counts;
  };

  /** Every generated call of `operation` answers with named codes; a refused one writes nothing. */
  const fuzz = async (operation: FuzzOperation, numRuns = RUNS): Promise<void> => {
    await fc.assert(
      fc.asyncProperty(operationCase(operation), async ([values, inline]) => {
        const before = await rowCounts();
        const answer = await post(requestBody(operation, values, inline));
        expectNamedAnswer(answer);
        if (refused(answer)) expect(await rowCounts()).toEqual(before);
      }),
      { seed: SEED, numRuns },
    );
  };

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0' });
    const registered = await graphqlRequest(
      app.graphqlUrl,
      'mutation($input: RegisterModelInput!) { registerModel(input: $input) { id commitment } }',
      { input: { name: 'relu', onnxBase64: RELU_ONNX.toString('base64'), owner: MODEL_OWNER } },
    );
    ({ id: modelId, commitment: modelCommitment } = registered.data.registerModel);
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  const id = (): fc.Arbitrary<Hostile> =>
    fc.oneof(fc.constant(modelId), fc.uuid(), invalidUuid, hostileString);
  const page = fc.oneof(fc.integer({ min: -5, max: 105 }), hostileNumber);

  it('answers registerModel with named refusals for bad names, bytes and calibrations, and stores nothing refused', async () => {
    const onnx = fc.oneof(
      invalidBase64,
      fc
        .integer({ min: 1, max: RELU_ONNX.length - 1 })
        .map((n) => RELU_ONNX.subarray(0, n).toString('base64')),
      fc.constant(RELU_ONNX.toString('base64')),
    );
    const calibration = fc.oneof(
      fc.array(fc.array(hostileNumber, { maxLength: 5 }), { maxLength: 4 }),
      fc.constantFrom<Hostile>([], [[]], [[1, 2]], [[1e308, -1e308, 1e308]], [[0, 0, 0]], nest(50)),
    );
    await fuzz({
      kind: 'mutation',
      field: 'registerModel',
      args: {
        input: {
          type: 'RegisterModelInput!',
          value: arg(
            inputObject({ name: arg(hostileString), onnxBase64: arg(onnx), calibration: arg(calibration) }),
          ),
        },
      },
      selection: '{ id commitment }',
    });
  });

  it('answers requestInference with named refusals for bad models, inputs, modes and client ids', async () => {
    const input = fc.oneof(
      fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
      fc.array(hostileNumber, { minLength: 3, maxLength: 3 }),
      fc.array(hostileNumber, { maxLength: 6 }),
      fc.constant<Hostile>(Array<Hostile>(100_000).fill(0.5)),
    );
    await fuzz({
      kind: 'mutation',
      field: 'requestInference',
      args: {
        input: {
          type: 'RequestInferenceInput!',
          value: arg(
            inputObject({
              modelId: arg(id()),
              input: arg(input),
              mode: arg(unknownEnum),
              clientRequestId: arg(fc.oneof(hostileString, fc.constant(null))),
            }),
          ),
        },
      },
      selection: '{ id status }',
    });
  });

  it('answers the reads (model, models, inference, inferences, disputes, zkCircuit, zkCircuits) with named codes', async () => {
    const reads: FuzzOperation[] = [
      {
        kind: 'query',
        field: 'model',
        args: { id: { type: 'ID!', value: arg(id()) } },
        selection: '{ id name }',
      },
      {
        kind: 'query',
        field: 'models',
        args: {
          first: { type: 'Int', value: arg(page) },
          after: { type: 'String', value: arg(hostileCursor) },
        },
        selection: '{ edges { cursor node { id } } pageInfo { endCursor } }',
      },
      {
        kind: 'query',
        field: 'inference',
        args: { id: { type: 'ID!', value: arg(id()) } },
        selection: '{ id status }',
      },
      {
        kind: 'query',
        field: 'inferences',
        args: {
          first: { type: 'Int', value: arg(page) },
          after: { type: 'String', value: arg(hostileCursor) },
          status: { type: 'InferenceStatus', value: arg(unknownEnum) },
          modelId: { type: 'ID', value: arg(id()) },
          mode: { type: 'InferenceMode', value: arg(unknownEnum) },
          origin: { type: 'InferenceOrigin', value: arg(unknownEnum) },
        },
        selection: '{ edges { cursor node { id } } pageInfo { hasNextPage endCursor } }',
      },
      {
        kind: 'query',
        field: 'disputes',
        args: {
          first: { type: 'Int', value: arg(page) },
          status: { type: 'DisputeStatus', value: arg(unknownEnum) },
        },
        selection: '{ status }',
      },
      {
        kind: 'query',
        field: 'zkCircuit',
        args: { id: { type: 'ID!', value: arg(id()) } },
        selection: '{ id status }',
      },
      {
        kind: 'query',
        field: 'zkCircuits',
        args: { modelId: { type: 'ID!', value: arg(id()) } },
        selection: '{ id }',
      },
    ];
    for (const operation of reads) await fuzz(operation, 60);
  });

  it('answers enableZkMode and verifyZkProof with named codes and starts no circuit for a refused call', async () => {
    // A valid model only with batch sizes that must be refused: an accepted one starts minutes of work.
    // OWNER stands for the owner's real consent to the generated batch size, so that the batch size
    // itself is what gets refused; otherwise the consent is hostile and refused first.
    const consent = {
      deadline: arg(fc.oneof(hostileNumber, fc.constant(Math.floor(Date.now() / 1000) + 60))),
      signature: arg(fc.oneof(malformedHex, hostileString, fc.constant(`0x${'ab'.repeat(65)}`))),
    };
    const modelAndBatch = fc.oneof(
      fc.record({
        modelId: fc.constant<Hostile>(modelId),
        batchSize: fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 1_000_000 })),
        deadline: fc.constant<Hostile>(0),
        signature: fc.constant<Hostile>('OWNER'),
      }),
      fc.record({
        modelId: fc.constant<Hostile>(modelId),
        batchSize: fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 1_000_000 })),
        ...consent,
      }),
      fc.record({
        modelId: arg(fc.oneof(fc.uuid(), invalidUuid, hostileString)),
        batchSize: arg(hostileNumber),
        ...consent,
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        modelAndBatch,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }),
        async (values, inline) => {
          const before = await rowCounts();
          const operation: FuzzOperation = {
            kind: 'mutation',
            field: 'enableZkMode',
            args: {
              modelId: { type: 'ID!', value: fc.constant(null) },
              batchSize: { type: 'Int', value: fc.constant(null) },
              deadline: { type: 'Int!', value: fc.constant(null) },
              signature: { type: 'String!', value: fc.constant(null) },
            },
            selection: '{ id status }',
          };
          if (values.signature === 'OWNER' && typeof values.batchSize === 'number' && values.batchSize >= 0) {
            Object.assign(values, await zkConsent(app, modelCommitment, values.batchSize));
          }
          const answer = await post(requestBody(operation, values, inline));
          expectNamedAnswer(answer);
          expect(refused(answer)).toBe(true);
          expect(await rowCounts()).toEqual(before);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    await fuzz(
      {
        kind: 'query',
        field: 'verifyZkProof',
        args: {
          circuitId: { type: 'ID!', value: arg(id()) },
          proof: { type: 'String!', value: arg(fc.oneof(hostileString, fc.json())) },
          publicSignals: {
            type: '[String!]!',
            value: arg(fc.array(fc.oneof(hostileString, fc.bigInt().map(String)), { maxLength: 8 })),
          },
        },
        selection: '',
      },
      60,
    );
  });

  it('answers the worker API without a valid signature with named codes and registers nothing', async () => {
    const auth = inputObject({
      worker: arg(fc.oneof(malformedHex, fc.constant('0x70997970C51812dc3A010C7d01b50e0d17dc79C8'))),
      nonce: arg(malformedHex),
      deadline: arg(fc.oneof(hostileNumber, fc.constant(Math.floor(Date.now() / 1000) + 60))),
      signature: arg(malformedHex),
    });
    const workerCalls: FuzzOperation[] = [
      {
        kind: 'mutation',
        field: 'registerWorker',
        args: {
          input: {
            type: 'RegisterWorkerInput!',
            value: arg(inputObject({ name: arg(hostileString), backend: arg(hostileString) })),
          },
          auth: { type: 'WorkerAuthInput!', value: arg(auth) },
        },
        selection: '{ address }',
      },
      {
        kind: 'mutation',
        field: 'claimJobs',
        args: {
          input: {
            type: 'ClaimJobsInput!',
            value: arg(
              inputObject({
                maxJobs: arg(hostileNumber),
                waitMs: arg(hostileNumber),
                leaseSeconds: arg(hostileNumber),
              }),
            ),
          },
          auth: { type: 'WorkerAuthInput!', value: arg(auth) },
        },
        selection: '{ id }',
      },
      {
        kind: 'mutation',
        field: 'heartbeat',
        args: {
          input: {
            type: 'HeartbeatInput!',
            value: arg(inputObject({ jobIds: arg(fc.array(id(), { maxLength: 5 })) })),
          },
          auth: { type: 'WorkerAuthInput!', value: arg(auth) },
        },
        selection: '{ extended lost }',
      },
      {
        kind: 'mutation',
        field: 'submitResults',
        args: {
          input: {
            type: 'SubmitResultsInput!',
            value: arg(
              inputObject({
                backend: arg(hostileString),
                results: arg(
                  fc.array(
                    inputObject({
                      jobId: arg(id()),
                      outputFixed: arg(
                        fc.array(fc.oneof(hostileString, fc.bigInt().map(String)), { maxLength: 4 }),
                      ),
                      outputCommitment: arg(malformedHex),
                      traceCommitment: arg(malformedHex),
                      signature: arg(malformedHex),
                    }),
                    { maxLength: 3 },
                  ),
                ),
              }),
            ),
          },
          auth: { type: 'WorkerAuthInput!', value: arg(auth) },
        },
        selection: '',
      },
    ];
    for (const operation of workerCalls) await fuzz(operation, 50);
  });

  it('answers malformed documents, bodies and oversized variables without a 5xx', async () => {
    const documents = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.constantFrom(
        '{',
        'query { models(first: 1) { edges { node { id } } } } query { models { edges { cursor } } }',
        'subscription { inferenceUpdated(id: "x") { id } }',
        '{ __typename @skip(if: $undefined) }',
        `{ ${'a: __typename '.repeat(5_000)} }`,
        `query ${'($x: Int)'.repeat(1)} { models(first: $x) { edges { cursor } } }`,
        'mutation { requestInference(input: {modelId: "x", input: [1e400, -1e400, 1e-400], mode: OPTIMISTIC}) { id } }',
      ),
      fc
        .integer({ min: 100, max: 20_000 })
        .map((depth) => `{ models(first: 1) ${'{ edges '.repeat(depth)}${'}'.repeat(depth)} }`),
      fc
        .integer({ min: 100, max: 50_000 })
        .map((depth) => `{ model(id: ${'['.repeat(depth)}1${']'.repeat(depth)}) { id } }`),
    );
    const bodies = fc.oneof(
      documents.map((query) => JSON.stringify({ query })),
      fc.constantFrom(
        '',
        'null',
        '[]',
        '"query"',
        '{"query": 1}',
        '{"query": null}',
        '{"query": "{ __typename }", "variables": "x"}',
        '{"query": "{ __typename }", "variables": [1]}',
        '{"query": "{ __typename }", "operationName": 5}',
        '{"query": "query($f: Int) { models(first: $f) { edges { cursor } } }", "variables": {"f": NaN}}',
        '{"query": "query($f: Int) { models(first: $f) { edges { cursor } } }", "variables": {"f": 1e400}}',
        '{"query": "query($f: Int) { models(first: $f) { edges { cursor } } }", "variables": {"f": 2147483648}}',
      ),
      fc
        .integer({ min: 1_000, max: 100_000 })
        .map(
          (keys) =>
            `{"query":"{ __typename }","variables":{${Array.from({ length: keys }, (_, i) => `"v${i}":${i}`).join(',')}}}`,
        ),
      fc
        .integer({ min: 1_000, max: 200_000 })
        .map(
          (depth) => `{"query":"{ __typename }","variables":{"v":${'['.repeat(depth)}${']'.repeat(depth)}}}`,
        ),
    );
    await fc.assert(
      fc.asyncProperty(
        bodies,
        fc.constantFrom('application/json', 'text/plain', 'application/graphql'),
        async (body, contentType) => {
          const answer = await post(body, contentType).catch((error: Error) => {
            // Not GraphQL at all (no JSON body parsed): an HTTP refusal is enough, below 500.
            if (/^HTTP 4\d\d /.test(error.message)) return undefined;
            throw error;
          });
          if (answer) expectNamedAnswerOrHttpRefusal(answer, expectNamedAnswer);
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('refuses an over-limit operation as QUERY_TOO_COMPLEX whatever page size another of its fields asks for', async () => {
    const fields =
      'id status input inputFixed output outputFixed worker createdAt batch { id root } error { code message }';
    // About 6,400 on its own: over the limit of 5,000.
    const heavy = [1, 2, 3, 4]
      .map((i) => `h${i}: inferences(first: 100) { edges { node { ${fields} } } }`)
      .join(' ');
    const list = fc.constantFrom('models', 'inferences', 'disputes');
    await fc.assert(
      fc.asyncProperty(list, fc.integer(), async (field, first) => {
        const selection = field === 'disputes' ? '{ status }' : '{ edges { cursor } }';
        const answer = await post(
          JSON.stringify({ query: `{ page: ${field}(first: ${first}) ${selection} ${heavy} }` }),
        );
        expectNamedAnswer(answer);
        expect(answer.body.errors?.map((error) => error.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  describe('what the fuzzer found, one case each', () => {
    const codeOf = async (query: string, variables: Record<string, unknown> = {}) => {
      const answer = await post(JSON.stringify({ query, variables }));
      return {
        status: answer.status,
        code: answer.body.errors?.[0]?.extensions?.code,
        message: answer.body.errors?.[0]?.message,
      };
    };

    it('refuses a missing, null or wrongly typed variable as BAD_USER_INPUT (400), not as an internal error', async () => {
      const query = 'query($id: ID!) { model(id: $id) { id } }';
      for (const variables of [{}, { id: null }, { id: [1] }]) {
        expect(await codeOf(query, variables)).toEqual({
          status: 400,
          code: 'BAD_USER_INPUT',
          message: expect.stringMatching(/^Variable "\$id"/),
        });
      }
    });

    it('refuses a models cursor whose time or id PostgreSQL cannot read as INVALID_CURSOR', async () => {
      const query = 'query($after: String) { models(first: 1, after: $after) { edges { cursor } } }';
      for (const text of [
        '-004713-11-23T23:59:59.999Z|00000000-0000-1000-8000-000000000000',
        '2024-01-01T00:00:00.000Z|not-a-uuid',
      ]) {
        const after = Buffer.from(text).toString('base64url');
        expect((await codeOf(query, { after })).code).toBe('INVALID_CURSOR');
      }
    });

    it('refuses an inferences cursor above the bigint range as INVALID_CURSOR', async () => {
      const after = Buffer.from('inference:9999999999999999999').toString('base64url');
      const answer = await codeOf(
        'query($after: String) { inferences(after: $after) { edges { cursor } } }',
        { after },
      );
      expect(answer.code).toBe('INVALID_CURSOR');
    });

    it('answers zkCircuit, zkCircuits and verifyZkProof for an id that is not a UUID as not found', async () => {
      expect((await codeOf('{ zkCircuit(id: "x") { id } }')).code).toBe('ZK_CIRCUIT_NOT_FOUND');
      expect((await codeOf('{ verifyZkProof(circuitId: "x", proof: "{}", publicSignals: []) }')).code).toBe(
        'ZK_CIRCUIT_NOT_FOUND',
      );
      const list = await post(JSON.stringify({ query: '{ zkCircuits(modelId: "x") { id } }' }));
      expect(list.body).toEqual({ data: { zkCircuits: [] } });
    });

    it('refuses a NUL in a model name or a clientRequestId at the edge and stores nothing', async () => {
      const before = await rowCounts();
      const model = await codeOf(
        'mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }',
        {
          input: { name: 'relu\u0000', onnxBase64: RELU_ONNX.toString('base64') },
        },
      );
      expect(model).toMatchObject({ code: 'INVALID_MODEL_UPLOAD', message: expect.stringContaining('NUL') });
      const inference = await codeOf(
        'mutation($input: RequestInferenceInput!) { requestInference(input: $input) { id } }',
        {
          input: { modelId, input: [0.1, 0.2, 0.3], mode: 'OPTIMISTIC', clientRequestId: 'a\u0000b' },
        },
      );
      expect(inference).toMatchObject({
        code: 'INVALID_CLIENT_REQUEST_ID',
        message: expect.stringContaining('NUL'),
      });
      expect(await rowCounts()).toEqual(before);
    });

    it('says a document nested too deeply to parse is too deep, not that the stack overflowed', async () => {
      const answer = await codeOf(`{ model(id: ${'['.repeat(5_000)}1${']'.repeat(5_000)}) { id } }`);
      expect(answer).toMatchObject({
        status: 400,
        code: 'GRAPHQL_PARSE_FAILED',
        message: expect.stringContaining('nests too deeply'),
      });
    });
  });

  it('refuses variables above the body limit with 413 and still answers afterwards', async () => {
    const body = JSON.stringify({ query: '{ __typename }', variables: { v: 'A'.repeat(13 * 1024 * 1024) } });
    const response = await fetch(app.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(413);
    const alive = await graphqlRequest(app.graphqlUrl, '{ serviceStatus { version } }');
    expect(alive.errors).toBeUndefined();
  });
});

/** Refused: GraphQL errors, or a body refused before GraphQL (not JSON: `NaN`, `Infinity`). */
function refused(answer: Answer): boolean {
  return answer.body.errors !== undefined || answer.status >= 400;
}

/** A GraphQL answer must carry named codes; a body Nest refused before GraphQL is a plain 4xx. */
function expectNamedAnswerOrHttpRefusal(answer: Answer, expectNamed: (answer: Answer) => void): void {
  if (answer.body && 'statusCode' in answer.body) {
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    return;
  }
  expectNamed(answer);
}
