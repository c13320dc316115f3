/**
 * Transactions and gas of one dispute on a local anvil, move by move, with the dispute game wired
 * to the host and executor mocks (DisputeHostMock, OneStepExecutorMock): the one-step's own cost is
 * the mock's, not the real executor's (measured by the executor's bench). Sizes are the MNIST MLP's:
 * a 784-value input, steps linear (56 values), relu (56), linear (10). Plays three disputes: one to
 * the one-step (challenger wins), one won on the input boundary, one won on time. Prints tables;
 * asserts nothing.
 *
 *   npx ts-node --transpile-only bench/dispute.bench.ts
 */
import { createWalletClient, encodeAbiParameters, http, keccak256, type Address, type Hex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { ANVIL_DEFAULT_PRIVATE_KEY, ANVIL_WORKER_PRIVATE_KEY, startAnvil } from '../src/chain/anvil';
import { createChainClients, type ChainClients } from '../src/chain/chain-clients';
import {
  chunkAt,
  chunkLeaves,
  createDisputeClient,
  firstDifference,
  modelCommitmentOf,
  traceCommitmentOf,
  type ModelParts,
  type SentMove,
} from '../src/chain/dispute-client';
import {
  DisputeGameAbi,
  DisputeGameBytecode,
  DisputeHostMockAbi,
  DisputeHostMockBytecode,
  OneStepExecutorMockAbi,
  OneStepExecutorMockBytecode,
} from '../src/chain/generated/contracts';
import { buildResultTree, type ResultLeaf } from '../src/chain/result-merkle';
import { RESULT_TYPES, verityDomain } from '../src/chain/typed-data';
import { commitTensor } from '../src/engine';
import { tensorRoot } from '../src/engine/commitment/tensor-root';

const BOND_WEI = 10n ** 17n;
const MAX_CLOCK_SECONDS = 3_600n;
const WINDOW_SECONDS = 86_400n;
const INPUT_LENGTH = 784;
const STEP_OUTPUT_LENGTHS = [56, 56, 10];
const TARGET_TRANSACTIONS = 12;
const TARGET_GAS = 3_000_000n;
/** anvil's third prefunded account (default mnemonic): the challenger. */
const CHALLENGER = mnemonicToAccount('test test test test test test test test test test test junk', {
  addressIndex: 2,
});

interface Row {
  move: string;
  by: string;
  gas: bigint;
}

function values(length: number, seed: number): bigint[] {
  let x = seed;
  return Array.from({ length }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return BigInt((x % 20001) - 10000);
  });
}

async function deploy(clients: ChainClients, abi: readonly unknown[], bytecode: Hex, args: unknown[] = []) {
  const hash = await clients.walletClient.deployContract({
    abi: abi as never,
    bytecode,
    args: args,
  });
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error('deployment failed');
  return receipt.contractAddress;
}

async function write(
  clients: ChainClients,
  address: Address,
  abi: readonly unknown[],
  functionName: string,
  args: unknown[],
) {
  const hash = await clients.walletClient.writeContract({
    address,
    abi: abi as never,
    functionName,
    args,
  });
  await clients.publicClient.waitForTransactionReceipt({ hash });
}

