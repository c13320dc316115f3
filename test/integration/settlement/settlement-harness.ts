/**
 * Shared set-up for the settlement pipeline specs: a fresh database (migrated), a real anvil node
 * (optionally on a fixed port with a state file, so it can be stopped and restarted), Verity's
 * contracts deployed with short test windows by the service account, and the SettlementModule
 * (and the ChallengesModule, which defends disputes) in a Nest application context with test
 * timings; their loops do not start, tests drive each step by hand. Rows are inserted with SQL
 * exactly as the worker API leaves them, with real EIP-712 worker signatures.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  keccak256,
  stringToHex,
  type Hex,
} from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { anvil as anvilChain } from 'viem/chains';
import {
  ANVIL_DEFAULT_PRIVATE_KEY,
  startAnvil,
  type AnvilHandle,
  type AnvilOptions,
} from '../../../src/chain/anvil';
import { createChainClients } from '../../../src/chain/chain-clients';
import { deploySystem, type Deployment, type ProtocolParameters } from '../../../src/chain/deployments';
import { ChallengesModule } from '../../../src/challenges/challenges.module';
import { outputCommitment, type ResultLeaf } from '../../../src/chain/result-merkle';
import { RESULT_TYPES, verityDomain } from '../../../src/chain/typed-data';
import { loadConfig } from '../../../src/config/load-config';
import { dataSourceOptions } from '../../../src/database/data-source-options';
import { apiRequestId } from '../../../src/inference/inference-ids';
import { InferenceModule } from '../../../src/inference/inference.module';
import type { InferenceMode, InferenceOrigin } from '../../../src/inference/inference-status';
import { ModelsModule } from '../../../src/models/models.module';
import { RuntimeModule } from '../../../src/runtime/runtime.module';
import type { Runtime } from '../../../src/runtime/runtime';
import { SettlementModule } from '../../../src/settlement/settlement.module';
import {
  DEFAULT_SETTLEMENT_OPTIONS,
  SETTLEMENT_OPTIONS,
  type SettlementOptions,
} from '../../../src/settlement/settlement.options';
import { TEST_PARAMETERS } from '../contracts/contracts-fixture';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

/** anvil's account #1: the worker that computes and signs results in these specs. */
export const WORKER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const;
export const WORKER: PrivateKeyAccount = privateKeyToAccount(WORKER_KEY);
/** anvil's account #2: a dapp that requests inferences on-chain. */
export const REQUESTER_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a' as const;
export const REQUESTER: PrivateKeyAccount = privateKeyToAccount(REQUESTER_KEY);

