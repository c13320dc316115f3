/**
 * A full optimistic dispute on a local anvil with the deployed system (Settlement as the game's
 * host, WorkerRegistry, DisputeGame, the real OneStepExecutor, dev parameters), for the MNIST MLP
 * and the 3l_relu_conv_fc fixture, and the two attack shapes of issue 18 C1 (a 3x64x64 input through a
 * 3x3 conv to 32 channels; a chain of 1,400 Relu steps): an on-chain request, a dishonest worker's signed leaf (one value
 * of the first linear / conv step off by one, later steps recomputed) committed in a 64-leaf batch
 * and revealed, then both parties played with the engine (test/support/dispute-fixtures.ts) until
 * the challenger wins, withdraws its bond and claims the slash from the Escrow. Prints each move's gas next to the
 * registration bound's figure for it (src/chain/dispute-gas.ts), the totals, the one-step's gas, the wall time on anvil and the commit gas per inference of a
 * 64-leaf batch. Asserts nothing.
 *
 *   npx ts-node --transpile-only bench/dispute.bench.ts
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPublicClient,
  createWalletClient,
  http,
  keccak256,
  parseEventLogs,
  toHex,
  type Address,
} from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { ANVIL_DEFAULT_PRIVATE_KEY, startAnvil } from '../src/chain/anvil';
import { createChainClients, type ChainClients } from '../src/chain/chain-clients';
import { DEV_PROTOCOL_PARAMETERS, ensureDeployed, type Deployment } from '../src/chain/deployments';
import { createDisputeClient } from '../src/chain/dispute-client';
import { disputeGasReport } from '../src/chain/dispute-gas';
import { EscrowAbi, ModelRegistryAbi, SettlementAbi, WorkerRegistryAbi } from '../src/chain/generated/contracts';
import { buildResultTree, type ResultLeaf } from '../src/chain/result-merkle';
import { RESULT_TYPES, verityDomain } from '../src/chain/typed-data';
import {
  firstPositive,
  honestTrace,
  loadDisputeModel,
  playDispute,
  resultLeafOf,
  tamperedTrace,
  type DisputeModelName,
  type PlayedMove,
} from '../test/support/dispute-fixtures';

const MODELS: { name: DisputeModelName; step: number }[] = [
  { name: 'mnist-mlp', step: 0 },
  { name: '3l_relu_conv_fc', step: 1 },
  { name: 'wide-conv', step: 0 },
  { name: 'relu-chain', step: 700 },
];
const BATCH_LEAVES = 64;
/** Receipt polling of the bench's clients (viem's default would dominate the wall time on anvil). */
const POLLING_MS = 50;
const MODE_OPTIMISTIC = 2;
const TARGET_TRANSACTIONS = 12;
const TARGET_GAS = 3_000_000n;
const TARGET_ONE_STEP_GAS = 5_000_000n;
const MNEMONIC = 'test test test test test test test test test test test junk';
/** anvil's prefunded accounts: #0 the service (committer, defender), #1 the worker, #2 the challenger, #3 a dapp. */
const WORKER = mnemonicToAccount(MNEMONIC, { addressIndex: 1 });
const CHALLENGER = mnemonicToAccount(MNEMONIC, { addressIndex: 2 });
const REQUESTER = mnemonicToAccount(MNEMONIC, { addressIndex: 3 });

type Account = typeof WORKER;

/** The service's clients on the bench's anvil, and its RPC URL for the other parties' wallets. */
interface Bench {
  clients: ChainClients;
  rpcUrl: string;
}

function walletOf({ clients, rpcUrl }: Bench, account: Account) {
  return createWalletClient({ chain: clients.chain, transport: http(rpcUrl), account });
}

async function send(
  bench: Bench,
  account: Account | undefined,
  call: { address: Address; abi: readonly unknown[]; functionName: string; args?: unknown[]; value?: bigint },
) {
  const { clients } = bench;
  const wallet = account ? walletOf(bench, account) : clients.walletClient;
  const hash = await wallet.writeContract({ ...call, chain: clients.chain } as never);
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`${call.functionName} reverted`);
  return receipt;
}

