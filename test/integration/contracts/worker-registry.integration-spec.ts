import { parseEther, type Address } from 'viem';
import {
  ModelRegistryAbi,
  ModelRegistryBytecode,
  SettlementAbi,
  SettlementBytecode,
  WorkerRegistryAbi,
  WorkerRegistryBytecode,
} from '../../../src/chain/generated/contracts';
import { expectRevert, startChain, TEST_PARAMETERS, ZERO_ADDRESS, type Chain } from './contracts-fixture';

describe('WorkerRegistry', () => {
  let chain: Chain;
  let registry: Address;
  let deployer: Address, worker: Address, outsider: Address;
  const { minimumStakeWei: MIN_STAKE, withdrawalDelaySeconds: DELAY } = TEST_PARAMETERS;

  const registryCall = (functionName: string, args: readonly unknown[] = [], value?: bigint) => ({
    address: registry,
    abi: WorkerRegistryAbi,
    functionName,
    args,
    value,
  });

  beforeAll(async () => {
    chain = await startChain();
    [deployer, worker, outsider] = chain.accounts;
    ({ WorkerRegistry: registry } = await chain.deploy());
  });
  afterAll(async () => chain?.anvil.stop());

  it('refuses stake while no slasher is set', async () => {
    const bare = await chain.deployAs(deployer, WorkerRegistryAbi, WorkerRegistryBytecode, [
      MIN_STAKE,
      DELAY,
    ]);
    await expectRevert(
      chain.send(worker, {
        address: bare,
        abi: WorkerRegistryAbi,
        functionName: 'register',
        value: MIN_STAKE,
      }),
      'WorkerRegistry_SlasherNotSet',
    );
  });

  it('lets only the deployer set the slasher, once, and only to a contract', async () => {
    const bare = await chain.deployAs(deployer, WorkerRegistryAbi, WorkerRegistryBytecode, [
      MIN_STAKE,
      DELAY,
    ]);
    const setSlasher = (from: Address, slasher: Address) =>
      chain.send(from, {
        address: bare,
        abi: WorkerRegistryAbi,
        functionName: 'setSlasher',
        args: [slasher],
      });
    await expectRevert(setSlasher(outsider, registry), 'WorkerRegistry_NotDeployer', [outsider]);
    await expectRevert(setSlasher(deployer, outsider), 'WorkerRegistry_SlasherNotContract', [outsider]);
    await setSlasher(deployer, registry);
    await expectRevert(setSlasher(deployer, bare), 'WorkerRegistry_SlasherAlreadySet', [registry]);
  });

  it('registers a worker with the minimum stake and rejects less', async () => {
    await expectRevert(
      chain.send(outsider, registryCall('register', [], MIN_STAKE - 1n)),
      'WorkerRegistry_StakeBelowMinimum',
      [MIN_STAKE - 1n, MIN_STAKE],
    );
    expect(
      await chain.read({
        address: registry,
        abi: WorkerRegistryAbi,
        functionName: 'isActive',
        args: [outsider],
      }),
    ).toBe(false);
    await chain.send(worker, registryCall('register', [], MIN_STAKE));
    expect(
      await chain.read({
        address: registry,
        abi: WorkerRegistryAbi,
        functionName: 'isActive',
        args: [worker],
      }),
    ).toBe(true);
  });

  it('withdraw reverts before the withdrawal delay ends and pays the whole stake after it', async () => {
    await expectRevert(chain.send(worker, registryCall('withdraw')), 'WorkerRegistry_NoWithdrawalRequested', [
      worker,
    ]);
    await chain.send(worker, registryCall('requestWithdrawal'));
    expect(
      await chain.read({
        address: registry,
        abi: WorkerRegistryAbi,
        functionName: 'isActive',
        args: [worker],
      }),
    ).toBe(false);
    await expectRevert(
      chain.send(worker, registryCall('register', [], MIN_STAKE)),
      'WorkerRegistry_WithdrawalPending',
    );
    await expectRevert(chain.send(worker, registryCall('withdraw')), 'WorkerRegistry_WithdrawalDelayNotOver');
    await chain.increaseTime(DELAY - 10n);
    await expectRevert(chain.send(worker, registryCall('withdraw')), 'WorkerRegistry_WithdrawalDelayNotOver');
    await chain.increaseTime(10n);
    const before = await chain.publicClient.getBalance({ address: worker });
    const receipt = await chain.send(worker, registryCall('withdraw'));
    const after = await chain.publicClient.getBalance({ address: worker });
    expect(after - before + receipt.gasUsed * receipt.effectiveGasPrice).toBe(MIN_STAKE);
    expect(
      await chain.read({
        address: registry,
        abi: WorkerRegistryAbi,
        functionName: 'isBonded',
        args: [worker],
      }),
    ).toBe(false);
  });

  it('slash, freeze and unfreeze revert for anyone but the slasher', async () => {
    await chain.send(worker, registryCall('register', [], parseEther('2')));
    for (const from of [outsider, worker, deployer]) {
      await expectRevert(
        chain.send(from, registryCall('slash', [worker, MIN_STAKE, from])),
        'WorkerRegistry_NotSlasher',
        [from],
      );
      await expectRevert(chain.send(from, registryCall('freeze', [worker])), 'WorkerRegistry_NotSlasher', [
        from,
      ]);
      await expectRevert(chain.send(from, registryCall('unfreeze', [worker])), 'WorkerRegistry_NotSlasher', [
        from,
      ]);
    }
    const stored = await chain.read<{ stake: bigint }>({
      address: registry,
      abi: WorkerRegistryAbi,
      functionName: 'workerOf',
      args: [worker],
    });
    expect(stored.stake).toBe(parseEther('2'));
  });

  it('Settlement refuses a withdrawal delay shorter than two challenge windows', async () => {
    const models = await chain.deployAs(deployer, ModelRegistryAbi, ModelRegistryBytecode, [deployer]);
    const shortDelay = await chain.deployAs(deployer, WorkerRegistryAbi, WorkerRegistryBytecode, [
      MIN_STAKE,
      199n,
    ]);
    await expect(
      chain.deployAs(deployer, SettlementAbi, SettlementBytecode, [
        models,
        shortDelay,
        100n,
        0n,
        deployer,
        MIN_STAKE,
        0n,
      ]),
    ).rejects.toThrow();
    const enough = await chain.deployAs(deployer, WorkerRegistryAbi, WorkerRegistryBytecode, [
      MIN_STAKE,
      200n,
    ]);
    expect(
      await chain.deployAs(deployer, SettlementAbi, SettlementBytecode, [
        models,
        enough,
        100n,
        0n,
        deployer,
        MIN_STAKE,
        0n,
      ]),
    ).not.toBe(ZERO_ADDRESS);
  });
});
