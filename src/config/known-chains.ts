import { anvil, arbitrum, base, baseSepolia, mainnet, optimism, optimismSepolia, sepolia } from 'viem/chains';
import type { Chain } from 'viem';

/** Chains Verity knows how to talk to. Anvil is the embedded default. */
export const KNOWN_CHAIN_IDS: ReadonlyMap<number, Chain> = new Map(
  [anvil, mainnet, sepolia, base, baseSepolia, optimism, optimismSepolia, arbitrum].map((chain) => [chain.id, chain]),
);
