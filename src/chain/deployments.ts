import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAddress, keccak256, parseEther, parseGwei, type Address, type Hash } from 'viem';
import {
  DisputeGameAbi,
  DisputeGameBytecode,
  EscrowAbi,
  EscrowBytecode,
  ModelRegistryAbi,
  ModelRegistryBytecode,
  OneStepExecutorAbi,
  OneStepExecutorBytecode,
  SettlementAbi,
  SettlementBytecode,
  WorkerRegistryAbi,
  WorkerRegistryBytecode,
  ZkSettlementAbi,
  ZkSettlementBytecode,
} from './generated/contracts';
import type { ChainClients } from './chain-clients';
import { ChainError } from './chain.errors';

/**
 * Protocol parameters of development deployments. They live on-chain once deployed (read them
 * from the contracts, not from here or from env). The withdrawal delay must be >= 2 challenge
 * windows and the dispute slash at most the minimum stake (Settlement's constructor enforces both).
 */
export const DEV_PROTOCOL_PARAMETERS = {
  minimumStakeWei: parseEther('1'),
  withdrawalDelaySeconds: 1_800n,
  challengeWindowSeconds: 600n,
  minimumFeeWei: parseEther('0.001'),
  /** Taken from a worker's stake per lost dispute, credited to the challenger (Settlement). */
  disputeSlashAmountWei: parseEther('0.5'),
  /** The exact bond a challenger posts to open a dispute (DisputeGame). */
  challengerBondWei: parseEther('0.1'),
  /** Each side's total clock per dispute (DisputeGame). */
  maxClockSeconds: 300n,
  /**
   * Wei per gas at which an on-chain request's fee must cover the service's gas for it (commit
   * share, reveal, finalize, the consumer's callback limit): Settlement.requiredFee.
   */
  feeGasPriceWei: parseGwei('1'),
} as const;

type ParameterName = keyof typeof DEV_PROTOCOL_PARAMETERS;
/** The dispute parameters; a deployment that leaves them out gets DEV_PROTOCOL_PARAMETERS' values. */
type DisputeParameterName = 'disputeSlashAmountWei' | 'challengerBondWei' | 'maxClockSeconds' | 'feeGasPriceWei';

export type ProtocolParameters = { [K in Exclude<ParameterName, DisputeParameterName>]: bigint } & {
  [K in DisputeParameterName]?: bigint;
};

/** Addresses of Verity's system contracts on one chain (keys are the contract names). */
export interface Deployment {
  chainId: number;
  deployedAt: string;
  contracts: {
    ModelRegistry: Address;
    WorkerRegistry: Address;
    /** Holds earned fees and slashed stake until their accounts claim them. */
    Escrow: Address;
    Settlement: Address;
    /** Verifies zk proofs and makes the zk requests they name final (through the Settlement). */
    ZkSettlement: Address;
    OneStepExecutor: Address;
    DisputeGame: Address;
  };
  /** The hash of the chain's block 0 when the contracts were deployed: which chain this is. */
  genesisHash?: Hash;
  /** keccak256 of each contract's deployed code (immutables included). */
  codeHashes?: Partial<Record<keyof Deployment['contracts'], Hash>>;
}

/** A recorded deployment checked against the chain: reused, or replaced because the chain is another one. */
export interface ResolvedDeployment {
  deployment: Deployment;
  /**
   * Why the recorded deployment does not belong to this chain (another genesis block, a contract
   * without code or with other code), when one was recorded and replaced; unset otherwise.
   */
  chainChanged?: string;
}

const CONTRACT_NAMES = [
  'ModelRegistry',
  'WorkerRegistry',
  'Escrow',
  'Settlement',
  'ZkSettlement',
  'OneStepExecutor',
  'DisputeGame',
] as const satisfies readonly (keyof Deployment['contracts'])[];
type ContractName = (typeof CONTRACT_NAMES)[number];

export function deploymentFile(deploymentsDir: string, chainId: number): string {
  return join(deploymentsDir, `${chainId}.json`);
}

/**
 * Returns the recorded deployment for the chain when all its contracts still have code there,
 * otherwise deploys them and records the addresses in `<deploymentsDir>/<chainId>.json`.
 */
export async function ensureDeployed(
  clients: ChainClients,
  deploymentsDir: string,
  parameters: ProtocolParameters = DEV_PROTOCOL_PARAMETERS,
): Promise<Deployment> {
  return (await resolveDeployment(clients, deploymentsDir, parameters)).deployment;
}

