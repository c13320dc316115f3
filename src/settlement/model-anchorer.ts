import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isAddressEqual, type Address, type Hash, type Hex } from 'viem';
import { DataSource } from 'typeorm';
import { ModelRegistryAbi } from '../chain/generated/contracts';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { ChainTxSender } from '../chain-tx/chain-tx-sender';
import { revertName } from '../chain/chain-error-kinds';
import { RetryBackoff } from '../polling/retry-backoff';
import { SETTLEMENT_OPTIONS, type SettlementOptions } from './settlement.options';
import { CHAIN_MODE_OPTIMISTIC, FINALIZER_BATCH_SIZE } from './settlement.constants';
import { query } from '../database/sql';
import { SettlementError } from './settlement.errors';

interface RegistryEntry {
  owner: Address;
  modes: number;
}

/**
 * Registers the commitment of every model stored here (chain_status PENDING) in the
 * ModelRegistry for optimistic mode, owned by the service's account (the registry's registrar),
 * so contracts can request it; then marks it REGISTERED. An entry already there is adopted only if
 * it is the service's own; any other is refused and reported (CONFLICT).
 */
@Injectable()
export class ModelAnchorer {
  private readonly log = new Logger(ModelAnchorer.name);
  private readonly backoff: RetryBackoff;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(SETTLEMENT_OPTIONS) options: SettlementOptions,
    private readonly sender: ChainTxSender,
  ) {
    this.backoff = new RetryBackoff(options.revertRetryInitialMs, options.revertRetryMaxMs);
  }

  async runOnce(): Promise<void> {
    const models = await query<{ id: string; commitment: Hex; output_shape: number[] }>(
      this.dataSource,
      `SELECT id, commitment, output_shape FROM models WHERE chain_status = 'PENDING' ORDER BY created_at, id LIMIT $1`,
      [FINALIZER_BATCH_SIZE],
    );
    for (const model of models) {
      const outputLength = model.output_shape.reduce((a, b) => a * b, 1);
      await this.backoff.attempt(
        model.id,
        () => this.anchor(model.id, model.commitment, outputLength),
        (seconds, error) =>
          this.log.error(`registering model ${model.commitment} failed, retrying in ${seconds} s: ${error}`),
      );
    }
  }

  private async anchor(id: string, commitment: Hex, outputLength: number): Promise<void> {
    const existing = await this.registered(commitment);
    if (existing) return this.adopt(id, commitment, existing, null);
    const registry = this.runtime.deployment.contracts.ModelRegistry;
    let hash: Hash;
    try {
      ({ hash } = await this.sender.send({
        address: registry,
        abi: ModelRegistryAbi,
        functionName: 'register',
        // The output length sizes the fee an on-chain request must pay (Settlement.requiredFee).
        args: [commitment, CHAIN_MODE_OPTIMISTIC, this.runtime.chain.account.address, outputLength],
      }));
    } catch (error) {
      const raced = revertName(error) === 'ModelRegistry_AlreadyRegistered' ? await this.registered(commitment) : undefined;
      if (raced) return this.adopt(id, commitment, raced, null);
      throw error;
    }
    const receipt = await this.sender.waitForReceipt(hash);
    if (receipt.status !== 'success') throw new SettlementError('CHAIN_TX_REVERTED', `ModelRegistry.register ${hash} reverted`);
    await this.markRegistered(id, hash);
    this.log.log(`model ${commitment} registered on-chain (optimistic mode) in ${hash}`);
  }

  /**
   * An entry that is already there counts only if it is the service's own (registered before a
   * crash, say) with optimistic mode. Anything else (another owner, or no optimistic mode) is
   * refused and reported: its owner could attach circuits the service never made.
   */
  private async adopt(id: string, commitment: Hex, entry: RegistryEntry, chainTx: Hash | null): Promise<void> {
    const ours = isAddressEqual(entry.owner, this.runtime.chain.account.address);
    if (ours && (entry.modes & CHAIN_MODE_OPTIMISTIC) !== 0) return this.markRegistered(id, chainTx);
    await query(this.dataSource, `UPDATE models SET chain_status = 'CONFLICT' WHERE id = $1 AND chain_status = 'PENDING'`, [id]);
    this.log.error(
      `model ${commitment} is already in the ModelRegistry under owner ${entry.owner} (modes ${entry.modes}), ` +
        `not this service's ${this.runtime.chain.account.address}: refusing to anchor it (chain_status CONFLICT)`,
    );
  }

  /** The registry's entry for a commitment, or undefined when it has none. */
  private async registered(commitment: Hex): Promise<RegistryEntry | undefined> {
    try {
      return await this.runtime.chain.publicClient.readContract({
        address: this.runtime.deployment.contracts.ModelRegistry,
        abi: ModelRegistryAbi,
        functionName: 'modelOf',
        args: [commitment],
      });
    } catch (error) {
      if (revertName(error) === 'ModelRegistry_UnknownModel') return undefined;
      throw error;
    }
  }

  private async markRegistered(id: string, chainTx: Hash | null): Promise<void> {
    await query(
      this.dataSource,
      `UPDATE models SET chain_status = 'REGISTERED', chain_tx = COALESCE($2, chain_tx) WHERE id = $1 AND chain_status = 'PENDING'`,
      [id, chainTx],
    );
  }
}
