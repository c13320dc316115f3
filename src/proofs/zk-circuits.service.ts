import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Address, Hex } from 'viem';
import { AppError } from '../common/app-error';
import { ModelRegistryAbi } from '../chain/generated/contracts';
import { verityDomain } from '../chain/typed-data';
import { isUuid } from '../inference/inference.service';
import { ModelCatalog } from '../inference/model-catalog';
import type { Runtime } from '../runtime/runtime';
import { RUNTIME } from '../runtime/runtime.module';
import { AccountLease } from '../chain-tx/account-lease';
import { ChainTxSender } from '../chain-tx/chain-tx-sender';
import { PollingLoop } from '../polling/polling-loop';
import { SETTLEMENT_OPTIONS, type SettlementOptions } from '../settlement/settlement.options';
import { query } from '../database/sql';
import { buildVerifierContract, verifierContractName } from '../zk/verifier-contract';
import { type PreparedZkCircuit, checkZkBudget, prepareZkCircuitInThread } from '../zk/zk-pipeline';
import { DEV_PTAU_WARNING } from '../zk/ptau';
import { MAX_ZK_CIRCUITS_PER_MODEL, MAX_ZK_CIRCUITS_PREPARING, ProofsError } from './proofs.errors';
import { type ZkModeConsent, assertOwnerConsent } from './zk-mode-consent';
import { ZK_CIRCUIT_FAILED, type ZkCircuitRow, layoutToJson } from './zk-circuit-row';

/** How often a preparing circuit's progress line is written to its row (the log gets every line). */
const STAGE_WRITE_INTERVAL_MS = 1000;
/** How often the lease holder looks for circuits left PREPARING with no preparation running here. */
const ZK_PREPARER_INTERVAL_MS = 2000;
/** How long the pipeline waits for the model anchorer to register the model on-chain. */
const MODEL_REGISTRATION_WAIT_MS = 120_000;

/**
 * zk mode for a model: generates its circuit, runs the trusted setup, deploys the verifier and
 * records the circuit in ModelRegistry, then allows ZK-mode requests (models.modes gains ZK).
 * Minutes of work run in the background; the row's `stage` shows progress to whoever polls it, and
 * a restart resumes rows left PREPARING (every step is cached by content hash or idempotent).
 */
