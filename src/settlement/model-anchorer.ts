import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Hash, Hex } from 'viem';
import { DataSource } from 'typeorm';
import { ModelRegistryAbi } from '../chain/generated/contracts';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { ChainTxSender } from './chain-tx-sender';
import { describeChainError, isTransportError, revertName } from './chain-errors';
import { RetryBackoff } from './retry-backoff';
import { SETTLEMENT_OPTIONS, type SettlementOptions } from './settlement.options';
import { CHAIN_MODE_OPTIMISTIC, FINALIZER_BATCH_SIZE } from './settlement.constants';
import { query } from './sql';

/**
 * Registers the commitment of every model stored here (chain_status PENDING) in the
 * ModelRegistry for optimistic mode, so contracts can request it; then marks it REGISTERED. A
 * commitment the registry already allows (registered before a crash, or by anyone) is only marked.
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
    const models = await query<{ id: string; commitment: Hex }>(
      this.dataSource,
      `SELECT id, commitment FROM models WHERE chain_status = 'PENDING' ORDER BY created_at, id LIMIT $1`,
      [FINALIZER_BATCH_SIZE],
    );
    for (const model of models) {
      if (this.backoff.isWaiting(model.id)) continue;
      try {
        await this.anchor(model.id, model.commitment);
        this.backoff.succeeded(model.id);
      } catch (error) {
        if (isTransportError(error)) throw error;
        const pauseMs = this.backoff.failed(model.id);
        this.log.error(
          `registering model ${model.commitment} failed, retrying in ${Math.round(pauseMs / 1000)} s: ${describeChainError(error)}`,
        );
      }
    }
  }

  private async anchor(id: string, commitment: Hex): Promise<void> {
    if (await this.allowed(commitment)) return this.markRegistered(id, null);
    const registry = this.runtime.deployment.contracts.ModelRegistry;
    let hash: Hash;
    try {
      ({ hash } = await this.sender.send({
        address: registry,
        abi: ModelRegistryAbi,
        functionName: 'register',
        args: [commitment, CHAIN_MODE_OPTIMISTIC],
      }));
    } catch (error) {
      if (revertName(error) === 'ModelRegistry_AlreadyRegistered' && (await this.allowed(commitment)))
        return this.markRegistered(id, null);
      throw error;
    }
    const receipt = await this.sender.waitForReceipt(hash);
    if (receipt.status !== 'success') throw new Error(`ModelRegistry.register ${hash} reverted`);
    await this.markRegistered(id, hash);
    this.log.log(`model ${commitment} registered on-chain (optimistic mode) in ${hash}`);
  }

  private allowed(commitment: Hex): Promise<boolean> {
    return this.runtime.chain.publicClient.readContract({
      address: this.runtime.deployment.contracts.ModelRegistry,
      abi: ModelRegistryAbi,
      functionName: 'allows',
      args: [commitment, CHAIN_MODE_OPTIMISTIC],
    });
  }

  private async markRegistered(id: string, chainTx: Hash | null): Promise<void> {
    await query(
      this.dataSource,
      `UPDATE models SET chain_status = 'REGISTERED', chain_tx = COALESCE($2, chain_tx) WHERE id = $1 AND chain_status = 'PENDING'`,
      [id, chainTx],
    );
  }
}