export interface HarnessOptions {
  anvil?: AnvilOptions;
  settlement?: Partial<SettlementOptions>;
  /** Protocol parameters deployed on top of the test windows (TEST_PARAMETERS). */
  parameters?: Partial<ProtocolParameters>;
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

export async function startHarness(options: HarnessOptions = {}) {
  const database: TestDatabase = await createTestDatabase();
  let anvil: AnvilHandle = await startAnvil(options.anvil);
  const chain = createChainClients({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEFAULT_PRIVATE_KEY });
  const deployment: Deployment = {
    chainId: chain.chain.id,
    deployedAt: new Date().toISOString(),
    contracts: await deploySystem(chain, { ...TEST_PARAMETERS, ...options.parameters }),
  };
  const runtime: Runtime = {
    config: loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      RPC_URL: anvil.rpcUrl,
      CHAIN_ID: String(chain.chain.id),
      PRIVATE_KEY: ANVIL_DEFAULT_PRIVATE_KEY,
      VERITY_DATA_DIR: mkdtempSync(join(tmpdir(), 'verity-settlement-')),
    }),
    databaseUrl: database.url,
    chain,
    deployment,
    embedded: { database: false, chain: false },
    stop: async () => undefined,
  };
  const settlementOptions: SettlementOptions = {
    ...DEFAULT_SETTLEMENT_OPTIONS,
    autoStart: false,
    committerIntervalMs: 50,
    watcherIntervalMs: 100,
    finalizerIntervalMs: 100,
    anchorIntervalMs: 100,
    maxBatchSize: 4,
    maxBatchWaitMs: 60_000,
    droppedTxGraceMs: 0,
    receiptTimeoutMs: 10_000,
    sendMaxAttempts: 3,
    sendInitialBackoffMs: 50,
    sendMaxBackoffMs: 200,
    revertRetryInitialMs: 600_000,
    revertRetryMaxMs: 600_000,
    ...options.settlement,
  };
  const module: TestingModule = await Test.createTestingModule({
    imports: [
      RuntimeModule.forRoot(runtime),
      TypeOrmModule.forRoot({ ...dataSourceOptions(database.url, 4), migrationsRun: true }),
      InferenceModule,
      ModelsModule,
      SettlementModule,
      ChallengesModule,
    ],
  })
    .overrideProvider(SETTLEMENT_OPTIONS)
    .useValue(settlementOptions)
    .compile();
  module.useLogger(['error', 'warn']);
  await module.init();
  const dataSource = module.get<DataSource>(getDataSourceToken());

  const transport = () => http(anvil.rpcUrl);
  const publicClient = createPublicClient({ chain: anvilChain, transport: transport(), pollingInterval: 50 });
  const testClient = createTestClient({ chain: anvilChain, transport: transport(), mode: 'anvil' });
  const walletOf = (account: PrivateKeyAccount) =>
    createWalletClient({ chain: anvilChain, transport: transport(), account });

  async function sql<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
    return dataSource.query(text, params);
  }

  return {
    database,
    get anvil() {
      return anvil;
    },
    runtime,
    deployment,
    module,
    dataSource,
    options: settlementOptions,
    publicClient,
    testClient,
    walletOf,
    sql,
    /** Stops the node (its state is dumped when it has a state file). */
    async stopChain(): Promise<void> {
      await anvil.stop();
    },
    /** Starts the node again on the same port (and state file). */
    async restartChain(): Promise<void> {
      anvil = await startAnvil({ ...options.anvil, port: anvil.port });
    },
    async increaseTime(seconds: bigint | number): Promise<void> {
      await testClient.increaseTime({ seconds: Number(seconds) });
      await testClient.mine({ blocks: 1 });
    },
    async stop(): Promise<void> {
      await module.close();
      await anvil.stop();
      await database.drop();
    },
  };
}

/** Inserts a model row (a stand-in: no ONNX or quantized form) and returns its id and commitment. */
export async function insertModel(
  harness: Harness,
  label = randomUUID(),
): Promise<{ id: string; commitment: Hex }> {
  const commitment = keccak256(stringToHex(`model-${label}`));
  const [row] = await harness.sql<{ id: string }>(
    `INSERT INTO models (name, commitment, onnx_sha256, onnx, quantized, ops, parameter_count, input_shape, output_shape,
                         fraction_bits, accuracy, chain_status)
     VALUES ($1, $2, $3, '\\x00', '{}', '{Gemm}', 1, '{1,3}', '{1,2}', 16, '{}', 'REGISTERED')
     RETURNING id`,
    [`model ${label}`, commitment, '0'.repeat(64)],
  );
  return { id: row.id, commitment };
}

export interface ComputedRowOptions {
  model: { id: string; commitment: Hex };
  origin?: InferenceOrigin;
  mode?: InferenceMode;
  /** How long ago the result was computed (default: 10 minutes, so any batch wait is over). */
  computedAgoMs?: number;
}

/**
 * Inserts `count` COMPUTED inferences as the worker API leaves them: output, commitments and the
 * worker's EIP-712 signature over the result leaf. Returns their ids in insertion order.
 */
