import type { AccountLease } from './account-lease';
import { ChainTxSender } from './chain-tx-sender';
import type { ChainTxOptions } from './chain-tx.options';
import type { Runtime } from '../runtime/runtime';

const OPTIONS: ChainTxOptions = {
  receiptTimeoutMs: 1_000,
  sendMaxAttempts: 1,
  sendInitialBackoffMs: 1,
  sendMaxBackoffMs: 1,
  leaseTtlMs: 6_000,
  leaseRenewMs: 1_500,
};
const CALL = { address: '0x0000000000000000000000000000000000000001', abi: [], functionName: 'finalize', args: [] } as never;

/** A sender on a fake node that counts what it is asked, under a lease the test controls. */
function senderUnder(lease: { maySend: boolean; token: bigint | undefined }) {
  const nonceReads: number[] = [];
  const sentNonces: number[] = [];
  let pending = 0;
  const runtime = {
    chain: {
      account: { address: '0x00000000000000000000000000000000000000aa' },
      publicClient: {
        simulateContract: async () => ({ request: {} }),
        getTransactionCount: async () => {
          nonceReads.push(pending);
          return pending;
        },
      },
      walletClient: {
        writeContract: async ({ nonce }: { nonce: number }) => {
          sentNonces.push(nonce);
          pending = nonce + 1;
          return `0x${'ab'.repeat(32)}`;
        },
      },
    },
  } as unknown as Runtime;
  const accountLease = { get maySend() { return lease.maySend; }, lease: { get token() { return lease.token; } } } as unknown as AccountLease;
  return { sender: new ChainTxSender(runtime, OPTIONS, accountLease), nonceReads, sentNonces, setPending: (n: number) => (pending = n) };
}

describe('ChainTxSender under an account lease', () => {
  it('sends nothing while another process holds the account', async () => {
    const { sender, sentNonces, nonceReads } = senderUnder({ maySend: false, token: undefined });
    await expect(sender.send(CALL)).rejects.toMatchObject({ code: 'CHAIN_ACCOUNT_NOT_HELD' });
    expect(sentNonces).toEqual([]);
    expect(nonceReads).toEqual([]);
  });

  it('reads the nonce from the node again when it holds the account under a new token', async () => {
    const lease = { maySend: true, token: 1n as bigint | undefined };
    const { sender, sentNonces, nonceReads, setPending } = senderUnder(lease);
    await sender.send(CALL);
    await sender.send(CALL);
    expect(sentNonces).toEqual([0, 1]);
    expect(nonceReads).toEqual([0]); // kept locally while the holding lasts
    // Lost, then won again: meanwhile another holder sent two transactions.
    lease.maySend = false;
    lease.token = undefined;
    await expect(sender.send(CALL)).rejects.toMatchObject({ code: 'CHAIN_ACCOUNT_NOT_HELD' });
    setPending(4);
    lease.maySend = true;
    lease.token = 2n;
    await sender.send(CALL);
    expect(sentNonces).toEqual([0, 1, 4]);
  });
});
