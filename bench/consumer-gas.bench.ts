/**
 * What a consumer contract pays and spends for one MNIST inference on a local anvil (the figures
 * docs/contracts.md quotes): the fee Settlement.requiredFee asks at several callback gas limits,
 * the gas of a request sent through ExampleConsumer.ask and straight to
 * Settlement.requestInference (784 fixed-point inputs), and the gas ExampleConsumer.onVerityResult
 * executes for a 10-value output (the callback limit it needs). Prints a table; asserts nothing.
 *
 *   npx ts-node --transpile-only bench/consumer-gas.bench.ts
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestClient, encodeFunctionData, formatEther, http, parseEther, size, type Hex } from 'viem';
import { anvil as anvilChain } from 'viem/chains';
import { ANVIL_DEFAULT_PRIVATE_KEY, startAnvil } from '../src/chain/anvil';
import { createChainClients } from '../src/chain/chain-clients';
import { ensureDeployed } from '../src/chain/deployments';
import { ExampleConsumerAbi, ExampleConsumerBytecode, ModelRegistryAbi, SettlementAbi } from '../src/chain/generated/contracts';
import { commitModel, commitTensor, evaluate, importOnnx, parseInputJson, quantize, quantizeInput } from '../src/engine';
import { loadMnistHoldout } from '../src/engine/mnist/mnist-data';

const MNIST = join(__dirname, '..', 'test', 'fixtures', 'mnist');
const CALLBACK_LIMITS = [200_000, 300_000, 500_000, 1_000_000];

/** Intrinsic gas of calldata (EIP-2028): 16 per non-zero byte, 4 per zero byte, plus the 21k base. */
function intrinsicGas(data: Hex): bigint {
  let gas = 21_000n;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === '00' ? 4n : 16n;
  return gas;
}

async function main(): Promise<void> {
  const model = quantize(importOnnx(readFileSync(join(MNIST, 'mnist-mlp.onnx'))), {
    calibration: parseInputJson(readFileSync(join(MNIST, 'calibration.json'), 'utf8')),
  });
  const commitment = commitModel(model).commitment;
  const digit = loadMnistHoldout().inputs[0];
  const input = Array.from(quantizeInput(model, digit), (v) => BigInt(v));
  const output = evaluate(model, digit, { trace: false }).outputFixed.map((v) => BigInt(v));

  const anvil = await startAnvil();
  try {
    const clients = createChainClients({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEFAULT_PRIVATE_KEY });
    const { publicClient, walletClient, account } = clients;
    const { contracts } = await ensureDeployed(clients, mkdtempSync(join(tmpdir(), 'verity-consumer-gas-')));
    const settlement = contracts.Settlement;
    const mined = async (hash: Hex) => {
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
      return receipt;
    };
    await mined(
      await walletClient.writeContract({ address: contracts.ModelRegistry, abi: ModelRegistryAbi, functionName: 'register', args: [commitment, 2, account.address, output.length] }),
    );
    const consumer = (await mined(await walletClient.deployContract({ abi: ExampleConsumerAbi, bytecode: ExampleConsumerBytecode, args: [settlement] })))
      .contractAddress!;

    const fees = await Promise.all(
      CALLBACK_LIMITS.map((limit) => publicClient.readContract({ address: settlement, abi: SettlementAbi, functionName: 'requiredFee', args: [commitment, limit] })),
    );
    const fee = fees[CALLBACK_LIMITS.indexOf(1_000_000)];
    const askData = encodeFunctionData({ abi: ExampleConsumerAbi, functionName: 'ask', args: [commitment, input, 1_000_000] });
    const ask = await mined(await walletClient.writeContract({ address: consumer, abi: ExampleConsumerAbi, functionName: 'ask', args: [commitment, input, 1_000_000], value: fee }));
    const direct = await mined(
      await walletClient.writeContract({
        address: settlement,
        abi: SettlementAbi,
        functionName: 'requestInference',
        args: [commitment, commitTensor(input), input, 2, '0x0000000000000000000000000000000000000000', 0],
        value: fees[0],
      }),
    );
    const [requestId] = (await publicClient.getContractEvents({ address: consumer, abi: ExampleConsumerAbi, eventName: 'InferenceAsked', fromBlock: ask.blockNumber, toBlock: ask.blockNumber }))
      .map((log) => log.args.requestId!);

    // The callback as Settlement makes it: from the Settlement's address, for a request it asked.
    const testClient = createTestClient({ chain: anvilChain, mode: 'anvil', transport: http(anvil.rpcUrl) });
    await testClient.impersonateAccount({ address: settlement });
    await testClient.setBalance({ address: settlement, value: parseEther('1') });
    const data = encodeFunctionData({ abi: ExampleConsumerAbi, functionName: 'onVerityResult', args: [requestId, output] });
    const callbackTotal = await publicClient.estimateGas({ account: settlement, to: consumer, data });
    const callbackExecution = callbackTotal - intrinsicGas(data);

    console.log(`MNIST (${input.length} inputs, ${output.length} outputs) on anvil, development protocol parameters`);
    console.table(CALLBACK_LIMITS.map((limit, i) => ({ 'callback gas limit': limit, 'requiredFee (ETH)': formatEther(fees[i]) })));
    console.table([
      { what: 'ExampleConsumer.ask (784 inputs, callback limit 1,000,000)', gas: Number(ask.gasUsed) },
      { what: 'Settlement.requestInference straight (784 inputs, no callback)', gas: Number(direct.gasUsed) },
      { what: `of which the intrinsic gas of ask's calldata (${size(askData)} bytes)`, gas: Number(intrinsicGas(askData)) },
      { what: 'ExampleConsumer.onVerityResult execution (10 outputs): the callback limit it needs', gas: Number(callbackExecution) },
    ]);
  } finally {
    await anvil.stop();
  }
}

void main();
