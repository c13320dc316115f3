/**
 * Gas of result settlement on a local anvil. First per inference: commitBatch alone (sent by the
 * service account, the Settlement's committer), and commitBatch plus one reveal per result (each
 * carrying its worker's EIP-712 signature, checked on-chain), at several batch sizes. Then each
 * call of a request's life: requestInference, commitBatch, reveal, finalize (without and with a
 * consumer callback), settleZk (zk mode, batch 1 and 4, against Groth16VerifierMock: the
 * settlement's own gas, without the pairing check a real verifier adds; bench/zk.bench.ts has
 * that) and the worker's fee claim (Escrow.claim). Prints tables; asserts nothing.
 *
 *   npx ts-node --transpile-only bench/gas.bench.ts
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestClient,
  createWalletClient,
  http,
  parseEventLogs,
  zeroAddress,
  type Address,
  type Hash,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { ANVIL_DEFAULT_PRIVATE_KEY, startAnvil } from '../src/chain/anvil';
import { createChainClients, type ChainClients } from '../src/chain/chain-clients';
import { DEV_PROTOCOL_PARAMETERS, ensureDeployed, type Deployment } from '../src/chain/deployments';
import {
  ConsumerMockAbi,
  ConsumerMockBytecode,
  EscrowAbi,
  Groth16VerifierMockAbi,
  Groth16VerifierMockBytecode,
  ModelRegistryAbi,
  SettlementAbi,
  WorkerRegistryAbi,
  ZkSettlementAbi,
} from '../src/chain/generated/contracts';
import { buildResultTree, outputCommitment, type ResultLeaf } from '../src/chain/result-merkle';
import { RESULT_TYPES, verityDomain } from '../src/chain/typed-data';

const BATCH_SIZES = [1, 16, 64, 256];
const MODEL: Hex = `0x${'ab'.repeat(32)}`;
const INPUT = [1n, 2n, 3n, 4n];
const OUTPUT = Array.from({ length: 10 }, (_, i) => BigInt(i * 1000 - 4000)); // an MNIST-sized output
const TARGET_COMMIT_GAS_PER_INFERENCE_AT_64 = 2_000;
const MODE_ZK = 1;
const MODE_OPTIMISTIC = 2;
const ZK_MODEL: Hex = `0x${'cd'.repeat(32)}`;
const ZK_BATCH_SIZES = [1, 4];
/** The zk circuits' output packing (ModelRegistry.ZkCircuit): 16-bit values, offset 2^15. */
const ZK_OUTPUT_BITS = 16;
const ZK_OUTPUT_OFFSET = 2n ** 15n;
const CALLBACK_GAS_LIMIT = 100_000;
/** Finalizes averaged over the results of this batch size (steady state: the worker has credits). */
const FINALIZED_BATCH_SIZE = 16;
const MNEMONIC = 'test test test test test test test test test test test junk';
/** anvil's second prefunded account (default mnemonic): the worker; the first is the service. */
const WORKER_KEY = mnemonicToAccount(MNEMONIC, { addressIndex: 1 });

type Contracts = Deployment['contracts'];

interface Bench {
  clients: ChainClients;
  contracts: Contracts;
  rpcUrl: string;
}

async function gasOf(clients: ChainClients, hash: Hash): Promise<TransactionReceipt> {
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
  return receipt;
}

const average = (values: bigint[]) => Math.round(Number(values.reduce((a, b) => a + b, 0n)) / values.length);

