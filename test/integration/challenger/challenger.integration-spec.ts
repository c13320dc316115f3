/**
 * `verity challenger` in-process against a real anvil and the deployed contracts, with the API
 * played by a stub that serves what the real one would (protocol, optimistic inferences with
 * their leaves and proofs, the model): a wrong MNIST result is found among honest ones, disputed
 * and won on a one-step, and the bond and slash reward are collected; an honest result is never
 * disputed; a silent defender loses on time; a node on another chain is refused.
 */
import {
  createWalletClient,
  http,
  keccak256,
  parseEther,
  parseEventLogs,
  toHex,
  type Address,
  type Hex,
} from 'viem';
import { anvil } from 'viem/chains';
import pino from 'pino';
import {
  createDisputeClient,
  DisputeOutcome,
  DisputeReason,
  type DisputeClient,
} from '../../../src/chain/dispute-client';
import type { Deployment, ProtocolParameters } from '../../../src/chain/deployments';
import { DisputeGameAbi, EscrowAbi, SettlementAbi, WorkerRegistryAbi } from '../../../src/chain/generated/contracts';
import { buildResultTree, hashResultLeaf, type ResultLeaf } from '../../../src/chain/result-merkle';
import { verityDomain } from '../../../src/chain/typed-data';
import { defenderMove } from '../../../src/challenges/dispute-strategy';
import type { ApiInference } from '../../../src/challenger/challenger-api-client';
import { startChallenger, type ChallengerHandle } from '../../../src/challenger';
import { wrongOutputTrace } from '../../../src/worker/fault-injection';
import { sleep } from '../../../src/worker/backoff';
import {
  honestTrace,
  loadDisputeModel,
  resultLeafOf,
  type DisputeModel,
  type Trace,
} from '../../support/dispute-fixtures';
import { until } from '../../support/until';
import { ANVIL_WORKER_KEYS, signResult, testWorker } from '../../support/worker-auth';
import { startChain, TEST_PARAMETERS, type Chain } from '../contracts/contracts-fixture';

const BOND = parseEther('0.1');
const SLASH = parseEther('0.5');
const MAX_CLOCK = 60n;
const PARAMETERS: ProtocolParameters = {
  ...TEST_PARAMETERS,
  challengeWindowSeconds: 3_600n,
  withdrawalDelaySeconds: 7_300n,
  disputeSlashAmountWei: SLASH,
  challengerBondWei: BOND,
  maxClockSeconds: MAX_CLOCK,
};
const INTERVAL_MS = 100;

/** One result as the API stores it: the leaf, the trace the worker signed, its row. */
interface Stored {
  inference: ApiInference;
  proof: Hex[];
  claimed: Trace;
}

