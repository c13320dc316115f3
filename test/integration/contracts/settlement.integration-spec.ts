import {
  concat,
  encodeAbiParameters,
  hashTypedData,
  keccak256,
  parseEther,
  parseGwei,
  parseEventLogs,
  parseSignature,
  serializeCompactSignature,
  serializeSignature,
  signatureToCompactSignature,
  stringToHex,
  toHex,
  type Address,
  type Hex,
  type TypedDataDomain,
} from 'viem';
import { modelCommitmentOf, traceCommitmentOf, type ModelParts } from '../../../src/chain/dispute-client';
import { DEV_PROTOCOL_PARAMETERS } from '../../../src/chain/deployments';
import {
  DisputeGameAbi,
  ExampleConsumerAbi,
  ExampleConsumerBytecode,
  Groth16VerifierMockAbi,
  Groth16VerifierMockBytecode,
  ModelRegistryAbi,
  SettlementAbi,
  SettlementBytecode,
  WorkerRegistryAbi,
} from '../../../src/chain/generated/contracts';
import {
  buildResultTree,
  hashResultLeaf,
  outputCommitment,
  type ResultLeaf,
} from '../../../src/chain/result-merkle';
import { RESULT_TYPES, resultDigest, verityDomain } from '../../../src/chain/typed-data';
import {
  bytes32,
  expectDeployRevert,
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
const MODEL = bytes32('model-a');
const ZK_MODEL = bytes32('model-zk');
const INPUT = [1n, -2n, 3n];
/** A zk-mode input commitment: a Poseidon commitment, a BN254 scalar field element (any one here). */
const ZK_INPUT_COMMITMENT = toHex(12_345n, { size: 32 });
const OUTPUT = [7n, -8n];
const { challengeWindowSeconds: WINDOW, minimumFeeWei: FEE, minimumStakeWei: MIN_STAKE } = TEST_PARAMETERS;
const ConsumerBehaviour = { Record: 0, Revert: 1, BurnGas: 2, Reenter: 3 } as const;
const CHAIN_ID = 31337;
/** The order of secp256k1's group: (r, n - s, v ^ 1) is the malleable twin of (r, s, v). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const RESULT_TYPE =
  'Result(bytes32 requestId,bytes32 modelCommitment,bytes32 inputCommitment,bytes32 outputCommitment,bytes32 traceCommitment,address worker)';
const EIP712_DOMAIN_TYPE =
  'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)';
const LEAF_FIELDS = [
  'requestId',
  'modelCommitment',
  'inputCommitment',
  'outputCommitment',
  'traceCommitment',
  'worker',
] as const;

describe('Settlement', () => {
  let chain: Chain;
  let settlement: Address, workers: Address, models: Address;
  /** The deploying service account: the Settlement's committer (and the dispute game's deployer). */
  let deployer: Address,
    workerA: Address,
    workerB: Address,
    outsider: Address,
    requester: Address,
    challenger: Address;

  const call = (functionName: string, args: readonly unknown[] = [], value?: bigint) => ({
    address: settlement,
    abi: SettlementAbi,
    functionName,
    args,
    value,
  });
  const status = async (requestId: Hex) => chain.read<number>(call('statusOf', [requestId]));

  async function request(
    options: {
      callback?: Address;
      gasLimit?: number;
      fee?: bigint;
      model?: Hex;
      mode?: number;
      inputCommitment?: Hex;
    } = {},
  ) {
    const receipt = await chain.send(
      requester,
      call(
        'requestInference',
        [
          options.model ?? MODEL,
          options.inputCommitment ?? outputCommitment(INPUT),
          INPUT,
          options.mode ?? MODE_OPTIMISTIC,
          options.callback ?? ZERO_ADDRESS,
          options.gasLimit ?? 200_000,
        ],
        options.fee ?? FEE,
      ),
    );
    const [event] = parseEventLogs({
      abi: SettlementAbi,
      logs: receipt.logs,
      eventName: 'InferenceRequested',
    });
    return event.args.requestId;
  }

  function leafFor(
    requestId: Hex,
    worker: Address,
    output = OUTPUT,
    overrides: Partial<ResultLeaf> = {},
  ): ResultLeaf {
    return {
      requestId,
      modelCommitment: MODEL,
      inputCommitment: outputCommitment(INPUT),
      outputCommitment: outputCommitment(output),
      traceCommitment: bytes32(`trace-${requestId}`),
      worker,
      ...overrides,
    };
  }

  const domain = () => verityDomain(CHAIN_ID, settlement);

  /** `signer`'s EIP-712 signature of `leaf` (by default the leaf's own worker, in this deployment's domain). */
  const signLeaf = (
    leaf: ResultLeaf,
    signer: Address = leaf.worker,
    signDomain: TypedDataDomain = domain(),
  ) =>
    chain
      .signer(signer)
      .signTypedData({ domain: signDomain, types: RESULT_TYPES, primaryType: 'Result', message: leaf });

  /** The committer (the deployer) commits `leaves` as one batch. */
  async function commit(leaves: ResultLeaf[]) {
    const tree = buildResultTree(leaves);
    const receipt = await chain.send(deployer, call('commitBatch', [tree.root, leaves.length]));
    const [event] = parseEventLogs({ abi: SettlementAbi, logs: receipt.logs, eventName: 'BatchCommitted' });
    return { batchId: event.args.batchId, tree };
  }

  /** An outsider reveals `leaf` with `signature` (by default the leaf worker's valid one). */
  const reveal = async (batchId: bigint, leaf: ResultLeaf, output: bigint[], proof: Hex[], signature?: Hex) =>
    chain.send(outsider, call('reveal', [batchId, leaf, output, proof, signature ?? (await signLeaf(leaf))]));

  /** Requests, commits (alone in a batch) and reveals one result of `worker`. */
  async function requestAndReveal(worker: Address, options: Parameters<typeof request>[0] = {}) {
    const requestId = await request(options);
    const leaf = leafFor(requestId, worker);
    const { batchId, tree } = await commit([leaf]);
    await reveal(batchId, leaf, OUTPUT, tree.proof(0));
    return { requestId, leaf, batchId };
  }

  /** Requests and commits one result of `worker`, alone in a batch, without revealing it. */
  async function requestAndCommit(worker: Address) {
    const requestId = await request();
    const leaf = leafFor(requestId, worker);
    const { batchId, tree } = await commit([leaf]);
    return { requestId, leaf, batchId, proof: tree.proof(0) };
  }

  async function newWorker(account: Address): Promise<Address> {
    await chain.send(account, {
      address: workers,
      abi: WorkerRegistryAbi,
      functionName: 'register',
      value: MIN_STAKE,
    });
    return account;
  }

  const newConsumer = (behaviour: number) => deployConsumer(chain, outsider, behaviour);
  const consumerRead = <T>(consumer: Address, functionName: string) => readConsumer<T>(chain, consumer, functionName);

  beforeAll(async () => {
    chain = await startChain();
    [deployer, workerA, workerB, outsider, requester, challenger] = chain.accounts;
    const contracts = await chain.deploy();
    ({ Settlement: settlement, WorkerRegistry: workers, ModelRegistry: models } = contracts);
    // The model's output length is OUTPUT's: reveal checks it (a tensor root does not bind trailing zeros).
    await chain.registerModel(contracts.ModelRegistry, MODEL, MODE_OPTIMISTIC, OUTPUT.length);
    // A zk-only model: registered without modes, zk mode enabled by its circuit (a mock verifier).
    await chain.registerModel(contracts.ModelRegistry, ZK_MODEL, 0);
    const verifier = await chain.deployAs(deployer, Groth16VerifierMockAbi, Groth16VerifierMockBytecode);
    await chain.send(deployer, {
      address: contracts.ModelRegistry,
      abi: ModelRegistryAbi,
      functionName: 'addZkCircuit',
      args: [
        ZK_MODEL,
        {
          verifier,
          batchSize: 1,
          outputLength: 2,
          outputBits: 8,
          outputOffset: 128n,
          circuitHash: bytes32('circuit'),
          zkeyHash: bytes32('zkey'),
        },
      ],
    });
    await newWorker(workerA);
    await newWorker(workerB);
  });
  afterAll(async () => chain?.anvil.stop());

  describe('requests', () => {
    it('derives request ids from chain id, contract and nonce and opens the request', async () => {
      const nonce = await chain.read<bigint>(call('requestNonce'));
      const requestId = await request();
      expect(requestId).toBe(
        keccak256(
          encodeAbiParameters(
            [{ type: 'uint256' }, { type: 'address' }, { type: 'uint256' }],
            [31337n, settlement, nonce],
          ),
        ),
      );
      expect(await status(requestId)).toBe(STATUS.Open);
    });

    it('rejects a request with a fee below the minimum', async () => {
      await expectRevert(request({ fee: FEE - 1n }), 'Settlement_FeeTooLow', [FEE - 1n, FEE]);
    });

    it('rejects an unregistered model and a mode the model does not allow', async () => {
      await expectRevert(request({ model: bytes32('unknown') }), 'Settlement_ModeNotAllowed');
      await expectRevert(request({ mode: MODE_ZK }), 'Settlement_ModeNotAllowed', [MODEL, MODE_ZK]);
      await expectRevert(request({ mode: 3 }), 'Settlement_ModeNotAllowed');
    });

    it('rejects an inline input that does not match its commitment', async () => {
      await expectRevert(
        chain.send(
          requester,
          call('requestInference', [MODEL, bytes32('other'), INPUT, MODE_OPTIMISTIC, ZERO_ADDRESS, 0], FEE),
        ),
        'Settlement_InputCommitmentMismatch',
      );
    });
  });

  describe('deployment and EIP-712 domain', () => {
    it('makes the deploying service account the committer and refuses a zero committer', async () => {
      expect(await chain.read(call('committer'))).toBe(deployer);
      await expectDeployRevert(
        chain.simulateDeploy(deployer, SettlementAbi, SettlementBytecode, [
          models,
          workers,
          WINDOW,
          FEE,
          ZERO_ADDRESS,
          MIN_STAKE,
          0n,
        ]),
        SettlementAbi,
        'Settlement_ZeroCommitter',
      );
    });

    it('refuses a zero dispute slash amount and one above the minimum stake', async () => {
      expect(await chain.read(call('disputeSlashAmount'))).toBe(
        DEV_PROTOCOL_PARAMETERS.disputeSlashAmountWei,
      );
      await expectDeployRevert(
        chain.simulateDeploy(deployer, SettlementAbi, SettlementBytecode, [
          models,
          workers,
          WINDOW,
          FEE,
          deployer,
          0n,
          0n,
        ]),
        SettlementAbi,
        'Settlement_ZeroSlashAmount',
      );
      await expectDeployRevert(
        chain.simulateDeploy(deployer, SettlementAbi, SettlementBytecode, [
          models,
          workers,
          WINDOW,
          FEE,
          deployer,
          MIN_STAKE + 1n,
          0n,
        ]),
        SettlementAbi,
        'Settlement_SlashAmountAboveMinimumStake',
        [MIN_STAKE + 1n, MIN_STAKE],
      );
    });

    it("resultDigest equals the TypeScript typed-data digest of the same leaf in this deployment's domain", async () => {
      const leaf = leafFor(bytes32('any-request'), workerA);
      const digest = await chain.read<Hex>(call('resultDigest', [leaf]));
      expect(digest).toBe(resultDigest(verityDomain(CHAIN_ID, settlement), leaf));
      expect(digest).toBe(
        hashTypedData({ domain: domain(), types: RESULT_TYPES, primaryType: 'Result', message: leaf }),
      );
      // The same digest from the EIP-712 formulas, written out: domain, struct hash, "\x19\x01".
      const typeHash = keccak256(stringToHex(RESULT_TYPE));
      expect(await chain.read(call('RESULT_TYPEHASH'))).toBe(typeHash);
      const separator = keccak256(
        encodeAbiParameters(
          [
            { type: 'bytes32' },
            { type: 'bytes32' },
            { type: 'bytes32' },
            { type: 'uint256' },
            { type: 'address' },
          ],
          [
            keccak256(stringToHex(EIP712_DOMAIN_TYPE)),
            keccak256(stringToHex('Verity')),
            keccak256(stringToHex('1')),
            BigInt(CHAIN_ID),
            settlement,
          ],
        ),
      );
      expect(await chain.read(call('domainSeparator'))).toBe(separator);
      const structHash = keccak256(
        encodeAbiParameters(
          [...Array.from({ length: 6 }, () => ({ type: 'bytes32' })), { type: 'address' }],
          [typeHash, ...LEAF_FIELDS.map((field) => leaf[field])],
        ),
      );
      expect(digest).toBe(keccak256(concat(['0x1901', separator, structHash])));
      const other = leafFor(bytes32('any-request'), workerA, [1n]);
      expect(await chain.read(call('resultDigest', [other]))).not.toBe(digest);
    });
    it('recomputes the domain separator, and so the digest, when the chain id changes (a fork)', async () => {
      const leaf = leafFor(bytes32('any-request'), workerA);
      const setChainId = (id: number) =>
        chain.testClient.request({ method: 'anvil_setChainId', params: [id] } as never);
      await setChainId(1);
      try {
        expect(await chain.read(call('resultDigest', [leaf]))).toBe(
          resultDigest(verityDomain(1, settlement), leaf),
        );
      } finally {
        await setChainId(CHAIN_ID);
      }
      expect(await chain.read(call('resultDigest', [leaf]))).toBe(resultDigest(domain(), leaf));
    });
  });

  describe('commitBatch', () => {
    it('only the committer commits a batch: an outsider, a requester or an active worker cannot', async () => {
      for (const from of [outsider, requester, workerA, workerB]) {
        await expectRevert(
          chain.send(from, call('commitBatch', [bytes32('root'), 1])),
          'Settlement_NotCommitter',
          [from],
        );
      }
    });

    it('rejects an empty batch', async () => {
      await expectRevert(
        chain.send(deployer, call('commitBatch', [bytes32('root'), 0])),
        'Settlement_EmptyBatch',
      );
      await expectRevert(
        chain.send(deployer, call('commitBatch', [`0x${'00'.repeat(32)}`, 1])),
        'Settlement_EmptyBatch',
      );
    });

    it('commits the results of several workers in one batch, each revealed and credited to its own worker', async () => {
      const leaves = [leafFor(await request(), workerA), leafFor(await request(), workerB)];
      const tree = buildResultTree(leaves);
      const receipt = await chain.send(deployer, call('commitBatch', [tree.root, 2]));
      const [committed] = parseEventLogs({
        abi: SettlementAbi,
        logs: receipt.logs,
        eventName: 'BatchCommitted',
      });
      const batchId = committed.args.batchId;
      expect(committed.args).toEqual({ batchId, root: tree.root, count: 2 });
      const block = await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber });
      expect(await chain.read(call('batchOf', [batchId]))).toEqual({
        root: tree.root,
        committedAt: block.timestamp,
        count: 2,
      });
      for (const [i, leaf] of leaves.entries()) {
        const revealed = await reveal(batchId, leaf, OUTPUT, tree.proof(i));
        const [event] = parseEventLogs({
          abi: SettlementAbi,
          logs: revealed.logs,
          eventName: 'ResultRevealed',
        });
        expect(event.args).toMatchObject({ requestId: leaf.requestId, batchId, worker: leaf.worker });
        const [, , requestStatus, worker] = await chain.read<[bigint[], boolean, number, Address]>(
          call('resultOf', [leaf.requestId]),
        );
        expect({ requestStatus, worker }).toEqual({ requestStatus: STATUS.Pending, worker: leaf.worker });
      }
    });
  });

  describe('reveal', () => {
    it('reveals a result from a batch whose root the TypeScript builder computed', async () => {
      const requestIds = [await request(), await request(), await request()];
      const leaves = requestIds.map((id) => leafFor(id, workerA));
      expect(await chain.read(call('hashResultLeaf', [leaves[0]]))).toBe(hashResultLeaf(leaves[0]));
      const { batchId, tree } = await commit(leaves);
      await reveal(batchId, leaves[2], OUTPUT, tree.proof(2));
      const [output, isFinal, requestStatus, worker] = await chain.read<[bigint[], boolean, number, Address]>(
        call('resultOf', [requestIds[2]]),
      );
      expect({ output, isFinal, requestStatus, worker }).toEqual({
        output: OUTPUT,
        isFinal: false,
        requestStatus: STATUS.Pending,
        worker: workerA,
      });
      expect(await status(requestIds[0])).toBe(STATUS.Open);
    });

    it('rejects a reveal against an unknown batch', async () => {
      const leaf = leafFor(await request(), workerA);
      const unknown = (await chain.read<bigint>(call('batchCount'))) + 1n;
      await expectRevert(reveal(unknown, leaf, OUTPUT, []), 'Settlement_UnknownBatch', [unknown]);
    });

    it('rejects a reveal with a wrong proof', async () => {
      const leaves = [leafFor(await request(), workerA), leafFor(await request(), workerA)];
      const { batchId, tree } = await commit(leaves);
      await expectRevert(reveal(batchId, leaves[0], OUTPUT, tree.proof(1)), 'Settlement_InvalidProof');
      await expectRevert(reveal(batchId, leaves[0], OUTPUT, []), 'Settlement_InvalidProof');
    });

    it('rejects a reveal whose output does not match the output commitment', async () => {
      const leaf = leafFor(await request(), workerA);
      const { batchId, tree } = await commit([leaf]);
      await expectRevert(reveal(batchId, leaf, [7n, -9n], tree.proof(0)), 'Settlement_OutputMismatch');
    });

    it('rejects an output with the committed tensor root but another length (trailing zeros)', async () => {
      const requestId = await request();
      const leaf = leafFor(requestId, workerA);
      const { batchId, tree } = await commit([leaf]);
      await expectRevert(reveal(batchId, leaf, [...OUTPUT, 0n], tree.proof(0)), 'Settlement_OutputLength', [
        requestId,
        3n,
        2n,
      ]);
    });

    it('rejects a leaf revealed against another batch', async () => {
      const leaf = leafFor(await request(), workerA);
      const { tree } = await commit([leaf]);
      const other = await commit([leafFor(await request(), workerA)]);
      await expectRevert(reveal(other.batchId, leaf, OUTPUT, tree.proof(0)), 'Settlement_InvalidProof');
    });

    it('rejects a leaf whose model or input differ from the request', async () => {
      const requestId = await request();
      const leaves = [
        leafFor(requestId, workerA, OUTPUT, { modelCommitment: bytes32('other-model') }),
        leafFor(requestId, workerA, OUTPUT, { inputCommitment: bytes32('other-input') }),
      ];
      const { batchId, tree } = await commit(leaves);
      await expectRevert(
        reveal(batchId, leaves[0], OUTPUT, tree.proof(0)),
        'Settlement_LeafRequestMismatch',
        [requestId],
      );
      await expectRevert(
        reveal(batchId, leaves[1], OUTPUT, tree.proof(1)),
        'Settlement_LeafRequestMismatch',
        [requestId],
      );
    });

    it('rejects a result for an unknown request and for a zk-mode request', async () => {
      const unknown = leafFor(bytes32('no-such-request'), workerA);
      const zkRequest = await request({
        model: ZK_MODEL,
        mode: MODE_ZK,
        inputCommitment: ZK_INPUT_COMMITMENT,
      });
      const zk = leafFor(zkRequest, workerA, OUTPUT, {
        modelCommitment: ZK_MODEL,
        inputCommitment: ZK_INPUT_COMMITMENT,
      });
      const { batchId, tree } = await commit([unknown, zk]);
      await expectRevert(reveal(batchId, unknown, OUTPUT, tree.proof(0)), 'Settlement_NotOpen', [
        unknown.requestId,
        STATUS.None,
      ]);
      await expectRevert(reveal(batchId, zk, OUTPUT, tree.proof(1)), 'Settlement_ZkModeNeedsProof', [
        zkRequest,
      ]);
    });

    it('keeps the first result when another batch reveals a different result for the same request, pending or final', async () => {
      const { requestId } = await requestAndReveal(workerA);
      const rival = leafFor(requestId, workerB, [0n, 0n]);
      const { batchId, tree } = await commit([rival]);
      await expectRevert(reveal(batchId, rival, [0n, 0n], tree.proof(0)), 'Settlement_NotOpen', [
        requestId,
        STATUS.Pending,
      ]);
      const same = leafFor(requestId, workerB);
      const sameBatch = await commit([same]);
      await expectRevert(
        reveal(sameBatch.batchId, same, OUTPUT, sameBatch.tree.proof(0)),
        'Settlement_NotOpen',
      );
      await chain.increaseTime(WINDOW);
      await chain.send(outsider, call('finalize', [requestId]));
      const late = await commit([rival]);
      await expectRevert(reveal(late.batchId, rival, [0n, 0n], late.tree.proof(0)), 'Settlement_NotOpen', [
        requestId,
        STATUS.Final,
      ]);
      const [output, isFinal, , worker] = await chain.read<[bigint[], boolean, number, Address]>(
        call('resultOf', [requestId]),
      );
      expect({ output, isFinal, worker }).toEqual({ output: OUTPUT, isFinal: true, worker: workerA });
    });

    it('rejects a reveal once the batch reveal window is over', async () => {
      const leaf = leafFor(await request(), workerA);
      const { batchId, tree } = await commit([leaf]);
      await chain.increaseTime(WINDOW);
      await expectRevert(reveal(batchId, leaf, OUTPUT, tree.proof(0)), 'Settlement_RevealWindowOver');
    });

    it('refuses a leaf whose worker requested withdrawal before the reveal, and a leaf of an unregistered worker', async () => {
      const leaving = await newWorker(chain.accounts[9]);
      const committed = await requestAndCommit(leaving);
      await chain.send(leaving, {
        address: workers,
        abi: WorkerRegistryAbi,
        functionName: 'requestWithdrawal',
      });
      await expectRevert(
        reveal(committed.batchId, committed.leaf, OUTPUT, committed.proof),
        'Settlement_WorkerNotActive',
        [leaving],
      );
      const unstaked = await requestAndCommit(outsider);
      await expectRevert(
        reveal(unstaked.batchId, unstaked.leaf, OUTPUT, unstaked.proof),
        'Settlement_WorkerNotActive',
        [outsider],
      );
      expect(await status(committed.requestId)).toBe(STATUS.Open);
      expect(await status(unstaked.requestId)).toBe(STATUS.Open);
    });
  });

  describe('worker signatures', () => {
    /** Asserts that `signature` cannot reveal `committed.leaf`, then that the worker's own can. */
    async function expectRefusedThenAccepted(
      committed: Awaited<ReturnType<typeof requestAndCommit>>,
      signatures: Hex[],
    ): Promise<void> {
      for (const signature of signatures) {
        await expectRevert(
          reveal(committed.batchId, committed.leaf, OUTPUT, committed.proof, signature),
          'Settlement_BadWorkerSignature',
          [committed.requestId, committed.leaf.worker],
        );
      }
      expect(await status(committed.requestId)).toBe(STATUS.Open);
      await reveal(committed.batchId, committed.leaf, OUTPUT, committed.proof);
      expect(await status(committed.requestId)).toBe(STATUS.Pending);
    }

    it('refuses a signature by another key than the leaf worker: another worker, the committer, an outsider', async () => {
      const committed = await requestAndCommit(workerA);
      await expectRefusedThenAccepted(committed, [
        await signLeaf(committed.leaf, workerB),
        await signLeaf(committed.leaf, deployer),
        await signLeaf(committed.leaf, outsider),
      ]);
    });

    it("refuses the worker's signature over the same leaf with any single field changed", async () => {
      const committed = await requestAndCommit(workerA);
      const changed: Record<(typeof LEAF_FIELDS)[number], Hex> = {
        requestId: bytes32('other-request'),
        modelCommitment: bytes32('other-model'),
        inputCommitment: bytes32('other-input'),
        outputCommitment: outputCommitment([7n, -9n]),
        traceCommitment: bytes32('other-trace'),
        worker: workerB,
      };
      const signatures = await Promise.all(
        LEAF_FIELDS.map((field) => signLeaf({ ...committed.leaf, [field]: changed[field] }, workerA)),
      );
      await expectRefusedThenAccepted(committed, signatures);
    });

    it('refuses the high-s twin of a valid signature and any v other than 27 or 28', async () => {
      const committed = await requestAndCommit(workerA);
      const valid = await signLeaf(committed.leaf);
      const { r, s, yParity } = parseSignature(valid);
      const highS = serializeSignature({
        r,
        s: toHex(SECP256K1_N - BigInt(s), { size: 32 }),
        yParity: yParity === 0 ? 1 : 0,
      });
      const withV = (v: number) => concat([valid.slice(0, 2 + 128) as Hex, toHex(v, { size: 1 })]);
      expect(withV(27 + (yParity ?? 0))).toBe(valid);
      await expectRefusedThenAccepted(committed, [
        highS,
        withV(yParity ?? 0),
        withV(1 - (yParity ?? 0)),
        withV(29),
        withV(255),
      ]);
    });

    it('refuses a 64-byte compact signature, a truncated or padded one, an empty one and garbage', async () => {
      const committed = await requestAndCommit(workerA);
      const valid = await signLeaf(committed.leaf);
      const compact = serializeCompactSignature(signatureToCompactSignature(parseSignature(valid)));
      expect(compact.length).toBe(2 + 128);
      await expectRefusedThenAccepted(committed, [
        compact,
        valid.slice(0, -2) as Hex,
        concat([valid, '0x00']),
        '0x',
        concat([keccak256('0x01'), keccak256('0x02'), '0x1b']),
        `0x${'00'.repeat(64)}1b`,
      ]);
    });

    it("refuses the worker's signature made for another Settlement, another chain or another domain name or version", async () => {
      const committed = await requestAndCommit(workerA);
      const otherDomains: TypedDataDomain[] = [
        verityDomain(CHAIN_ID, workers),
        verityDomain(1, settlement),
        verityDomain(CHAIN_ID + 1, settlement),
        { ...domain(), name: 'Verity2' },
        { ...domain(), version: '2' },
      ];
      for (const other of otherDomains) {
        expect(
          hashTypedData({
            domain: other,
            types: RESULT_TYPES,
            primaryType: 'Result',
            message: committed.leaf,
          }),
        ).not.toBe(resultDigest(domain(), committed.leaf));
      }
      await expectRefusedThenAccepted(
        committed,
        await Promise.all(otherDomains.map((other) => signLeaf(committed.leaf, workerA, other))),
      );
    });

    it("a committer that puts a leaf in a worker's name which that worker never signed cannot reveal it", async () => {
      // workerB signs only its own result for another request; the committer forges one in its name.
      const genuine = leafFor(await request(), workerB);
      const genuineSignature = await signLeaf(genuine);
      const requestId = await request();
      const forged = leafFor(requestId, workerB, [0n, 0n]);
      const { batchId, tree } = await commit([genuine, forged]);
      for (const signature of [genuineSignature, await signLeaf(forged, deployer), '0x' as Hex]) {
        await expectRevert(
          reveal(batchId, forged, [0n, 0n], tree.proof(1), signature),
          'Settlement_BadWorkerSignature',
          [requestId, workerB],
        );
      }
      expect(await status(requestId)).toBe(STATUS.Open);
      await reveal(batchId, genuine, OUTPUT, tree.proof(0), genuineSignature);
      expect(await status(genuine.requestId)).toBe(STATUS.Pending);
    });

    it('refuses a leaf naming the zero address, whatever the signature', async () => {
      const requestId = await request();
      const leaf = leafFor(requestId, ZERO_ADDRESS);
      const { batchId, tree } = await commit([leaf]);
      const unrecoverable = [
        `0x${'00'.repeat(64)}1b`,
        `0x${'00'.repeat(64)}1c`,
        `0x${'00'.repeat(31)}01${'00'.repeat(31)}011b`,
        '0x',
      ] as Hex[];
      for (const signature of unrecoverable) {
        await expectRevert(
          reveal(batchId, leaf, OUTPUT, tree.proof(0), signature),
          'Settlement_BadWorkerSignature',
          [requestId, ZERO_ADDRESS],
        );
      }
      expect(await status(requestId)).toBe(STATUS.Open);
    });
  });

  describe('finalize', () => {
    it('finalize reverts before the challenge window ends', async () => {
      const { requestId } = await requestAndReveal(workerA);
      await expectRevert(
        chain.send(outsider, call('finalize', [requestId])),
        'Settlement_ChallengeWindowOpen',
      );
      await chain.increaseTime(WINDOW - 5n);
      await expectRevert(
        chain.send(outsider, call('finalize', [requestId])),
        'Settlement_ChallengeWindowOpen',
      );
      await chain.increaseTime(5n);
      await chain.send(outsider, call('finalize', [requestId]));
      expect(await status(requestId)).toBe(STATUS.Final);
    });

    it('finalize reverts for a request without a revealed result', async () => {
      const requestId = await request();
      await expectRevert(chain.send(outsider, call('finalize', [requestId])), 'Settlement_NotPending', [
        requestId,
        STATUS.Open,
      ]);
    });

    it('finalize reverts the second time, and the fee is credited to the worker once', async () => {
      const worker = await newWorker(chain.accounts[6]);
      const { requestId } = await requestAndReveal(worker, { fee: parseEther('0.01') });
      await chain.increaseTime(WINDOW);
      await chain.send(outsider, call('finalize', [requestId]));
      await expectRevert(chain.send(outsider, call('finalize', [requestId])), 'Settlement_NotPending', [
        requestId,
        STATUS.Final,
      ]);
      expect(await chain.read(call('claimableFees', [worker]))).toBe(parseEther('0.01'));
      const before = await chain.publicClient.getBalance({ address: worker });
      const receipt = await chain.send(worker, call('claimFees'));
      const after = await chain.publicClient.getBalance({ address: worker });
      expect(after - before + receipt.gasUsed * receipt.effectiveGasPrice).toBe(parseEther('0.01'));
      await expectRevert(chain.send(worker, call('claimFees')), 'Settlement_NothingToClaim', [worker]);
    });

    it('calls the consumer back only at finalize and exactly once', async () => {
      const consumer = await newConsumer(ConsumerBehaviour.Record);
      const { requestId } = await requestAndReveal(workerA, { callback: consumer });
      expect(await consumerRead(consumer, 'calls')).toBe(0n);
      await chain.increaseTime(WINDOW);
      const receipt = await chain.send(outsider, call('finalize', [requestId]));
      const [called] = parseEventLogs({
        abi: SettlementAbi,
        logs: receipt.logs,
        eventName: 'ConsumerCalled',
      });
      expect(called.args).toMatchObject({ requestId, success: true });
      expect(await consumerRead(consumer, 'calls')).toBe(1n);
      expect(await consumerRead(consumer, 'lastOutput')).toEqual(OUTPUT);
      await expectRevert(chain.send(outsider, call('finalize', [requestId])), 'Settlement_NotPending');
      expect(await consumerRead(consumer, 'calls')).toBe(1n);
    });

    it('a consumer that re-enters finalize gets no second callback', async () => {
      const consumer = await newConsumer(ConsumerBehaviour.Reenter);
      const { requestId } = await requestAndReveal(workerA, { callback: consumer, gasLimit: 500_000 });
      await chain.increaseTime(WINDOW);
      await chain.send(outsider, call('finalize', [requestId]));
      expect(await consumerRead(consumer, 'calls')).toBe(1n);
      expect(await consumerRead(consumer, 'reentryReverted')).toBe(true);
    });

    it('a reverting consumer does not block finality', async () => {
      const consumer = await newConsumer(ConsumerBehaviour.Revert);
      const { requestId } = await requestAndReveal(workerA, { callback: consumer });
      await chain.increaseTime(WINDOW);
      const receipt = await chain.send(outsider, call('finalize', [requestId]));
      const [called] = parseEventLogs({
        abi: SettlementAbi,
        logs: receipt.logs,
        eventName: 'ConsumerCalled',
      });
      expect(called.args).toMatchObject({
        requestId,
        callback: expect.stringMatching(new RegExp(consumer, 'i')),
        success: false,
      });
      expect(await status(requestId)).toBe(STATUS.Final);
    });

    it('a gas-hungry consumer burns only its gas limit and does not block finality', async () => {
      const consumer = await newConsumer(ConsumerBehaviour.BurnGas);
      const gasLimit = 300_000;
      const { requestId } = await requestAndReveal(workerA, { callback: consumer, gasLimit });
      await chain.increaseTime(WINDOW);
      const receipt = await chain.send(outsider, { ...call('finalize', [requestId]), gas: 1_000_000n });
      const [called] = parseEventLogs({
        abi: SettlementAbi,
        logs: receipt.logs,
        eventName: 'ConsumerCalled',
      });
      expect(called.args.success).toBe(false);
      expect(receipt.gasUsed).toBeGreaterThan(BigInt(gasLimit));
      expect(receipt.gasUsed).toBeLessThan(BigInt(gasLimit) + 150_000n);
      expect(await status(requestId)).toBe(STATUS.Final);
    });

    it('finalize reverts when the caller leaves too little gas for the callback', async () => {
      const consumer = await newConsumer(ConsumerBehaviour.Record);
      const gasLimit = 1_000_000;
      const { requestId } = await requestAndReveal(workerA, { callback: consumer, gasLimit });
      await chain.increaseTime(WINDOW);
      await expectRevert(
        chain.send(outsider, { ...call('finalize', [requestId]), gas: 600_000n }),
        'Settlement_InsufficientGasForCallback',
        [requestId, gasLimit],
      );
      expect(await status(requestId)).toBe(STATUS.Pending);
    });
  });

  describe('disputes (the Settlement as the dispute game host)', () => {
    /** A model whose commitment is the hash of its parts, so the game can open disputes on it. */
    const PARTS: ModelParts = {
      headerHash: bytes32('header'),
      parametersRoot: bytes32('parameters'),
      parameterCount: 16n,
      stepsRoot: bytes32('steps'),
      stepCount: 2n,
    };
    const DISPUTE_MODEL = modelCommitmentOf(PARTS);
    /** The trace every disputed leaf here commits to: the tree over stepCount + 1 tensor roots. */
    const ROOTS = [bytes32('tensor-0'), bytes32('tensor-1'), bytes32('tensor-2')];
    const TRACE = traceCommitmentOf(ROOTS);
    const SLASH = DEV_PROTOCOL_PARAMETERS.disputeSlashAmountWei;
    let game: Address;
    let bond: bigint;
    let maxClock: bigint;

    const gameCall = (functionName: string, args: readonly unknown[] = [], value?: bigint) => ({
      address: game,
      abi: DisputeGameAbi,
      functionName,
      args,
      value,
    });
    const workerOf = (worker: Address) =>
      chain.read<{ stake: bigint; withdrawableAt: bigint; frozen: number }>({
        address: workers,
        abi: WorkerRegistryAbi,
        functionName: 'workerOf',
        args: [worker],
      });
    const disputable = (requestId: Hex, worker: Address, output = OUTPUT) =>
      leafFor(requestId, worker, output, { modelCommitment: DISPUTE_MODEL, traceCommitment: TRACE });

    /** The challenger opens a dispute on `leaf` of `batchId`; returns its id and the receipt. */
    async function open(batchId: bigint, leaf: ResultLeaf, proof: Hex[]) {
      const receipt = await chain.send(
        challenger,
        gameCall('open', [batchId, leaf, proof, PARTS, await signLeaf(leaf)], bond),
      );
      const [opened] = parseEventLogs({
        abi: DisputeGameAbi,
        logs: receipt.logs,
        eventName: 'DisputeOpened',
      });
      return { disputeId: opened.args.disputeId, receipt };
    }
    /** The defender never answers: the challenger wins on time. */
    async function defenderSilent(disputeId: bigint) {
      await chain.increaseTime(maxClock);
      return chain.send(outsider, gameCall('claimTimeout', [disputeId]));
    }
    /** The defender reveals the trace tree's page (3 roots and a padding leaf), then the challenger never moves: the defender wins on time. */
    async function challengerSilent(disputeId: bigint) {
      await chain.send(outsider, gameCall('revealTracePage', [disputeId, [...ROOTS, bytes32('')]]));
      await chain.increaseTime(maxClock);
      return chain.send(outsider, gameCall('claimTimeout', [disputeId]));
    }

    beforeAll(async () => {
      game = await chain.read<Address>(call('disputeGame'));
      bond = await chain.read<bigint>(gameCall('challengerBondWei'));
      maxClock = await chain.read<bigint>(gameCall('maxClockSeconds'));
      await chain.registerModel(models, DISPUTE_MODEL, MODE_OPTIMISTIC, OUTPUT.length);
    });

    it('only the dispute game calls the host callbacks, and only the deployer sets the game, once', async () => {
      const { requestId, leaf } = await requestAndReveal(workerA);
      const leafHash = hashResultLeaf(leaf);
      for (const from of [outsider, workerA, deployer]) {
        await expectRevert(
          chain.send(from, call('onDisputeOpened', [1n, leafHash, requestId])),
          'Settlement_NotDisputeGame',
          [from],
        );
        await expectRevert(
          chain.send(from, call('onDisputeResolved', [1n, leafHash, requestId, workerA, false, from])),
          'Settlement_NotDisputeGame',
          [from],
        );
      }
      await expectRevert(chain.send(outsider, call('setDisputeGame', [outsider])), 'Settlement_NotDeployer', [
        outsider,
      ]);
      await expectRevert(
        chain.send(deployer, call('setDisputeGame', [outsider])),
        'Settlement_DisputeGameAlreadySet',
        [game],
      );
      // Plain ETH is refused: only the WorkerRegistry pays in (slashed stake).
      await expectDeployRevert(
        chain.publicClient.call({ account: outsider, to: settlement, value: 1n }),
        SettlementAbi,
        'Settlement_UnexpectedEther',
        [outsider],
      );
      expect(await status(requestId)).toBe(STATUS.Pending);
    });

    it('gives each batch one dispute window, from its commit to committedAt + challengeWindow', async () => {
      expect(await chain.read(call('batchRootAndWindow', [10_000n]))).toEqual([bytes32(''), 0n]);
      const { batchId, leaf } = await requestAndCommit(workerA);
      const { committedAt, root } = await chain.read<{ committedAt: bigint; root: Hex }>(
        call('batchOf', [batchId]),
      );
      expect(root).toBe(buildResultTree([leaf]).root);
      expect(await chain.read(call('batchRootAndWindow', [batchId]))).toEqual([root, committedAt + WINDOW]);
    });

    it('a disputed result cannot finalize and its worker stays frozen; once upheld it finalizes after its window', async () => {
      const requestId = await request({ model: DISPUTE_MODEL });
      const leaf = disputable(requestId, workerA);
      const { batchId, tree } = await commit([leaf]);
      await reveal(batchId, leaf, OUTPUT, tree.proof(0));
      const frozenBefore = (await workerOf(workerA)).frozen;
      const { disputeId, receipt } = await open(batchId, leaf, tree.proof(0));
      const [disputed] = parseEventLogs({
        abi: SettlementAbi,
        logs: receipt.logs,
        eventName: 'LeafDisputed',
      });
      expect(disputed.args).toMatchObject({
        batchId,
        leafHash: hashResultLeaf(leaf),
        requestId,
        worker: workerA,
        resultHeld: true,
      });
      expect(await status(requestId)).toBe(STATUS.Disputed);
      expect(await chain.read(call('isLeafDisputed', [hashResultLeaf(leaf)]))).toBe(true);
      expect((await workerOf(workerA)).frozen).toBe(frozenBefore + 1);
      await chain.increaseTime(WINDOW);
      await expectRevert(chain.send(outsider, call('finalize', [requestId])), 'Settlement_NotPending', [
        requestId,
        STATUS.Disputed,
      ]);

      const resolved = await challengerSilent(disputeId);
      const [event] = parseEventLogs({
        abi: SettlementAbi,
        logs: resolved.logs,
        eventName: 'LeafDisputeResolved',
      });
      expect(event.args).toMatchObject({
        requestId,
        worker: workerA,
        defenderWon: true,
        challenger,
        slashed: 0n,
      });
      expect(await status(requestId)).toBe(STATUS.Pending);
      expect((await workerOf(workerA)).frozen).toBe(frozenBefore);
      expect(await chain.read(call('isLeafDisputed', [hashResultLeaf(leaf)]))).toBe(false);
      expect(await chain.read(call('isLeafDiscarded', [hashResultLeaf(leaf)]))).toBe(false);
      expect(await chain.read(gameCall('claimable', [workerA]))).toBeGreaterThanOrEqual(bond);
      await chain.send(outsider, call('finalize', [requestId]));
      expect(await status(requestId)).toBe(STATUS.Final);
    });

    it("a dispute after the batch's window reverts, even while a result revealed late in it still waits to finalize", async () => {
      const requestId = await request({ model: DISPUTE_MODEL });
      const leaf = disputable(requestId, workerA);
      const { batchId, tree } = await commit([leaf]);
      const { committedAt } = await chain.read<{ committedAt: bigint }>(call('batchOf', [batchId]));
      await chain.increaseTime(WINDOW / 2n);
      await reveal(batchId, leaf, OUTPUT, tree.proof(0));
      await chain.increaseTime(WINDOW / 2n);
      await expectRevert(open(batchId, leaf, tree.proof(0)), 'DisputeGame_ChallengeWindowOver', [
        batchId,
        committedAt + WINDOW,
      ]);
      await expectRevert(
        chain.send(outsider, call('finalize', [requestId])),
        'Settlement_ChallengeWindowOpen',
      );
      await chain.increaseTime(WINDOW / 2n);
      await chain.send(outsider, call('finalize', [requestId]));
      expect(await status(requestId)).toBe(STATUS.Final);
    });

    it('a wrong result is discarded, its worker frozen meanwhile and slashed by disputeSlashAmount to the challenger, and the request reopened for a recomputed result', async () => {
      const cheat = await newWorker(chain.accounts[7]);
      const consumer = await newConsumer(ConsumerBehaviour.Record);
      const requestId = await request({ callback: consumer, model: DISPUTE_MODEL });
      const wrong = disputable(requestId, cheat, [666n, 0n]);
      const wrongBatch = await commit([wrong]);
      await reveal(wrongBatch.batchId, wrong, [666n, 0n], wrongBatch.tree.proof(0));
      await chain.send(cheat, {
        address: workers,
        abi: WorkerRegistryAbi,
        functionName: 'requestWithdrawal',
      });
      const { disputeId } = await open(wrongBatch.batchId, wrong, wrongBatch.tree.proof(0));
      await chain.increaseTime(TEST_PARAMETERS.withdrawalDelaySeconds);
      await expectRevert(
        chain.send(cheat, { address: workers, abi: WorkerRegistryAbi, functionName: 'withdraw' }),
        'WorkerRegistry_StakeIsFrozen',
        [cheat, 1],
      );

      const rewardsBefore = await chain.read<bigint>(call('claimableRewards', [challenger]));
      const resolved = await defenderSilent(disputeId);
      const [reopened] = parseEventLogs({
        abi: SettlementAbi,
        logs: resolved.logs,
        eventName: 'RequestReopened',
      });
      expect(reopened.args).toEqual({ requestId, discardedLeaf: hashResultLeaf(wrong) });
      const [event] = parseEventLogs({
        abi: SettlementAbi,
        logs: resolved.logs,
        eventName: 'LeafDisputeResolved',
      });
      expect(event.args).toMatchObject({
        requestId,
        worker: cheat,
        defenderWon: false,
        challenger,
        slashed: SLASH,
      });
      expect(await status(requestId)).toBe(STATUS.Open);
      expect(await workerOf(cheat)).toMatchObject({ stake: MIN_STAKE - SLASH, frozen: 0 });
      expect(
        await chain.read({
          address: workers,
          abi: WorkerRegistryAbi,
          functionName: 'isBonded',
          args: [cheat],
        }),
      ).toBe(false);
      expect((await chain.read<bigint>(call('claimableRewards', [challenger]))) - rewardsBefore).toBe(SLASH);
      const before = await chain.publicClient.getBalance({ address: challenger });
      const claimed = await chain.send(challenger, call('claimRewards'));
      expect((await chain.publicClient.getBalance({ address: challenger })) - before).toBe(
        rewardsBefore + SLASH - claimed.gasUsed * claimed.effectiveGasPrice,
      );
      await expectRevert(chain.send(challenger, call('claimRewards')), 'Settlement_NothingToClaim', [
        challenger,
      ]);
      expect(await consumerRead(consumer, 'calls')).toBe(0n);

      const honest = disputable(requestId, workerB);
      const honestBatch = await commit([honest, wrong]);
      await expectRevert(
        reveal(honestBatch.batchId, wrong, [666n, 0n], honestBatch.tree.proof(1)),
        'Settlement_LeafDiscarded',
        [hashResultLeaf(wrong)],
      );
      await reveal(honestBatch.batchId, honest, OUTPUT, honestBatch.tree.proof(0));
      await chain.increaseTime(WINDOW);
      await chain.send(outsider, call('finalize', [requestId]));
      expect(await consumerRead(consumer, 'lastOutput')).toEqual(OUTPUT);
      expect(await consumerRead(consumer, 'calls')).toBe(1n);
      expect(await chain.read(call('isLeafDiscarded', [hashResultLeaf(wrong)]))).toBe(true);
      expect(await chain.read(call('discardedLeaves', [hashResultLeaf(wrong)]))).toBe(true);
    });

    it('holds a result while any of its disputes is undecided; the first challenger win discards it and slashes once', async () => {
      const cheat = await newWorker(chain.accounts[8]);
      const stakeBefore = (await workerOf(cheat)).stake;
      const requestId = await request({ model: DISPUTE_MODEL });
      const leaf = disputable(requestId, cheat, [666n, 0n]);
      const leafHash = hashResultLeaf(leaf);
      const { batchId, tree } = await commit([leaf]);
      await reveal(batchId, leaf, [666n, 0n], tree.proof(0));
      const opened = [];
      for (let i = 0; i < 3; i++) opened.push(await open(batchId, leaf, tree.proof(0)));
      const held = opened.map(
        ({ receipt }) =>
          parseEventLogs({ abi: SettlementAbi, logs: receipt.logs, eventName: 'LeafDisputed' })[0].args
            .resultHeld,
      );
      expect(held).toEqual([true, false, false]);
      expect(await chain.read(call('openDisputesOf', [leafHash]))).toBe(3n);
      expect((await workerOf(cheat)).frozen).toBe(3);
      // Dispute 2: its challenger stops after revealTrace. Disputes 1 and 3: the defender never answers.
      await chain.send(outsider, gameCall('revealTracePage', [opened[1].disputeId, [...ROOTS, bytes32('')]]));
      await chain.increaseTime(maxClock);

      await chain.send(outsider, gameCall('claimTimeout', [opened[1].disputeId]));
      expect(await status(requestId)).toBe(STATUS.Disputed);
      expect(await chain.read(call('openDisputesOf', [leafHash]))).toBe(2n);
      await expectRevert(chain.send(outsider, call('finalize', [requestId])), 'Settlement_NotPending', [
        requestId,
        STATUS.Disputed,
      ]);

      const first = await chain.send(outsider, gameCall('claimTimeout', [opened[0].disputeId]));
      const [refuted] = parseEventLogs({
        abi: SettlementAbi,
        logs: first.logs,
        eventName: 'LeafDisputeResolved',
      });
      expect(refuted.args).toMatchObject({ defenderWon: false, slashed: SLASH });
      expect(await status(requestId)).toBe(STATUS.Open);
      expect(await chain.read(call('isLeafDiscarded', [leafHash]))).toBe(true);
      expect(await chain.read(call('isLeafDisputed', [leafHash]))).toBe(true);

      const last = await chain.send(outsider, gameCall('claimTimeout', [opened[2].disputeId]));
      const [again] = parseEventLogs({
        abi: SettlementAbi,
        logs: last.logs,
        eventName: 'LeafDisputeResolved',
      });
      expect(again.args).toMatchObject({ defenderWon: false, slashed: 0n });
      expect(parseEventLogs({ abi: SettlementAbi, logs: last.logs, eventName: 'RequestReopened' })).toEqual(
        [],
      );
      expect(await workerOf(cheat)).toMatchObject({ stake: stakeBefore - SLASH, frozen: 0 });
      expect(await chain.read(call('isLeafDisputed', [leafHash]))).toBe(false);
      expect(await status(requestId)).toBe(STATUS.Open);
    });

    it('a discarded leaf cannot be revealed again, even from a new batch once its worker restaked', async () => {
      const cheat = await newWorker(chain.accounts[8]);
      const requestId = await request({ model: DISPUTE_MODEL });
      const wrong = disputable(requestId, cheat, [666n, 0n]);
      const first = await commit([wrong]);
      await reveal(first.batchId, wrong, [666n, 0n], first.tree.proof(0));
      const { disputeId } = await open(first.batchId, wrong, first.tree.proof(0));
      await defenderSilent(disputeId);
      await chain.send(cheat, {
        address: workers,
        abi: WorkerRegistryAbi,
        functionName: 'register',
        value: SLASH,
      });
      const again = await commit([wrong]);
      await expectRevert(
        reveal(again.batchId, wrong, [666n, 0n], again.tree.proof(0)),
        'Settlement_LeafDiscarded',
        [hashResultLeaf(wrong)],
      );
      expect(await status(requestId)).toBe(STATUS.Open);
    });

    it('a leaf under dispute cannot be revealed; once upheld it can, from a batch whose reveal window is open', async () => {
      const requestId = await request({ model: DISPUTE_MODEL });
      const leaf = disputable(requestId, workerB);
      const { batchId, tree } = await commit([leaf]);
      const { disputeId, receipt } = await open(batchId, leaf, tree.proof(0));
      const [disputed] = parseEventLogs({
        abi: SettlementAbi,
        logs: receipt.logs,
        eventName: 'LeafDisputed',
      });
      expect(disputed.args.resultHeld).toBe(false);
      await expectRevert(reveal(batchId, leaf, OUTPUT, tree.proof(0)), 'Settlement_LeafUnderDispute', [
        hashResultLeaf(leaf),
      ]);
      expect(await status(requestId)).toBe(STATUS.Open);
      await challengerSilent(disputeId);
      // The dispute outlasted the batch's reveal window; the committer commits the leaf again.
      const again = await commit([leaf]);
      await reveal(again.batchId, leaf, OUTPUT, again.tree.proof(0));
      expect(await status(requestId)).toBe(STATUS.Pending);
    });
  });

  describe('ExampleConsumer', () => {
    it('stores the output only in its callback at finalize and rejects callbacks not from the Settlement', async () => {
      const example = await chain.deployAs(outsider, ExampleConsumerAbi, ExampleConsumerBytecode, [
        settlement,
      ]);
      const exampleCall = (functionName: string, args: readonly unknown[] = [], value?: bigint) => ({
        address: example,
        abi: ExampleConsumerAbi,
        functionName,
        args,
        value,
      });
      const receipt = await chain.send(requester, exampleCall('ask', [MODEL, INPUT, 200_000], FEE));
      const [event] = parseEventLogs({
        abi: SettlementAbi,
        logs: receipt.logs,
        eventName: 'InferenceRequested',
      });
      const requestId = event.args.requestId;
      expect(event.args).toMatchObject({
        inputCommitment: outputCommitment(INPUT),
        input: INPUT,
        mode: MODE_OPTIMISTIC,
      });

      await expectRevert(
        chain.send(outsider, exampleCall('onVerityResult', [requestId, [1n]])),
        'ExampleConsumer_NotSettlement',
        [outsider],
      );
      const leaf = leafFor(requestId, workerA);
      const { batchId, tree } = await commit([leaf]);
      await reveal(batchId, leaf, OUTPUT, tree.proof(0));
      expect(await chain.read(exampleCall('outputOf', [requestId]))).toEqual([]);
      await chain.increaseTime(WINDOW);
      await chain.send(outsider, call('finalize', [requestId]));
      expect(await chain.read(exampleCall('outputOf', [requestId]))).toEqual(OUTPUT);
      expect(await chain.read(exampleCall('answered', [requestId]))).toBe(true);
    });
  });

  describe('fees that cover the service gas', () => {
    const PRICE = parseGwei('1');
    let saved: { settlement: Address; workers: Address; models: Address };
    const gasPart = (callbackGasLimit: bigint) =>
      (SERVICE_GAS_PER_REQUEST + SERVICE_GAS_PER_OUTPUT * BigInt(OUTPUT.length) + callbackGasLimit) * PRICE;
    let SERVICE_GAS_PER_REQUEST: bigint, SERVICE_GAS_PER_OUTPUT: bigint;

    beforeAll(async () => {
      saved = { settlement, workers, models };
      const contracts = await chain.deploy({ ...TEST_PARAMETERS, feeGasPriceWei: PRICE });
      ({ Settlement: settlement, WorkerRegistry: workers, ModelRegistry: models } = contracts);
      await chain.registerModel(models, MODEL, MODE_OPTIMISTIC, OUTPUT.length);
      SERVICE_GAS_PER_REQUEST = await chain.read<bigint>(call('SERVICE_GAS_PER_REQUEST'));
      SERVICE_GAS_PER_OUTPUT = await chain.read<bigint>(call('SERVICE_GAS_PER_OUTPUT'));
    });
    afterAll(() => {
      ({ settlement, workers, models } = saved);
    });

    it('refuses a fee below the minimum plus the service gas for the request and its callback limit', async () => {
      for (const gasLimit of [0, 200_000, 2_500_000]) {
        const required = await chain.read<bigint>(call('requiredFee', [MODEL, gasLimit]));
        expect(required).toBe(FEE + gasPart(BigInt(gasLimit)));
        await expectRevert(request({ gasLimit, fee: required - 1n }), 'Settlement_FeeTooLow', [required - 1n, required]);
        expect(await status(await request({ gasLimit, fee: required }))).toBe(STATUS.Open);
      }
    });

    it('pays the committer the gas part at finalize and the worker the rest; the gas part covers what a lone commit, the reveal and finalize used', async () => {
      const worker = await newWorker(chain.accounts[7]);
      const required = await chain.read<bigint>(call('requiredFee', [MODEL, 0]));
      const requestId = await request({ gasLimit: 0, fee: required });
      const leaf = leafFor(requestId, worker);
      const tree = buildResultTree([leaf]);
      const committed = await chain.send(deployer, call('commitBatch', [tree.root, 1]));
      const [event] = parseEventLogs({ abi: SettlementAbi, logs: committed.logs, eventName: 'BatchCommitted' });
      const revealed = await reveal(event.args.batchId, leaf, OUTPUT, tree.proof(0));
      await chain.increaseTime(WINDOW);
      const committerBefore = await chain.read<bigint>(call('claimableFees', [deployer]));
      const finalized = await chain.send(outsider, call('finalize', [requestId]));
      expect(await chain.read(call('claimableFees', [worker]))).toBe(FEE);
      expect((await chain.read<bigint>(call('claimableFees', [deployer]))) - committerBefore).toBe(gasPart(0n));
      // A batch of one: the whole commit is this request's share.
      const used = committed.gasUsed + revealed.gasUsed + finalized.gasUsed;
      expect(used * PRICE).toBeLessThanOrEqual(gasPart(0n));
    });
  });
});
