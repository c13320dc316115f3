/**
 * The on-chain one-step executor (contracts/dispute/OneStepExecutor.sol) against the TS evaluator,
 * on a real anvil: for random steps of every op, random inputs and random elements, executeElement
 * returns exactly the evaluator's value; forged witnesses revert with the right error.
 */
import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import fc from 'fast-check';
import { type Address, type Hex, decodeAbiParameters } from 'viem';
import {
  OneStepExecutorAbi,
  OneStepExecutorBytecode,
  OneStepLibrariesHarnessAbi,
  OneStepLibrariesHarnessBytecode,
} from '../../../src/chain/generated/contracts';
import { commitModel } from '../../../src/engine/commitment/model-commitment';
import {
  chunkValues,
  leafHash,
  merkleLevels,
  merkleRootOfLevels,
} from '../../../src/engine/commitment/merkle-tree';
import {
  SOURCE_PARAMETERS,
  buildOneStepWitness,
  encodeOneStepWitness,
  type ChunkRead,
  type InputRoot,
} from '../../../src/engine/commitment/one-step-witness';
import { encodeStepDescriptor, stepsTree } from '../../../src/engine/commitment/step-descriptor';
import { traceTensorRoots } from '../../../src/engine/commitment/tensor-commitment';
import { tensorChunkProof, tensorRoot } from '../../../src/engine/commitment/tensor-root';
import { WordTree } from '../../../src/engine/commitment/word-tree';
import { evaluateFixed } from '../../../src/engine/evaluator/evaluator';
import { quantizeInput } from '../../../src/engine/evaluator/input-quantize';
import { rescale } from '../../../src/engine/fixed-point/fixed-point-arith';
import { parseInputs } from '../../../src/engine/io/input-json';
import { mnistFixtureDir } from '../../../src/engine/mnist/mnist-data';
import { importOnnx } from '../../../src/engine/onnx/onnx-import';
import { quantize } from '../../../src/engine/quantize/quantize';
import type { QuantizedModel } from '../../../src/engine/quantize/quantized-model.types';
import { ONE_STEP_MODELS } from '../../support/one-step-models';
import { expectRevert, startChain, type Chain } from './contracts-fixture';

const FIXTURES_DIR = join(__dirname, '../../fixtures/onnx-conformance');
const ZOO_DIR = join(__dirname, '../../fixtures/onnx-zoo');
const REFUSED = new Set<string>();
const INPUTS_PER_MODEL = 2;
/** Ops added by issue 13: the differential test prints the one-step gas of their first element. */
const ISSUE_13_OPS = new Set(['mul', 'abs', 'sign', 'floor', 'ceil', 'round', 'compare', 'compareConst', 'pwl', 'reduce', 'sqrt', 'div', 'reciprocal', 'matmul']);
const ELEMENTS_PER_STEP = 3;

interface Case {
  name: string;
  model: QuantizedModel;
}

function fixtureCases(root: string, prefix: string): Case[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !REFUSED.has(d.name))
    .map((d) => d.name)
    .sort()
    .map((name): Case => {
      const dir = join(root, name);
      const calibration = parseInputs(JSON.parse(readFileSync(join(dir, 'input.json'), 'utf8')));
      return { name: `${prefix}${name}`, model: quantize(importOnnx(readFileSync(join(dir, 'network.onnx'))), { calibration }) };
    });
}

function loadCases(): Case[] {
  const conformance = [...fixtureCases(FIXTURES_DIR, ''), ...fixtureCases(ZOO_DIR, 'zoo/')];
  const hand = Object.entries(ONE_STEP_MODELS).map(([name, build]): Case => ({
    name,
    model: quantize(importOnnx(build())),
  }));
  return [...conformance, ...hand, { name: 'mnist-mlp', model: mnistModel() }];
}

function mnistModel(): QuantizedModel {
  const dir = mnistFixtureDir();
  const calibration = parseInputs(JSON.parse(readFileSync(join(dir, 'calibration.json'), 'utf8')));
  return quantize(importOnnx(readFileSync(join(dir, 'mnist-mlp.onnx'))), { calibration });
}

/** Tensors 0..n of one evaluation of a random input within the model's input bound. */
function randomTrace(model: QuantizedModel, seed: number): Float64Array[] {
  const length = model.inputShape.reduce((a, b) => a * b, 1);
  const bound = Math.fround(model.inputBoundReal);
  const [input] = fc.sample(
    fc.array(fc.double({ min: -bound, max: bound, noNaN: true }), { minLength: length, maxLength: length }),
    { numRuns: 1, seed },
  );
  const fixed = quantizeInput(model, input);
  return [fixed, ...evaluateFixed(model, fixed).trace.map((t) => t.values)];
}

