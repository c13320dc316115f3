import {
  createPublicClient,
  createWalletClient,
  http,
  webSocket,
  type Account,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { anvil } from 'viem/chains';
import { ChainError } from './chain.errors';

export interface ChainClients {
  chain: Chain;
  account: Account;
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
}

/** The key that signs a process's transactions: a private key, or its account. */
export type ChainKey = { privateKey: `0x${string}` } | { account: Account };

/** viem clients for one RPC endpoint and one signing key. */
export function createChainClients(options: ChainKey & { rpcUrl: string; chain?: Chain }): ChainClients {
  const chain = options.chain ?? anvil;
  const transport = options.rpcUrl.startsWith('ws') ? webSocket(options.rpcUrl) : http(options.rpcUrl, { retryCount: 2 });
  const account = 'account' in options ? options.account : privateKeyToAccount(options.privateKey);
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 250 });
  const walletClient = createWalletClient({ chain, transport, account });
  return { chain, account, publicClient, walletClient };
}

/**
 * Checks that the node answers and serves the clients' chain; `expected` says, for a node on
 * another chain, who expects which.
 */
export async function assertChainReachable(
  clients: ChainClients,
  rpcLabel: string,
  expected = `CHAIN_ID is ${clients.chain.id}`,
): Promise<void> {
  let chainId: number;
  try {
    chainId = await clients.publicClient.getChainId();
  } catch (cause) {
    throw new ChainError('CHAIN_UNAVAILABLE', `RPC_URL is unreachable (${rpcLabel})`, {}, { cause });
  }
  if (chainId !== clients.chain.id) {
    throw new ChainError('CHAIN_MISMATCH', `RPC_URL serves chain ${chainId}, but ${expected}`);
  }
}

/** An RPC URL with any credentials removed, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : '/…'}`;
  } catch {
    return '<invalid url>';
  }
}
