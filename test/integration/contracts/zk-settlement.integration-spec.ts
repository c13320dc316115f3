/**
 * zk mode on a real anvil node: ModelRegistry's zk circuits (one verifier per model and batch
 * size) and Settlement.settleZk, which makes zk requests final the moment a Groth16 proof of their
 * results verifies. First against Groth16VerifierMock (a configured answer, a gas appetite, and
 * the exact selector and public signals it insists on), then against a real circuit generated from
 * two tiny quantized models, set up on a development ptau and verified by snarkjs's verifier.
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
  Groth16VerifierMockAbi,
  Groth16VerifierMockBytecode,
  ModelRegistryAbi,
  SettlementAbi,
} from '../../../src/chain/generated/contracts';
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
  let settlement: Address, registry: Address;
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
  const settleZkCall = (batch: ZkBatch, gas?: bigint) => {
    const proof = batch.proof ?? MOCK_PROOF;
    return {
      ...settlementCall('settleZk', [
        batch.model,
        batch.batchSize,
        batch.requestIds,
        batch.inputCommitments,
        batch.outputPacked,
        batch.beneficiary,
        proof.a,
        proof.b,
        proof.c,
      ]),
      gas,
    };
  };
  const settleZk = (batch: ZkBatch, gas?: bigint) => chain.send(outsider, settleZkCall(batch, gas));
  /** Sends settleZk with exactly `gas`, without simulating it first (as a careless relayer would). */
  async function settleZkUnsimulated(batch: ZkBatch, gas: bigint): Promise<TransactionReceipt> {
    const { a, b, c } = batch.proof ?? MOCK_PROOF;
    const hash = await chain.walletClient.writeContract({
      address: settlement,
      abi: SettlementAbi,
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
    chain.read<Hex>(settlementCall('zkResultOf', [model, toHex(inputCommitment, { size: 32 })]));
  const claimable = (account: Address) => chain.read<bigint>(settlementCall('claimableFees', [account]));

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
    parseEventLogs({ abi: SettlementAbi, logs: receipt.logs, eventName: 'ZkResultProven' }).map(
      (e) => e.args,
    );

  beforeAll(async () => {
    chain = await startChain();
    [owner, , , outsider, requester, prover, other] = chain.accounts;
    const contracts = await chain.deploy();
    ({ Settlement: settlement, ModelRegistry: registry } = contracts);
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

    describe('ModelRegistry', () => {
      it('test_register_zkMode_reverts: zk mode comes only with a circuit; other unknown bits are refused', async () => {
        const model = bytes32('register-modes');
        await expectRevert(
          chain.send(owner, registryCall('register', [model, MODE_ZK, owner, 3])),
          'ModelRegistry_ZkModeNeedsCircuit',
          [model],
        );
        await expectRevert(
          chain.send(owner, registryCall('register', [model, MODE_ZK | MODE_OPTIMISTIC, owner, 3])),
          'ModelRegistry_ZkModeNeedsCircuit',
          [model],
        );
        await expectRevert(
          chain.send(owner, registryCall('register', [model, 4, owner, 3])),
          'ModelRegistry_InvalidModes',
          [4],
        );
        await registerModel(model, 0);
        expect(await chain.read(registryCall('allows', [model, MODE_ZK]))).toBe(false);
        expect(await chain.read(registryCall('allows', [model, MODE_OPTIMISTIC]))).toBe(false);
      });

      it('test_register_notRegistrar_reverts: a front-runner with an always-true verifier can neither claim a model nor attach to it', async () => {
        const model = bytes32('squatted-model');
        const alwaysTrue = getAddress(await chain.deployAs(outsider, Groth16VerifierMockAbi, Groth16VerifierMockBytecode));
        await chain.send(outsider, {
          address: alwaysTrue,
          abi: Groth16VerifierMockAbi,
          functionName: 'configure',
          args: [true, 0n, '0x00000000', ZERO_HASH],
        });
        // The commitment is public before the service registers it: the stranger tries first.
        for (const modes of [0, MODE_OPTIMISTIC]) {
          await expectRevert(chain.send(outsider, registryCall('register', [model, modes, outsider, 3])), 'ModelRegistry_NotRegistrar', [outsider]);
        }
        await expectRevert(addZkCircuit(model, { ...circuits.b1, verifier: alwaysTrue }, outsider), 'ModelRegistry_UnknownModel', [model]);
        await registerModel(model, MODE_OPTIMISTIC);
        expect(await chain.read(registryCall('modelOf', [model]))).toMatchObject({ owner });
        await expectRevert(
          addZkCircuit(model, { ...circuits.b1, verifier: alwaysTrue }, outsider),
          'ModelRegistry_NotOwner',
          [model, outsider],
        );
        expect(await chain.read(registryCall('allows', [model, MODE_ZK]))).toBe(false);
        // With no circuit of its own attached, the stranger's verifier settles nothing for the model.
        await expectRevert(
          settleZk({ ...batchFor(model, circuits.b1, [[1n, 2n, 3n]]), proof: MOCK_PROOF }),
          'Settlement_UnknownZkCircuit',
          [model, 1],
        );
      });

      it('test_register_forAnOwner_letsThatOwnerOrTheRegistrarAttachCircuits', async () => {
        const model = bytes32('owned-by-a-dapp');
        await registerModel(model, 0, other);
        expect(await chain.read(registryCall('modelOf', [model]))).toMatchObject({ owner: other });
        await addZkCircuit(model, { ...circuits.b1, verifier: await newVerifier() }, other);
        await addZkCircuit(model, { ...circuits.b2, verifier: await newVerifier(), zkeyHash: bytes32('other-zkey') }, owner);
        expect(await chain.read(registryCall('zkCircuitCount', [model]))).toBe(2);
        await expectRevert(
          addZkCircuit(model, { ...circuits.a3, verifier: await newVerifier() }, outsider),
          'ModelRegistry_NotOwner',
          [model, outsider],
        );
        await expectRevert(chain.send(owner, registryCall('register', [bytes32('no-owner'), 0, ZERO_ADDRESS, 3])), 'ModelRegistry_ZeroAddress');
      });

      it('test_addZkCircuit_byOwner_enablesZkModeAndRecordsTheCircuit', async () => {
        const model = bytes32('add-circuit');
        await registerModel(model, MODE_OPTIMISTIC);
        const verifier = await newVerifier();
        const circuit = {
          ...circuits.b2,
          verifier,
          circuitHash: bytes32('c-hash'),
          zkeyHash: bytes32('z-hash'),
        };
        const receipt = await addZkCircuit(model, circuit);
        const [added] = parseEventLogs({
          abi: ModelRegistryAbi,
          logs: receipt.logs,
          eventName: 'ZkCircuitAdded',
        });
        expect(added.args).toEqual({
          commitment: model,
          batchSize: circuit.batchSize,
          verifier,
          ordinal: 1,
          outputLength: circuit.outputLength,
          outputBits: circuit.outputBits,
          outputOffset: circuit.outputOffset,
          circuitHash: circuit.circuitHash,
          zkeyHash: circuit.zkeyHash,
        });
        expect(await chain.read(registryCall('zkCircuitOf', [model, circuit.batchSize]))).toEqual(circuit);
        expect(await chain.read(registryCall('allows', [model, MODE_ZK]))).toBe(true);
        expect(await chain.read(registryCall('allows', [model, MODE_OPTIMISTIC | MODE_ZK]))).toBe(true);
        expect(await chain.read(registryCall('zkCircuitCount', [model]))).toBe(1);
        expect(await chain.read(registryCall('modelOf', [model]))).toMatchObject({ owner, modes: 3 });
      });

      it('test_addZkCircuit_secondForSameBatchSize_reverts: a verifier is never swapped', async () => {
        const replacement = await newVerifier();
        await expectRevert(
          addZkCircuit(MODEL_A, { ...circuits.a2, verifier: replacement }),
          'ModelRegistry_ZkCircuitExists',
          [MODEL_A, 2],
        );
        await expectRevert(addZkCircuit(MODEL_A, circuits.a2), 'ModelRegistry_ZkCircuitExists', [MODEL_A, 2]);
        const stored = await chain.read<ZkCircuitRecord>(registryCall('zkCircuitOf', [MODEL_A, 2]));
        expect(stored.verifier).toBe(verifiers.a2);
        expect(await chain.read(registryCall('zkCircuitCount', [MODEL_A]))).toBe(2);
      });

      it('test_addZkCircuit_notOwner_reverts, also for an unknown model', async () => {
        const circuit = { ...circuits.a2, batchSize: 7 };
        for (const from of [outsider, prover]) {
          await expectRevert(addZkCircuit(MODEL_A, circuit, from), 'ModelRegistry_NotOwner', [MODEL_A, from]);
        }
        const unknown = bytes32('never-registered');
        await expectRevert(addZkCircuit(unknown, circuit), 'ModelRegistry_UnknownModel', [unknown]);
        await expectRevert(
          chain.read(registryCall('zkCircuitOf', [MODEL_A, 7])),
          'ModelRegistry_UnknownZkCircuit',
          [MODEL_A, 7],
        );
      });

      it('test_addZkCircuit_invalidCircuit_reverts: verifier without code, batch size 0, output length 0, bits outside [1, 252], offset too wide', async () => {
        const base = { ...circuits.a2, batchSize: 9 };
        await expectRevert(
          addZkCircuit(MODEL_A, { ...base, verifier: other }),
          'ModelRegistry_VerifierHasNoCode',
          [other],
        );
        await expectRevert(
          addZkCircuit(MODEL_A, { ...base, verifier: ZERO_ADDRESS }),
          'ModelRegistry_VerifierHasNoCode',
          [ZERO_ADDRESS],
        );
        await expectRevert(
          addZkCircuit(MODEL_A, { ...base, batchSize: 0 }),
          'ModelRegistry_InvalidBatchSize',
          [0],
        );
        await expectRevert(
          addZkCircuit(MODEL_A, { ...base, outputLength: 0 }),
          'ModelRegistry_InvalidOutputLength',
          [0],
        );
        for (const outputBits of [0, 253]) {
          await expectRevert(
            addZkCircuit(MODEL_A, { ...base, outputBits, outputOffset: 0n }),
            'ModelRegistry_InvalidOutputBits',
            [outputBits],
          );
        }
        await expectRevert(
          addZkCircuit(MODEL_A, { ...base, outputBits: 8, outputOffset: 256n }),
          'ModelRegistry_OutputOffsetTooLarge',
          [256n, 8],
        );
        await expectRevert(
          chain.read(registryCall('zkCircuitOf', [MODEL_A, 9])),
          'ModelRegistry_UnknownZkCircuit',
        );
      });
    });

    describe('requestInference in zk mode', () => {
      it('test_requestInference_zkMode_skipsTheKeccakInputCheckButNeedsAFieldElement', async () => {
        const commitment = freshInput();
        // The posted input is not the commitment's preimage: the contract cannot tell (Poseidon).
        const requestId = await requestZk(MODEL_B, commitment, { input: [1n, 2n, 3n] });
        expect(await status(requestId)).toBe(STATUS.Open);
        expect(await chain.read(settlementCall('requestOf', [requestId]))).toMatchObject({
          inputCommitment: toHex(commitment, { size: 32 }),
          mode: MODE_ZK,
          zkCircuitCount: 2,
        });
        for (const outside of [BN254_SCALAR_FIELD, 2n ** 256n - 1n]) {
          await expectRevert(requestZk(MODEL_B, outside), 'Settlement_InputCommitmentNotInField', [
            toHex(outside, { size: 32 }),
          ]);
        }
        await expectRevert(
          requestZk(MODEL_A, freshInput(), { mode: MODE_OPTIMISTIC, input: [1n] }),
          'Settlement_InputCommitmentMismatch',
        );
      });
    });

    describe('settleZk', () => {
      it('test_settleZk_unknownCircuit_reverts', async () => {
        const batch = batchFor(MODEL_A, circuits.a2, outputsFor(circuits.a2, 0));
        await expectRevert(settleZk({ ...batch, batchSize: 5 }), 'Settlement_UnknownZkCircuit', [MODEL_A, 5]);
        const unknown = bytes32('unknown-model');
        await expectRevert(settleZk({ ...batch, model: unknown }), 'Settlement_UnknownZkCircuit', [
          unknown,
          2,
        ]);
      });

      it('test_settleZk_wrongLengths_reverts: request ids, input commitments and packed fields must fit the circuit', async () => {
        const batch = batchFor(MODEL_A, circuits.a3, outputsFor(circuits.a3, 1));
        expect(batch.outputPacked).toHaveLength(4);
        await expectRevert(
          settleZk({ ...batch, requestIds: batch.requestIds.slice(1) }),
          'Settlement_ZkBatchLengthMismatch',
          [3, 2n, 3n],
        );
        await expectRevert(
          settleZk({ ...batch, inputCommitments: [...batch.inputCommitments, 1n] }),
          'Settlement_ZkBatchLengthMismatch',
          [3, 3n, 4n],
        );
        await expectRevert(
          settleZk({ ...batch, outputPacked: batch.outputPacked.slice(1) }),
          'Settlement_ZkOutputFieldCountMismatch',
          [4n, 3n],
        );
        await expectRevert(
          settleZk({ ...batch, outputPacked: [...batch.outputPacked, 0n] }),
          'Settlement_ZkOutputFieldCountMismatch',
          [4n, 5n],
        );
      });

      it('test_settleZk_nonCanonicalSignals_reverts: an input commitment outside the field, a packed field with bits above its k values, a zero beneficiary', async () => {
        await configure(verifiers.a3);
        const batch = batchFor(MODEL_A, circuits.a3, outputsFor(circuits.a3, 2));
        for (const outside of [BN254_SCALAR_FIELD, BN254_SCALAR_FIELD + 5n, 2n ** 256n - 1n]) {
          await expectRevert(
            settleZk({
              ...batch,
              inputCommitments: [batch.inputCommitments[0], outside, batch.inputCommitments[2]],
            }),
            'Settlement_ZkSignalNotInField',
            [1n, outside],
          );
        }
        // 4 values of 60 bits: a field holds 240 bits; bit 240 and up must be zero.
        for (const extra of [1n << 240n, 1n << 251n, BN254_SCALAR_FIELD - 1n]) {
          const outputPacked = [...batch.outputPacked];
          outputPacked[2] = (outputPacked[2] + extra) % 2n ** 256n;
          await expectRevert(settleZk({ ...batch, outputPacked }), 'Settlement_ZkPackedFieldNotCanonical', [
            5n,
            outputPacked[2],
          ]);
        }
        await expectRevert(settleZk({ ...batch, beneficiary: ZERO_ADDRESS }), 'Settlement_ZeroBeneficiary');
        // The same batch, canonical, is accepted by the (accepting) verifier.
        await settleZk(batch);
      });

      it('test_settleZk_verifierReturnsFalse_reverts and records nothing', async () => {
        const requestId = await requestZk(MODEL_A, freshInput());
        const request = await chain.read<{ inputCommitment: Hex }>(settlementCall('requestOf', [requestId]));
        const batch = batchFor(
          MODEL_A,
          circuits.a2,
          outputsFor(circuits.a2, 3),
          [requestId, ZERO_HASH],
          [BigInt(request.inputCommitment), freshInput()],
        );
        await configure(verifiers.a2, { accept: false });
        await expectRevert(settleZk(batch), 'Settlement_ZkProofRejected', [MODEL_A, 2]);
        // A verifier that accepts only other public signals (e.g. another beneficiary) says false too.
        await configure(verifiers.a2, { signals: publicSignalsOf({ ...batch, beneficiary: other }) });
        await expectRevert(settleZk(batch), 'Settlement_ZkProofRejected', [MODEL_A, 2]);
        expect(await status(requestId)).toBe(STATUS.Open);
        expect(await zkResultOf(MODEL_A, batch.inputCommitments[0])).toBe(ZERO_HASH);
        expect(await zkResultOf(MODEL_A, batch.inputCommitments[1])).toBe(ZERO_HASH);
        await configure(verifiers.a2, { signals: publicSignalsOf(batch) });
        await settleZk(batch);
        expect(await status(requestId)).toBe(STATUS.Final);
      });

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
          'Settlement_ZkProofRejected',
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
        } as never);
        expect(estimate).toBeGreaterThan(gasNeeded);
        await settleZk(batch, estimate);
        expect(await status(requestId)).toBe(STATUS.Final);
        expect(await claimable(prover)).toBe(feesBefore + FEE);
      });

      it('test_settleZk_honestBatch_finalizesRequestsCreditsTheBeneficiaryAndCallsEachConsumerOnce', async () => {
        const consumer = await newConsumer(ConsumerBehaviour.Record);
        const commitments = [freshInput(), freshInput(), freshInput()];
        const withCallback = await requestZk(MODEL_A, commitments[0], { callback: consumer });
        const plain = await requestZk(MODEL_A, commitments[2]);
        const outputs = outputsFor(circuits.a3, 5);
        const batch = batchFor(MODEL_A, circuits.a3, outputs, [withCallback, ZERO_HASH, plain], commitments);
        await configure(verifiers.a3, { signals: publicSignalsOf(batch) });
        const feesBefore = await claimable(prover);
        const receipt = await settleZk(batch);

        const expected = decodePublicSignals(layoutOf(circuits.a3), publicSignalsOf(batch)).outputs;
        expect(expected).toEqual(outputs);
        expect(zkEvents(receipt)).toEqual(
          commitments.map((commitment, s) => ({
            modelCommitment: MODEL_A,
            inputCommitment: toHex(commitment, { size: 32 }),
            requestId: batch.requestIds[s],
            output: outputs[s],
          })),
        );
        for (const [s, commitment] of commitments.entries()) {
          expect(await zkResultOf(MODEL_A, commitment)).toBe(outputHash(outputs[s]));
        }
        for (const [requestId, output] of [
          [withCallback, outputs[0]],
          [plain, outputs[2]],
        ] as const) {
          expect(await resultOf(requestId)).toEqual([output, true, STATUS.Final, prover, 0n]);
        }
        const finalized = parseEventLogs({
          abi: SettlementAbi,
          logs: receipt.logs,
          eventName: 'ResultFinalized',
        });
        expect(finalized.map((e) => e.args)).toEqual([
          { requestId: withCallback, worker: prover, fee: FEE },
          { requestId: plain, worker: prover, fee: FEE },
        ]);
        expect(await claimable(prover)).toBe(feesBefore + 2n * FEE);
        expect(await claimable(outsider)).toBe(0n);

        const [called] = parseEventLogs({
          abi: SettlementAbi,
          logs: receipt.logs,
          eventName: 'ConsumerCalled',
        });
        expect(called.args).toMatchObject({ requestId: withCallback, success: true });
        expect(await consumerRead(consumer, 'calls')).toBe(1n);
        expect(await consumerRead(consumer, 'lastRequestId')).toBe(withCallback);
        expect(await consumerRead(consumer, 'lastOutput')).toEqual(outputs[0]);

        // Replaying the batch cannot settle the requests again, pay again or call back again.
        await expectRevert(settleZk(batch), 'Settlement_NotOpen', [withCallback, STATUS.Final]);
        await expectRevert(
          settleZk({ ...batch, requestIds: [ZERO_HASH, ZERO_HASH, plain] }),
          'Settlement_NotOpen',
          [plain, STATUS.Final],
        );
        await expectRevert(
          chain.send(outsider, settlementCall('finalize', [withCallback])),
          'Settlement_NotPending',
        );
        expect(await consumerRead(consumer, 'calls')).toBe(1n);
        // Proving the same (model, input) pairs again without requests is fine and changes nothing.
        const again = await settleZk({ ...batch, requestIds: [ZERO_HASH, ZERO_HASH, ZERO_HASH] });
        expect(zkEvents(again).map((e) => e.output)).toEqual(outputs);
        expect(await zkResultOf(MODEL_A, commitments[0])).toBe(outputHash(outputs[0]));
        expect(await claimable(prover)).toBe(feesBefore + 2n * FEE);

        const before = await chain.publicClient.getBalance({ address: prover });
        const claim = await chain.send(prover, settlementCall('claimFees'));
        const after = await chain.publicClient.getBalance({ address: prover });
        expect(after - before + claim.gasUsed * claim.effectiveGasPrice).toBe(feesBefore + 2n * FEE);
      });

      it('test_settleZk_reentrantConsumer_getsNoSecondCallback', async () => {
        const consumer = await newConsumer(ConsumerBehaviour.Reenter);
        const commitment = freshInput();
        const requestId = await requestZk(MODEL_B, commitment, { callback: consumer });
        const batch = batchFor(MODEL_B, circuits.b1, outputsFor(circuits.b1, 6), [requestId], [commitment]);
        await configure(verifiers.b1, { signals: publicSignalsOf(batch) });
        await settleZk(batch);
        expect(await consumerRead(consumer, 'calls')).toBe(1n);
        expect(await consumerRead(consumer, 'reentryReverted')).toBe(true);
        expect(await status(requestId)).toBe(STATUS.Final);
      });

      it('test_settleZk_requestBinding_reverts: another model, another input, an optimistic request, an unknown or final request, a request named twice', async () => {
        await configure(verifiers.a2);
        const commitment = freshInput();
        const onB = await requestZk(MODEL_B, commitment);
        const onA = await requestZk(MODEL_A, freshInput());
        const optimistic = await requestZk(MODEL_A, commitment, { mode: MODE_OPTIMISTIC });
        const outputs = outputsFor(circuits.a2, 7);
        const attempt = (requestIds: Hex[], inputCommitments: bigint[], sampleOutputs = outputs) =>
          settleZk(batchFor(MODEL_A, circuits.a2, sampleOutputs, requestIds, inputCommitments));

        await expectRevert(
          attempt([onB, ZERO_HASH], [commitment, freshInput()]),
          'Settlement_ZkRequestMismatch',
          [onB],
        );
        await expectRevert(
          attempt([onA, ZERO_HASH], [freshInput(), freshInput()]),
          'Settlement_ZkRequestMismatch',
          [onA],
        );
        await expectRevert(
          attempt([optimistic, ZERO_HASH], [commitment, freshInput()]),
          'Settlement_NotZkRequest',
          [optimistic],
        );
        const unknown = bytes32('no-such-request');
        await expectRevert(attempt([unknown, ZERO_HASH], [commitment, freshInput()]), 'Settlement_NotOpen', [
          unknown,
          STATUS.None,
        ]);
        const onACommitment = BigInt(
          (await chain.read<{ inputCommitment: Hex }>(settlementCall('requestOf', [onA]))).inputCommitment,
        );
        const twice = attempt([onA, onA], [onACommitment, onACommitment], [outputs[0], outputs[0]]);
        await expectRevert(twice, 'Settlement_NotOpen', [onA, STATUS.Final]);
        for (const requestId of [onB, onA, optimistic]) expect(await status(requestId)).toBe(STATUS.Open);
        await attempt([onA, ZERO_HASH], [onACommitment, freshInput()]);
        expect(await status(onA)).toBe(STATUS.Final);
        await expectRevert(attempt([onA, ZERO_HASH], [onACommitment, freshInput()]), 'Settlement_NotOpen', [
          onA,
          STATUS.Final,
        ]);
      });

      it('test_settleZk_circuitAddedAfterTheRequest_reverts: a request trusts only the circuits its model had', async () => {
        const model = bytes32('zk-model-late-circuit');
        await registerModel(model, 0);
        const first = await newVerifier();
        const late = await newVerifier();
        const one = { ...circuits.b1, verifier: first };
        await addZkCircuit(model, one);
        const commitment = freshInput();
        const requestId = await requestZk(model, commitment);
        const two = { ...circuits.b2, verifier: late };
        await addZkCircuit(model, two);
        await configure(late);
        const outputs = outputsFor(two, 8);
        await expectRevert(
          settleZk(batchFor(model, two, outputs, [requestId, ZERO_HASH], [commitment, freshInput()])),
          'Settlement_ZkCircuitTooNew',
          [requestId, 2],
        );
        // The new circuit still proves results, and settles requests made after it was added.
        await settleZk(batchFor(model, two, outputs, [ZERO_HASH, ZERO_HASH], [commitment, freshInput()]));
        const later = await requestZk(model, freshInput());
        const laterCommitment = BigInt(
          (await chain.read<{ inputCommitment: Hex }>(settlementCall('requestOf', [later]))).inputCommitment,
        );
        await settleZk(
          batchFor(model, two, outputsFor(two, 9), [later, ZERO_HASH], [laterCommitment, freshInput()]),
        );
        expect(await status(later)).toBe(STATUS.Final);
        // The old request is settled by the circuit that existed when it was made.
        await configure(first);
        await settleZk(batchFor(model, one, [outputs[0]], [requestId], [commitment]));
        expect(await resultOf(requestId)).toEqual([outputs[0], true, STATUS.Final, prover, 0n]);
      });

      it('test_requestZkInference_pinnedZkey: only a proof under the pinned proving key settles the request', async () => {
        const commitment = freshInput();
        const receipt = await chain.send(
          requester,
          settlementCall('requestZkInference', [MODEL_A, toHex(commitment, { size: 32 }), [], circuits.a3.zkeyHash, ZERO_ADDRESS, 300_000], FEE),
        );
        const [requested] = parseEventLogs({ abi: SettlementAbi, logs: receipt.logs, eventName: 'InferenceRequested' });
        const requestId = requested.args.requestId;
        expect(await chain.read(settlementCall('zkeyPinOf', [requestId]))).toBe(circuits.a3.zkeyHash);
        // The model's other circuit (owner-attached, valid for unpinned requests) cannot settle it.
        await configure(verifiers.a2);
        const two = outputsFor(circuits.a2, 3);
        await expectRevert(
          settleZk(batchFor(MODEL_A, circuits.a2, two, [requestId, ZERO_HASH], [commitment, freshInput()])),
          'Settlement_ZkeyNotPinned',
          [requestId, circuits.a3.zkeyHash, circuits.a2.zkeyHash],
        );
        await configure(verifiers.a3);
        const three = outputsFor(circuits.a3, 4);
        await settleZk(batchFor(MODEL_A, circuits.a3, three, [requestId, ZERO_HASH, ZERO_HASH], [commitment, freshInput(), freshInput()]));
        expect(await status(requestId)).toBe(STATUS.Final);
      });

      it('test_requestZkInference_unknownZkey_reverts: a pin must name one of the model circuits', async () => {
        for (const pin of [bytes32('no-such-zkey'), ZERO_HASH, circuits.b1.zkeyHash]) {
          await expectRevert(
            chain.send(
              requester,
              settlementCall('requestZkInference', [MODEL_A, toHex(freshInput(), { size: 32 }), [], pin, ZERO_ADDRESS, 0], FEE),
            ),
            'Settlement_UnknownZkey',
            [MODEL_A, pin],
          );
        }
      });

      it('test_settleZk_conflictingOutput_reverts: a model and an input have exactly one output', async () => {
        await configure(verifiers.b2);
        const commitments = [freshInput(), freshInput()];
        const outputs = outputsFor(circuits.b2, 10);
        await settleZk(batchFor(MODEL_B, circuits.b2, outputs, undefined, commitments));
        const known = outputHash(outputs[1]);
        const different = [outputs[0], outputs[1].map((v) => (v === 0n ? 1n : 0n))];
        await expectRevert(
          settleZk(batchFor(MODEL_B, circuits.b2, different, undefined, commitments)),
          'Settlement_ZkResultConflict',
          [MODEL_B, toHex(commitments[1], { size: 32 }), known, outputHash(different[1])],
        );
        expect(await zkResultOf(MODEL_B, commitments[1])).toBe(known);
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
        'Settlement_ZkProofRejected',
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
        await expectRevert(settleZk(batch), 'Settlement_ZkProofRejected', [batch.model, BATCH_SIZE]);
      }
      for (const requestId of requestIds) expect(await status(requestId)).toBe(STATUS.Open);
    });

    it('test_settleZk_honestProof_finalizesTwoRequestsWithTheEngineOutputs', async () => {
      const feesBefore = await claimable(prover);
      // With settleZk refusing a false, the estimate is the least gas at which the proof verifies.
      const estimate = await chain.publicClient.estimateContractGas({
        ...settleZkCall(realBatch()),
        account: outsider,
      } as never);
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