const ops = (model: QuantizedModel): string[] => model.steps.map((s) => s.op);

/** The trace tree (format v3) of a whole trace: its root and depth are what the game passes. */
function traceTreeOf(trace: readonly Float64Array[]): { root: Hex; depth: number; tree: WordTree } {
  const tree = new WordTree(traceTensorRoots(trace[0], trace.slice(1)));
  return { root: tree.root, depth: tree.depth, tree };
}

const WITNESS_ABI = [
  { type: 'bytes' },
  { type: 'bytes32[]' },
  {
    type: 'tuple[]',
    components: [
      { type: 'bytes32', name: 'root' },
      { type: 'bytes32[]', name: 'siblings' },
    ],
  },
  {
    type: 'tuple[]',
    components: [
      { type: 'uint256', name: 'source' },
      { type: 'uint256', name: 'first' },
      { type: 'uint256', name: 'depth' },
      { type: 'int256[]', name: 'values' },
      { type: 'bytes32[]', name: 'siblings' },
    ],
  },
] as const;

/** The witness's parts, mutable, to forge variants of an honest one. */
function decodeWitness(witness: Hex): { descriptor: Hex; proof: Hex[]; inputRoots: InputRoot[]; reads: ChunkRead[] } {
  const [descriptor, proof, inputRoots, reads] = decodeAbiParameters(WITNESS_ABI, witness);
  return {
    descriptor,
    proof: [...proof],
    inputRoots: inputRoots.map((r) => ({ root: r.root, siblings: [...r.siblings] })),
    reads: reads.map((r) => ({
      source: Number(r.source),
      first: Number(r.first),
      depth: Number(r.depth),
      values: [...r.values],
      siblings: [...r.siblings],
    })),
  };
}

