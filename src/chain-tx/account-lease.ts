import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DutyLease, type LeaseDuty } from '../database/duty-lease';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { CHAIN_TX_OPTIONS, type ChainTxOptions } from './chain-tx.options';

/**
 * One process at a time sends from an account: the lease `account:<address>` in duty_leases
 * (src/database/duty-lease.ts). Every duty that sends from this process's account (the batch
 * committer, the request watcher, reveal and finalize, the model anchorer, zk proving and circuit
 * deployment, the dispute loops) runs only while this process holds it, and ChainTxSender refuses
 * to send without it (the fence). Several API replicas on one database then never race for a
 * nonce, and when the holder dies another takes the duties over within `leaseTtlMs`.
 *
 * The lease is competed for only once a duty is added with `run` (a process whose loops are off,
 * such as a test driving each step by hand, never competes, and its sender is not fenced).
 */
@Injectable()
export class AccountLease implements BeforeApplicationShutdown {
  readonly lease: DutyLease;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(RUNTIME) runtime: Runtime,
    @Inject(CHAIN_TX_OPTIONS) options: ChainTxOptions,
  ) {
    const log = new Logger(AccountLease.name);
    this.lease = new DutyLease(dataSource, `account:${runtime.chain.account.address.toLowerCase()}`, {
      ttlMs: options.leaseTtlMs,
      renewMs: options.leaseRenewMs,
      log: { log: (message) => log.log(message), warn: (message) => log.warn(message) },
    });
  }

  /** Runs `duty` while this process holds the account's lease, and starts competing for it. */
  async run(duty: LeaseDuty): Promise<void> {
    await this.lease.add(duty);
    await this.lease.start();
  }

  /** Whether this process may send from the account now: it holds the lease, or competes for none. */
  get maySend(): boolean {
    return !this.lease.active || this.lease.held;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.lease.stop();
  }
}