async function main(): Promise<void> {
  const anvil = await startAnvil();
  try {
    const clients = createChainClients({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEFAULT_PRIVATE_KEY });
    const { contracts } = await ensureDeployed(clients, mkdtempSync(join(tmpdir(), 'verity-gas-')));
    const bench: Bench = { clients, contracts, rpcUrl: anvil.rpcUrl };
    await setUp(bench);

    const rows: Record<string, string | number>[] = [];
    const requestGas: bigint[] = [];
    const revealGas: bigint[] = [];
    let finalizable: Hex[] = [];
    for (const size of BATCH_SIZES) {
      const requests = await requestMany(bench, size, zeroAddress, 0);
      requestGas.push(...requests.map((r) => r.gasUsed));
      const { commit, reveals } = await commitAndReveal(
        bench,
        requests.map((r) => r.requestId),
      );
      revealGas.push(...reveals);
      if (size === FINALIZED_BATCH_SIZE) finalizable = requests.map((r) => r.requestId);
      const revealed = reveals.reduce((a, b) => a + b, 0n);
      rows.push({
        'batch size': size,
        'commitBatch gas': Number(commit),
        'commit gas / inference': Math.round(Number(commit) / size),
        'reveal gas / inference (avg)': Math.round(Number(revealed) / size),
        'commit + reveal gas / inference': Math.round(Number(commit + revealed) / size),
      });
    }
    console.log(
      `Settlement gas per inference (anvil, ${OUTPUT.length}-value outputs, each result revealed in its own transaction)`,
    );
    console.table(rows);
    const at64 = rows.find((row) => row['batch size'] === 64)?.['commit gas / inference'];
    console.log(
      `commit at batch 64: ${at64} gas per inference (goal: under ${TARGET_COMMIT_GAS_PER_INFERENCE_AT_64})`,
    );

    const calls = await perCall(bench, finalizable);
    console.log(
      `\nGas per call (anvil; ${OUTPUT.length}-value outputs; a transaction's 21,000 base included)`,
    );
    console.table([
      { call: 'requestInference (optimistic, avg)', gas: average(requestGas) },
      { call: 'commitBatch (1 leaf)', gas: rows[0]['commitBatch gas'] },
      { call: 'reveal (avg)', gas: average(revealGas) },
      ...calls,
    ]);
  } finally {
    await anvil.stop();
  }
}

/** Registers the optimistic model and stakes the worker. */
async function setUp({ clients, contracts, rpcUrl }: Bench): Promise<void> {
  await gasOf(
    clients,
    await clients.walletClient.writeContract({
      address: contracts.ModelRegistry,
      abi: ModelRegistryAbi,
      functionName: 'register',
      args: [MODEL, MODE_OPTIMISTIC, clients.account.address, OUTPUT.length],
    }),
  );
  await gasOf(
    clients,
    await workerWallet(clients, rpcUrl).writeContract({
      address: contracts.WorkerRegistry,
      abi: WorkerRegistryAbi,
      functionName: 'register',
      value: DEV_PROTOCOL_PARAMETERS.minimumStakeWei,
    }),
  );
}

function workerWallet(clients: ChainClients, rpcUrl: string) {
  return createWalletClient({ chain: clients.chain, transport: http(rpcUrl), account: WORKER_KEY });
}

/** The finalize, settleZk and claim rows: finalizes `finalizable` once their window is over. */
async function perCall(bench: Bench, finalizable: Hex[]): Promise<{ call: string; gas: number }[]> {
  const { clients, contracts } = bench;
  const consumer = await deploy(clients, ConsumerMockAbi, ConsumerMockBytecode);
  const [withCallback] = await requestMany(bench, 1, consumer, CALLBACK_GAS_LIMIT);
  await commitAndReveal(bench, [withCallback.requestId]);
  const testClient = createTestClient({ chain: clients.chain, mode: 'anvil', transport: http(bench.rpcUrl) });
  await testClient.increaseTime({ seconds: Number(DEV_PROTOCOL_PARAMETERS.challengeWindowSeconds) });
  await testClient.mine({ blocks: 1 });
  const finalize = async (requestId: Hex) =>
    (
      await gasOf(
        clients,
        await clients.walletClient.writeContract({
          address: contracts.Settlement,
          abi: SettlementAbi,
          functionName: 'finalize',
          args: [requestId],
        }),
      )
    ).gasUsed;
  const finalized: bigint[] = [];
  for (const requestId of finalizable) finalized.push(await finalize(requestId));
  const callbackFinalize = await finalize(withCallback.requestId);
  const claim = await gasOf(
    clients,
    await workerWallet(clients, bench.rpcUrl).writeContract({
      address: contracts.Escrow,
      abi: EscrowAbi,
      functionName: 'claim',
    }),
  );
  const zk = await settleZkGas(bench);
  return [
    { call: `finalize (no callback, avg of ${finalized.length})`, gas: average(finalized) },
    { call: `finalize (consumer callback, limit ${CALLBACK_GAS_LIMIT})`, gas: Number(callbackFinalize) },
    ...zk.map(({ batch, gas }) => ({ call: `settleZk batch ${batch} (mock verifier)`, gas: Number(gas) })),
    { call: 'claim fees (worker, Escrow.claim)', gas: Number(claim.gasUsed) },
  ];
}