async function main(): Promise<void> {
  const anvil = await startAnvil();
  try {
    const service = createChainClients({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEFAULT_PRIVATE_KEY });
    const worker = createChainClients({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_WORKER_PRIVATE_KEY });
    const host = await deploy(service, DisputeHostMockAbi, DisputeHostMockBytecode);
    const executor = await deploy(service, OneStepExecutorMockAbi, OneStepExecutorMockBytecode);
    const game = await deploy(service, DisputeGameAbi, DisputeGameBytecode, [
      host,
      executor,
      BOND_WEI,
      MAX_CLOCK_SECONDS,
    ]);
    await write(service, host, DisputeHostMockAbi, 'setGame', [game]);
    const defender = createDisputeClient({
      game,
      publicClient: service.publicClient,
      walletClient: service.walletClient,
    });
    const challenger = createDisputeClient({
      game,
      publicClient: service.publicClient,
      walletClient: createWalletClient({
        chain: service.chain,
        transport: http(anvil.rpcUrl),
        account: CHALLENGER,
      }),
    });

    let seed = 0;
    /** A committed leaf of the worker whose step 0 is wrong at element 21 (or whose input differs). */
    async function committedLeaf(wrongInput: boolean) {
      seed++;
      const honest = [
        values(INPUT_LENGTH, seed),
        ...STEP_OUTPUT_LENGTHS.map((n, i) => values(n, seed * 31 + i)),
      ];
      const claimed = honest.map((t) => [...t]);
      if (wrongInput) claimed[0][100] += 1n;
      else claimed[1][21] += 1n;
      const roots = claimed.map((t) => tensorRoot(t));
      const parts: ModelParts = {
        headerHash: keccak256(`0x${seed.toString(16).padStart(2, '0')}`),
        parametersRoot: keccak256('0x01'),
        parameterCount: 44_522n,
        stepsRoot: keccak256('0x02'),
        stepCount: BigInt(STEP_OUTPUT_LENGTHS.length),
      };
      const leaf: ResultLeaf = {
        requestId: keccak256(`0x${(1000 + seed).toString(16)}`),
        modelCommitment: modelCommitmentOf(parts),
        inputCommitment: commitTensor(honest[0]),
        outputCommitment: commitTensor(claimed[claimed.length - 1]),
        traceCommitment: traceCommitmentOf(roots),
        worker: worker.account.address,
      };
      const tree = buildResultTree(
        Array.from({ length: 64 }, (_, i) =>
          i === 7 ? leaf : { ...leaf, requestId: keccak256(`0x${i.toString(16).padStart(4, '0')}`) },
        ),
      );
      const now = (await service.publicClient.getBlock()).timestamp;
      await write(service, host, DisputeHostMockAbi, 'setBatch', [
        BigInt(seed),
        tree.root,
        now + WINDOW_SECONDS,
      ]);
      const workerSignature = await worker.walletClient.signTypedData({
        domain: verityDomain(service.chain.id, host),
        types: RESULT_TYPES,
        primaryType: 'Result',
        message: leaf,
      });
      const opened = await challenger.openDispute({
        batchId: BigInt(seed),
        leaf,
        leafProof: tree.proof(7),
        parts,
        workerSignature,
      });
      return { honest, claimed, roots, parts, opened };
    }

    const descriptor = (stepsRoot: Hex, step: number) => {
      const d = encodeAbiParameters([{ type: 'uint256' }], [BigInt(STEP_OUTPUT_LENGTHS[step])]);
      const proof = [
        keccak256(
          encodeAbiParameters(
            [{ type: 'bytes32' }, { type: 'uint256' }, { type: 'bytes' }],
            [stepsRoot, BigInt(step), d],
          ),
        ),
      ];
      return { d, proof };
    };

    // 1. A full dispute down to the one-step.
    const full: Row[] = [];
    const record = (rows: Row[], move: string, by: string, sent: SentMove) =>
      rows.push({ move, by, gas: sent.gasUsed });
    {
      const { honest, claimed, roots, parts, opened } = await committedLeaf(false);
      const id = opened.disputeId;
      record(full, 'open (64-leaf batch)', 'challenger', opened);
      record(full, 'revealTrace', 'defender', await defender.revealTrace(id, roots));
      const step =
        firstDifference(
          honest.map((t) => tensorRoot(t)),
          roots,
        ) - 1;
      const { d, proof } = descriptor(parts.stepsRoot, step);
      record(
        full,
        `pickStep (${STEP_OUTPUT_LENGTHS[step]} values)`,
        'challenger',
        await challenger.pickStep(id, BigInt(step), d, proof),
      );
      record(
        full,
        'revealChunks',
        'defender',
        await defender.revealChunks(id, chunkLeaves(claimed[step + 1])),
      );
      const view = await challenger.readDispute(id);
      const chunk = firstDifference(chunkLeaves(honest[step + 1]), view.chunkLeaves);
      record(full, 'pickChunk', 'challenger', await challenger.pickChunk(id, BigInt(chunk)));
      record(
        full,
        'revealChunkValues',
        'defender',
        await defender.revealChunkValues(id, chunkAt(claimed[step + 1], chunk)),
      );
      const offset = firstDifference(
        chunkAt(honest[step + 1], chunk),
        (await challenger.readDispute(id)).chunkValues,
      );
      await write(service, executor, OneStepExecutorMockAbi, 'setValue', [
        honest[step + 1][chunk * 16 + offset],
        false,
      ]);
      record(full, 'oneStep (mock executor)', 'challenger', await challenger.oneStep(id, offset, '0x'));
      record(full, 'withdraw', 'challenger', await challenger.withdraw());
    }

    // 2. Won on the input boundary.
    const boundary: Row[] = [];
    {
      const { honest, roots, opened } = await committedLeaf(true);
      record(boundary, 'open', 'challenger', opened);
      record(boundary, 'revealTrace', 'defender', await defender.revealTrace(opened.disputeId, roots));
      record(
        boundary,
        'challengeInput (784 values)',
        'challenger',
        await challenger.challengeInput(opened.disputeId, honest[0]),
      );
    }

    // 3. Won on time: the defender never answers.
    const timeout: Row[] = [];
    {
      const { opened } = await committedLeaf(false);
      record(timeout, 'open', 'challenger', opened);
      await service.publicClient.request({
        method: 'evm_increaseTime' as never,
        params: [Number(MAX_CLOCK_SECONDS)] as never,
      });
      await service.publicClient.request({ method: 'evm_mine' as never });
      record(timeout, 'claimTimeout', 'anyone', await defender.claimTimeout(opened.disputeId));
    }

    printTable('full dispute to the one-step (challenger wins)', full);
    printTable('input boundary (challenger wins)', boundary);
    printTable('defender silent (challenger wins on time)', timeout);
    const total = full.reduce((sum, r) => sum + r.gas, 0n);
    console.log(
      `full dispute: ${full.length} transactions (goal <= ${TARGET_TRANSACTIONS}), ${total} gas (goal < ${TARGET_GAS}, mock one-step included)`,
    );
  } finally {
    await anvil.stop();
  }
}

function printTable(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  console.table(rows.map((r) => ({ move: r.move, by: r.by, gas: Number(r.gas) })));
  console.log(`total: ${rows.length} transactions, ${rows.reduce((sum, r) => sum + r.gas, 0n)} gas`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
