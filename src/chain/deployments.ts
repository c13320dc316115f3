import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { ModelRegistryAbi, ModelRegistryBytecode } from './generated/contracts';
import type { ChainClients } from './chain-clients';

/** Addresses of Verity's system contracts on one chain. */
export interface Deployment {
  chainId: number;
  deployedAt: string;
  contracts: { ModelRegistry: Address };
}

export function deploymentFile(deploymentsDir: string, chainId: number): string {
  return join(deploymentsDir, `${chainId}.json`);
}

/**
 * Returns the recorded deployment for the chain when its contracts still have code there,
 * otherwise deploys them and records the addresses in `<deploymentsDir>/<chainId>.json`.
 */
export async function ensureDeployed(clients: ChainClients, deploymentsDir: string): Promise<Deployment> {
  const file = deploymentFile(deploymentsDir, clients.chain.id);
  if (existsSync(file)) {
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as Deployment;
    const codes = await Promise.all(
      Object.values(recorded.contracts).map((address) => clients.publicClient.getCode({ address })),
    );
    if (codes.every((code) => code !== undefined && code !== '0x')) return recorded;
  }
  const deployment: Deployment = {
    chainId: clients.chain.id,
    deployedAt: new Date().toISOString(),
    contracts: { ModelRegistry: await deploy(clients, ModelRegistryAbi, ModelRegistryBytecode) },
  };
  mkdirSync(deploymentsDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(deployment, null, 2)}\n`);
  return deployment;
}

async function deploy(clients: ChainClients, abi: readonly unknown[], bytecode: Hex): Promise<Address> {
  const hash = await clients.walletClient.deployContract({ abi, bytecode, args: [] });
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error(`deployment transaction ${hash} created no contract`);
  return receipt.contractAddress;
}