/** Registers a zk-only model with a circuit per ZK_BATCH_SIZES (mock verifier) and settles one batch of each. */
async function settleZkGas({ clients, contracts }: Bench): Promise<{ batch: number; gas: bigint }[]> {
  const { walletClient, account } = clients;
  const verifier = await deploy(clients, Groth16VerifierMockAbi, Groth16VerifierMockBytecode);
  await gasOf(
    clients,
    await walletClient.writeContract({
      address: verifier,
      abi: Groth16VerifierMockAbi,
      functionName: 'configure',
      args: [true, 0n, '0x00000000', `0x${'00'.repeat(32)}`],
    }),
  );
  await gasOf(
    clients,
    await walletClient.writeContract({
      address: contracts.ModelRegistry,
      abi: ModelRegistryAbi,
      functionName: 'register',
      args: [ZK_MODEL, 0, account.address, OUTPUT.length],
    }),
  );
  const results: { batch: number; gas: bigint }[] = [];
  for (const batch of ZK_BATCH_SIZES) {
    await gasOf(
      clients,
      await walletClient.writeContract({
        address: contracts.ModelRegistry,
        abi: ModelRegistryAbi,
        functionName: 'addZkCircuit',
        args: [
          ZK_MODEL,
          {
            verifier,
            batchSize: batch,
            outputLength: OUTPUT.length,
            outputBits: ZK_OUTPUT_BITS,
            outputOffset: ZK_OUTPUT_OFFSET,
            circuitHash: `0x${batch.toString(16).padStart(64, '0')}`,
            zkeyHash: `0x${(batch + 100).toString(16).padStart(64, '0')}`,
          },
        ],
      }),
    );
    const fee = await clients.publicClient.readContract({
      address: contracts.Settlement,
      abi: SettlementAbi,
      functionName: 'requiredFee',
      args: [ZK_MODEL, 0],
    });
    const inputs = Array.from({ length: batch }, (_, s) => BigInt(1_000 * batch + s + 1));
    const requestIds: Hex[] = [];
    for (const input of inputs) {
      const receipt = await gasOf(
        clients,
        await walletClient.writeContract({
          address: contracts.Settlement,
          abi: SettlementAbi,
          functionName: 'requestInference',
          args: [ZK_MODEL, `0x${input.toString(16).padStart(64, '0')}`, [], MODE_ZK, zeroAddress, 0],
          value: fee,
        }),
      );
      requestIds.push(
        parseEventLogs({ abi: SettlementAbi, logs: receipt.logs, eventName: 'InferenceRequested' })[0].args
          .requestId,
      );
    }
    const zero = [0n, 0n] as const;
    const settled = await gasOf(
      clients,
      await walletClient.writeContract({
        address: contracts.ZkSettlement,
        abi: ZkSettlementAbi,
        functionName: 'settleZk',
        args: [
          ZK_MODEL,
          batch,
          requestIds,
          inputs,
          packOutputs(batch),
          WORKER_KEY.address,
          zero,
          [zero, zero],
          zero,
        ],
      }),
    );
    results.push({ batch, gas: settled.gasUsed });
  }
  return results;
}