/**
 * ensureDeployed, saying whether the chain is the one the record was made on. The chain's identity
 * is its chain id (one file per id), its genesis block hash and the code at each recorded address
 * (a record without hashes, from an older version, is checked for code only and completed). On
 * any difference the contracts are deployed again and `chainChanged` says why.
 */
export async function resolveDeployment(
  clients: ChainClients,
  deploymentsDir: string,
  parameters: ProtocolParameters = DEV_PROTOCOL_PARAMETERS,
): Promise<ResolvedDeployment> {
  const file = deploymentFile(deploymentsDir, clients.chain.id);
  const genesisHash = await genesisHashOf(clients);
  let chainChanged: string | undefined;
  if (existsSync(file)) {
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as Deployment;
    const codeHashes = await codeHashesOf(clients, recorded);
    chainChanged = identityDifference(recorded, genesisHash, codeHashes);
    if (chainChanged === undefined) {
      if (recorded.genesisHash && recorded.codeHashes) return { deployment: recorded };
      const completed: Deployment = { ...recorded, genesisHash, codeHashes };
      writeDeployment(deploymentsDir, file, completed);
      return { deployment: completed };
    }
  }
  const contracts = await deploySystem(clients, parameters);
  const deployment: Deployment = {
    chainId: clients.chain.id,
    deployedAt: new Date().toISOString(),
    contracts,
    genesisHash,
    codeHashes: await codeHashesOf(clients, { contracts }),
  };
  writeDeployment(deploymentsDir, file, deployment);
  return { deployment, chainChanged };
}

/**
 * The deployment recorded for the chain, checked against it (genesis block, code at every
 * address), for a process that must never deploy (`verity defender`): a clear error when nothing
 * is recorded yet or the record is not this chain's. Undefined while no record exists, so a
 * caller may wait for the API to deploy.
 */
export async function readRecordedDeployment(
  clients: ChainClients,
  deploymentsDir: string,
): Promise<Deployment | undefined> {
  const file = deploymentFile(deploymentsDir, clients.chain.id);
  if (!existsSync(file)) return undefined;
  const recorded = JSON.parse(readFileSync(file, 'utf8')) as Deployment;
  const difference = identityDifference(recorded, await genesisHashOf(clients), await codeHashesOf(clients, recorded));
  if (difference !== undefined) {
    throw new ChainError(
      'DEPLOYMENT_MISMATCH',
      `the deployment recorded in ${file} is not this chain's (${difference}); start the API first, it deploys again`,
      { file },
    );
  }
  return recorded;
}

