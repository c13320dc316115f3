/**
 * Injection token of the sender's timing. The modules that provide ChainTxSender (settlement,
 * defender) derive it from their SETTLEMENT_OPTIONS, so a test that overrides those options
 * overrides the sender's too.
 */
export const CHAIN_TX_OPTIONS = Symbol('CHAIN_TX_OPTIONS');

export interface ChainTxOptions {
  /** How long `waitForReceipt` waits for a sent transaction to be mined. */
  receiptTimeoutMs: number;
  /** Sends tried while the node does not answer, before CHAIN_UNAVAILABLE. */
  sendMaxAttempts: number;
  sendInitialBackoffMs: number;
  sendMaxBackoffMs: number;
  /** How long the account's lease lasts unrenewed: the longest the duties wait after their holder died (account-lease.ts). */
  leaseTtlMs: number;
  /** How often the holder renews the lease and the other processes try to take it. */
  leaseRenewMs: number;
}