describe('the challenger against the deployed contracts', () => {
  let chain: Chain;
  let contracts: Deployment['contracts'];
  let mnist: DisputeModel;
  let defender: DisputeClient;
  let challengerKey: Hex;
  let challengerAddress: Address;
  const worker = testWorker(ANVIL_WORKER_KEYS[0]);
  const stored: Stored[] = [];
  const log = pino({ level: process.env.VERITY_TEST_LOG ?? 'silent' });
  let counter = 0;

  /** Signs and commits one batch (honest traces, except those `wrong` marks) and records its rows. */
  async function commitBatch(wrong: boolean[]): Promise<Stored[]> {
    const claimed = wrong.map((isWrong, n) => {
      const honest = honestTrace(mnist.model, mnist.sampleInputs[n % mnist.sampleInputs.length]);
      return isWrong ? wrongOutputTrace(mnist.model, honest) : honest;
    });
    const domain = verityDomain(anvil.id, contracts.Settlement);
    const leaves: ResultLeaf[] = claimed.map((trace) =>
      resultLeafOf(keccak256(toHex(`request-${counter++}`)), mnist, trace, worker.address),
    );
    const signatures = await Promise.all(leaves.map((leaf) => signResult(domain, worker, leaf)));
    const tree = buildResultTree(leaves);
    const receipt = await chain.send(chain.accounts[0], {
      address: contracts.Settlement,
      abi: SettlementAbi,
      functionName: 'commitBatch',
      args: [tree.root, leaves.length],
    });
    const [committed] = parseEventLogs({
      abi: SettlementAbi,
      logs: receipt.logs,
      eventName: 'BatchCommitted',
    });
    const batchId = committed.args.batchId;
    const rows = leaves.map((leaf, n) => ({
      claimed: claimed[n],
      proof: tree.proof(n),
      inference: {
        id: `inference-${leaf.requestId.slice(2, 10)}`,
        requestId: leaf.requestId,
        modelId: 'mnist',
        modelCommitment: leaf.modelCommitment,
        mode: 'OPTIMISTIC',
        status: 'CHALLENGEABLE',
        inputFixed: claimed[n].input.map(String),
        inputCommitment: leaf.inputCommitment,
        outputFixed: claimed[n].output.map(String),
        outputCommitment: leaf.outputCommitment,
        traceCommitment: leaf.traceCommitment,
        worker: leaf.worker,
        workerSignature: signatures[n],
        leafIndex: n,
        leafHash: hashResultLeaf(leaf),
        batch: {
          id: `batch-${batchId}`,
          status: 'COMMITTED',
          chainBatchId: batchId.toString(),
          root: tree.root,
        },
      },
    }));
    stored.push(...rows);
    return rows;
  }

  /** The API, as far as the challenger reads it. */
  const apiFetch: typeof fetch = async (_url, init) => {
    const { query, variables } = JSON.parse(init?.body as string) as {
      query: string;
      variables: Record<string, unknown>;
    };
    const operation = /query (\w+)/.exec(query)?.[1];
    const byId = (id: unknown) => stored.find((s) => s.inference.id === id);
    const data = ((): unknown => {
      switch (operation ?? '') {
        case 'ChallengerProtocol':
          return {
            protocol: {
              chainId: anvil.id,
              settlement: contracts.Settlement,
              disputeGame: contracts.DisputeGame,
              challengeWindowSeconds: Number(PARAMETERS.challengeWindowSeconds),
              challengerBondWei: BOND.toString(),
              maxClockSeconds: Number(MAX_CLOCK),
            },
          };
        case 'ChallengerModel':
          return {
            model: {
              id: 'mnist',
              commitment: mnist.commitment.commitment,
              quantizedJson: JSON.stringify(mnist.model),
            },
          };
        case 'ChallengerInference':
          return { inference: byId(variables.id)?.inference ?? null };
        case 'ChallengerLeafProof': {
          const row = byId(variables.id);
          return {
            inference: row
              ? { id: row.inference.id, leafHash: row.inference.leafHash, leafProof: row.proof }
              : null,
          };
        }
        case 'ChallengerInferences': {
          const items = stored.filter((s) => !variables.status || s.inference.status === variables.status);
          return {
            inferences: {
              edges: items.map((s) => ({ node: s.inference })),
              pageInfo: { hasNextPage: false, endCursor: null },
            },
          };
        }
        default:
          throw new Error(`the stub API does not answer ${operation}`);
      }
    })();
    return new Response(JSON.stringify({ data }), { headers: { 'content-type': 'application/json' } });
  };

  /** The service's defender: answers every dispute on the given rows from the trace their worker signed. */
  function defend(rows: Stored[]): { stop(): Promise<void> } {
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        for (const row of rows) {
          const ids = await defender.disputeIdsOf(row.inference.leafHash as Hex);
          for (const id of ids) {
            const move = defenderMove(await defender.readDispute(id), row.claimed, defender.calls);
            if (move) await defender.send(move.call);
          }
        }
        await sleep(INTERVAL_MS);
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        await loop;
      },
    };
  }

  const start = (extra: { request?: string; once?: boolean } = {}): Promise<ChallengerHandle> =>
    startChallenger({
      apiUrl: 'http://api.invalid/graphql',
      rpcUrl: chain.anvil.rpcUrl,
      privateKey: challengerKey,
      intervalMs: INTERVAL_MS,
      log,
      fetch: apiFetch,
      ...extra,
    });
  const readGame = <T>(functionName: string, args: readonly unknown[] = []) =>
    chain.read<T>({ address: contracts.DisputeGame, abi: DisputeGameAbi, functionName, args });
  const readSettlement = <T>(functionName: string, args: readonly unknown[] = []) =>
    chain.read<T>({ address: contracts.Settlement, abi: SettlementAbi, functionName, args });
  const readEscrow = <T>(functionName: string, args: readonly unknown[] = []) =>
    chain.read<T>({ address: contracts.Escrow, abi: EscrowAbi, functionName, args });


  beforeAll(async () => {
    mnist = loadDisputeModel('mnist-mlp');
    chain = await startChain();
    contracts = await chain.deploy(PARAMETERS);
    await chain.registerModel(contracts.ModelRegistry, mnist.commitment.commitment);
    await chain.send(worker.address, {
      address: contracts.WorkerRegistry,
      abi: WorkerRegistryAbi,
      functionName: 'register',
      value: PARAMETERS.minimumStakeWei,
    });
    challengerAddress = chain.accounts[5];
    challengerKey = toHex(chain.signer(challengerAddress).getHdKey().privateKey!);
    defender = createDisputeClient({
      game: contracts.DisputeGame,
      publicClient: chain.publicClient,
      walletClient: createWalletClient({
        chain: anvil,
        transport: http(chain.anvil.rpcUrl),
        account: chain.signer(chain.accounts[0]),
      }),
    });
  });
  afterAll(async () => chain?.anvil.stop());

  it('finds the wrong result among honest ones, wins its dispute on a one-step, collects the bond and the reward, and disputes nothing else', async () => {
    const rows = await commitBatch([false, true, false]);
    const defence = defend(rows);
    const handle = await start();
    try {
      await until('the dispute is won', () => handle.stats().disputesWon === 1, 60_000, 50);
      await until(
        'the reward is claimed',
        async () => (await readEscrow<bigint>('claimableOf', [challengerAddress])) === 0n,
        60_000,
        50,
      );
    } finally {
      await handle.stop();
      await defence.stop();
    }
    expect(await handle.done).toEqual({ kind: 'stopped' });
    expect(handle.stats()).toEqual({
      checked: 3,
      disputesOpened: 1,
      disputesWon: 1,
      disputesLost: 0,
      movesSent: 3,
    });
    const [disputeId] = await defender.disputeIdsOf(rows[1].inference.leafHash as Hex);
    expect(await defender.readDispute(disputeId)).toMatchObject({
      outcome: DisputeOutcome.ChallengerWon,
      reason: DisputeReason.OneStep,
      challenger: challengerAddress,
    });
    expect(await readSettlement('isLeafDiscarded', [rows[1].inference.leafHash])).toBe(true);
    for (const honest of [rows[0], rows[2]])
      expect(await defender.disputeIdsOf(honest.inference.leafHash as Hex)).toEqual([]);
    expect(await readGame('claimable', [challengerAddress])).toBe(0n);
  });

  it('in request mode, says an honest result agrees with the engine and opens no dispute', async () => {
    const [row] = await commitBatch([false]);
    const handle = await start({ request: row.inference.requestId });
    expect(await handle.done).toEqual({ kind: 'agrees', requestId: row.inference.requestId });
    expect(handle.stats()).toMatchObject({ checked: 1, disputesOpened: 0 });
    expect(await defender.disputeIdsOf(row.inference.leafHash as Hex)).toEqual([]);
  });

  it('in request mode, claims the win on time when the defender never answers', async () => {
    const [row] = await commitBatch([true]);
    const handle = await start({ request: row.inference.id });
    await until(
      'the dispute is open',
      async () => (await defender.disputeIdsOf(row.inference.leafHash as Hex)).length === 1,
      60_000,
      50,
    );
    await chain.increaseTime(MAX_CLOCK);
    const [disputeId] = await defender.disputeIdsOf(row.inference.leafHash as Hex);
    expect(await handle.done).toEqual({
      kind: 'won',
      requestId: row.inference.requestId,
      disputeId,
      reason: 'timeout',
    });
    expect(handle.stats()).toMatchObject({ disputesOpened: 1, disputesWon: 1, movesSent: 1 });
  });

  it('refuses a node that serves another chain than the API', async () => {
    const wrongChain: typeof fetch = async (url, init) => {
      const response = await apiFetch(url, init);
      const body = (await response.json()) as { data: { protocol?: { chainId: number } } };
      if (body.data.protocol) body.data.protocol.chainId = 1;
      return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    };
    await expect(
      startChallenger({
        apiUrl: 'http://api.invalid/graphql',
        rpcUrl: chain.anvil.rpcUrl,
        privateKey: challengerKey,
        log,
        fetch: wrongChain,
      }),
    ).rejects.toMatchObject({ code: 'CHAIN_MISMATCH' });
  });
});
