import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANVIL_DEFAULT_PRIVATE_KEY, startAnvil, type AnvilHandle } from '../../../src/chain/anvil';
import { createChainClients, type ChainClients } from '../../../src/chain/chain-clients';
import { DEV_PROTOCOL_PARAMETERS, deploymentFile, ensureDeployed } from '../../../src/chain/deployments';
import { DisputeGameAbi, SettlementAbi, WorkerRegistryAbi } from '../../../src/chain/generated/contracts';

describe('ensureDeployed', () => {
  let anvil: AnvilHandle;
  let clients: ChainClients;

  beforeAll(async () => {
    anvil = await startAnvil();
    clients = createChainClients({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEFAULT_PRIVATE_KEY });
  });
  afterAll(async () => anvil?.stop());

  it('deploys every contract with the dev parameters and wires the slasher, committer and dispute game', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'verity-deploy-'));
    const { contracts } = await ensureDeployed(clients, dir);
    expect(Object.keys(contracts).sort()).toEqual([
      'DisputeGame',
      'ModelRegistry',
      'OneStepExecutor',
      'Settlement',
      'WorkerRegistry',
    ]);
    const read = (address: `0x${string}`, abi: readonly unknown[], functionName: string): Promise<unknown> =>
      clients.publicClient.readContract({
        address,
        abi: abi as typeof SettlementAbi,
        functionName: functionName as 'disputeGame',
      });
    expect(await read(contracts.WorkerRegistry, WorkerRegistryAbi, 'slasher')).toBe(contracts.Settlement);
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
});