export async function insertComputed(
  harness: Harness,
  count: number,
  options: ComputedRowOptions,
): Promise<string[]> {
  const ids: string[] = [];
  const { chainId, contracts } = harness.deployment;
  for (let n = 0; n < count; n++) {
    const id = randomUUID();
    const input = [BigInt(n), -7n, 65536n];
    const output = [BigInt(n) * 3n, -BigInt(n)];
    const leaf: ResultLeaf = {
      requestId: apiRequestId(chainId, contracts.Settlement, id),
      modelCommitment: options.model.commitment,
      inputCommitment: outputCommitment(input),
      outputCommitment: outputCommitment(output),
      traceCommitment: keccak256(stringToHex(`trace-${id}`)),
      worker: WORKER.address,
    };
    const signature = await signResult(harness, leaf);
    await harness.sql(
      `INSERT INTO inferences (id, request_id, model_id, mode, origin, client_id, input_fixed, input_commitment, status,
                               attempts, worker_address, backend, output_fixed, output_commitment, trace_commitment,
                               worker_signature, computed_at)
       VALUES ($1, $2, $3, $4, $5, 'test-client', $6, $7, 'COMPUTED', 1, $8, 'cpu', $9, $10, $11, $12,
               clock_timestamp() - make_interval(secs => $13::double precision / 1000))`,
      [
        id,
        leaf.requestId,
        options.model.id,
        options.mode ?? 'OPTIMISTIC',
        options.origin ?? 'API',
        input.map(String),
        leaf.inputCommitment,
        WORKER.address.toLowerCase(),
        output.map(String),
        leaf.outputCommitment,
        leaf.traceCommitment,
        signature,
        options.computedAgoMs ?? 600_000,
      ],
    );
    ids.push(id);
  }
  return ids;
}

/** The worker's EIP-712 signature of a result leaf for this deployment. */
export function signResult(harness: Harness, leaf: ResultLeaf): Promise<Hex> {
  return WORKER.signTypedData({
    domain: verityDomain(harness.deployment.chainId, harness.deployment.contracts.Settlement),
    types: RESULT_TYPES,
    primaryType: 'Result',
    message: leaf,
  });
}

/** A real model's result: what a worker computed (its trace, honest or not) and signed. */
export interface TracedResultOptions {
  model: { id: string; commitment: Hex };
  /** The trace the worker commits to (the engine's, or a tampered one). */
  claimed: {
    input: bigint[];
    output: bigint[];
    inputCommitment: Hex;
    outputCommitment: Hex;
    traceCommitment: Hex;
  };
  /** An on-chain request picked up by the watcher (status REQUESTED); without it, a new API row. */
  requestId?: Hex;
}

/**
 * Leaves an inference COMPUTED with `claimed` as its result, signed by WORKER, as the worker API
 * does: a new API-origin row, or the REQUESTED row of an on-chain request. Returns its id.
 */
export async function storeTracedResult(harness: Harness, options: TracedResultOptions): Promise<string> {
  const { chainId, contracts } = harness.deployment;
  const { claimed } = options;
  let id: string;
  let requestId: Hex;
  if (options.requestId) {
    requestId = options.requestId.toLowerCase() as Hex;
    [{ id }] = await harness.sql<{ id: string }>(`SELECT id FROM inferences WHERE request_id = $1`, [
      requestId,
    ]);
  } else {
    id = randomUUID();
    requestId = apiRequestId(chainId, contracts.Settlement, id);
    await harness.sql(
      `INSERT INTO inferences (id, request_id, model_id, mode, origin, client_id, input_fixed, input_commitment, status)
       VALUES ($1, $2, $3, 'OPTIMISTIC', 'API', 'test-client', $4, $5, 'REQUESTED')`,
      [id, requestId, options.model.id, claimed.input.map(String), claimed.inputCommitment],
    );
  }
  const leaf: ResultLeaf = {
    requestId,
    modelCommitment: options.model.commitment,
    inputCommitment: claimed.inputCommitment,
    outputCommitment: claimed.outputCommitment,
    traceCommitment: claimed.traceCommitment,
    worker: WORKER.address,
  };
  await harness.sql(
    `UPDATE inferences SET status = 'COMPUTED', attempts = attempts + 1, worker_address = $2, backend = 'cpu',
            output_fixed = $3, output_commitment = $4, trace_commitment = $5, worker_signature = $6,
            computed_at = now() - interval '10 minutes'
      WHERE id = $1 AND status = 'REQUESTED'`,
    [
      id,
      WORKER.address.toLowerCase(),
      claimed.output.map(String),
      leaf.outputCommitment,
      leaf.traceCommitment,
      await signResult(harness, leaf),
    ],
  );
  return id;
}