describe('OneStepExecutor', () => {
  let chain: Chain;
  let executor: Address;
  let harness: Address;
  const cases = loadCases();

  beforeAll(async () => {
    chain = await startChain();
    executor = await chain.deployAs(chain.accounts[0], OneStepExecutorAbi, OneStepExecutorBytecode);
    harness = await chain.deployAs(
      chain.accounts[0],
      OneStepLibrariesHarnessAbi,
      OneStepLibrariesHarnessBytecode,
    );
  });
  afterAll(async () => chain?.anvil.stop());

  const execute = (
    stepsRoot: Hex,
    parametersRoot: Hex,
    trace: { root: Hex; depth: number },
    step: number,
    element: number,
    witness: Hex,
  ) =>
    chain.read<bigint>({
      address: executor,
      abi: OneStepExecutorAbi,
      functionName: 'executeElement',
      args: [stepsRoot, parametersRoot, trace.root, BigInt(trace.depth), BigInt(step), BigInt(element), witness],
    });
  const lib = <T>(functionName: string, args: readonly unknown[]) =>
    chain.read<T>({ address: harness, abi: OneStepLibrariesHarnessAbi, functionName, args });

  it('covers every op of the semantics across its test models', () => {
    const covered = new Set(cases.flatMap((c) => ops(c.model)));
    expect([...covered].sort()).toEqual(
      [
        'add',
        'addConst',
        'affine',
        'avgPool',
        'clip',
        'conv',
        'gather',
        'leakyRelu',
        'linear',
        'maxPool',
        'relu',
        'reshape',
        'sigmoid',
        'softmax',
        'sub',
        'tanh',
        'mul',
        'abs',
        'sign',
        'floor',
        'ceil',
        'round',
        'compare',
        'compareConst',
        'pwl',
        'reduce',
        'sqrt',
        'div',
        'reciprocal',
        'matmul',
      ].sort(),
    );
    const avgPools = cases.flatMap((c) => c.model.steps).filter((s) => s.op === 'avgPool');
    expect(new Set(avgPools.map((s) => s.op === 'avgPool' && s.countIncludePad))).toEqual(
      new Set([true, false]),
    );
  });

  describe('library semantics', () => {
    it('shifts int256 right toward minus infinity and rescales half up, as section 1 says', async () => {
      for (const [a, s] of [
        [3, 1],
        [-3, 1],
        [-7, 2],
        [-1, 4],
        [-16, 4],
        [-17, 4],
        [12345, 8],
        [-12345, 8],
        [-(2 ** 51) + 3, 16],
      ] as const) {
        expect(await lib<bigint>('rescale', [BigInt(a), BigInt(s)])).toBe(BigInt(rescale(a, s)));
        expect(await lib<bigint>('floorShift', [BigInt(a), BigInt(s)])).toBe(BigInt(Math.floor(a / 2 ** s)));
      }
      expect(await lib<bigint>('rescale', [-3n, 1n])).toBe(-1n);
      expect(await lib<bigint>('floorShift', [-1n, 200n])).toBe(-1n);
    });

    it('computes the same tensor roots, leaves and proofs as the TS commitment', async () => {
      for (const length of [1, 15, 16, 17, 33, 100, 784]) {
        const values = Array.from({ length }, (_, i) => BigInt((i * 7919) % 4001) - 2000n);
        expect(await lib<Hex>('root', [values])).toBe(tensorRoot(values));
        const chunks = chunkValues(values);
        expect(await lib<Hex>('chunkLeaf', [BigInt(chunks.length - 1), chunks.at(-1)])).toBe(
          leafHash(chunks.length - 1, chunks.at(-1)!),
        );
        const leaves = chunks.map((c, i) => leafHash(i, c));
        expect(await lib<Hex>('rootFromLeaves', [leaves])).toBe(merkleRootOfLevels(merkleLevels(leaves)));
        const at = chunks.length - 1;
        const proof = tensorChunkProof(values, at);
        expect(
          await lib<boolean>('verifyLeaf', [tensorRoot(values), BigInt(at), leaves[at], proof.siblings]),
        ).toBe(true);
        expect(
          await lib<boolean>('verifyLeaf', [
            tensorRoot(values),
            BigInt(at + (1 << proof.siblings.length)),
            leaves[at],
            proof.siblings,
          ]),
        ).toBe(false);
        if (at > 0)
          expect(
            await lib<boolean>('verifyLeaf', [
              tensorRoot(values),
              BigInt(at - 1),
              leaves[at],
              proof.siblings,
            ]),
          ).toBe(false);
      }
      expect(await lib<Hex>('root', [[]])).toBe(tensorRoot([]));
    });
  });

  describe('forged witnesses', () => {
    const model = cases.find((c) => c.name === 'mnist-mlp')!.model;
    const commitment = commitModel(model);
    const trace = randomTrace(model, 5);
    const roots = traceTreeOf(trace);
    const STEP = 0;
    const NEURON = 7;
    const honest = buildOneStepWitness(model, trace, STEP, NEURON);
    const run = (
      witness: Hex,
      overrides: { step?: number; element?: number; parametersRoot?: Hex; roots?: { root: Hex; depth: number } } = {},
    ) =>
      execute(
        commitment.stepsRoot,
        overrides.parametersRoot ?? commitment.parametersRoot,
        overrides.roots ?? roots,
        overrides.step ?? STEP,
        overrides.element ?? NEURON,
        witness,
      );

    it('accepts the honest witness of one neuron of the 784 -> 56 linear and reports its gas', async () => {
      expect(await run(honest)).toBe(BigInt(trace[1][NEURON]));
      const gas = await chain.publicClient.estimateContractGas({
        address: executor,
        abi: OneStepExecutorAbi,
        functionName: 'executeElement',
        args: [
          commitment.stepsRoot,
          commitment.parametersRoot,
          roots.root,
          BigInt(roots.depth),
          BigInt(STEP),
          BigInt(NEURON),
          honest,
        ],
      });
      console.log(
        `one-step gas, MNIST linear 784->56 neuron: ${gas} (calldata witness ${(honest.length - 2) / 2} bytes)`,
      );
      expect(gas).toBeLessThan(5_000_000n);
    });

    it('refuses an input chunk with one value changed', async () => {
      const { descriptor, proof, inputRoots, reads } = decodeWitness(honest);
      const input = reads.find((r) => r.source === 0)!;
      input.values[3] += 1n;
      await expectRevert(
        run(encodeOneStepWitness(descriptor, proof, inputRoots, reads)),
        'OneStepExecutor_BadChunkProof',
        [0n, BigInt(input.first)],
      );
    });

    it('refuses weight chunks of another row, whether sent as that row or relabelled as this one', async () => {
      const other = decodeWitness(buildOneStepWitness(model, trace, STEP, NEURON + 1));
      const { descriptor, proof, inputRoots } = decodeWitness(honest);
      const k = 784;
      await expectRevert(
        run(encodeOneStepWitness(descriptor, proof, inputRoots, other.reads)),
        'OneStepExecutor_MissingValues',
        [BigInt(SOURCE_PARAMETERS), BigInt(NEURON * k), BigInt(k)],
      );
      const relabelled = other.reads.map((r) =>
        r.source === SOURCE_PARAMETERS && r.values.length > 16
          ? { ...r, first: Math.floor((NEURON * k) / 16) }
          : r,
      );
      const weightRead = relabelled.find((r) => r.source === SOURCE_PARAMETERS && r.values.length > 16)!;
      await expectRevert(
        run(encodeOneStepWitness(descriptor, proof, inputRoots, relabelled)),
        'OneStepExecutor_BadChunkProof',
        [BigInt(SOURCE_PARAMETERS), BigInt(weightRead.first)],
      );
    });

    it('refuses the descriptor of another step, and a step index past the last step', async () => {
      const next = decodeWitness(buildOneStepWitness(model, trace, STEP + 1, NEURON));
      const { inputRoots, reads } = decodeWitness(honest);
      await expectRevert(
        run(encodeOneStepWitness(next.descriptor, next.proof, inputRoots, reads)),
        'OneStepExecutor_BadDescriptorProof',
        [BigInt(STEP)],
      );
      const lastStep = model.steps.length - 1;
      const last = decodeWitness(buildOneStepWitness(model, trace, lastStep, 0));
      await expectRevert(
        run(encodeOneStepWitness(last.descriptor, last.proof, [], []), { step: model.steps.length, element: 0 }),
        'OneStepExecutor_BadDescriptorProof',
        [BigInt(model.steps.length)],
      );
      await expectRevert(
        chain.read({
          address: executor,
          abi: OneStepExecutorAbi,
          functionName: 'stepOutputLength',
          args: [commitment.stepsRoot, BigInt(STEP), next.descriptor, next.proof],
        }),
        'OneStepExecutor_BadDescriptorProof',
        [BigInt(STEP)],
      );
    });

    it('refuses a proof presented for another chunk index', async () => {
      const { descriptor, proof, inputRoots, reads } = decodeWitness(honest);
      const bias = reads.filter((r) => r.source === SOURCE_PARAMETERS).at(-1)!;
      bias.first += 1;
      await expectRevert(
        run(encodeOneStepWitness(descriptor, proof, inputRoots, reads)),
        'OneStepExecutor_BadChunkProof',
        [BigInt(SOURCE_PARAMETERS), BigInt(bias.first)],
      );
    });

    it("refuses a witness checked against another model's parametersRoot", async () => {
      const other = commitModel(quantize(importOnnx(ONE_STEP_MODELS['hand-conv']())));
      await expectRevert(
        run(honest, { parametersRoot: other.parametersRoot }),
        'OneStepExecutor_BadChunkProof',
      );
    });

    it('refuses a witness that leaves out a value the step reads', async () => {
      const { descriptor, proof, inputRoots, reads } = decodeWitness(honest);
      await expectRevert(
        run(
          encodeOneStepWitness(
            descriptor,
            proof,
            inputRoots,
            reads.filter((r) => r.source !== 0),
          ),
        ),
        'OneStepExecutor_MissingValues',
        [0n, 0n, 784n],
      );
    });

    it('refuses a read from a source the step does not have', async () => {
      const { descriptor, proof, inputRoots, reads } = decodeWitness(honest);
      await expectRevert(
        run(encodeOneStepWitness(descriptor, proof, inputRoots, [...reads, { ...reads[0], source: 1 }])),
        'OneStepExecutor_UnknownSource',
        [1n],
      );
    });

    it('refuses a witness without one proven root per input slot', async () => {
      const { descriptor, proof, reads } = decodeWitness(honest);
      await expectRevert(
        run(encodeOneStepWitness(descriptor, proof, [], reads)),
        'OneStepExecutor_InputRootCount',
        [0n, 1n],
      );
    });

    it('refuses a forged input root, a proof of the wrong depth and the root of another tensor', async () => {
      const { descriptor, proof, inputRoots, reads } = decodeWitness(honest);
      const forged = [{ root: tensorRoot([1n, 2n, 3n]), siblings: inputRoots[0].siblings }];
      await expectRevert(
        run(encodeOneStepWitness(descriptor, proof, forged, reads)),
        'OneStepExecutor_BadInputRootProof',
        [0n, 0n],
      );
      const short = [{ root: inputRoots[0].root, siblings: inputRoots[0].siblings.slice(1) }];
      await expectRevert(
        run(encodeOneStepWitness(descriptor, proof, short, reads)),
        'OneStepExecutor_BadInputRootProof',
        [0n, 0n],
      );
      // tensor 1's root with its own (valid) proof, presented for the step's input slot (tensor 0)
      const later = [{ root: roots.tree.node(0, 1), siblings: roots.tree.proof(1) }];
      await expectRevert(
        run(encodeOneStepWitness(descriptor, proof, later, reads)),
        'OneStepExecutor_BadInputRootProof',
        [0n, 0n],
      );
      // the honest witness against another trace root (a different trace of the same model)
      await expectRevert(run(honest, { roots: traceTreeOf(randomTrace(model, 6)) }), 'OneStepExecutor_BadInputRootProof', [0n, 0n]);
    });

    it('refuses a committed descriptor whose input is not before the step (the root of a later tensor)', async () => {
      const bad: QuantizedModel = JSON.parse(JSON.stringify(cases.find((c) => c.name === '1l_relu')!.model));
      bad.steps[0].inputs = [1];
      const badTrace = traceTreeOf(randomTrace(cases.find((c) => c.name === '1l_relu')!.model, 1));
      const tree = stepsTree(bad);
      const later = [{ root: badTrace.tree.node(0, 1), siblings: badTrace.tree.proof(1) }];
      const witness = encodeOneStepWitness(encodeStepDescriptor(bad, 0), tree.proof(0), later, []);
      await expectRevert(
        execute(tree.root, commitModel(bad).parametersRoot, badTrace, 0, 0, witness),
        'OneStepExecutor_BadInputTensor',
        [1n, 0n],
      );
    });
  });

  describe.each(cases.map((c) => [c.name, c] as const))('differential: %s', (_name, { model }) => {
    const commitment = commitModel(model);

    it('returns exactly the evaluator value for random elements of every step, and 0 past the output', async () => {
      const tree = stepsTree(model);
      for (let sample = 0; sample < INPUTS_PER_MODEL; sample++) {
        const trace = randomTrace(model, 100 + sample);
        const roots = traceTreeOf(trace);
        for (let step = 0; step < model.steps.length; step++) {
          const length = trace[step + 1].length;
          expect(
            await chain.read<bigint>({
              address: executor,
              abi: OneStepExecutorAbi,
              functionName: 'stepOutputLength',
              args: [commitment.stepsRoot, BigInt(step), tree.encoded[step], tree.proof(step)],
            }),
          ).toBe(BigInt(length));
          const elements = fc.sample(fc.nat({ max: length - 1 }), {
            numRuns: ELEMENTS_PER_STEP,
            seed: 7 * step + sample,
          });
          if (sample === 0) elements.push(0, length - 1);
          for (const element of elements) {
            const witness = buildOneStepWitness(model, trace, step, element);
            const value = await execute(
              commitment.stepsRoot,
              commitment.parametersRoot,
              roots,
              step,
              element,
              witness,
            );
            if (sample === 0 && element === 0 && ISSUE_13_OPS.has(model.steps[step].op)) {
              const gas = await chain.publicClient.estimateContractGas({
                address: executor,
                abi: OneStepExecutorAbi,
                functionName: 'executeElement',
                args: [commitment.stepsRoot, commitment.parametersRoot, roots.root, BigInt(roots.depth), BigInt(step), 0n, witness],
              });
              console.log(`one-step gas, ${_name} step ${step} ${model.steps[step].op} (${length} values): ${gas}, witness ${(witness.length - 2) / 2} bytes`);
            }
            expect([model.steps[step].op, element, value]).toEqual([
              model.steps[step].op,
              element,
              BigInt(trace[step + 1][element]),
            ]);
          }
        }
        const last = model.steps.length - 1;
        if (last >= 0 && sample === 0) {
          const past = Math.ceil(trace[last + 1].length / 16) * 16 - 1 + 1;
          expect(
            await execute(
              commitment.stepsRoot,
              commitment.parametersRoot,
              roots,
              last,
              past,
              buildOneStepWitness(model, trace, last, past),
            ),
          ).toBe(0n);
        }
      }
    });
  });
});
