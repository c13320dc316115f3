/**
 * The chain as verifyResult reads it: one block (the latest when the check starts), the Settlement
 * contract the dapp trusts, and the registries that Settlement itself names. Nothing here comes
 * from the API, so an API that lies about contract addresses cannot point a check elsewhere.
 */
import type { Abi, Address, PublicClient } from 'viem';
import { SettlementAbi } from '../chain/generated/contracts';
import { VerityClientError } from './client.errors';

export interface ChainView {
  client: PublicClient;
  chainId: number;
  settlement: Address;
  modelRegistry: Address;
  workerRegistry: Address;
  blockNumber: bigint;
  blockTimestamp: bigint;
  /** A view function of one of the contracts, at this view's block. */
  read<T>(address: Address, abi: Abi, functionName: string, args?: readonly unknown[]): Promise<T>;
}

function chainUnavailable(what: string, cause: unknown): VerityClientError {
  const reason = cause instanceof Error ? (cause as { shortMessage?: string }).shortMessage ?? cause.message : String(cause);
  return new VerityClientError('CHAIN_UNAVAILABLE', `reading ${what} from the chain failed: ${reason}`, {}, { cause });
}

/** Opens a view at the latest block; CHAIN_NOT_CONFIGURED when `settlement` holds no contract there. */
export async function openChainView(client: PublicClient, settlement: Address): Promise<ChainView> {
  let chainId: number;
  let block: { number: bigint | null; timestamp: bigint };
  let code: string | undefined;
  try {
    [chainId, block] = await Promise.all([client.getChainId(), client.getBlock({ blockTag: 'latest' })]);
    code = await client.getCode({ address: settlement, blockNumber: block.number ?? undefined });
  } catch (cause) {
    throw chainUnavailable('the latest block', cause);
  }
  if (block.number === null) throw chainUnavailable('the latest block', 'the node returned a pending block');
  if (!code || code === '0x') {
    throw new VerityClientError(
      'CHAIN_NOT_CONFIGURED',
      `there is no contract at ${settlement} on chain ${chainId}: pass the address of the Settlement contract the dapp trusts`,
      { settlement, chainId },
    );
  }
  const blockNumber = block.number;
  const read = async <T>(address: Address, abi: Abi, functionName: string, args: readonly unknown[] = []): Promise<T> => {
    try {
      return (await client.readContract({ address, abi, functionName, args, blockNumber })) as T;
    } catch (cause) {
      throw chainUnavailable(`${functionName} at ${address}`, cause);
    }
  };
  const [modelRegistry, workerRegistry] = await Promise.all([
    read<Address>(settlement, SettlementAbi, 'modelRegistry'),
    read<Address>(settlement, SettlementAbi, 'workerRegistry'),
  ]);
  return { client, chainId, settlement, modelRegistry, workerRegistry, blockNumber, blockTimestamp: block.timestamp, read };
}
