/**
 * Gas per inference of result settlement on a local anvil: commitBatch alone (sent by the service
 * account, the Settlement's committer), and commitBatch plus one reveal per result (each carrying
 * its worker's EIP-712 signature, checked on-chain), at several batch sizes. Prints a table;
 * asserts nothing.
 *
 *   npx ts-node --transpile-only bench/gas.bench.ts
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWalletClient, http, parseEventLogs, type Address, type Hash, type Hex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { ANVIL_DEFAULT_PRIVATE_KEY, startAnvil } from '../src/chain/anvil';
import { createChainClients, type ChainClients } from '../src/chain/chain-clients';
import { DEV_PROTOCOL_PARAMETERS, ensureDeployed } from '../src/chain/deployments';
import { ModelRegistryAbi, SettlementAbi, WorkerRegistryAbi } from '../src/chain/generated/contracts';
import { buildResultTree, outputCommitment, type ResultLeaf } from '../src/chain/result-merkle';
import { RESULT_TYPES, verityDomain } from '../src/chain/typed-data';

const BATCH_SIZES = [1, 16, 64, 256];
const MODEL: Hex = `0x${'ab'.repeat(32)}`;
const INPUT = [1n, 2n, 3n, 4n];
const OUTPUT = Array.from({ length: 10 }, (_, i) => BigInt(i * 1000 - 4000)); // an MNIST-sized output
const TARGET_COMMIT_GAS_PER_INFERENCE_AT_64 = 2_000;
/** anvil's second prefunded account (default mnemonic): the worker; the first is the service. */
const WORKER_KEY = mnemonicToAccount('test test test test test test test test test test test junk', {
  addressIndex: 1,
});

async function gasOf(clients: ChainClients, hash: Hash) {
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
  return receipt;
}

async function main(): Promise<void> {
  const anvil = await startAnvil();
  try {
    const clients = createChainClients({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEFAULT_PRIVATE_KEY });
    const { contracts } = await ensureDeployed(clients, mkdtempSync(join(tmpdir(), 'verity-gas-')));
    const { walletClient } = clients;
    const workerClient = createWalletClient({
      chain: clients.chain,
      transport: http(anvil.rpcUrl),
      account: WORKER_KEY,
    });
    const worker = WORKER_KEY.address;
    const domain = verityDomain(clients.chain.id, contracts.Settlement);
    await gasOf(
      clients,
      await walletClient.writeContract({
        address: contracts.ModelRegistry,
        abi: ModelRegistryAbi,
        functionName: 'register',
        args: [MODEL, 2, clients.account.address, 10],
      }),
    );
    await gasOf(
      clients,
      await workerClient.writeContract({
        address: contracts.WorkerRegistry,
        abi: WorkerRegistryAbi,
        functionName: 'register',
        value: DEV_PROTOCOL_PARAMETERS.minimumStakeWei,
      }),
    );

    const rows: Record<string, string | number>[] = [];
    for (const size of BATCH_SIZES) {
      const requestIds = await requestMany(clients, contracts.Settlement, size);
      const leaves: ResultLeaf[] = requestIds.map((requestId, i) => ({
        requestId,
        modelCommitment: MODEL,
        inputCommitment: outputCommitment(INPUT),
        outputCommitment: outputCommitment(OUTPUT),
        traceCommitment: `0x${(i + 1).toString(16).padStart(64, '0')}`,
        worker,
      }));
      const signatures = await Promise.all(
        leaves.map((leaf) =>
          WORKER_KEY.signTypedData({ domain, types: RESULT_TYPES, primaryType: 'Result', message: leaf }),
        ),
      );
      const tree = buildResultTree(leaves);
      const commit = await gasOf(
        clients,
        await walletClient.writeContract({
          address: contracts.Settlement,
          abi: SettlementAbi,
          functionName: 'commitBatch',
          args: [tree.root, size],
        }),
      );
      const [{ args }] = parseEventLogs({
        abi: SettlementAbi,
        logs: commit.logs,
        eventName: 'BatchCommitted',
      });
      let revealGas = 0n;
      for (let i = 0; i < size; i++) {
        const hash = await walletClient.writeContract({
          address: contracts.Settlement,
          abi: SettlementAbi,
          functionName: 'reveal',
          args: [args.batchId, leaves[i], OUTPUT, tree.proof(i), signatures[i]],
        });
        revealGas += (await gasOf(clients, hash)).gasUsed;
      }
      rows.push({
        'batch size': size,
        'commitBatch gas': Number(commit.gasUsed),
        'commit gas / inference': Math.round(Number(commit.gasUsed) / size),
        'reveal gas / inference (avg)': Math.round(Number(revealGas) / size),
        'commit + reveal gas / inference': Math.round(Number(commit.gasUsed + revealGas) / size),
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
  } finally {
    await anvil.stop();
  }
}

async function requestMany(clients: ChainClients, settlement: Address, count: number): Promise<Hex[]> {
  const ids: Hex[] = [];
  const fee = await clients.publicClient.readContract({ address: settlement, abi: SettlementAbi, functionName: 'requiredFee', args: [MODEL, 0] });
  for (let i = 0; i < count; i++) {
    const hash = await clients.walletClient.writeContract({
      address: settlement,
      abi: SettlementAbi,
      functionName: 'requestInference',
      args: [MODEL, outputCommitment(INPUT), INPUT, 2, '0x0000000000000000000000000000000000000000', 0],
      value: fee,
    });
    const receipt = await gasOf(clients, hash);
    ids.push(
      parseEventLogs({ abi: SettlementAbi, logs: receipt.logs, eventName: 'InferenceRequested' })[0].args
        .requestId,
    );
  }
  return ids;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
