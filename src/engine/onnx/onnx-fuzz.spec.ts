/**
 * Fuzzing the importer with the ONNX fixtures: byte flips, truncations, and structure-aware
 * mutations (huge, negative or zero declared dims; huge attribute values). Every case must either
 * import and quantize, or be refused with a coded EngineError: never a TypeError, a RangeError or a
 * hang. Seeded, so a failure reproduces (fast-check prints the seed and the path).
 */
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { EngineError } from '../engine.errors';
import { quantize } from '../quantize/quantize';
import { importOnnx } from './onnx-import';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures');
const SEED = 20261204;

function onnxFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return onnxFiles(path);
    return name.endsWith('.onnx') ? [path] : [];
  });
}

const fixtures = onnxFiles(FIXTURES).map((path) => ({ path, bytes: readFileSync(path) }));

const HUGE = [0, -1, 2 ** 31, 2 ** 40, 2 ** 53, 1e6, 65_536];

type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'dim'; target: number; at: number; value: number }
  | { kind: 'attribute'; target: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('dim' as const), target: fc.nat(), at: fc.nat(), value: fc.constantFrom(...HUGE) }),
  fc.record({ kind: fc.constant('attribute' as const), target: fc.nat(), value: fc.constantFrom(...HUGE) }),
);

function pick<T>(items: T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

/** Sets one declared dim (of an initializer or a graph input/output) or one attribute to `value`. */
function mutateStructure(bytes: Uint8Array, m: Extract<Mutation, { kind: 'dim' | 'attribute' }>): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph as onnx.GraphProto;
  if (m.kind === 'dim') {
    const shapes: { dims: unknown[]; set(i: number): void }[] = [
      ...graph.initializer.map((t) => {
        const dims = t.dims ?? [];
        return { dims, set: (i: number) => void (dims[i] = m.value) };
      }),
      ...[...graph.input, ...graph.output].map((v) => {
        const dims = v.type?.tensorType?.shape?.dim ?? [];
        return { dims, set: (i: number) => void (dims[i] = { dimValue: m.value }) };
      }),
    ].filter((s) => s.dims.length > 0);
    const shape = pick(shapes, m.target);
    shape?.set(m.at % shape.dims.length);
  } else {
    const attributes = graph.node.flatMap((n) => n.attribute ?? []);
    const attribute = pick(attributes, m.target);
    if (attribute) {
      const ints = attribute.ints ?? [];
      if (ints.length > 0) ints[m.target % ints.length] = m.value;
      else if (attribute.t) attribute.t.dims = [m.value];
      else {
        attribute.i = m.value;
        attribute.f = m.value;
      }
    }
  }
  return onnx.ModelProto.encode(model).finish();
}

function apply(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out: Uint8Array = Uint8Array.from(bytes);
  for (const m of mutations) {
    if (out.length === 0) break;
    if (m.kind === 'flip') out[m.at % out.length] = m.value;
    else if (m.kind === 'truncate') out = out.subarray(0, m.at % out.length);
    else {
      try {
        out = mutateStructure(out, m);
      } catch {
        // A flip or truncation earlier broke the protobuf: keep the bytes as they are.
      }
    }
  }
  return out;
}

describe('ONNX importer fuzzing', () => {
  it('has fixtures to mutate', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
  });

  it('refuses every mutated fixture with a coded EngineError or imports it', () => {
    const codes = new Map<string, number>();
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (which, mutations) => {
        const fixture = fixtures[which % fixtures.length];
        const bytes = apply(fixture.bytes, mutations);
        try {
          quantize(importOnnx(bytes));
          codes.set('imported', (codes.get('imported') ?? 0) + 1);
        } catch (error) {
          if (!(error instanceof EngineError)) {
            throw new Error(`${fixture.path} with ${JSON.stringify(mutations)} threw ${String(error)}`, { cause: error });
          }
          codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
        }
      }),
      { seed: SEED, numRuns: 3_000 },
    );
    expect(codes.get('imported')).toBeGreaterThan(0);
    // Each case is bounded by the element caps (import-limits.spec.ts); a missing cap shows as this
    // test running past jest's timeout. No wall-clock assertion: the machine's load is not the code's.
  });
});
