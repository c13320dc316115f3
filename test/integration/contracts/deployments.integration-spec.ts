import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANVIL_DEFAULT_PRIVATE_KEY, startAnvil, type AnvilHandle } from '../../../src/chain/anvil';
import { createChainClients, type ChainClients } from '../../../src/chain/chain-clients';
import {
  DEV_PROTOCOL_PARAMETERS,
  deploymentFile,
  ensureDeployed,
  resolveDeployment,
} from '../../../src/chain/deployments';
import {
  DisputeGameAbi,
  SettlementAbi,
  WorkerRegistryAbi,
  ZkSettlementAbi,
} from '../../../src/chain/generated/contracts';

describe('ensureDeployed', () => {
  let anvil: AnvilHandle;
  let clients: ChainClients;

  beforeAll(async () => {
    anvil = await startAnvil();
    clients = createChainClients({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEFAULT_PRIVATE_KEY });
  });
  afterAll(async () => anvil?.stop());

  it('deploys every contract with the dev parameters and wires the slasher, committer, escrow, dispute game and zk settlement', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'verity-deploy-'));
    const { contracts } = await ensureDeployed(clients, dir);
    expect(Object.keys(contracts).sort()).toEqual([
      'DisputeGame',
      'Escrow',
      'ModelRegistry',
      'OneStepExecutor',
      'Settlement',
      'WorkerRegistry',
      'ZkSettlement',
    ]);
    const read = (address: `0x${string}`, abi: readonly unknown[], functionName: string): Promise<unknown> =>
      clients.publicClient.readContract({
        address,
        abi: abi as typeof SettlementAbi,
        functionName: functionName as 'disputeGame',
      });
    expect(await read(contracts.WorkerRegistry, WorkerRegistryAbi, 'slasher')).toBe(contracts.Settlement);
    expect(await read(contracts.WorkerRegistry, WorkerRegistryAbi, 'escrow')).toBe(contracts.Escrow);
    expect(await read(contracts.WorkerRegistry, WorkerRegistryAbi, 'minimumStake')).toBe(
      DEV_PROTOCOL_PARAMETERS.minimumStakeWei,
    );
    expect(await read(contracts.WorkerRegistry, WorkerRegistryAbi, 'withdrawalDelay')).toBe(
      DEV_PROTOCOL_PARAMETERS.withdrawalDelaySeconds,
    );
    expect(await read(contracts.Settlement, SettlementAbi, 'challengeWindow')).toBe(
      DEV_PROTOCOL_PARAMETERS.challengeWindowSeconds,
    );
    expect(await read(contracts.Settlement, SettlementAbi, 'minimumFee')).toBe(
      DEV_PROTOCOL_PARAMETERS.minimumFeeWei,
    );
    expect(await read(contracts.Settlement, SettlementAbi, 'modelRegistry')).toBe(contracts.ModelRegistry);
    expect(await read(contracts.Settlement, SettlementAbi, 'disputeGame')).toBe(contracts.DisputeGame);
    expect(await read(contracts.Settlement, SettlementAbi, 'escrow')).toBe(contracts.Escrow);
    expect(await read(contracts.Settlement, SettlementAbi, 'zkSettlement')).toBe(contracts.ZkSettlement);
    expect(await read(contracts.ZkSettlement, ZkSettlementAbi, 'settlement')).toBe(contracts.Settlement);
    expect(await read(contracts.ZkSettlement, ZkSettlementAbi, 'modelRegistry')).toBe(contracts.ModelRegistry);
    expect(await read(contracts.Settlement, SettlementAbi, 'disputeSlashAmount')).toBe(
      DEV_PROTOCOL_PARAMETERS.disputeSlashAmountWei,
    );
    expect(await read(contracts.DisputeGame, DisputeGameAbi, 'host')).toBe(contracts.Settlement);
    expect(await read(contracts.DisputeGame, DisputeGameAbi, 'executor')).toBe(contracts.OneStepExecutor);
    expect(await read(contracts.DisputeGame, DisputeGameAbi, 'challengerBondWei')).toBe(
      DEV_PROTOCOL_PARAMETERS.challengerBondWei,
    );
    expect(await read(contracts.DisputeGame, DisputeGameAbi, 'maxClockSeconds')).toBe(
      DEV_PROTOCOL_PARAMETERS.maxClockSeconds,
    );
    expect(await read(contracts.Settlement, SettlementAbi, 'committer')).toBe(clients.account.address);
  });

  it('reuses a complete recorded deployment and redeploys one that lacks a contract', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'verity-deploy-'));
    const first = await ensureDeployed(clients, dir);
    expect((await ensureDeployed(clients, dir)).contracts).toEqual(first.contracts);

    const file = deploymentFile(dir, clients.chain.id);
    const recorded = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(
      file,
      JSON.stringify({ ...recorded, contracts: { ModelRegistry: recorded.contracts.ModelRegistry } }),
    );
    const redeployed = await ensureDeployed(clients, dir);
    expect(redeployed.contracts.Settlement).not.toBe(first.contracts.Settlement);
  });

  it("redeploys, saying why, when the chain's genesis block or a contract's code is not the recorded one", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'verity-deploy-'));
    const first = await resolveDeployment(clients, dir);
    expect(first.chainChanged).toBeUndefined();
    expect(first.deployment.genesisHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(Object.keys(first.deployment.codeHashes ?? {})).toHaveLength(7);
    expect(await resolveDeployment(clients, dir)).toEqual({ deployment: first.deployment });

    const file = deploymentFile(dir, clients.chain.id);
    const otherGenesis = `0x${'12'.repeat(32)}`;
    writeFileSync(file, JSON.stringify({ ...first.deployment, genesisHash: otherGenesis }));
    const moved = await resolveDeployment(clients, dir);
    expect(moved.chainChanged).toBe(`its genesis block is ${first.deployment.genesisHash}, not the recorded ${otherGenesis}`);
    expect(moved.deployment.contracts.Settlement).not.toBe(first.deployment.contracts.Settlement);

    const recorded = moved.deployment;
    writeFileSync(
      file,
      JSON.stringify({ ...recorded, codeHashes: { ...recorded.codeHashes, Settlement: `0x${'34'.repeat(32)}` } }),
    );
    expect((await resolveDeployment(clients, dir)).chainChanged).toBe(
      `Settlement at ${recorded.contracts.Settlement} holds other code than the recorded one`,
    );
  });
});
