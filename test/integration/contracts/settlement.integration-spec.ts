/**
 * The Settlement on a real anvil where TypeScript and Solidity must agree: the EIP-712 domain and
 * digest a worker signs (viem) against resultDigest, batch roots and proofs from the TypeScript
 * Merkle builder, tensor-root output commitments, signatures as viem serializes them, the example
 * consumer's on-chain input commitment, and the fee's gas part against the gas really used. The
 * contract's own rules (requests, reveal, finalize, disputes, claims) are forge tests
 * (test/forge/Settlement.*.t.sol); the real dispute game is test/integration/contracts/
 * optimistic-dispute.integration-spec.ts.
 */
import {
  concat,
  encodeAbiParameters,
  hashTypedData,
  keccak256,
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
import {
  EscrowAbi,
  ExampleConsumerAbi,
  ExampleConsumerBytecode,
  SettlementAbi,
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
  expectRevert,
  MODE_OPTIMISTIC,
  startChain,
  TEST_PARAMETERS,
  ZERO_ADDRESS,
  type Chain,
} from './contracts-fixture';

const STATUS = { None: 0, Open: 1, Pending: 2, Disputed: 3, Final: 4 } as const;
const MODEL = bytes32('model-a');
const INPUT = [1n, -2n, 3n];
const OUTPUT = [7n, -8n];
const { challengeWindowSeconds: WINDOW, minimumFeeWei: FEE, minimumStakeWei: MIN_STAKE } = TEST_PARAMETERS;
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
  let deployer: Address, workerA: Address, workerB: Address, outsider: Address, requester: Address;

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

  beforeAll(async () => {
    chain = await startChain();
    [deployer, workerA, workerB, outsider, requester] = chain.accounts;
    const contracts = await chain.deploy();
    ({ Settlement: settlement, WorkerRegistry: workers, ModelRegistry: models } = contracts);
    // The model's output length is OUTPUT's: reveal checks it (a tensor root does not bind trailing zeros).
    await chain.registerModel(contracts.ModelRegistry, MODEL, MODE_OPTIMISTIC, OUTPUT.length);
    await newWorker(workerA);
    await newWorker(workerB);
  });
  afterAll(async () => chain?.anvil.stop());

  describe('EIP-712 domain and digest', () => {
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

  describe('batches built by the TypeScript Merkle builder', () => {
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
    let escrow: Address;
    const gasPart = (callbackGasLimit: bigint) =>
      (SERVICE_GAS_PER_REQUEST + SERVICE_GAS_PER_OUTPUT * BigInt(OUTPUT.length) + callbackGasLimit) * PRICE;
    let SERVICE_GAS_PER_REQUEST: bigint, SERVICE_GAS_PER_OUTPUT: bigint;

    beforeAll(async () => {
      saved = { settlement, workers, models };
      const contracts = await chain.deploy({ ...TEST_PARAMETERS, feeGasPriceWei: PRICE });
      ({ Settlement: settlement, WorkerRegistry: workers, ModelRegistry: models, Escrow: escrow } = contracts);
      await chain.registerModel(models, MODEL, MODE_OPTIMISTIC, OUTPUT.length);
      SERVICE_GAS_PER_REQUEST = await chain.read<bigint>(call('SERVICE_GAS_PER_REQUEST'));
      SERVICE_GAS_PER_OUTPUT = await chain.read<bigint>(call('SERVICE_GAS_PER_OUTPUT'));
    });
    afterAll(() => {
      ({ settlement, workers, models } = saved);
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
      const credit = (account: Address) =>
        chain.read<bigint>({ address: escrow, abi: EscrowAbi, functionName: 'claimableOf', args: [account] });
      const committerBefore = await credit(deployer);
      const finalized = await chain.send(outsider, call('finalize', [requestId]));
      expect(await credit(worker)).toBe(FEE);
      expect((await credit(deployer)) - committerBefore).toBe(gasPart(0n));
      // A batch of one: the whole commit is this request's share.
      const used = committed.gasUsed + revealed.gasUsed + finalized.gasUsed;
      expect(used * PRICE).toBeLessThanOrEqual(gasPart(0n));
    });
  });
});
