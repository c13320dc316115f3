/**
 * One-step executor benchmark: gas (eth_estimateGas on a fresh anvil) and witness calldata of
 * OneStepExecutor.executeElement for every step of the MNIST MLP and of the largest conformance
 * fixture (3l_relu_conv_fc), plus the cost of the v2 trace commitment a worker computes.
 * For each step it measures a few elements and prints the most expensive one.
 * Run: npx ts-node --transpile-only bench/one-step.bench.ts (after npm run contracts:build)
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { createPublicClient, createWalletClient, http, type Address, type Hex } from 'viem';
import { anvil as anvilChain } from 'viem/chains';
import { startAnvil } from '../src/chain/anvil';
import { OneStepExecutorAbi, OneStepExecutorBytecode } from '../src/chain/generated/contracts';
import { commitModel } from '../src/engine/commitment/model-commitment';
import { buildOneStepWitness } from '../src/engine/commitment/one-step-witness';
import { commitTrace, traceTensorRoots } from '../src/engine/commitment/tensor-commitment';
import { WordTree } from '../src/engine/commitment/word-tree';
import { evaluateFixed } from '../src/engine/evaluator/evaluator';
import { quantizeInput } from '../src/engine/evaluator/input-quantize';
import { parseInputs } from '../src/engine/io/input-json';
import { importOnnx } from '../src/engine/onnx/onnx-import';
import { quantize } from '../src/engine/quantize/quantize';
import type { QuantizedModel } from '../src/engine/quantize/quantized-model.types';
import { seededValues } from '../src/engine/testing/float-model-builder';

const FIXTURES = join(__dirname, '../test/fixtures');
const ELEMENTS_PER_STEP = 4;
const COMMIT_REPEATS = 50;

function load(onnxPath: string, calibrationPath: string): QuantizedModel {
  const calibration = parseInputs(JSON.parse(readFileSync(calibrationPath, 'utf8')));
  return quantize(importOnnx(readFileSync(onnxPath)), { calibration });
}

async function main(): Promise<void> {
  const anvil = await startAnvil();
  try {
    const transport = http(anvil.rpcUrl);
    const publicClient = createPublicClient({ chain: anvilChain, transport });
    const walletClient = createWalletClient({ chain: anvilChain, transport });
    const [account] = await walletClient.getAddresses();
    const hash = await walletClient.deployContract({
      abi: OneStepExecutorAbi,
      bytecode: OneStepExecutorBytecode,
      account,
    });
    const executor = (await publicClient.waitForTransactionReceipt({ hash })).contractAddress as Address;

    const models: [string, QuantizedModel][] = [
      ['mnist-mlp', load(join(FIXTURES, 'mnist/mnist-mlp.onnx'), join(FIXTURES, 'mnist/calibration.json'))],
      [
        '3l_relu_conv_fc',
        load(
          join(FIXTURES, 'onnx-conformance/3l_relu_conv_fc/network.onnx'),
          join(FIXTURES, 'onnx-conformance/3l_relu_conv_fc/input.json'),
        ),
      ],
    ];
    for (const [name, model] of models) {
      const commitment = commitModel(model);
      const length = model.inputShape.reduce((a, b) => a * b, 1);
      const input = quantizeInput(model, seededValues(length, 3, model.inputBoundReal / 2));
      const trace: Float64Array[] = [input, ...evaluateFixed(model, input).trace.map((t) => t.values)];
      const traceTree = new WordTree(traceTensorRoots(trace[0], trace.slice(1)));
      console.log(`\n${name}: ${model.steps.length} steps, ${commitment.parameterCount} parameters`);
      console.log('step  op          output  worst element  gas        witness bytes');
      for (let step = 0; step < model.steps.length; step++) {
        const outLength = trace[step + 1].length;
        const elements = [
          ...new Set(
            Array.from({ length: ELEMENTS_PER_STEP }, (_, k) =>
              Math.floor((k * (outLength - 1)) / Math.max(1, ELEMENTS_PER_STEP - 1)),
            ),
          ),
        ];
        let worst = { element: 0, gas: 0n, bytes: 0 };
        for (const element of elements) {
          const witness: Hex = buildOneStepWitness(model, trace, step, element);
          const args = [
            commitment.stepsRoot,
            commitment.parametersRoot,
            traceTree.root,
            BigInt(traceTree.depth),
            BigInt(step),
            BigInt(element),
            witness,
          ] as const;
          const value = await publicClient.readContract({
            address: executor,
            abi: OneStepExecutorAbi,
            functionName: 'executeElement',
            args,
          });
          if (value !== BigInt(trace[step + 1][element]))
            throw new Error(
              `step ${step} element ${element}: chain ${value}, evaluator ${trace[step + 1][element]}`,
            );
          const gas = await publicClient.estimateContractGas({
            address: executor,
            abi: OneStepExecutorAbi,
            functionName: 'executeElement',
            args,
            account,
          });
          if (gas > worst.gas) worst = { element, gas, bytes: (witness.length - 2) / 2 };
        }
        const op = model.steps[step].op;
        console.log(
          `${String(step).padEnd(6)}${op.padEnd(12)}${String(outLength).padEnd(8)}${String(worst.element).padEnd(15)}${String(worst.gas).padEnd(11)}${worst.bytes}`,
        );
      }
      const start = performance.now();
      for (let i = 0; i < COMMIT_REPEATS; i++) commitTrace(trace[0], trace.slice(1));
      const values = trace.reduce((a, t) => a + t.length, 0);
      console.log(
        `commitTrace v3 (${trace.length} tensors, ${values} values): ${((performance.now() - start) / COMMIT_REPEATS).toFixed(2)} ms per sample`,
      );
    }
  } finally {
    await anvil.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
