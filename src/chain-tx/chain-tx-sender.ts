import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionParameters,
  type Hash,
  type Hex,
  type SimulateContractParameters,
  type TransactionReceipt,
} from 'viem';
import type { ChainClients } from '../chain/chain-clients';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import {
  describeChainError,
  describeRevert,
  isNonceError,
  isRevert,
  isTransportError,
  revertName,
} from '../chain/chain-error-kinds';
import { AccountLease } from './account-lease';
import { ChainTxError } from './chain-tx.errors';
import { CHAIN_TX_OPTIONS, type ChainTxOptions } from './chain-tx.options';

type WriteMutability = 'nonpayable' | 'payable';

/** A contract call the service account sends. */
export type ContractWrite<
  abi extends Abi = Abi,
  functionName extends ContractFunctionName<abi, WriteMutability> = ContractFunctionName<
    abi,
    WriteMutability
  >,
  args extends ContractFunctionArgs<abi, WriteMutability, functionName> = ContractFunctionArgs<
    abi,
    WriteMutability,
    functionName
  >,
> = ContractFunctionParameters<abi, WriteMutability, functionName, args> & {
  address: Address;
  value?: bigint;
};

export interface SentTransaction {
  hash: Hash;
  nonce: number;
}

/**
 * The only way the service account sends transactions.
 *
 * - Sends one at a time (a promise queue), so two loops never pick the same nonce.
 * - Keeps the nonce locally: read once from the node (`pending`), incremented per accepted send,
 *   and read again after any failed send (the node is the truth after an error).
 * - Simulates every call first: a revert surfaces as viem's decoded custom error (kept as
 *   `cause`, named in `details.errorName`) and is never retried.
 * - Retries transport errors (node down or restarting) with capped exponential backoff, a bounded
 *   number of times; the caller's loop tries again on its next iteration.
 */
@Injectable()
export class ChainTxSender {
  private readonly log = new Logger(ChainTxSender.name);
  private readonly clients: ChainClients;
  private nextNonce: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** The lease token the local nonce was read under: a new holding reads it from the node again. */
  private nonceToken: bigint | undefined;

  constructor(
    @Inject(RUNTIME) runtime: Runtime,
    @Inject(CHAIN_TX_OPTIONS) private readonly options: ChainTxOptions,
    @Optional() private readonly accountLease?: AccountLease,
  ) {
    this.clients = runtime.chain;
  }

  get address(): Address {
    return this.clients.account.address;
  }

  /** Simulates then sends `call` from the service account; resolves once the node accepted it. */
  send<
    const abi extends Abi,
    functionName extends ContractFunctionName<abi, WriteMutability>,
    const args extends ContractFunctionArgs<abi, WriteMutability, functionName>,
  >(call: ContractWrite<abi, functionName, args>): Promise<SentTransaction> {
    return this.enqueue(() => this.sendWithRetries(call as unknown as ContractWrite));
  }

