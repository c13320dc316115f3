/**
 * Hostile GraphQL inputs for the fuzz spec (test/e2e/graphql-fuzz.e2e-spec.ts): fast-check
 * arbitraries for the values an attacker sends, a renderer that writes them either inline as
 * GraphQL literals or as JSON variables (with the encodings JSON.stringify cannot write: 1e400,
 * NaN), and the checks every answer must pass.
 */
import fc from 'fast-check';

/** A bare enum value in a GraphQL literal (a string in JSON variables). */
export class EnumValue {
  constructor(readonly name: string) {}
}

/** A number token written as is: `1e400` parses to Infinity on the server, `NaN` is not JSON. */
export class RawNumber {
  constructor(readonly text: string) {}
}

export type Hostile =
  null | boolean | number | string | EnumValue | RawNumber | Hostile[] | { [key: string]: Hostile };

const RAW_NUMBERS = [
  '1e400',
  '-1e400',
  '1e-400',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '1_000',
  '00012',
  '-0',
];

export const hostileNumber: fc.Arbitrary<Hostile> = fc.oneof(
  fc.integer(),
  fc.constantFrom(
    0,
    -1,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 53 + 2,
    -Number.MAX_VALUE,
    Number.MAX_VALUE,
    5e-324,
    0.5,
    1e21,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...RAW_NUMBERS).map((text) => new RawNumber(text)),
);

export const invalidUuid: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '0',
    'null',
    '00000000-0000-0000-0000-00000000000g',
    '{00000000-0000-0000-0000-000000000000}',
  ),
  fc.uuid().map((uuid) => uuid.slice(1)),
  fc.uuid().map((uuid) => `${uuid}0`),
  fc.uuid().map((uuid) => uuid.replace(/-/g, '')),
  fc.uuid().map((uuid) => `${uuid}' OR '1'='1`),
);

export const malformedHex: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '0x',
    '0X00',
    'xyz',
    '0xzz',
    `0x${'f'.repeat(130)}`,
    `0x${'0'.repeat(130)}`,
    `0x${'g'.repeat(64)}`,
  ),
  fc.integer({ min: 0, max: 140 }).map((n) => `0x${'a'.repeat(n)}`),
  fc.stringMatching(/^0x[0-9a-fA-F]{1,140}$/),
);

/** Strings that look like cursors: base64url of near misses of both cursor formats. */
export const hostileCursor: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc
    .oneof(
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((seq) => `inference:${seq}`),
      fc.constantFrom(
        'inference:9999999999999999999',
        'inference:9223372036854775808',
        'inference:0',
        'inference:',
      ),
      fc
        .tuple(fc.date({ noInvalidDate: true }), fc.oneof(invalidUuid, fc.uuid()))
        .map(([at, id]) => `${at.toISOString()}|${id}`),
      fc.constantFrom(
        '|',
        'not a date|x',
        '2024-01-01T00:00:00.000Z|',
        '-271821-04-20T00:00:00.000Z|00000000-0000-0000-0000-000000000000',
      ),
      fc.string({ maxLength: 40 }),
    )
    .map((text) => Buffer.from(text).toString('base64url')),
);

export const invalidBase64: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '=', 'A', 'AAA', 'A===', '!!!!', 'QUJD\u0000', '////', 'AAAA'),
  fc.string({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes).toString('base64')),
);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    'NaN',
    'Infinity',
    '__proto__',
    'constructor',
    '\uD800',
    '\uFFFF',
    '🙂'.repeat(50),
  ),
  fc.integer({ min: 1_000, max: 100_000 }).map((n) => 'A'.repeat(n)),
  invalidUuid,
  malformedHex,
  hostileCursor,
);

export const unknownEnum: fc.Arbitrary<Hostile> = fc.oneof(
  fc
    .constantFrom('BOGUS', 'optimistic', 'zk', 'true', 'null', 'FINAL_', '__typename')
    .map((name) => new EnumValue(name)),
  fc.constantFrom('OPTIMISTIC', 'ZK', 'FINAL'),
);

const LEAF: fc.Arbitrary<Hostile> = fc.oneof(
  hostileNumber,
  hostileString,
  fc.boolean(),
  fc.constant(null),
  unknownEnum,
);