@Injectable()
export class ZkCircuitsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(ZkCircuitsService.name);
  private readonly running = new Map<string, Promise<void>>();
  private readonly preparer: PollingLoop;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly catalog: ModelCatalog,
    private readonly sender: ChainTxSender,
    private readonly accountLease: AccountLease,
    @Inject(SETTLEMENT_OPTIONS) private readonly options: SettlementOptions,
  ) {
    this.preparer = new PollingLoop('zk circuit preparer', ZK_PREPARER_INTERVAL_MS, () => this.resume(), this.log);
  }

  /**
   * Circuits are prepared by the process that holds the service account's lease (the preparation
   * ends with a deployment from that account): it takes up PREPARING rows when it wins the lease
   * and every few seconds after, so a row left by a restart, a dead holder or another replica's
   * enableZkMode is prepared.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.autoStart) return this.resume();
    await this.accountLease.run({ start: () => this.preparer.start(), stop: () => this.preparer.stop() });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.preparer.stop();
  }

  private async resume(): Promise<void> {
    const rows = await query<ZkCircuitRow>(this.dataSource, `SELECT * FROM zk_circuits WHERE status = 'PREPARING'`);
    rows.forEach((row) => this.start(row));
  }

  /**
   * Starts (or returns) the preparation of a model's circuit for `batchSize` inferences per proof,
   * for the model's owner only (`consent`, zk-mode-consent.ts).
   */
  async enable(modelId: string, batchSize: number, consent: ZkModeConsent): Promise<ZkCircuitRow> {
    const model = await this.catalog.get(modelId);
    const domain = verityDomain(this.runtime.chain.chain.id, this.runtime.deployment.contracts.Settlement);
    await assertOwnerConsent(this.dataSource, domain, model, batchSize, consent);
    // Refuse an unsupported or clearly too large model at once, before any background work.
    checkZkBudget(model.quantized, batchSize, this.runtime.config.zk.maxPtauPower);
    await this.assertRoomFor(modelId, batchSize);
    const [row] = await query<ZkCircuitRow>(
      this.dataSource,
      `INSERT INTO zk_circuits (model_id, batch_size, status, stage) VALUES ($1, $2, 'PREPARING', 'queued')
       ON CONFLICT (model_id, batch_size) DO UPDATE
         SET status = CASE WHEN zk_circuits.status = $3 THEN 'PREPARING' ELSE zk_circuits.status END,
             stage = CASE WHEN zk_circuits.status = $3 THEN 'queued' ELSE zk_circuits.stage END,
             error_code = CASE WHEN zk_circuits.status = $3 THEN NULL ELSE zk_circuits.error_code END,
             error_message = CASE WHEN zk_circuits.status = $3 THEN NULL ELSE zk_circuits.error_message END,
             updated_at = now()
       RETURNING *`,
      [modelId, batchSize, ZK_CIRCUIT_FAILED],
    );
    // Another replica holds the lease: its preparer takes the row up within seconds.
    if (row.status === 'PREPARING' && this.accountLease.maySend) this.start(row);
    return row;
  }

  /**
   * Each new circuit costs a compile, a trusted setup (minutes of CPU) and a verifier deployment
   * paid by the service: a model has at most MAX_ZK_CIRCUITS_PER_MODEL of them, and at most
   * MAX_ZK_CIRCUITS_PREPARING are prepared at once. A batch size the model already has (or one
   * that failed and is retried) is not a new circuit.
   */
  private async assertRoomFor(modelId: string, batchSize: number): Promise<void> {
    const [counts] = await query<{ others: string; preparing: string; exists: boolean }>(
      this.dataSource,
      `SELECT count(*) FILTER (WHERE model_id = $1 AND batch_size <> $2 AND status <> $3) AS others,
              count(*) FILTER (WHERE status = 'PREPARING') AS preparing,
              bool_or(model_id = $1 AND batch_size = $2 AND status <> $3) AS exists
         FROM zk_circuits`,
      [modelId, batchSize, ZK_CIRCUIT_FAILED],
    );
    if (counts.exists) return;
    if (Number(counts.others) >= MAX_ZK_CIRCUITS_PER_MODEL) {
      throw new ProofsError(
        'ZK_CIRCUIT_LIMIT',
        `model ${modelId} already has ${counts.others} zk circuits; at most ${MAX_ZK_CIRCUITS_PER_MODEL} batch sizes are prepared per model`,
        { limit: MAX_ZK_CIRCUITS_PER_MODEL },
      );
    }
    if (Number(counts.preparing) >= MAX_ZK_CIRCUITS_PREPARING) {
      throw new ProofsError(
        'ZK_SETUP_BUSY',
        `${counts.preparing} zk circuits are being prepared already (at most ${MAX_ZK_CIRCUITS_PREPARING} at once); retry when one is READY`,
        { limit: MAX_ZK_CIRCUITS_PREPARING },
      );
    }
  }

  async list(modelId: string): Promise<ZkCircuitRow[]> {
    if (!isUuid(modelId)) return [];
    return query<ZkCircuitRow>(this.dataSource, `SELECT * FROM zk_circuits WHERE model_id = $1 ORDER BY batch_size`, [modelId]);
  }

  async get(id: string): Promise<ZkCircuitRow> {
    const [row] = isUuid(id)
      ? await query<ZkCircuitRow>(this.dataSource, `SELECT * FROM zk_circuits WHERE id = $1`, [id])
      : [];
    if (!row) throw new ProofsError('ZK_CIRCUIT_NOT_FOUND', `no zk circuit ${id}`);
    return row;
  }

  /** Waits for the background preparation of a circuit (tests, CLI). */
  async settled(id: string): Promise<ZkCircuitRow> {
    await this.running.get(id);
    return this.get(id);
  }

  private start(row: ZkCircuitRow): void {
    if (this.running.has(row.id)) return;
    const run = this.prepare(row)
      .catch((error: unknown) => this.fail(row.id, error))
      .finally(() => this.running.delete(row.id));
    this.running.set(row.id, run);
  }

  private async prepare(row: ZkCircuitRow): Promise<void> {
    const model = await this.catalog.get(row.model_id);
    const { zk } = this.runtime.config;
    const stage = this.stageWriter(row.id, `model ${model.name} (batch ${row.batch_size})`);
    const prepared = await prepareZkCircuitInThread(model.quantized, row.batch_size, {
      cacheDir: zk.cacheDir,
      ptauPath: zk.ptauPath,
      maxPower: zk.maxPtauPower,
      onProgress: stage,
      log: { warn: (message: string) => this.log.warn(message) },
    });
    if (prepared.ptau.development) this.log.warn(`${model.name}: ${DEV_PTAU_WARNING}`);
    await this.record(row.id, prepared);
    const verifier = await this.deployVerifier(row.id, prepared, stage);
    stage('register', 'waiting for the model to be registered on-chain');
    await this.waitForModelRegistration(model.id);
    const tx = await this.addToRegistry(model.commitment as Hex, row.batch_size, prepared, verifier);
    await query(
      this.dataSource,
      `UPDATE zk_circuits SET status = 'READY', stage = 'ready', chain_tx = $2, updated_at = now() WHERE id = $1`,
      [row.id, tx],
    );
    await query(
      this.dataSource,
      `UPDATE models SET modes = array_append(modes, 'ZK') WHERE id = $1 AND NOT ('ZK' = ANY(modes))`,
      [model.id],
    );
    this.catalog.forget(model.id);
    this.log.log(`${model.name}: zk mode ready (batch ${row.batch_size}, ${prepared.constraints} constraints, verifier ${verifier})`);
  }

  private async record(id: string, prepared: PreparedZkCircuit): Promise<void> {
    await query(
      this.dataSource,
      `UPDATE zk_circuits SET circuit_name = $2, circuit_hash = $3, constraints = $4, layout = $5, ptau = $6,
              zkey_path = $7, zkey_hash = $8, contributions = $9, verification_key = $10, updated_at = now()
        WHERE id = $1`,
      [
        id,
        prepared.circuit.name,
        prepared.circuit.contentHash,
        prepared.constraints,
        JSON.stringify(layoutToJson(prepared.layout)),
        JSON.stringify(prepared.ptau),
        prepared.key.zkeyPath,
        prepared.key.zkeyHash,
        JSON.stringify(prepared.key.contributionHashes),
        JSON.stringify(prepared.key.verificationKey),
      ],
    );
  }

  private async deployVerifier(id: string, prepared: PreparedZkCircuit, stage: (s: string, d: string) => void): Promise<Address> {
    const [existing] = await query<{ verifier_address: Address | null }>(this.dataSource, `SELECT verifier_address FROM zk_circuits WHERE id = $1`, [id]);
    if (existing?.verifier_address) return existing.verifier_address;
    const contract = await buildVerifierContract({
      zkeyPath: prepared.key.zkeyPath,
      contractName: verifierContractName(prepared.circuit.contentHash),
      cacheDir: this.runtime.config.zk.cacheDir,
      onProgress: stage,
    });
    stage('deploy', `deploying ${contract.contractName}`);
    const { hash } = await this.sender.deploy({ abi: contract.abi, bytecode: contract.bytecode, label: contract.contractName });
    const receipt = await this.sender.waitForReceipt(hash);
    if (receipt.status !== 'success' || !receipt.contractAddress) throw new ProofsError('ZK_SETUP_FAILED', `verifier deployment ${hash} failed`);
    await query(this.dataSource, `UPDATE zk_circuits SET verifier_address = $2, updated_at = now() WHERE id = $1`, [id, receipt.contractAddress]);
    stage('deploy', `verifier at ${receipt.contractAddress} (${receipt.gasUsed} gas)`);
    return receipt.contractAddress;
  }

  private async waitForModelRegistration(modelId: string): Promise<void> {
    const deadline = Date.now() + MODEL_REGISTRATION_WAIT_MS;
    for (;;) {
      const [model] = await query<{ chain_status: string }>(this.dataSource, `SELECT chain_status FROM models WHERE id = $1`, [modelId]);
      if (model?.chain_status === 'REGISTERED') return;
      if (model?.chain_status === 'CONFLICT')
        throw new ProofsError('ZK_SETUP_FAILED', 'the ModelRegistry holds this model for another owner: the service cannot attach a verifier to it');
      if (Date.now() > deadline) throw new ProofsError('ZK_SETUP_FAILED', 'the model was not registered on-chain in time; retry enableZkMode');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  private async addToRegistry(commitment: Hex, batchSize: number, prepared: PreparedZkCircuit, verifier: Address): Promise<Hex> {
    const { layout } = prepared;
    const { hash } = await this.sender.send({
      address: this.runtime.deployment.contracts.ModelRegistry,
      abi: ModelRegistryAbi,
      functionName: 'addZkCircuit',
      args: [
        commitment,
        {
          verifier,
          batchSize,
          outputLength: layout.outputLength,
          outputBits: layout.outputBits,
          outputOffset: layout.outputOffset,
          circuitHash: `0x${prepared.circuit.contentHash}`,
          zkeyHash: `0x${prepared.key.zkeyHash}`,
        },
      ],
    });
    const receipt = await this.sender.waitForReceipt(hash);
    if (receipt.status !== 'success') throw new ProofsError('ZK_SETUP_FAILED', `ModelRegistry.addZkCircuit ${hash} reverted`);
    return hash;
  }

  private stageWriter(id: string, label: string): (stage: string, detail: string) => void {
    let lastWrite = 0;
    return (stage, detail) => {
      const line = `${stage}: ${detail}`;
      this.log.log(`${label}: ${line}`);
      if (Date.now() - lastWrite < STAGE_WRITE_INTERVAL_MS) return;
      lastWrite = Date.now();
      void query(this.dataSource, `UPDATE zk_circuits SET stage = $2, updated_at = now() WHERE id = $1 AND status = 'PREPARING'`, [id, line.slice(0, 500)]).catch(
        () => undefined,
      );
    };
  }

  private async fail(id: string, error: unknown): Promise<void> {
    const code = error instanceof AppError ? error.code : 'ZK_SETUP_FAILED';
    const message = error instanceof Error ? error.message : String(error);
    this.log.error(`zk circuit ${id} failed: ${message}`);
    await query(
      this.dataSource,
      `UPDATE zk_circuits SET status = $4, stage = 'failed', error_code = $2, error_message = $3, updated_at = now() WHERE id = $1`,
      [id, code, message.slice(0, 2000), ZK_CIRCUIT_FAILED],
    ).catch(() => undefined);
  }
}