  /** The receipt of `hash`, or null while it is not mined (or the node never saw it). */
  async receiptOrNull(hash: Hash): Promise<TransactionReceipt | null> {
    try {
      return await this.clients.publicClient.getTransactionReceipt({ hash });
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) return null;
      throw error;
    }
  }

  /** Whether the node knows the transaction (mined or waiting in its pool). */
  async isKnown(hash: Hash): Promise<boolean> {
    try {
      await this.clients.publicClient.getTransaction({ hash });
      return true;
    } catch (error) {
      if (error instanceof TransactionNotFoundError) return false;
      throw error;
    }
  }

  /** Waits for a sent transaction's receipt (bounded by the options' receipt timeout). */
  async waitForReceipt(hash: Hash): Promise<TransactionReceipt> {
    return this.clients.publicClient.waitForTransactionReceipt({
      hash,
      timeout: this.options.receiptTimeoutMs,
    });
  }

  /**
   * Forgets the local nonce, so the next send reads it from the node again: after a transaction
   * of ours was dropped, its nonce is free again and later nonces would wait behind the gap.
   */
  resyncNonce(): Promise<void> {
    return this.enqueue(async () => {
      this.nextNonce = undefined;
    });
  }

  /**
   * Deploys a contract from the service account, in the same queue and with the same local nonce
   * as every call (a deployment sent beside the queue would take a nonce a call then reuses).
   */
  deploy(deployment: { abi: Abi; bytecode: Hex; label: string }): Promise<SentTransaction> {
    return this.enqueue(async () => {
      const { publicClient, walletClient, account } = this.clients;
      this.fence(`deploying ${deployment.label}`);
      try {
        const nonce =
          this.nextNonce ??
          (await publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' }));
        const hash = await walletClient.deployContract({
          abi: deployment.abi,
          bytecode: deployment.bytecode,
          account,
          nonce,
          chain: walletClient.chain,
        });
        this.nextNonce = nonce + 1;
        return { hash, nonce };
      } catch (error) {
        this.nextNonce = undefined;
        throw new ChainTxError(
          'CHAIN_TX_FAILED',
          `deploying ${deployment.label} failed: ${describeChainError(error)}`,
          {},
          { cause: error },
        );
      }
    });
  }

  /** Refuses new sends and ends retries in progress at their next pause (application shutdown). */
  close(): void {
    this.closed = true;
  }

  /**
   * The lease's fence (account-lease.ts): no send unless this process holds the account's lease,
   * checked just before the nonce is taken. A holding that began since the nonce was last read
   * reads it from the node again (the previous holder may have used some).
   */
  private fence(what: string): void {
    if (!this.accountLease) return;
    if (!this.accountLease.maySend) {
      throw new ChainTxError(
        'CHAIN_ACCOUNT_NOT_HELD',
        `not sending ${what}: another process holds ${this.address}'s lease (its chain duties run there)`,
      );
    }
    const token = this.accountLease.lease.token;
    if (token !== this.nonceToken) {
      this.nextNonce = undefined;
      this.nonceToken = token;
    }
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async sendWithRetries(call: ContractWrite): Promise<SentTransaction> {
    let nonceRetried = false;
    for (let attempt = 1; ; attempt++) {
      if (this.closed)
        throw new ChainTxError(
          'CHAIN_SENDER_CLOSED',
          `not sending ${call.functionName}: the sender is closed`,
        );
      try {
        return await this.sendOnce(call);
      } catch (error) {
        this.nextNonce = undefined;
        if (error instanceof ChainTxError) throw error;
        if (isRevert(error)) {
          throw new ChainTxError(
            'CHAIN_TX_REVERTED',
            `${call.functionName} reverted with ${describeRevert(error) ?? describeChainError(error)}`,
            { functionName: call.functionName, errorName: revertName(error) },
            { cause: error },
          );
        }
        if (isNonceError(error) && !nonceRetried) {
          nonceRetried = true;
          this.log.warn(
            `${call.functionName}: nonce out of step with the node, re-synced (${describeChainError(error)})`,
          );
          continue;
        }
        if (!isTransportError(error)) {
          throw new ChainTxError(
            'CHAIN_TX_FAILED',
            `${call.functionName} failed: ${describeChainError(error)}`,
            { functionName: call.functionName },
            { cause: error },
          );
        }
        if (attempt >= this.options.sendMaxAttempts) {
          throw new ChainTxError(
            'CHAIN_UNAVAILABLE',
            `${call.functionName} not sent: the chain node did not answer after ${attempt} attempts (${describeChainError(error)})`,
            { functionName: call.functionName, attempts: attempt },
            { cause: error },
          );
        }
        await sleep(
          Math.min(this.options.sendInitialBackoffMs * 2 ** (attempt - 1), this.options.sendMaxBackoffMs),
        );
      }
    }
  }

  private async sendOnce(call: ContractWrite): Promise<SentTransaction> {
    const { publicClient, walletClient, account } = this.clients;
    const { request } = await publicClient.simulateContract({
      ...call,
      account,
    } as unknown as SimulateContractParameters);
    this.fence(call.functionName);
    const nonce =
      this.nextNonce ??
      (await publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' }));
    const hash = await walletClient.writeContract({ ...request, account, nonce });
    this.nextNonce = nonce + 1;
    return { hash, nonce };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
