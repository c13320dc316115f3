/**
 * The one way a process connects to the chain it works on: `verity serve` and `verity defender`
 * (the chain of CHAIN_ID), `verity worker --stake` and `verity challenger` (the chain the API
 * settles on). Builds the viem clients for the process's key and refuses a node that does not
 * answer or serves another chain.
 */
import { defineChain, type Chain } from 'viem';
import {
  assertChainReachable,
  createChainClients,
  redactUrl,
  type ChainClients,
  type ChainKey,
} from '../chain/chain-clients';
import { KNOWN_CHAIN_IDS } from '../config/known-chains';

/** The viem chain of a chain id: a known one, else a bare definition served at `rpcUrl`. */
export function chainOfId(chainId: number, rpcUrl: string): Chain {
  return (
    KNOWN_CHAIN_IDS.get(chainId) ??
    defineChain({
      id: chainId,
      name: `chain ${chainId}`,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [rpcUrl] } },
    })
  );
}

export type ConnectChainOptions = ChainKey & {
  rpcUrl: string;
  /** The chain the node must serve, or its id (default: the embedded anvil's). */
  chain?: Chain | number;
  /** Who expects which chain, for the refusal of a node on another (default: `CHAIN_ID is <id>`). */
  expected?: string;
};

/** Clients for `rpcUrl`, once its node answered and serves the expected chain (ChainError otherwise). */
export async function connectChain(options: ConnectChainOptions): Promise<ChainClients> {
  const { rpcUrl, chain, expected } = options;
  const clients = createChainClients({
    ...options,
    chain: typeof chain === 'number' ? chainOfId(chain, rpcUrl) : chain,
  });
  await assertChainReachable(clients, redactUrl(rpcUrl), expected);
  return clients;
}
