/**
 * The modules of src/ (its top-level folders, and the files at its root), what each owns, and
 * which modules each may import. The one source of truth for docs/architecture.md, whose table
 * src/module-imports.spec.ts checks against this one, and for the import check in the same spec
 * (scripts/module-import-check.ts): an import not listed here, or any cycle between modules, fails.
 *
 * Order: from the bottom (imports nothing of Verity) to the top (the processes' entry points).
 */
export interface ModuleRule {
  owns: string;
  mayImport: readonly string[];
}

export const MODULE_BOUNDARIES = {
  common: {
    owns: 'AppError and its codes, GraphQL scalars and limits, small helpers; nothing domain-specific',
    mayImport: [],
  },
  metrics: {
    owns: "the API process's Prometheus registry and the instruments the pipeline observes",
    mayImport: [],
  },
  config: {
    owns: 'the only reader of process.env: the whole environment, validated at boot',
    mayImport: ['common'],
  },
  database: {
    owns: 'data source, migrations, embedded PostgreSQL, the `sql`/`query`/`transaction` helpers, duty leases',
    mayImport: ['common'],
  },
  engine: {
    owns: 'pure: ONNX import, quantization, the fixed-point evaluator, traces, commitments',
    mayImport: ['common'],
  },
  chain: {
    owns: 'chain clients, typed ABIs, anvil, deployments, EIP-712, result Merkle trees, the kinds of chain errors',
    mayImport: ['common', 'engine'],
  },
  polling: {
    owns: 'the background polling loop, loops started and stopped together, and the per-key retry backoff',
    mayImport: ['chain'],
  },
  'chain-cursors': {
    owns: 'the chain_cursors table: resumable, chunked log scans (`scanLogs`) for the watchers',
    mayImport: ['database'],
  },
  runtime: {
    owns: "a process's database URL, chain connection (connectChain, for every process) and deployment (embedded or given)",
    mayImport: ['chain', 'config', 'database'],
  },
  'chain-tx': {
    owns: "an account's transaction sender (nonce, simulation, retries) and its lease (one sending process per account)",
    mayImport: ['chain', 'common', 'database', 'runtime'],
  },
  zk: {
    owns: 'circuit generation, the powers of tau, Groth16 proving and verifying',
    mayImport: ['common', 'engine'],
  },
  models: {
    owns: 'model upload, compilation (with the dispute-gas bound of optimistic mode) and the models API',
    mayImport: ['chain', 'common', 'engine'],
  },
  'result-batches': {
    owns: 'the result_batches table and the Merkle leaves and trees of a batch',
    mayImport: ['chain', 'common', 'database'],
  },
  inference: {
    owns: 'inference requests, their lifecycle (the only writer of a status), events and the inference API',
    mayImport: ['chain', 'common', 'database', 'engine', 'models', 'result-batches', 'runtime'],
  },
  settlement: {
    owns: 'the on-chain pipeline: batch commits, request watching, reveal and finalize, model anchoring',
    mayImport: [
      'chain',
      'chain-cursors',
      'chain-tx',
      'common',
      'database',
      'engine',
      'inference',
      'metrics',
      'polling',
      'result-batches',
      'runtime',
      'zk',
    ],
  },
  workers: {
    owns: 'the worker API: the fair queue, job claims, leases and results',
    mayImport: ['chain', 'common', 'config', 'database', 'engine', 'inference', 'runtime'],
  },
  proofs: {
    owns: "zk circuits per model (enabled by the owner's signature), proving and zk settlement",
    mayImport: ['chain', 'chain-tx', 'common', 'database', 'inference', 'metrics', 'polling', 'runtime', 'settlement', 'zk'],
  },
  challenges: {
    owns: "the service's side of disputes: watching, defending, outcomes, the signals to the API, the disputes API",
    mayImport: [
      'chain',
      'chain-cursors',
      'chain-tx',
      'common',
      'database',
      'engine',
      'inference',
      'polling',
      'result-batches',
      'runtime',
      'settlement',
    ],
  },
  defender: {
    owns: 'the `verity defender` process: its Nest context and its child-process supervision',
    mayImport: [
      'chain',
      'chain-tx',
      'challenges',
      'config',
      'database',
      'inference',
      'runtime',
      'settlement',
    ],
  },
  health: {
    owns: 'health checks, the service status API and the Prometheus endpoint with its gauges',
    mayImport: ['challenges', 'common', 'inference', 'metrics', 'runtime'],
  },
  explorer: {
    owns: 'the explorer web page at `/` and the files it loads (its browser modules are a client of the public GraphQL API)',
    mayImport: ['common'],
  },
  'api-error-codes.ts': {
    owns: 'every code the API answers with, for its clients',
    mayImport: [
      'chain',
      'chain-tx',
      'challenges',
      'common',
      'database',
      'engine',
      'inference',
      'models',
      'proofs',
      'result-batches',
      'settlement',
      'workers',
      'zk',
    ],
  },
  worker: {
    owns: 'the worker client: API client, job runner, worker loop, staking',
    mayImport: ['api-error-codes.ts', 'chain', 'common', 'engine', 'runtime'],
  },
  challenger: {
    owns: 'the challenger daemon: API client, target choice, dispute player',
    mayImport: ['api-error-codes.ts', 'chain', 'challenges', 'common', 'engine', 'runtime'],
  },
  client: {
    owns: "the dapps' typed client (`verity/client`): the API's operations and their generated types, waiting for a status, and verifyResult's checks against the chain",
    mayImport: ['api-error-codes.ts', 'chain', 'common', 'engine', 'zk'],
  },
  'app.module.ts': {
    owns: "the API's Nest wiring",
    mayImport: [
      'challenges',
      'common',
      'database',
      'explorer',
      'health',
      'inference',
      'models',
      'proofs',
      'runtime',
      'settlement',
      'workers',
    ],
  },
  'main.ts': {
    owns: 'the API process',
    mayImport: ['app.module.ts', 'common', 'config', 'models', 'runtime'],
  },
  'worker.ts': { owns: 'the worker process', mayImport: ['chain', 'engine', 'worker'] },
  'challenger.ts': { owns: 'the challenger process', mayImport: ['chain', 'challenger', 'worker'] },
  cli: {
    owns: 'the `verity` command line',
    mayImport: [
      'chain',
      'challenger.ts',
      'client',
      'common',
      'config',
      'database',
      'defender',
      'engine',
      'main.ts',
      'runtime',
      'worker',
      'worker.ts',
      'zk',
    ],
  },
} as const satisfies Record<string, ModuleRule>;

export type ModuleName = keyof typeof MODULE_BOUNDARIES;