function writeDeployment(deploymentsDir: string, file: string, deployment: Deployment): void {
  mkdirSync(deploymentsDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(deployment, null, 2)}\n`);
}

/** The hash of the chain's block 0. */
export async function genesisHashOf(clients: Pick<ChainClients, 'publicClient'>): Promise<Hash> {
  const genesis = await clients.publicClient.getBlock({ blockNumber: 0n });
  if (!genesis.hash) throw new ChainError('DEPLOYMENT_FAILED', 'the chain returned block 0 without a hash');
  return genesis.hash;
}

/** keccak256 of the code at each recorded address; undefined where there is none (or no address). */
async function codeHashesOf(
  clients: ChainClients,
  recorded: Pick<Deployment, 'contracts'>,
): Promise<Partial<Record<ContractName, Hash>>> {
  const entries = await Promise.all(
    CONTRACT_NAMES.map(async (name) => {
      const address = recorded.contracts?.[name];
      const code = address ? await clients.publicClient.getCode({ address }) : undefined;
      return [name, code && code !== '0x' ? keccak256(code) : undefined] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** Why the chain is not the one `recorded` was made on, or undefined when it is. */
function identityDifference(
  recorded: Deployment,
  genesisHash: Hash,
  codeHashes: Partial<Record<ContractName, Hash>>,
): string | undefined {
  if (recorded.genesisHash && recorded.genesisHash.toLowerCase() !== genesisHash.toLowerCase()) {
    return `its genesis block is ${genesisHash}, not the recorded ${recorded.genesisHash}`;
  }
  for (const name of CONTRACT_NAMES) {
    const address = recorded.contracts?.[name];
    const now = codeHashes[name];
    if (!address || !now) return `${name} has no code at the recorded address ${address ?? '(none)'}`;
    const then = recorded.codeHashes?.[name];
    if (then && then.toLowerCase() !== now.toLowerCase()) {
      return `${name} at ${address} holds other code than the recorded one`;
    }
  }
  return undefined;
}

/**
 * Deploys ModelRegistry, Escrow, WorkerRegistry, Settlement, ZkSettlement, OneStepExecutor and
 * DisputeGame and wires their roles: the WorkerRegistry credits slashed stake, and the Settlement
 * (reading the same Escrow from it) pays earned fees, into the Escrow (which needs no wiring); the
 * Settlement is the WorkerRegistry's slasher and the DisputeGame's host, the
 * DisputeGame (with the executor, the challenger bond and the clock) is the Settlement's dispute
 * game and the ZkSettlement (reading the Settlement's ModelRegistry) its zk settlement; the
 * deploying account (the service account) is the ModelRegistry's registrar (the only account that
 * registers model commitments) and the Settlement's committer, the only account that commits
 * result batches (fixed at deployment; each leaf still needs its worker's EIP-712 signature at
 * reveal and to be disputed). The slasher, the dispute game and the zk settlement are set once.
 */
export async function deploySystem(
  clients: ChainClients,
  protocolParameters: ProtocolParameters,
): Promise<Deployment['contracts']> {
  const parameters = { ...DEV_PROTOCOL_PARAMETERS, ...definedOnly(protocolParameters) };
  const { walletClient } = clients;
  const ModelRegistry = await confirmDeploy(
    clients,
    await walletClient.deployContract({
      abi: ModelRegistryAbi,
      bytecode: ModelRegistryBytecode,
      args: [clients.account.address],
    }),
  );
  const Escrow = await confirmDeploy(
    clients,
    await walletClient.deployContract({ abi: EscrowAbi, bytecode: EscrowBytecode }),
  );
  const WorkerRegistry = await confirmDeploy(
    clients,
    await walletClient.deployContract({
      abi: WorkerRegistryAbi,
      bytecode: WorkerRegistryBytecode,
      args: [parameters.minimumStakeWei, parameters.withdrawalDelaySeconds, Escrow],
    }),
  );
  const Settlement = await confirmDeploy(
    clients,
    await walletClient.deployContract({
      abi: SettlementAbi,
      bytecode: SettlementBytecode,
      args: [
        ModelRegistry,
        WorkerRegistry,
        parameters.challengeWindowSeconds,
        parameters.minimumFeeWei,
        clients.account.address,
        parameters.disputeSlashAmountWei,
        parameters.feeGasPriceWei,
      ],
    }),
  );
  const ZkSettlement = await confirmDeploy(
    clients,
    await walletClient.deployContract({ abi: ZkSettlementAbi, bytecode: ZkSettlementBytecode, args: [Settlement] }),
  );
  const OneStepExecutor = await confirmDeploy(
    clients,
    await walletClient.deployContract({ abi: OneStepExecutorAbi, bytecode: OneStepExecutorBytecode }),
  );
  const DisputeGame = await confirmDeploy(
    clients,
    await walletClient.deployContract({
      abi: DisputeGameAbi,
      bytecode: DisputeGameBytecode,
      args: [Settlement, OneStepExecutor, parameters.challengerBondWei, parameters.maxClockSeconds],
    }),
  );
  await confirm(
    clients,
    await walletClient.writeContract({
      address: WorkerRegistry,
      abi: WorkerRegistryAbi,
      functionName: 'setSlasher',
      args: [Settlement],
    }),
  );
  await confirm(
    clients,
    await walletClient.writeContract({
      address: Settlement,
      abi: SettlementAbi,
      functionName: 'setDisputeGame',
      args: [DisputeGame],
    }),
  );
  await confirm(
    clients,
    await walletClient.writeContract({
      address: Settlement,
      abi: SettlementAbi,
      functionName: 'setZkSettlement',
      args: [ZkSettlement],
    }),
  );
  return { ModelRegistry, WorkerRegistry, Escrow, Settlement, ZkSettlement, OneStepExecutor, DisputeGame };
}

/** The parameters given, without keys whose value is undefined (so they do not hide the defaults). */
function definedOnly(parameters: ProtocolParameters): Partial<Record<ParameterName, bigint>> {
  return Object.fromEntries(Object.entries(parameters).filter(([, value]) => value !== undefined));
}

async function confirm(clients: ChainClients, hash: Hash): Promise<void> {
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new ChainError('DEPLOYMENT_FAILED', `transaction ${hash} reverted`);
}

async function confirmDeploy(clients: ChainClients, hash: Hash): Promise<Address> {
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress)
    throw new ChainError('DEPLOYMENT_FAILED', `deployment transaction ${hash} created no contract`);
  return getAddress(receipt.contractAddress);
}
