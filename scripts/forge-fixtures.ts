/**
 * JSON fixtures for the forge tests of the one-step executor and the dispute game
 * (test/forge/fixtures): tiny models whose steps together cover every op of docs/semantics.md
 * section 3 (test/support/one-step-models.ts), evaluated by the engine on a fixed input, with the
 * commitments and one-step witnesses the TypeScript side builds. Forge reads them with
 * vm.readFile / vm.parseJson*, so the Solidity tests run on the engine's own data without
 * TypeScript at run time.
 *
 *   npm run forge:fixtures      rewrites the files
 *
 * The output is a pure function of the code (fixed inputs, no clock, no randomness):
 * src/forge-fixtures.spec.ts regenerates it in memory and fails when a committed file is stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  WordTree,
  buildOneStepWitness,
  commitModel,
  evaluateFixed,
  importOnnx,
  quantize,
  quantizeInput,
  stepsTree,
  tensorRoot,
  type QuantizedModel,
} from '../src/engine';
import { seededValues } from '../src/engine/testing';
import { ONE_STEP_MODELS } from '../test/support/one-step-models';

export const FORGE_FIXTURES_DIR = join(__dirname, '..', 'test', 'forge', 'fixtures');

/** The models of the executor fixtures, in the order forge reads them (OneStepExecutor.t.sol). */
export const ONE_STEP_FIXTURE_MODELS = [
  'hand-elementwise',
  'hand-pooling',
  'hand-conv',
  'hand-integer-elementwise',
  'hand-reductions',
  'hand-sqrt',
  'hand-division',
  'hand-attention',
] as const;
/** The model the dispute-game fixture plays on, and the value its dishonest worker changes. */
const GAME_MODEL = 'hand-pooling';
const GAME_STEP = 1;
const GAME_ELEMENT = 40;

interface Evaluated {
  model: QuantizedModel;
  /** Tensor 0 the quantized input, tensor i + 1 step i's output. */
  trace: Float64Array[];
  tree: WordTree;
}

/** The model quantized without calibration, run on a fixed input inside its input bound. */
function evaluated(name: string): Evaluated {
  const model = quantize(importOnnx(ONE_STEP_MODELS[name]()));
  const length = model.inputShape.reduce((a, b) => a * b, 1);
  const input = seededValues(length, name.length * 101, model.inputBoundReal * 0.9);
  const fixed = quantizeInput(model, input);
  const trace = [fixed, ...evaluateFixed(model, fixed).trace.map((t) => t.values)];
  return { model, trace, tree: new WordTree(trace.map((t) => tensorRoot(t))) };
}

/** First and last value of an output, a middle one of a long output, and one past the last step's end. */
function elementsOf(length: number, last: boolean): number[] {
  const elements = [...new Set([0, ...(length > 32 ? [Math.floor(length / 2)] : []), length - 1])];
  return last ? [...elements, length] : elements;
}

function modelParts(model: QuantizedModel) {
  const commitment = commitModel(model);
  return {
    headerHash: commitment.headerHash,
    parametersRoot: commitment.parametersRoot,
    parameterCount: commitment.parameterCount,
    stepsRoot: commitment.stepsRoot,
    stepCount: commitment.stepCount,
  };
}

/**
 * One model's commitments and, for every step, a few elements with the evaluator's value and the
 * witness (which carries the step's descriptor and its proof against stepsRoot).
 */
function oneStepFixture(name: string): object {
  const { model, trace, tree } = evaluated(name);
  const steps = stepsTree(model);
  const cases = model.steps.flatMap((step, s) => {
    const outputLength = trace[s + 1].length;
    return elementsOf(outputLength, s === model.steps.length - 1).map((element) => ({
      step: s,
      op: steps.descriptors[s].op,
      opName: step.op,
      element,
      outputLength,
      value: element < outputLength ? trace[s + 1][element] : 0,
      witness: buildOneStepWitness(model, trace, s, element),
    }));
  });
  return {
    model: name,
    ...modelParts(model),
    traceRoot: tree.root,
    traceDepth: tree.depth,
    tensorRoots: trace.map((t) => tensorRoot(t)),
    caseCount: cases.length,
    cases,
  };
}

/**
 * A dispute on GAME_MODEL: the honest trace, and a worker's trace with value GAME_ELEMENT of step
 * GAME_STEP's output changed by one. The witness of that value is given twice: proven against the
 * honest trace root (a challenger disputing a correct result) and against the dishonest one (the
 * honest challenger's one-step: its input roots are the defender's own leaves).
 */
function disputeFixture(): object {
  const { model, trace, tree } = evaluated(GAME_MODEL);
  const claimed = trace.map((t) => Float64Array.from(t));
  claimed[GAME_STEP + 1][GAME_ELEMENT] += 1;
  const claimedTree = new WordTree(claimed.map((t) => tensorRoot(t)));
  const steps = stepsTree(model);
  return {
    model: GAME_MODEL,
    ...modelParts(model),
    tensors: trace.map((t) => Array.from(t)),
    tensorRoots: trace.map((t) => tensorRoot(t)),
    traceRoot: tree.root,
    claimedTraceRoot: claimedTree.root,
    step: GAME_STEP,
    element: GAME_ELEMENT,
    honestValue: trace[GAME_STEP + 1][GAME_ELEMENT],
    claimedValue: claimed[GAME_STEP + 1][GAME_ELEMENT],
    descriptor: steps.encoded[GAME_STEP],
    descriptorProof: steps.proof(GAME_STEP),
    honestWitness: buildOneStepWitness(model, trace, GAME_STEP, GAME_ELEMENT),
    claimedWitness: buildOneStepWitness(model, trace, GAME_STEP, GAME_ELEMENT, claimedTree),
  };
}

/** Every fixture file, path relative to FORGE_FIXTURES_DIR, as written (2-space JSON, final newline). */
export function forgeFixtures(): Map<string, string> {
  const files = new Map<string, string>();
  const write = (path: string, content: object) => files.set(path, `${JSON.stringify(content, null, 2)}\n`);
  for (const name of ONE_STEP_FIXTURE_MODELS) write(`one-step/${name}.json`, oneStepFixture(name));
  write(`dispute/${GAME_MODEL}.json`, disputeFixture());
  return files;
}

function main(): void {
  for (const [path, content] of forgeFixtures()) {
    const target = join(FORGE_FIXTURES_DIR, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    console.log(`forge fixtures: wrote ${path} (${content.length} bytes)`);
  }
}

if (require.main === module) main();
