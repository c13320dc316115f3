import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type Hex, zeroHash } from 'viem';
import { AppError } from '../common/app-error';
import { ZkSettlementCallAbi } from '../chain/zk-settlement-abi';
import { InferenceEvents } from '../inference/inference-events';
import { ServiceMetrics } from '../metrics/service-metrics';
import { STATUSES_AWAITING_PROOF, STATUSES_PROVING, statusIn, transition } from '../inference/lifecycle';
import type { Runtime } from '../runtime/runtime';
import { RUNTIME } from '../runtime/runtime.module';
import { AccountLease } from '../chain-tx/account-lease';
import { ChainTxSender } from '../chain-tx/chain-tx-sender';
import { PollingLoop } from '../polling/polling-loop';
import { SETTLEMENT_OPTIONS, type SettlementOptions } from '../settlement/settlement.options';
import { query, sqlFor } from '../database/sql';
import { circuitInput, decodePublicSignals } from '../zk/circuit-layout';
import { commitSignedVector } from '../zk/poseidon-commitment';
import { toSolidityProof } from '../zk/proof-codec';
import { ProverPool } from '../zk/prover';
import { ProofsError } from './proofs.errors';
import { type ZkCircuitRow, layoutFromJson } from './zk-circuit-row';

/** How often the prover looks for computed ZK-mode results. */
const ZK_PROVER_INTERVAL_MS = 200;
/** Failed proving attempts before a request is marked FAILED. */
const MAX_PROVING_ATTEMPTS = 3;

interface ProvingRow {
  id: string;
  request_id: Hex;
  origin: 'API' | 'CHAIN';
  model_id: string;
  commitment: Hex;
  input_fixed: string[];
  output_fixed: string[];
  attempts: number;
}

/**
 * The zk leg of the lifecycle: COMPUTED (a worker's result) -> PROVING -> FINAL. Proves each
 * ZK-mode result in a worker thread (the API's event loop stays free), checks the circuit's
 * outputs equal the worker's bit for bit, settles the proof on-chain (ZkSettlement.settleZk, where
 * the verifier must return true) and records the proof so anyone can re-verify it. Progress goes
 * to the row's proving_stage and to inferenceUpdated subscribers.
 */
