/**
 * Shared set-up for the contract integration specs: a real anvil node, viem clients for its
 * unlocked accounts, a fresh deployment with short test windows, and helpers to send, expect a
 * custom-error revert, and move time.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  type Abi,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import { anvil as anvilChain } from 'viem/chains';
import { startAnvil, type AnvilHandle } from '../../../src/chain/anvil';
import { deploySystem, type Deployment, type ProtocolParameters } from '../../../src/chain/deployments';
import { ModelRegistryAbi } from '../../../src/chain/generated/contracts';

export const TEST_PARAMETERS: ProtocolParameters = {
  minimumStakeWei: 10n ** 18n,
  withdrawalDelaySeconds: 250n,
  challengeWindowSeconds: 100n,
  minimumFeeWei: 10n ** 15n,
};
export const MODE_OPTIMISTIC = 2;
export const MODE_ZK = 1;

export interface ContractCall {
  address: Address;
  abi: Abi | readonly unknown[];
  functionName: string;
  args?: readonly unknown[];
  value?: bigint;
  gas?: bigint;
}

export type Chain = Awaited<ReturnType<typeof startChain>>;

export async function startChain() {
  const anvil: AnvilHandle = await startAnvil();
  const transport = http(anvil.rpcUrl);
  const publicClient = createPublicClient({ chain: anvilChain, transport, pollingInterval: 50 });
  const testClient = createTestClient({ chain: anvilChain, transport, mode: 'anvil' });
  const walletClient = createWalletClient({ chain: anvilChain, transport });
  const accounts = await walletClient.getAddresses();

  /** Simulates the call from `from` (decoding any custom error), then sends it and waits. */
  async function send(from: Address, call: ContractCall): Promise<TransactionReceipt> {
    const { request } = await publicClient.simulateContract({ ...call, account: from } as any);
    const hash = await walletClient.writeContract({ ...(request as any), account: from, gas: call.gas });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`${call.functionName} reverted on-chain`);
    return receipt;
  }

  async function read<T>(call: Omit<ContractCall, 'value' | 'gas'>): Promise<T> {
    return (await publicClient.readContract(call)) as T;
  }

  async function deployAs(
    from: Address,
    abi: Abi | readonly unknown[],
    bytecode: Hex,
    args: readonly unknown[] = [],
  ): Promise<Address> {
    const hash = await walletClient.deployContract({ abi, bytecode, args, account: from });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error('deployment reverted');
    return receipt.contractAddress;
  }

  async function increaseTime(seconds: bigint | number): Promise<void> {
    await testClient.increaseTime({ seconds: Number(seconds) });
    await testClient.mine({ blocks: 1 });
  }

  async function deploy(parameters: ProtocolParameters = TEST_PARAMETERS): Promise<Deployment['contracts']> {
    const deployer = createWalletClient({ chain: anvilChain, transport, account: accounts[0] });
    return deploySystem(
      { chain: anvilChain, account: deployer.account, publicClient, walletClient: deployer },
      parameters,
    );
  }

  async function registerModel(registry: Address, commitment: Hex, modes = MODE_OPTIMISTIC): Promise<void> {
    await send(accounts[0], {
      address: registry,
      abi: ModelRegistryAbi,
      functionName: 'register',
      args: [commitment, modes, ZERO_ADDRESS],
    });
  }

  return {
    anvil,
    publicClient,
    testClient,
    walletClient,
    accounts,
    send,
    read,
    deployAs,
    increaseTime,
    deploy,
    registerModel,
  };
}

export const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000' as const;

/** Awaits a call expected to revert with the custom error `errorName` (and `args`, when given). */
export async function expectRevert(
  promise: Promise<unknown>,
  errorName: string,
  args?: readonly unknown[],
): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  if (caught === undefined) throw new Error(`expected a revert with ${errorName}, but the call succeeded`);
  if (!(caught instanceof BaseError))
    throw caught instanceof Error ? caught : new Error('a non-Error was thrown', { cause: caught });
  const reverted = caught.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError)) throw caught;
  expect(reverted.data?.errorName).toBe(errorName);
  const normalise = (values: readonly unknown[] | undefined) =>
    values?.map((v) => (typeof v === 'string' ? v.toLowerCase() : v));
  if (args) expect(normalise(reverted.data?.args)).toEqual(normalise(args));
}

/** A deterministic bytes32 for test data. */
export function bytes32(label: string | number): Hex {
  const hex = Buffer.from(String(label)).toString('hex').slice(0, 64);
  return `0x${hex.padEnd(64, '0')}`;
}
