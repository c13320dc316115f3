/**
 * zk mode on a real anvil node, where TypeScript and Solidity must agree: ZkSettlement.settleZk
 * reads the public signals in the order and packing src/zk/circuit-layout.ts writes them (against
 * Groth16VerifierMock, which insists on the exact selector and signals), a gas estimate of it is
 * safe to send, and a real circuit generated from two tiny quantized models, set up on a
 * development ptau, proves what the engine computes and settles through snarkjs's verifier. The
 * contracts' own rules (lengths, fields, request binding, pins, conflicts, callbacks) are forge
 * tests (test/forge/ZkSettlement.t.sol, ModelRegistry.t.sol).
 */
import {
  concat,
  encodeAbiParameters,
  getAddress,
  keccak256,
  parseEventLogs,
  toFunctionSelector,
  toHex,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import { onnx } from 'onnx-proto';
import {
  EscrowAbi,
  Groth16VerifierMockAbi,
  Groth16VerifierMockBytecode,
  ModelRegistryAbi,
  SettlementAbi,
  ZkSettlementAbi,
} from '../../../src/chain/generated/contracts';
import { ZkSettlementCallAbi } from '../../../src/chain/zk-settlement-abi';
import {
  commitModel,
  evaluateFixed,
  importOnnx,
  quantize,
  quantizeInput,
  type QuantizedModel,
} from '../../../src/engine';
import { buildFloatModel, seededValues } from '../../../src/engine/testing/float-model-builder';
import {
  BN254_SCALAR_FIELD,
  circuitInput,
  decodePublicSignals,
  packOutputs,
  type CircuitLayout,
} from '../../../src/zk/circuit-layout';
import { toSolidityProof, type SolidityProof } from '../../../src/zk/proof-codec';
import { commitSignedVector } from '../../../src/zk/poseidon-commitment';
import { ProverPool } from '../../../src/zk/prover';
import { buildVerifierContract, verifierContractName } from '../../../src/zk/verifier-contract';
import { prepareZkCircuit, type PreparedZkCircuit } from '../../../src/zk/zk-pipeline';
import { silentLog, ZK_TEST_CACHE_DIR } from '../../support/zk-fixtures';
import {
  bytes32,
  expectRevert,
  MODE_OPTIMISTIC,
  MODE_ZK,
  startChain,
  TEST_PARAMETERS,
  ZERO_ADDRESS,
  type Chain,
  deployConsumer,
  readConsumer,
} from './contracts-fixture';

const STATUS = { None: 0, Open: 1, Pending: 2, Disputed: 3, Final: 4 } as const;
const FEE = TEST_PARAMETERS.minimumFeeWei;
const ConsumerBehaviour = { Record: 0, Revert: 1, BurnGas: 2, Reenter: 3 } as const;
const ZERO_HASH = `0x${'00'.repeat(32)}` as const;
/** Any proof: the mock verifier does not look at the points. */
const MOCK_PROOF = {
  a: [1n, 2n],
  b: [
    [3n, 4n],
    [5n, 6n],
  ],
  c: [7n, 8n],
} as const;

interface ZkCircuitRecord {
  verifier: Address;
  batchSize: number;
  outputLength: number;
  outputBits: number;
  outputOffset: bigint;
  circuitHash: Hex;
  zkeyHash: Hex;
}

interface ZkBatch {
  model: Hex;
  batchSize: number;
  requestIds: Hex[];
  inputCommitments: bigint[];
  outputPacked: bigint[];
  beneficiary: Address;
  proof?: Pick<SolidityProof, 'a' | 'b' | 'c'>;
}

/** The layout circuit-layout.ts would compute for a circuit with these output parameters. */
function layoutOf(
  circuit: Pick<ZkCircuitRecord, 'batchSize' | 'outputLength' | 'outputBits' | 'outputOffset'>,
): CircuitLayout {
  const outputsPerField = Math.floor(252 / circuit.outputBits);
  const outputFieldCount = Math.ceil((circuit.batchSize * circuit.outputLength) / outputsPerField);
  return {
    batchSize: circuit.batchSize,
    inputLength: 1,
    outputLength: circuit.outputLength,
    inputBits: 1,
    inputOffset: 0n,
    outputBits: circuit.outputBits,
    outputOffset: circuit.outputOffset,
    outputsPerField,
    outputFieldCount,
    publicSignalCount: circuit.batchSize + outputFieldCount + 1,
  };
}

/** Public signals in circuit order: input commitments, packed outputs, beneficiary. */
const publicSignalsOf = (batch: ZkBatch) => [
  ...batch.inputCommitments,
  ...batch.outputPacked,
  BigInt(batch.beneficiary),
];

const verifyProofSelector = (signalCount: number) =>
  toFunctionSelector(`verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[${signalCount}])`);

const outputHash = (output: readonly bigint[]) =>
  keccak256(encodeAbiParameters([{ type: 'int256[]' }], [output]));

/** A distinct field element per label: a stand-in for a Poseidon input commitment. */
const fieldElement = (label: string) => BigInt(keccak256(toHex(label))) % BN254_SCALAR_FIELD;

describe('zk settlement', () => {
  let chain: Chain;
  let settlement: Address, zkSettlement: Address, escrow: Address, registry: Address;
  let owner: Address, outsider: Address, requester: Address, prover: Address, other: Address;

  const settlementCall = (functionName: string, args: readonly unknown[] = [], value?: bigint) => ({
    address: settlement,
    abi: SettlementAbi,
    functionName,
    args,
    value,
  });
  const registryCall = (functionName: string, args: readonly unknown[] = []) => ({
    address: registry,
    abi: ModelRegistryAbi,
    functionName,
    args,
  });
  /** ZkSettlement (with the Settlement's errors, which a refused settlement may revert with). */
  const zkCall = (functionName: string, args: readonly unknown[] = []) => ({
    address: zkSettlement,
    abi: ZkSettlementCallAbi,
    functionName,
    args,
  });
  const settleZkCall = (batch: ZkBatch, gas?: bigint) => {
    const proof = batch.proof ?? MOCK_PROOF;
    return {
      address: zkSettlement,
      abi: ZkSettlementCallAbi,
      functionName: 'settleZk',
      args: [
        batch.model,
        batch.batchSize,
        batch.requestIds,
        batch.inputCommitments,
        batch.outputPacked,
        batch.beneficiary,
        proof.a,
        proof.b,
        proof.c,
      ],
      gas,
    } as const;
  };
  const settleZk = (batch: ZkBatch, gas?: bigint) => chain.send(outsider, settleZkCall(batch, gas));
  /** Sends settleZk with exactly `gas`, without simulating it first (as a careless relayer would). */
  async function settleZkUnsimulated(batch: ZkBatch, gas: bigint): Promise<TransactionReceipt> {
    const { a, b, c } = batch.proof ?? MOCK_PROOF;
    const hash = await chain.walletClient.writeContract({
      address: zkSettlement,
      abi: ZkSettlementAbi,
      functionName: 'settleZk',
      args: [
        batch.model,
        batch.batchSize,
        batch.requestIds,
        batch.inputCommitments,
        batch.outputPacked,
        batch.beneficiary,
        a,
        b,
        c,
      ],
      account: outsider,
      chain: null,
      gas,
    });
    return chain.publicClient.waitForTransactionReceipt({ hash });
  }
  const status = (requestId: Hex) => chain.read<number>(settlementCall('statusOf', [requestId]));
  const resultOf = (requestId: Hex) =>
    chain.read<[bigint[], boolean, number, Address, bigint]>(settlementCall('resultOf', [requestId]));
  const zkResultOf = (model: Hex, inputCommitment: bigint) =>
    chain.read<Hex>(zkCall('zkResultOf', [model, toHex(inputCommitment, { size: 32 })]));
  /** What the Escrow owes `account` (the fees zk proofs credited to it). */
  const claimable = (account: Address) =>
    chain.read<bigint>({ address: escrow, abi: EscrowAbi, functionName: 'claimableOf', args: [account] });

  async function requestZk(
    model: Hex,
    inputCommitment: bigint,
    options: { callback?: Address; mode?: number; input?: bigint[] } = {},
  ): Promise<Hex> {
    const receipt = await chain.send(
      requester,
      settlementCall(
        'requestInference',
        [
          model,
          toHex(inputCommitment, { size: 32 }),
          options.input ?? [],
          options.mode ?? MODE_ZK,
          options.callback ?? ZERO_ADDRESS,
          300_000,
        ],
        FEE,
      ),
    );
    const [event] = parseEventLogs({
      abi: SettlementAbi,
      logs: receipt.logs,
      eventName: 'InferenceRequested',
    });
    return event.args.requestId;
  }

  const newConsumer = (behaviour: number) => deployConsumer(chain, outsider, behaviour);
  const consumerRead = <T>(consumer: Address, functionName: string) => readConsumer<T>(chain, consumer, functionName);

  /** The registrar (the deployer: `owner` here) registers `model` for `modelOwner`. */
  async function registerModel(model: Hex, modes: number, modelOwner: Address = owner): Promise<void> {
    await chain.send(owner, registryCall('register', [model, modes, modelOwner, 3]));
  }

  async function addZkCircuit(model: Hex, circuit: ZkCircuitRecord, from: Address = owner) {
    return chain.send(from, registryCall('addZkCircuit', [model, circuit]));
  }

  const zkEvents = (receipt: TransactionReceipt) =>
    parseEventLogs({ abi: ZkSettlementAbi, logs: receipt.logs, eventName: 'ZkResultProven' }).map(
      (e) => e.args,
    );

  beforeAll(async () => {
    chain = await startChain();
    [owner, , , outsider, requester, prover, other] = chain.accounts;
    const contracts = await chain.deploy();
    ({ Settlement: settlement, ZkSettlement: zkSettlement, Escrow: escrow, ModelRegistry: registry } = contracts);
  });
  afterAll(async () => chain?.anvil.stop());

  describe('with a mock verifier', () => {
    /** Zk and optimistic; circuits for batches of 3 and 2, 4 outputs of 60 bits per field. */
    const MODEL_A = bytes32('zk-model-a');
    /** Zk only; batches of 2 (28 outputs of 9 bits per field) and of 1 (one 252-bit output per field). */
    const MODEL_B = bytes32('zk-model-b');
    let verifiers: Record<'a3' | 'a2' | 'b2' | 'b1', Address>;
    let circuits: Record<'a3' | 'a2' | 'b2' | 'b1', ZkCircuitRecord>;
    let labels = 0;
    const freshInput = () => fieldElement(`input-${labels++}`);

    const newVerifier = async () =>
      getAddress(await chain.deployAs(owner, Groth16VerifierMockAbi, Groth16VerifierMockBytecode));

    /** Makes `verifier` answer `accept`, needing `gasNeeded`, and only for exactly `signals` when given. */
    async function configure(
      verifier: Address,
      options: { accept?: boolean; gasNeeded?: bigint; signals?: bigint[] } = {},
    ): Promise<void> {
      const signals = options.signals;
      await chain.send(owner, {
        address: verifier,
        abi: Groth16VerifierMockAbi,
        functionName: 'configure',
        args: [
          options.accept ?? true,
          options.gasNeeded ?? 0n,
          signals ? verifyProofSelector(signals.length) : '0x00000000',
          signals ? keccak256(concat(signals.map((s) => toHex(s, { size: 32 })))) : ZERO_HASH,
        ],
      });
    }

    /** A batch for `circuit` with `outputs` (one per sample), packed as circuit-layout.ts packs them. */
    function batchFor(
      model: Hex,
      circuit: ZkCircuitRecord,
      outputs: bigint[][],
      requestIds: Hex[] = outputs.map(() => ZERO_HASH),
      inputCommitments: bigint[] = outputs.map(() => freshInput()),
    ): ZkBatch {
      return {
        model,
        batchSize: circuit.batchSize,
        requestIds,
        inputCommitments,
        outputPacked: packOutputs(layoutOf(circuit), outputs),
        beneficiary: prover,
      };
    }

    /** Outputs with the extreme values of the circuit's range, negatives and zeros. */
    function outputsFor(circuit: ZkCircuitRecord, seed: number): bigint[][] {
      const min = -circuit.outputOffset;
      const max = (1n << BigInt(circuit.outputBits)) - 1n - circuit.outputOffset;
      const pool = [
        min,
        max,
        -1n,
        0n,
        1n,
        min + 1n,
        max - 1n,
        -(circuit.outputOffset / 3n),
        circuit.outputOffset / 7n,
      ];
      return Array.from({ length: circuit.batchSize }, (_, s) =>
        Array.from(
          { length: circuit.outputLength },
          (_, j) => pool[(seed + s * circuit.outputLength + j) % pool.length],
        ),
      );
    }

    beforeAll(async () => {
      verifiers = {
        a3: await newVerifier(),
        a2: await newVerifier(),
        b2: await newVerifier(),
        b1: await newVerifier(),
      };
      const record = (verifier: Address, batchSize: number, outputLength: number, outputBits: number) => ({
        verifier,
        batchSize,
        outputLength,
        outputBits,
        outputOffset: 1n << BigInt(outputBits - 1),
        circuitHash: bytes32(`circuit-${verifier}`),
        zkeyHash: bytes32(`zkey-${verifier}`),
      });
      circuits = {
        a3: record(verifiers.a3, 3, 5, 60),
        a2: record(verifiers.a2, 2, 5, 60),
        b2: record(verifiers.b2, 2, 3, 9),
        b1: record(verifiers.b1, 1, 3, 252),
      };
      await registerModel(MODEL_A, MODE_OPTIMISTIC);
      await registerModel(MODEL_B, 0);
      for (const key of ['a3', 'a2'] as const) await addZkCircuit(MODEL_A, circuits[key]);
      for (const key of ['b2', 'b1'] as const) await addZkCircuit(MODEL_B, circuits[key]);
    });

    describe('settleZk', () => {
      it('test_settleZk_verifierOutOfGas_reverts: a verifier that returns false for lack of gas never settles, and a gas estimate is safe to send', async () => {
        const requestId = await requestZk(MODEL_B, freshInput());
        const request = await chain.read<{ inputCommitment: Hex }>(settlementCall('requestOf', [requestId]));
        const batch = batchFor(
          MODEL_B,
          circuits.b2,
          outputsFor(circuits.b2, 4),
          [ZERO_HASH, requestId],
          [freshInput(), BigInt(request.inputCommitment)],
        );
        const gasNeeded = 400_000n;
        await configure(verifiers.b2, { gasNeeded, signals: publicSignalsOf(batch) });
        const feesBefore = await claimable(prover);
        // Enough gas for everything around the verifier, not for the verifier itself.
        const tooLittle = 300_000n;
        await expectRevert(
          chain.publicClient.simulateContract({
            ...settleZkCall(batch),
            account: outsider,
            gas: tooLittle,
          } as never),
          'ZkSettlement_ProofRejected',
          [MODEL_B, 2],
        );
        expect((await settleZkUnsimulated(batch, tooLittle)).status).toBe('reverted');
        expect(await status(requestId)).toBe(STATUS.Open);
        expect(await zkResultOf(MODEL_B, batch.inputCommitments[1])).toBe(ZERO_HASH);
        expect(await claimable(prover)).toBe(feesBefore);
        // The estimate is the least gas at which settleZk succeeds, so it is enough (no silent false).
        const estimate = await chain.publicClient.estimateContractGas({
          ...settleZkCall(batch),
          account: outsider,
        });
        expect(estimate).toBeGreaterThan(gasNeeded);
        await settleZk(batch, estimate);
        expect(await status(requestId)).toBe(STATUS.Final);
        expect(await claimable(prover)).toBe(feesBefore + FEE);
      });

      it.each([
        ['4 outputs of 60 bits per field, samples across field boundaries, batch 3', 'a3'],
        ['4 outputs of 60 bits per field, a half-empty last field, batch 2', 'a2'],
        ['28 outputs of 9 bits in one field, batch 2', 'b2'],
        ['one 252-bit output per field, batch 1', 'b1'],
      ] as const)('unpacks signed outputs exactly as decodePublicSignals does: %s', async (_label, key) => {
        const circuit = circuits[key];
        const model = key.startsWith('a') ? MODEL_A : MODEL_B;
        for (const seed of [11, 12]) {
          const batch = batchFor(model, circuit, outputsFor(circuit, seed));
          await configure(verifiers[key], { signals: publicSignalsOf(batch) });
          const decoded = decodePublicSignals(layoutOf(circuit), publicSignalsOf(batch));
          expect(decoded.outputs.flat().some((v) => v < 0n)).toBe(true);
          const receipt = await settleZk(batch);
          expect(zkEvents(receipt).map((e) => e.output)).toEqual(decoded.outputs);
          for (const [s, commitment] of batch.inputCommitments.entries()) {
            expect(await zkResultOf(model, commitment)).toBe(outputHash(decoded.outputs[s]));
          }
        }
      });
    });
  });

  describe('with a real Groth16 circuit and verifier', () => {
    const BATCH_SIZE = 2;
    const INPUTS = [
      [0.5, -0.25, 0.75, -1],
      [-0.625, 1, 0.125, 0.375],
    ];
    interface RealModel {
      model: QuantizedModel;
      commitment: Hex;
      prepared: PreparedZkCircuit;
      verifier: Address;
    }
    let modelA: RealModel, modelB: RealModel;
    let pool: ProverPool;
    let inputsFixed: bigint[][], outputs: bigint[][], commitments: bigint[];
    let proof: SolidityProof;
    let consumer: Address;
    let requestIds: Hex[];

    /** x[4] -> Gemm 4x3 -> Relu -> Gemm 3x2: `sign` flips the first layer (same bounds, another circuit). */
    function tinyModel(sign: 1 | -1): QuantizedModel {
      const transB: onnx.IAttributeProto = {
        name: 'transB',
        type: onnx.AttributeProto.AttributeType.INT,
        i: 1,
      };
      const bytes = buildFloatModel({
        input: { name: 'x', dims: ['n', 4] },
        output: { name: 'y', dims: ['n', 2] },
        initializers: [
          { name: 'w1', dims: [3, 4], values: seededValues(12, 1, 0.8).map((v) => sign * v) },
          { name: 'b1', dims: [3], values: seededValues(3, 2, 0.2) },
          { name: 'w2', dims: [2, 3], values: seededValues(6, 3, 0.8) },
          { name: 'b2', dims: [2], values: seededValues(2, 4, 0.2) },
        ],
        nodes: [
          { op: 'Gemm', inputs: ['x', 'w1', 'b1'], output: 'h', attrs: [transB] },
          { op: 'Relu', inputs: ['h'], output: 'r' },
          { op: 'Gemm', inputs: ['r', 'w2', 'b2'], output: 'y', attrs: [transB] },
        ],
      });
      return quantize(importOnnx(bytes), { fractionBits: 8, calibration: [[1, -1, 1, -1]] });
    }

    /** Generates, compiles and sets up the batch circuit (cached), deploys its verifier, registers it. */
    async function deployZkModel(model: QuantizedModel): Promise<RealModel> {
      const prepared = await prepareZkCircuit(model, BATCH_SIZE, {
        cacheDir: ZK_TEST_CACHE_DIR,
        maxPower: 12,
        contributions: [{ name: 'zk settlement spec' }],
        log: silentLog,
      });
      const built = await buildVerifierContract({
        zkeyPath: prepared.key.zkeyPath,
        contractName: verifierContractName(prepared.circuit.contentHash),
        cacheDir: ZK_TEST_CACHE_DIR,
      });
      const verifier = getAddress(await chain.deployAs(owner, built.abi, built.bytecode));
      const { commitment } = commitModel(model);
      await registerModel(commitment, 0);
      const { layout } = prepared;
      await addZkCircuit(commitment, {
        verifier,
        batchSize: BATCH_SIZE,
        outputLength: layout.outputLength,
        outputBits: layout.outputBits,
        outputOffset: layout.outputOffset,
        circuitHash: `0x${prepared.circuit.contentHash}`,
        zkeyHash: `0x${prepared.key.zkeyHash}`,
      });
      return { model, commitment, prepared, verifier };
    }

    const realBatch = (overrides: Partial<ZkBatch> = {}): ZkBatch => ({
      model: modelA.commitment,
      batchSize: BATCH_SIZE,
      requestIds,
      inputCommitments: commitments,
      outputPacked: proof.publicSignals.slice(BATCH_SIZE, -1),
      beneficiary: prover,
      proof,
      ...overrides,
    });

    beforeAll(async () => {
      modelA = await deployZkModel(tinyModel(1));
      modelB = await deployZkModel(tinyModel(-1));
      expect(modelB.prepared.layout).toEqual(modelA.prepared.layout);
      expect(modelB.prepared.circuit.contentHash).not.toBe(modelA.prepared.circuit.contentHash);

      const { layout } = modelA.prepared;
      inputsFixed = INPUTS.map((input) => Array.from(quantizeInput(modelA.model, input), (v) => BigInt(v)));
      outputs = inputsFixed.map(
        (input) => evaluateFixed(modelA.model, Float64Array.from(input, Number)).outputFixed,
      );
      commitments = await Promise.all(
        inputsFixed.map((input) => commitSignedVector(input, layout.inputBits, layout.inputOffset)),
      );
      consumer = await newConsumer(ConsumerBehaviour.Record);
      requestIds = [
        await requestZk(modelA.commitment, commitments[0], { callback: consumer, input: inputsFixed[0] }),
        await requestZk(modelA.commitment, commitments[1], { input: inputsFixed[1] }),
      ];

      pool = new ProverPool({ size: 1 });
      const { proof: groth16, publicSignals } = await pool.prove({
        wasmPath: modelA.prepared.circuit.wasmPath,
        zkeyPath: modelA.prepared.key.zkeyPath,
        input: circuitInput(layout, inputsFixed, BigInt(prover)),
      });
      proof = toSolidityProof(groth16, publicSignals);
      const decoded = decodePublicSignals(layout, publicSignals);
      expect(decoded).toEqual({ inputCommitments: commitments, outputs, beneficiary: BigInt(prover) });
      expect(decoded.outputs.flat().some((v) => v < 0n)).toBe(true);
    }, 900_000);
    afterAll(async () => pool?.close());

    it('test_settleZk_tooLittleGasForTheVerifier_reverts: the real verifier says false when short of gas, and settleZk refuses it', async () => {
      // Enough for settleZk's own checks, not for the pairings (about 181k gas for 4 pairs).
      const tooLittle = 200_000n;
      await expectRevert(
        chain.publicClient.simulateContract({
          ...settleZkCall(realBatch()),
          account: outsider,
          gas: tooLittle,
        } as never),
        'ZkSettlement_ProofRejected',
        [modelA.commitment, BATCH_SIZE],
      );
      expect((await settleZkUnsimulated(realBatch(), tooLittle)).status).toBe('reverted');
      for (const requestId of requestIds) expect(await status(requestId)).toBe(STATUS.Open);
      expect(await zkResultOf(modelA.commitment, commitments[0])).toBe(ZERO_HASH);
    });

    it('test_settleZk_forgedBatch_reverts: a tampered output, swapped inputs, another beneficiary, another model', async () => {
      const tampered = [...proof.publicSignals.slice(BATCH_SIZE, -1)];
      tampered[0] += 1n;
      const forgeries: [string, ZkBatch][] = [
        ['a tampered output field', realBatch({ outputPacked: tampered })],
        [
          'the input commitments swapped (with their requests)',
          realBatch({
            requestIds: [requestIds[1], requestIds[0]],
            inputCommitments: [commitments[1], commitments[0]],
          }),
        ],
        ['another beneficiary', realBatch({ beneficiary: other })],
        [
          'the proof under another model',
          realBatch({ model: modelB.commitment, requestIds: [ZERO_HASH, ZERO_HASH] }),
        ],
      ];
      for (const [, batch] of forgeries) {
        await expectRevert(settleZk(batch), 'ZkSettlement_ProofRejected', [batch.model, BATCH_SIZE]);
      }
      for (const requestId of requestIds) expect(await status(requestId)).toBe(STATUS.Open);
    });

    it('test_settleZk_honestProof_finalizesTwoRequestsWithTheEngineOutputs', async () => {
      const feesBefore = await claimable(prover);
      // With settleZk refusing a false, the estimate is the least gas at which the proof verifies.
      const estimate = await chain.publicClient.estimateContractGas({
        ...settleZkCall(realBatch()),
        account: outsider,
      });
      const receipt = await settleZk(realBatch(), estimate);
      console.log(
        `settleZk, batch of ${BATCH_SIZE} (real Groth16 verifier, ${proof.publicSignals.length} public signals, ` +
          `${modelA.prepared.constraints} constraints): gasUsed ${receipt.gasUsed}, estimate ${estimate}`,
      );
      for (const [s, requestId] of requestIds.entries()) {
        expect(await resultOf(requestId)).toEqual([outputs[s], true, STATUS.Final, prover, 0n]);
        expect(await zkResultOf(modelA.commitment, commitments[s])).toBe(outputHash(outputs[s]));
      }
      expect(zkEvents(receipt).map((e) => e.output)).toEqual(outputs);
      expect(await claimable(prover)).toBe(feesBefore + 2n * FEE);
      expect(await consumerRead(consumer, 'calls')).toBe(1n);
      expect(await consumerRead(consumer, 'lastOutput')).toEqual(outputs[0]);
    });

    it('test_settleZk_replayForFinalRequests_reverts; the same proof without requests changes nothing', async () => {
      await expectRevert(settleZk(realBatch()), 'Settlement_NotOpen', [requestIds[0], STATUS.Final]);
      await expectRevert(
        settleZk(realBatch({ requestIds: [ZERO_HASH, requestIds[1]] })),
        'Settlement_NotOpen',
        [requestIds[1], STATUS.Final],
      );
      const feesBefore = await claimable(prover);
      const receipt = await settleZk(realBatch({ requestIds: [ZERO_HASH, ZERO_HASH] }));
      console.log(
        `settleZk, batch of ${BATCH_SIZE}, results already proven, no request: gasUsed ${receipt.gasUsed}`,
      );
      expect(await claimable(prover)).toBe(feesBefore);
      expect(await consumerRead(consumer, 'calls')).toBe(1n);
      expect(await zkResultOf(modelA.commitment, commitments[1])).toBe(outputHash(outputs[1]));
    });
  });
});
