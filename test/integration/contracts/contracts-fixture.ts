/**
 * Shared set-up for the contract integration specs: a real anvil node, viem clients for its
 * unlocked accounts (and their local keys, to sign typed data), a fresh deployment with short test
 * windows, and helpers to send, expect a custom-error revert, and move time.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  decodeErrorResult,
  encodeDeployData,
  http,
  type Abi,
  getAddress,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import { mnemonicToAccount, type HDAccount } from 'viem/accounts';
import { anvil as anvilChain } from 'viem/chains';
import { startAnvil, type AnvilHandle } from '../../../src/chain/anvil';
import { deploySystem, type Deployment, type ProtocolParameters } from '../../../src/chain/deployments';
import { ConsumerMockAbi, ConsumerMockBytecode, ModelRegistryAbi } from '../../../src/chain/generated/contracts';

export const TEST_PARAMETERS: ProtocolParameters = {
  minimumStakeWei: 10n ** 18n,
  withdrawalDelaySeconds: 250n,
  challengeWindowSeconds: 100n,
  minimumFeeWei: 10n ** 15n,
  /** No gas part in fees by default, so FEE = minimumFee; the fee-coverage specs deploy their own. */
  feeGasPriceWei: 0n,
};
export const MODE_OPTIMISTIC = 2;
export const MODE_ZK = 1;
/** anvil's default mnemonic: its prefunded, unlocked accounts are derived from it. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';

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
  const keys = accounts.map((_, addressIndex) => mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex }));
  keys.forEach((key, i) => {
    if (key.address.toLowerCase() !== accounts[i].toLowerCase())
      throw new Error(`anvil account ${i} is not derived from the default mnemonic`);
  });

  /** The local key of one of anvil's accounts (signs typed data without the node). */
  function signer(address: Address): HDAccount {
    const key = keys.find((k) => k.address.toLowerCase() === address.toLowerCase());
    if (!key) throw new Error(`no key for ${address}`);
    return key;
  }

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

  /** Simulates (eth_call) deploying `bytecode` from `from`; rejects with the constructor's revert. */
  async function simulateDeploy(
    from: Address,
    abi: Abi | readonly unknown[],
    bytecode: Hex,
    args: readonly unknown[] = [],
  ): Promise<void> {
    await publicClient.call({ account: from, data: encodeDeployData({ abi: abi as Abi, bytecode, args }) });
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

  async function registerModel(registry: Address, commitment: Hex, modes = MODE_OPTIMISTIC, outputLength = 10): Promise<void> {
    await send(accounts[0], {
      address: registry,
      abi: ModelRegistryAbi,
      functionName: 'register',
      args: [commitment, modes, accounts[0], outputLength],
    });
  }

  return {
    anvil,
    publicClient,
    testClient,
    walletClient,
    accounts,
    signer,
    send,
    read,
    deployAs,
    simulateDeploy,
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

/** Awaits a simulated deployment expected to revert with the custom error `errorName` of `abi`. */
export async function expectDeployRevert(
  promise: Promise<unknown>,
  abi: Abi | readonly unknown[],
  errorName: string,
  args?: readonly unknown[],
): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  if (caught === undefined)
    throw new Error(`expected a revert with ${errorName}, but the deployment succeeded`);
  if (!(caught instanceof BaseError))
    throw caught instanceof Error ? caught : new Error('a non-Error was thrown', { cause: caught });
  const withData = caught.walk((e) => typeof (e as { data?: unknown }).data === 'string') as {
    data: Hex;
  } | null;
  if (!withData) throw caught;
  const decoded = decodeErrorResult({ abi: abi as Abi, data: withData.data });
  expect(decoded.errorName).toBe(errorName);
  if (args) expect(decoded.args).toEqual(args);
}

/** A deterministic bytes32 for test data. */
export function bytes32(label: string | number): Hex {
  const hex = Buffer.from(String(label)).toString('hex').slice(0, 64);
  return `0x${hex.padEnd(64, '0')}`;
}

/** Deploys a ConsumerMock from `from`, set to `behaviour` (0 stores results; see the contract). */
export async function deployConsumer(chain: Chain, from: Address, behaviour = 0): Promise<Address> {
  const consumer = getAddress(await chain.deployAs(from, ConsumerMockAbi, ConsumerMockBytecode));
  if (behaviour !== 0) {
    await chain.send(from, { address: consumer, abi: ConsumerMockAbi, functionName: 'setBehaviour', args: [behaviour] });
  }
  return consumer;
}

/** Reads a ConsumerMock view (calls, lastOutput, ...). */
export function readConsumer<T>(chain: Chain, consumer: Address, functionName: string): Promise<T> {
  return chain.read<T>({ address: consumer, abi: ConsumerMockAbi, functionName });
}