/** OUTPUT for every sample of a batch, packed as LibZkPublicSignals reads it. */
function packOutputs(batch: number): bigint[] {
  const perField = Math.floor(252 / ZK_OUTPUT_BITS);
  const values = Array.from({ length: batch }, () => OUTPUT).flat();
  const fields: bigint[] = Array.from({ length: Math.ceil(values.length / perField) }, () => 0n);
  values.forEach((value, i) => {
    fields[Math.floor(i / perField)] |= (value + ZK_OUTPUT_OFFSET) << BigInt((i % perField) * ZK_OUTPUT_BITS);
  });
  return fields;
}

async function deploy(clients: ChainClients, abi: readonly unknown[], bytecode: Hex): Promise<Address> {
  const receipt = await gasOf(clients, await clients.walletClient.deployContract({ abi, bytecode }));
  if (!receipt.contractAddress) throw new Error('deployment created no contract');
  return receipt.contractAddress;
}

/** Commits one batch of the worker's results for `requestIds` and reveals each in its own transaction. */
async function commitAndReveal(
  { clients, contracts }: Bench,
  requestIds: Hex[],
): Promise<{ commit: bigint; reveals: bigint[] }> {
  const domain = verityDomain(clients.chain.id, contracts.Settlement);
  const leaves: ResultLeaf[] = requestIds.map((requestId, i) => ({
    requestId,
    modelCommitment: MODEL,
    inputCommitment: outputCommitment(INPUT),
    outputCommitment: outputCommitment(OUTPUT),
    traceCommitment: `0x${(i + 1).toString(16).padStart(64, '0')}`,
    worker: WORKER_KEY.address,
  }));
  const signatures = await Promise.all(
    leaves.map((leaf) =>
      WORKER_KEY.signTypedData({ domain, types: RESULT_TYPES, primaryType: 'Result', message: leaf }),
    ),
  );
  const tree = buildResultTree(leaves);
  const commit = await gasOf(
    clients,
    await clients.walletClient.writeContract({
      address: contracts.Settlement,
      abi: SettlementAbi,
      functionName: 'commitBatch',
      args: [tree.root, leaves.length],
    }),
  );
  const [{ args }] = parseEventLogs({ abi: SettlementAbi, logs: commit.logs, eventName: 'BatchCommitted' });
  const reveals: bigint[] = [];
  for (let i = 0; i < leaves.length; i++) {
    const hash = await clients.walletClient.writeContract({
      address: contracts.Settlement,
      abi: SettlementAbi,
      functionName: 'reveal',
      args: [args.batchId, leaves[i], OUTPUT, tree.proof(i), signatures[i]],
    });
    reveals.push((await gasOf(clients, hash)).gasUsed);
  }
  return { commit: commit.gasUsed, reveals };
}

async function requestMany(
  { clients, contracts }: Bench,
  count: number,
  callback: Address,
  callbackGasLimit: number,
): Promise<{ requestId: Hex; gasUsed: bigint }[]> {
  const settlement = contracts.Settlement;
  const fee = await clients.publicClient.readContract({
    address: settlement,
    abi: SettlementAbi,
    functionName: 'requiredFee',
    args: [MODEL, callbackGasLimit],
  });
  const requests: { requestId: Hex; gasUsed: bigint }[] = [];
  for (let i = 0; i < count; i++) {
    const hash = await clients.walletClient.writeContract({
      address: settlement,
      abi: SettlementAbi,
      functionName: 'requestInference',
      args: [MODEL, outputCommitment(INPUT), INPUT, MODE_OPTIMISTIC, callback, callbackGasLimit],
      value: fee,
    });
    const receipt = await gasOf(clients, hash);
    const [event] = parseEventLogs({
      abi: SettlementAbi,
      logs: receipt.logs,
      eventName: 'InferenceRequested',
    });
    requests.push({ requestId: event.args.requestId, gasUsed: receipt.gasUsed });
  }
  return requests;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