@Injectable()
export class ZkProverService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(ZkProverService.name);
  private readonly pool: ProverPool;
  private readonly loop: PollingLoop;
  private readonly failures = new Map<string, number>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(SETTLEMENT_OPTIONS) private readonly options: SettlementOptions,
    private readonly sender: ChainTxSender,
    private readonly events: InferenceEvents,
    private readonly accountLease: AccountLease,
    private readonly metrics: ServiceMetrics,
  ) {
    this.pool = new ProverPool({ size: runtime.config.zk.proverThreads });
    this.loop = new PollingLoop('zk prover', ZK_PROVER_INTERVAL_MS, () => this.runOnce(), this.log);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.autoStart) return this.retryCutOff();
    // One process proves: the holder of the service account's lease (it settles the proofs).
    await this.accountLease.run({
      start: async () => {
        await this.retryCutOff();
        this.loop.start();
      },
      stop: () => this.loop.stop(),
    });
  }

  /** PROVING rows when this process starts proving were cut off (a restart, a holder that died). */
  private async retryCutOff(): Promise<void> {
    await transition(sqlFor(this.dataSource), 'provingRetry', { set: "proving_stage = 'restarted', updated_at = now()", where: 'true' });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
    await this.pool.close();
  }

  /** Proves one computed ZK-mode result whose model has a ready batch-1 circuit, if there is one. */
  async runOnce(): Promise<void> {
    const claimed = await this.claim();
    if (!claimed) return;
    const { row, circuit } = claimed;
    try {
      await this.prove(row, circuit);
      this.failures.delete(row.id);
    } catch (error) {
      await this.release(row, error);
    }
  }

  private async claim(): Promise<{ row: ProvingRow; circuit: ZkCircuitRow } | null> {
    const [row] = await transition<ProvingRow & { circuit_id: string }>(sqlFor(this.dataSource), 'startProving', {
      alias: 'i',
      set: "proving_stage = 'queued', zk_circuit_id = c.id, updated_at = now()",
      using: 'zk_circuits c, models m',
      where: `i.id = (SELECT i2.id FROM inferences i2 JOIN zk_circuits c2 ON c2.model_id = i2.model_id AND c2.batch_size = 1 AND c2.status = 'READY'
                       WHERE ${statusIn('i2.status', STATUSES_AWAITING_PROOF)} AND i2.mode = 'ZK' ORDER BY i2.computed_at, i2.id LIMIT 1 FOR UPDATE OF i2 SKIP LOCKED)
          AND c.model_id = i.model_id AND c.batch_size = 1 AND m.id = i.model_id`,
      returning: 'i.id, i.request_id, i.origin, i.model_id, m.commitment, i.input_fixed, i.output_fixed, i.attempts, c.id AS circuit_id',
    });
    if (!row) return null;
    await this.events.changed([row.id]);
    const [circuit] = await query<ZkCircuitRow>(this.dataSource, `SELECT * FROM zk_circuits WHERE id = $1`, [row.circuit_id]);
    return { row, circuit };
  }

  private async prove(row: ProvingRow, circuit: ZkCircuitRow): Promise<void> {
    if (!circuit.layout || !circuit.zkey_path || !circuit.circuit_name) throw new ProofsError('ZK_NOT_READY', `zk circuit ${circuit.id} has no key`);
    const layout = layoutFromJson(circuit.layout);
    const input = row.input_fixed.map(BigInt);
    const beneficiary = this.runtime.chain.account.address;
    const inputCommitment = await commitSignedVector(input, layout.inputBits, layout.inputOffset);
    const result = await this.pool.prove({
      wasmPath: circuitWasmPath(this.runtime.config.zk.cacheDir, circuit),
      zkeyPath: circuit.zkey_path,
      input: circuitInput(layout, [input], BigInt(beneficiary)),
      onProgress: (stage, detail) => void this.stage(row.id, `${stage}: ${detail}`),
    });
    this.metrics.proveTime.observe((result.timings.witnessMs + result.timings.proveMs) / 1000);
    const decoded = decodePublicSignals(layout, result.publicSignals);
    // The circuit and the worker's engine implement one semantics: any difference is a bug (or a
    // lying worker), never something to settle.
    if (decoded.inputCommitments[0] !== inputCommitment || decoded.outputs[0].some((v, i) => v !== BigInt(row.output_fixed[i]))) {
      throw new ProofsError('ZK_PROOF_MISMATCH', `the circuit's output for ${row.id} differs from the worker's result`, {
        circuit: decoded.outputs[0].map(String),
        worker: row.output_fixed,
      });
    }
    await this.stage(row.id, `settling: proof in ${result.timings.witnessMs + result.timings.proveMs} ms, sending ZkSettlement.settleZk`);
    const proof = toSolidityProof(result.proof, result.publicSignals);
    const { hash } = await this.sender.send({
      address: this.runtime.deployment.contracts.ZkSettlement,
      abi: ZkSettlementCallAbi,
      functionName: 'settleZk',
      args: [
        row.commitment,
        1,
        [row.origin === 'CHAIN' ? row.request_id : zeroHash],
        decoded.inputCommitments,
        proof.publicSignals.slice(layout.batchSize, layout.batchSize + layout.outputFieldCount),
        beneficiary,
        proof.a,
        proof.b,
        proof.c,
      ],
    });
    const receipt = await this.sender.waitForReceipt(hash);
    if (receipt.status !== 'success') throw new ProofsError('ZK_PROVING_FAILED', `ZkSettlement.settleZk ${hash} reverted`);
    await transition(sqlFor(this.dataSource), 'proofVerified', {
      set: `final_at = now(), zk_proof = $2, zk_public_signals = $3, zk_input_commitment = $4,
              settle_tx = $5, proving_stage = $6, updated_at = now()`,
      where: 'id = $1',
      params: [row.id, JSON.stringify(result.proof), result.publicSignals, inputCommitment.toString(), hash, `final: verified on-chain (${receipt.gasUsed} gas)`],
    });
    await this.events.changed([row.id]);
    this.log.log(`inference ${row.id}: proven in ${result.timings.proveMs} ms and final on-chain in ${hash}`);
  }

  private async stage(id: string, line: string): Promise<void> {
    await query(this.dataSource, `UPDATE inferences SET proving_stage = $2, updated_at = now() WHERE id = $1 AND ${statusIn('status', STATUSES_PROVING)}`, [id, line.slice(0, 500)]);
    await this.events.changed([id]);
  }

  private async release(row: ProvingRow, error: unknown): Promise<void> {
    const failures = (this.failures.get(row.id) ?? 0) + 1;
    this.failures.set(row.id, failures);
    const code = error instanceof AppError ? error.code : 'ZK_PROVING_FAILED';
    const message = error instanceof Error ? error.message : String(error);
    const final = failures >= MAX_PROVING_ATTEMPTS || code === 'ZK_PROOF_MISMATCH';
    this.log.error(`proving ${row.id} failed (attempt ${failures}${final ? ', giving up' : ''}): ${message}`);
    await transition(sqlFor(this.dataSource), final ? 'provingFailed' : 'provingRetry', {
      set: 'error_code = $2, error_message = $3, proving_stage = $4, updated_at = now()',
      where: 'id = $1',
      params: [row.id, code, message.slice(0, 2000), final ? 'failed' : `retrying after: ${message.slice(0, 200)}`],
    });
    await this.events.changed([row.id]);
  }
}

/** The witness generator circom wrote next to the circuit (circom-compiler.ts's cache layout). */
export function circuitWasmPath(cacheDir: string, circuit: ZkCircuitRow): string {
  const name = circuit.circuit_name as string;
  return `${cacheDir}/circuits/${name}-${(circuit.circuit_hash as string).slice(0, 16)}/${name}_js/${name}.wasm`;
}