async function benchModel(
  bench: Bench,
  contracts: Deployment['contracts'],
  name: DisputeModelName,
  step: number,
) {
  const { clients } = bench;
  const model = loadDisputeModel(name);
  const honest = honestTrace(model.model, model.sampleInputs[0]);
  const wrong = tamperedTrace(model.model, honest, {
    step,
    element: firstPositive(honest, step),
    recompute: true,
  });
  await send(bench, undefined, {
    address: contracts.ModelRegistry,
    abi: ModelRegistryAbi,
    functionName: 'register',
    args: [model.commitment.commitment, MODE_OPTIMISTIC, bench.clients.account.address, model.model.outputShape.reduce((a, b) => a * b, 1)],
  });
  const requested = await send(bench, REQUESTER, {
    address: contracts.Settlement,
    abi: SettlementAbi,
    functionName: 'requestInference',
    args: [
      model.commitment.commitment,
      honest.inputCommitment,
      honest.input,
      MODE_OPTIMISTIC,
      REQUESTER.address,
      0,
    ],
    value: await bench.clients.publicClient.readContract({
      address: contracts.Settlement,
      abi: SettlementAbi,
      functionName: 'requiredFee',
      args: [model.commitment.commitment, 0],
    }),
  });
  const [request] = parseEventLogs({
    abi: SettlementAbi,
    logs: requested.logs,
    eventName: 'InferenceRequested',
  });
  const leaf = resultLeafOf(request.args.requestId, model, wrong, WORKER.address);
  const signature = await WORKER.signTypedData({
    domain: verityDomain(clients.chain.id, contracts.Settlement),
    types: RESULT_TYPES,
    primaryType: 'Result',
    message: leaf,
  });
  const leaves: ResultLeaf[] = [
    leaf,
    ...Array.from({ length: BATCH_LEAVES - 1 }, (_, i) => ({
      ...leaf,
      requestId: keccak256(toHex(`${name}-filler-${i}`)),
    })),
  ];
  const tree = buildResultTree(leaves);
  const committed = await send(bench, undefined, {
    address: contracts.Settlement,
    abi: SettlementAbi,
    functionName: 'commitBatch',
    args: [tree.root, BATCH_LEAVES],
  });
  const [batch] = parseEventLogs({ abi: SettlementAbi, logs: committed.logs, eventName: 'BatchCommitted' });
  await send(bench, undefined, {
    address: contracts.Settlement,
    abi: SettlementAbi,
    functionName: 'reveal',
    args: [batch.args.batchId, leaf, wrong.output, tree.proof(0), signature],
  });

  const game = contracts.DisputeGame;
  const defender = createDisputeClient({
    game,
    publicClient: clients.publicClient,
    walletClient: clients.walletClient,
  });
  const challenger = createDisputeClient({
    game,
    publicClient: clients.publicClient,
    walletClient: walletOf(bench, CHALLENGER),
  });
  const started = performance.now();
  const opened = await challenger.openDispute({
    batchId: batch.args.batchId,
    leaf,
    leafProof: tree.proof(0),
    parts: model.parts,
    workerSignature: signature,
  });
  const moves: PlayedMove[] = [
    { move: `open (${BATCH_LEAVES}-leaf batch)`, by: 'challenger', gasUsed: opened.gasUsed },
    ...(await playDispute({
      disputeId: opened.disputeId,
      model,
      challenger,
      defender,
      claimed: wrong,
      own: honest,
    })),
  ];
  moves.push({ move: 'withdraw (bond)', by: 'challenger', gasUsed: (await challenger.withdraw()).gasUsed });
  const claimed = await send(bench, CHALLENGER, {
    address: contracts.Escrow,
    abi: EscrowAbi,
    functionName: 'claim',
  });
  moves.push({ move: 'Escrow.claim (slash)', by: 'challenger', gasUsed: claimed.gasUsed });
  const wallMs = performance.now() - started;
  const outcome = (await challenger.readDispute(opened.disputeId)).outcome;
  const report = disputeGasReport(model.model);
  const boundOf = (move: string) =>
    move === 'oneStep'
      ? report.oneStepByStep[step].gas
      : report.moves.find((m) => m.move === move.split(' ')[0])?.gas;
  const steps = model.model.steps.map((s) => s.op);
  return { moves, wallMs, outcome, commitGas: committed.gasUsed, steps, boundOf, costliest: report.costliest };
}

async function main(): Promise<void> {
  const anvil = await startAnvil();
  try {
    const service = createChainClients({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEFAULT_PRIVATE_KEY });
    const clients: ChainClients = {
      ...service,
      publicClient: createPublicClient({
        chain: service.chain,
        transport: http(anvil.rpcUrl),
        pollingInterval: POLLING_MS,
      }),
    };
    const bench: Bench = { clients, rpcUrl: anvil.rpcUrl };
    const { contracts } = await ensureDeployed(clients, mkdtempSync(join(tmpdir(), 'verity-dispute-')));
    await send(bench, WORKER, {
      address: contracts.WorkerRegistry,
      abi: WorkerRegistryAbi,
      functionName: 'register',
      value: 8n * DEV_PROTOCOL_PARAMETERS.minimumStakeWei,
    });
    const summary: Record<string, string | number>[] = [];
    for (const { name, step } of MODELS) {
      const { moves, wallMs, outcome, commitGas, steps, boundOf, costliest } = await benchModel(bench, contracts, name, step);
      const shown = steps.length > 8 ? `${steps.length} steps: ${steps.slice(0, 3).join(', ')}, ...` : steps.join(', ');
      console.log(`\n${name} (${shown}), wrong value in step ${step} (${steps[step]})`);
      console.log(`registration bound: costliest move ${costliest.move}${costliest.step === undefined ? '' : ` (step ${costliest.step}, ${costliest.op})`}: ${costliest.gas} gas`);
      console.table(moves.map((m) => ({ move: m.move, by: m.by, gas: Number(m.gasUsed), bound: boundOf(m.move) ?? '' })));
      const total = moves.reduce((sum, m) => sum + m.gasUsed, 0n);
      const oneStep = moves.find((m) => m.move === 'oneStep')?.gasUsed ?? 0n;
      summary.push({
        model: name,
        'challenger won': outcome === 1 ? 'yes' : 'NO',
        transactions: moves.length,
        'total gas': Number(total),
        'one-step gas': Number(oneStep),
        'wall ms (anvil)': Math.round(wallMs),
        'commit gas / inference (64)': Math.round(Number(commitGas) / BATCH_LEAVES),
      });
    }
    console.log('\nfull disputes, both parties (open ... oneStep, withdraw, Escrow.claim)');
    console.table(summary);
    console.log(
      `goals: <= ${TARGET_TRANSACTIONS} transactions and < ${TARGET_GAS} gas per dispute, one-step < ${TARGET_ONE_STEP_GAS} gas`,
    );
  } finally {
    await anvil.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
