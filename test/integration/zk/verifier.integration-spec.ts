import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPublicClient,
  createWalletClient,
  decodeEventLog,
  decodeFunctionResult,
  encodeFunctionData,
  http,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
} from 'viem';
import { anvil as anvilChain } from 'viem/chains';
import { startAnvil, type AnvilHandle } from '../../../src/chain/anvil';
import { verifyProof } from '../../../src/zk/groth16-verify';
import { toSolidityProof, verifyProofArgs, type SolidityProof } from '../../../src/zk/proof-codec';
import { ProverPool, type ProofResult, type ProveStage } from '../../../src/zk/prover';
import {
  buildVerifierContract,
  verifierContractName,
  type VerifierContract,
} from '../../../src/zk/verifier-contract';
import { ZK_TEST_CACHE_DIR, setUpTestCircuits, type ZkTestCircuit } from '../../support/zk-fixtures';

/**
 * A caller that keeps the verifier's answer, as a settlement contract would: it shows what a
 * sent transaction saw (the receipt of a call to a view function carries no return value).
 */
const RECORDER_SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
interface IVerifier {
    function verifyProof(uint[2] calldata a, uint[2][2] calldata b, uint[2] calldata c, uint[2] calldata s) external view returns (bool);
}
contract VerifyRecorder {
    event Verified(bool ok);
    function check(address verifier, uint[2] calldata a, uint[2][2] calldata b, uint[2] calldata c, uint[2] calldata s) external returns (bool ok) {
        ok = IVerifier(verifier).verifyProof(a, b, c, s);
        emit Verified(ok);
    }
}
`;

/** EIP-1108: 45,000 + 34,000 per pair; a Groth16 check has four pairs. */
const PAIRING_GAS_FOUR_PAIRS = 181_000n;

function compileRecorder(): { abi: Abi; bytecode: Hex } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require('solc') as { compile(input: string): string };
  const input = {
    language: 'Solidity',
    sources: { 'VerifyRecorder.sol': { content: RECORDER_SOURCE } },
    settings: {
      evmVersion: 'paris',
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const artifact = output.contracts['VerifyRecorder.sol'].VerifyRecorder;
  return { abi: artifact.abi, bytecode: `0x${artifact.evm.bytecode.object}` };
}

describe('zk proving and on-chain verification', () => {
  let one: ZkTestCircuit;
  let two: ZkTestCircuit;
  let pool: ProverPool;
  let proofA: ProofResult;
  let proofB: ProofResult;

  beforeAll(async () => {
    ({ one, two } = await setUpTestCircuits());
    pool = new ProverPool({ size: 1 });
    proofA = await pool.prove({
      wasmPath: one.circuit.wasmPath,
      zkeyPath: one.key.zkeyPath,
      input: { x: 7n, y: 6n },
    });
    proofB = await pool.prove({
      wasmPath: one.circuit.wasmPath,
      zkeyPath: one.key.zkeyPath,
      input: { x: 5n, y: 6n },
    });
  });

  afterAll(async () => {
    await pool?.close();
  });

  describe('ProverPool', () => {
    it('proves in a worker thread, and the proof verifies off-chain', async () => {
      expect(proofA.publicSignals).toEqual(['42', '6']);
      expect(proofA.timings.witnessMs).toBeGreaterThan(0);
      expect(proofA.timings.proveMs).toBeGreaterThan(0);
      await expect(verifyProof(one.key.verificationKey, proofA.publicSignals, proofA.proof)).resolves.toBe(
        true,
      );
    });

    it('reports each stage and keeps the event loop turning while it proves', async () => {
      const stages: ProveStage[] = [];
      let ticks = 0;
      let ticksWhileBusy = 0;
      const timer = setInterval(() => {
        ticks += 1;
        if (stages.length > 0) ticksWhileBusy += 1;
      }, 5);
      try {
        await pool.prove({
          wasmPath: one.circuit.wasmPath,
          zkeyPath: one.key.zkeyPath,
          input: { x: 200n, y: 3n },
          onProgress: (stage) => stages.push(stage),
        });
      } finally {
        clearInterval(timer);
      }
      expect(stages).toEqual(['witness-started', 'witness-done', 'proving-started', 'proving-done']);
      expect(ticks).toBeGreaterThan(0);
      expect(ticksWhileBusy).toBeGreaterThan(0);
    });

    it('rejects an input that violates the range check with PROOF_FAILED and circom\u2019s message', async () => {
      await expect(
        pool.prove({ wasmPath: one.circuit.wasmPath, zkeyPath: one.key.zkeyPath, input: { x: 256n, y: 1n } }),
      ).rejects.toMatchObject({
        code: 'PROOF_FAILED',
        message: expect.stringMatching(/Assert Failed.*Num2Bits/s),
      });
    });

    it('goes on proving after a job failed', async () => {
      const next = await pool.prove({
        wasmPath: one.circuit.wasmPath,
        zkeyPath: one.key.zkeyPath,
        input: { x: 2n, y: 2n },
      });
      expect(next.publicSignals).toEqual(['4', '2']);
    });

    it('fails only the job of a thread that crashes, and replaces the thread', async () => {
      const starved = new ProverPool({
        resourceLimits: { maxOldGenerationSizeMb: 4, maxYoungGenerationSizeMb: 1 },
      });
      try {
        await expect(
          starved.prove({
            wasmPath: one.circuit.wasmPath,
            zkeyPath: one.key.zkeyPath,
            input: { x: 1n, y: 1n },
          }),
        ).rejects.toMatchObject({
          code: 'PROOF_FAILED',
          message: expect.stringContaining('prover thread'),
        });
      } finally {
        await starved.close();
      }
      await expect(
        pool.prove({ wasmPath: one.circuit.wasmPath, zkeyPath: one.key.zkeyPath, input: { x: 3n, y: 3n } }),
      ).resolves.toBeDefined();
    });

    it('does not verify a proof of input A against the public signals of input B', async () => {
      expect(proofB.publicSignals).toEqual(['30', '6']);
      await expect(verifyProof(one.key.verificationKey, proofB.publicSignals, proofA.proof)).resolves.toBe(
        false,
      );
    });

    it('returns false, never throws, for a malformed proof or key', async () => {
      const vk = one.key.verificationKey;
      await expect(
        verifyProof(vk, proofA.publicSignals, { ...proofA.proof, pi_a: ['1', '2', '1'] }),
      ).resolves.toBe(false);
      await expect(
        verifyProof(vk, proofA.publicSignals, { ...proofA.proof, pi_c: ['x'] } as any),
      ).resolves.toBe(false);
      await expect(verifyProof(vk, ['42'], proofA.proof)).resolves.toBe(false);
      await expect(verifyProof({ ...vk, IC: [] }, proofA.publicSignals, proofA.proof)).resolves.toBe(false);
    });
  });

  describe('verifier contract on anvil', () => {
    let anvil: AnvilHandle;
    let publicClient: PublicClient;
    let walletClient: WalletClient;
    let account: Address;
    let verifierOne: VerifierContract;
    let addressOne: Address;
    let addressTwo: Address;
    let recorder: Address;
    let recorderAbi: Abi;
    let calldataA: SolidityProof;
    let cacheDir: string;
    const gas: Record<string, bigint> = {};

    async function deploy(abi: Abi, bytecode: Hex): Promise<{ address: Address; gasUsed: bigint }> {
      const hash = await walletClient.deployContract({ abi, bytecode, account, chain: anvilChain });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error('deployment reverted');
      return { address: receipt.contractAddress, gasUsed: receipt.gasUsed };
    }

    /** eth_call of verifyProof, with an explicit gas limit when given. */
    async function verifyCall(address: Address, proof: SolidityProof, callGas?: bigint): Promise<boolean> {
      const data = encodeFunctionData({
        abi: verifierOne.abi,
        functionName: 'verifyProof',
        args: verifyProofArgs(proof),
      });
      const result = await publicClient.call({ to: address, data, gas: callGas });
      return decodeFunctionResult({
        abi: verifierOne.abi,
        functionName: 'verifyProof',
        data: result.data ?? '0x',
      }) as boolean;
    }

    /** Sends recorder.check(verifier, proof) and returns what the verifier answered on-chain. */
    async function checkByTransaction(
      verifier: Address,
      proof: SolidityProof,
      gasLimit?: bigint,
    ): Promise<{ ok: boolean; gasUsed: bigint }> {
      const hash = await walletClient.writeContract({
        address: recorder,
        abi: recorderAbi,
        functionName: 'check',
        args: [verifier, ...verifyProofArgs(proof)],
        account,
        chain: anvilChain,
        gas: gasLimit,
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      expect(receipt.status).toBe('success');
      const event = decodeEventLog({
        abi: recorderAbi,
        data: receipt.logs[0].data,
        topics: receipt.logs[0].topics,
      });
      return { ok: (event.args as unknown as { ok: boolean }).ok, gasUsed: receipt.gasUsed };
    }

    beforeAll(async () => {
      cacheDir = mkdtempSync(join(tmpdir(), 'verity-zk-verifier-'));
      anvil = await startAnvil();
      const transport = http(anvil.rpcUrl);
      publicClient = createPublicClient({ chain: anvilChain, transport, pollingInterval: 50 });
      walletClient = createWalletClient({ chain: anvilChain, transport });
      [account] = await walletClient.getAddresses();
      verifierOne = await buildVerifierContract({
        zkeyPath: one.key.zkeyPath,
        contractName: verifierContractName(one.circuit.contentHash),
        cacheDir,
      });
      const verifierTwo = await buildVerifierContract({
        verificationKey: two.key.verificationKey,
        contractName: verifierContractName(two.circuit.contentHash),
        cacheDir: ZK_TEST_CACHE_DIR,
      });
      const deployedOne = await deploy(verifierOne.abi, verifierOne.bytecode);
      addressOne = deployedOne.address;
      gas.deployVerifier = deployedOne.gasUsed;
      addressTwo = (await deploy(verifierTwo.abi, verifierTwo.bytecode)).address;
      const compiled = compileRecorder();
      recorderAbi = compiled.abi;
      recorder = (await deploy(compiled.abi, compiled.bytecode)).address;
      calldataA = toSolidityProof(proofA.proof, proofA.publicSignals);
    });

    afterAll(async () => {
      await anvil?.stop();
      if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
      process.stdout.write(
        `zk verifier gas: ${JSON.stringify(gas, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`,
      );
    });

    it('names each verifier after its circuit and keeps the GPL-3.0 header of the snarkjs template', () => {
      expect(verifierOne.contractName).toBe(`VerityVerifier_${one.circuit.contentHash.slice(0, 8)}`);
      expect(verifierOne.source).toMatch(/^\/\/ SPDX-License-Identifier: GPL-3.0\n\/\/ Generated by Verity/);
      expect(verifierOne.source).toContain(`contract ${verifierOne.contractName} {`);
      expect(verifierOne.source).not.toContain('Groth16Verifier');
    });

    it('builds the same verifier from the zkey or from its verification key, and compiles it once', async () => {
      const fromKey = await buildVerifierContract({
        verificationKey: one.key.verificationKey,
        contractName: verifierOne.contractName,
        cacheDir,
      });
      expect(verifierOne.cached).toBe(false);
      expect(fromKey).toMatchObject({
        cached: true,
        source: verifierOne.source,
        bytecode: verifierOne.bytecode,
      });
    });

    it('accepts a valid proof in an eth_call and in a sent transaction', async () => {
      await expect(verifyCall(addressOne, calldataA)).resolves.toBe(true);
      const sent = await checkByTransaction(addressOne, calldataA, 1_000_000n);
      expect(sent.ok).toBe(true);
      gas.verifyThroughWrapper = sent.gasUsed;
      // An explicit limit: the wallet's own estimate would starve the pairing (see below).
      const direct = await walletClient.sendTransaction({
        account,
        chain: anvilChain,
        gas: 1_000_000n,
        to: addressOne,
        data: encodeFunctionData({
          abi: verifierOne.abi,
          functionName: 'verifyProof',
          args: verifyProofArgs(calldataA),
        }),
      });
      gas.verifyDirect = (await publicClient.waitForTransactionReceipt({ hash: direct })).gasUsed;
    });

    it('rejects a proof whose public signal was changed', async () => {
      const tampered = {
        ...calldataA,
        publicSignals: [calldataA.publicSignals[0] + 1n, calldataA.publicSignals[1]],
      };
      await expect(verifyCall(addressOne, tampered)).resolves.toBe(false);
    });

    it('rejects a proof whose point was changed', async () => {
      const offCurve = { ...calldataA, a: [calldataA.a[0], calldataA.a[1] + 1n] as const };
      const otherProof = { ...calldataA, c: toSolidityProof(proofB.proof, proofB.publicSignals).c };
      await expect(verifyCall(addressOne, offCurve)).resolves.toBe(false);
      await expect(verifyCall(addressOne, otherProof)).resolves.toBe(false);
    });

    it("rejects circuit 1's proof under circuit 2's verifier", async () => {
      await expect(verifyCall(addressTwo, calldataA)).resolves.toBe(false);
    });

    // The trap the settlement contract must defend against: out of gas inside the pairing
    // precompile makes the verifier return false instead of reverting, so a caller that does not
    // `require(ok)` records a valid proof as invalid, and a gas estimate settles on such a limit.
    it('returns false instead of reverting for a VALID proof given too little gas', async () => {
      await expect(verifyCall(addressOne, calldataA, 150_000n)).resolves.toBe(false);
      await expect(verifyCall(addressOne, calldataA, 1_000_000n)).resolves.toBe(true);
    });

    it('settles a sent transaction with a too small gas limit on false, with status success', async () => {
      const starved = await checkByTransaction(addressOne, calldataA, 200_000n);
      expect(starved.ok).toBe(false);
    });

    it('is not saved by eth_estimateGas: a transaction sent with the estimate records a valid proof as false', async () => {
      const estimate = await publicClient.estimateContractGas({
        address: recorder,
        abi: recorderAbi,
        functionName: 'check',
        args: [addressOne, ...verifyProofArgs(calldataA)],
        account,
      });
      gas.estimateForWrapper = estimate;
      expect(estimate).toBeLessThan(PAIRING_GAS_FOUR_PAIRS);
      const sent = await checkByTransaction(addressOne, calldataA, estimate);
      expect(sent.ok).toBe(false);
    });
  });
});