/** Any value at all, of any type: wrong types, nesting, huge arrays. */
export const anyHostile: fc.Arbitrary<Hostile> = fc.oneof(
  { weight: 4, arbitrary: LEAF },
  { weight: 1, arbitrary: fc.array(LEAF, { maxLength: 8 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.stringMatching(/^[a-z][a-zA-Z]{0,8}$/), LEAF, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 500 }).map((depth) => nest(depth)) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 100_000 }).map((n) => Array<Hostile>(n).fill(1)) },
);

/** `[[[...[1]...]]]`, `depth` deep. */
export function nest(depth: number): Hostile {
  let value: Hostile = 1;
  for (let i = 0; i < depth; i += 1) value = [value];
  return value;
}

/** Either `good` or, sometimes, anything at all (wrong type, null, nesting). */
export function arg(good: fc.Arbitrary<Hostile>): fc.Arbitrary<Hostile | undefined> {
  return fc.oneof(
    { weight: 5, arbitrary: good },
    { weight: 2, arbitrary: anyHostile },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** An input object whose fields are each hostile, possibly with an unknown extra field. */
export function inputObject(
  fields: Record<string, fc.Arbitrary<Hostile | undefined>>,
): fc.Arbitrary<Hostile> {
  return fc.tuple(fc.record(fields), fc.option(LEAF, { freq: 5 })).map(([record, extra]) => {
    const object: Record<string, Hostile> = {};
    for (const [key, value] of Object.entries(record)) if (value !== undefined) object[key] = value;
    if (extra !== null) object.unexpectedField = extra;
    return object;
  });
}

/** A value written as a GraphQL literal. */
export function literal(value: Hostile): string {
  if (value === null) return 'null';
  if (value instanceof EnumValue) return value.name;
  if (value instanceof RawNumber) return value.text;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '1e400';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(',')}]`;
  return `{${Object.entries(value)
    .map(([key, v]) => `${key}:${literal(v)}`)
    .join(',')}}`;
}

/** A value written as JSON, except that raw numbers go out as written (1e400, NaN). */
export function json(value: Hostile | undefined): string {
  if (value === undefined || value === null) return 'null';
  if (value instanceof EnumValue) return JSON.stringify(value.name);
  if (value instanceof RawNumber) return value.text;
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : '1e400';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(json).join(',')}]`;
  return `{${Object.entries(value)
    .map(([key, v]) => `${JSON.stringify(key)}:${json(v)}`)
    .join(',')}}`;
}

export interface FuzzOperation {
  kind: 'query' | 'mutation';
  field: string;
  /** Argument name → its declared GraphQL type (for variables) and its hostile values. */
  args: Record<string, { type: string; value: fc.Arbitrary<Hostile | undefined> }>;
  selection: string;
}

/** One request body for `operation`: each argument inline or as a variable, chosen by `inline`. */
export function requestBody(
  operation: FuzzOperation,
  values: Record<string, Hostile | undefined>,
  inline: boolean[],
): string {
  const declarations: string[] = [];
  const passed: string[] = [];
  const variables: string[] = [];
  Object.entries(operation.args).forEach(([name, { type }], i) => {
    const value = values[name];
    if (inline[i % inline.length]) {
      if (value !== undefined) passed.push(`${name}: ${literal(value)}`);
    } else {
      declarations.push(`$${name}: ${type}`);
      passed.push(`${name}: $${name}`);
      if (value !== undefined) variables.push(`${JSON.stringify(name)}:${json(value)}`);
    }
  });
  const head = declarations.length ? `(${declarations.join(', ')})` : '';
  const call = passed.length ? `(${passed.join(', ')})` : '';
  const query = `${operation.kind} Fuzz${head} { ${operation.field}${call} ${operation.selection} }`;
  return `{"query":${JSON.stringify(query)},"variables":{${variables.join(',')}}}`;
}

/** `fc.record` over an operation's argument arbitraries, with how each one is passed. */
export function operationCase(operation: FuzzOperation) {
  const values = fc.record(
    Object.fromEntries(Object.entries(operation.args).map(([name, { value }]) => [name, value])),
  );
  return fc.tuple(values, fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }));
}
