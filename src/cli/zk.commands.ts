/**
 * CLI glue for zk mode: `verity prove` (circuit, setup, proof of one inference) and `verity
 * verify` (checks a proof bundle). Logic lives in src/zk; progress goes to stderr so `--json`
 * output on stdout stays parseable.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config/load-config';
import { EngineError, commitModel, commitTensor, evaluate, parseInputJson, quantizeInput } from '../engine';
import { toHex } from 'viem';
import { circuitInput, circuitLayout, decodePublicSignals } from '../zk/circuit-layout';
import { verifyProof } from '../zk/groth16-verify';
import { commitSignedVector } from '../zk/poseidon-commitment';
import { ProverPool } from '../zk/prover';
import { terminateCurve } from '../zk/snarkjs';
import { ZkError } from '../zk/zk.errors';
import { contributeToZkey, verifyZkeyTranscript } from '../zk/phase2';
import { prepareZkCircuit } from '../zk/zk-pipeline';
import { guarded, loadModel, print } from './engine.commands';
import { BUNDLE_FORMAT, readProofFile, readVerificationKey, type ProofBundle } from './proof-file';

const progress = (stage: string, detail: string) => process.stderr.write(`[${stage}] ${detail}\n`);

async function proveAction(modelPath: string, opts: { input: string; calibration?: string; out?: string; beneficiary: string; json?: boolean }): Promise<void> {
  const config = loadConfig();
  const { model } = loadModel(modelPath, opts.calibration);
  const inputs = parseInputJson(readFileSync(opts.input, 'utf8'));
  if (inputs.length !== 1) throw new EngineError('INVALID_ARGUMENT', `verity prove proves one inference; ${opts.input} holds ${inputs.length} inputs`);
  const engine = evaluate(model, inputs[0], { trace: false });
  const inputFixed = Array.from(quantizeInput(model, inputs[0]), (v) => BigInt(v));
  const prepared = await prepareZkCircuit(model, 1, {
    cacheDir: config.zk.cacheDir,
    ptauPath: config.zk.ptauPath,
    maxPower: config.zk.maxPtauPower,
    onProgress: progress,
    log: { warn: (message: string) => progress('warning', message) },
  });
  const pool = new ProverPool({ size: 1 });
  try {
    const result = await pool.prove({
      wasmPath: prepared.circuit.wasmPath,
      zkeyPath: prepared.key.zkeyPath,
      input: circuitInput(prepared.layout, [inputFixed], BigInt(opts.beneficiary)),
      onProgress: (stage, detail) => progress(stage, detail),
    });
    const decoded = decodePublicSignals(prepared.layout, result.publicSignals);
    const expectedCommitment = await commitSignedVector(inputFixed, prepared.layout.inputBits, prepared.layout.inputOffset);
    if (decoded.inputCommitments[0] !== expectedCommitment || decoded.outputs[0].some((v, i) => v !== engine.outputFixed[i])) {
      throw new ZkError('PROOF_INVALID', "the circuit's output differs from the engine's: a bug in the circuit generator; please report it");
    }
    const bundle: ProofBundle = {
      format: BUNDLE_FORMAT,
      circuit: {
        name: prepared.circuit.name,
        hash: prepared.circuit.contentHash,
        constraints: prepared.constraints,
        batchSize: 1,
        zkeyHash: prepared.key.zkeyHash,
        ptauPower: prepared.ptau.power,
        developmentSetup: prepared.ptau.development,
      },
      verificationKey: prepared.key.verificationKey,
      proof: result.proof,
      publicSignals: result.publicSignals,
      inputCommitment: expectedCommitment.toString(),
      outputFixed: engine.outputFixed.map(String),
      output: engine.output,
    };
    if (opts.out) writeFileSync(opts.out, `${JSON.stringify(bundle, null, 2)}\n`);
    print({ ...bundle, timings: result.timings, written: opts.out ?? null }, opts.json);
  } finally {
    await pool.close();
  }
}

/**
 * What an on-chain request carries for one input (docs/contracts.md): the fixed-point input for
 * `_input` and the commitment for `_inputCommitment`, the tensor root in optimistic mode and the
 * circuit's Poseidon commitment in zk mode. Raw values out of the model's input bound are refused
 * here, by name, rather than computed on a clamped input.
 */
async function commitInputAction(modelPath: string, opts: { input: string; calibration?: string; json?: boolean }): Promise<void> {
  const { model } = loadModel(modelPath, opts.calibration);
  const inputs = parseInputJson(readFileSync(opts.input, 'utf8'));
  const results = [];
  for (const input of inputs) {
    const fixed = Array.from(quantizeInput(model, input), (v) => BigInt(v));
    const layout = circuitLayout(model, 1);
    const poseidon = await commitSignedVector(fixed, layout.inputBits, layout.inputOffset);
    results.push({
      inputFixed: fixed.map(String),
      optimisticInputCommitment: commitTensor(fixed),
      zkInputCommitment: toHex(poseidon, { size: 32 }),
    });
  }
  await terminateCurve();
  print({ model: modelPath, modelCommitment: commitModel(model).commitment, fractionBits: model.fractionBits, inputBoundReal: model.inputBoundReal, ...results[0], results: results.length > 1 ? results : undefined }, opts.json);
}

async function verifyAction(proofPath: string, opts: { vkey?: string; json?: boolean }): Promise<void> {
  if (!existsSync(proofPath)) throw new ZkError('PROOF_INVALID', `proof file ${proofPath} does not exist`);
  const file = readProofFile(readFileSync(proofPath, 'utf8'), proofPath);
  // A key from the same file only shows the proof matches that key; pass the model's key (its
  // zkey hash is recorded on-chain) with --vkey to check against a key you trust. A proof the API
  // serves carries no key: `verity check` checks it with the verifier ModelRegistry records.
  if (!opts.vkey && !file.verificationKey) {
    throw new ZkError(
      'PROOF_INVALID',
      `${proofPath} is a proof the API serves and carries no verification key: pass --vkey (verification_key.json, or the API's zkCircuit { verificationKey }), or run \`verity check <inference id>\` to check it with the verifier on-chain`,
    );
  }
  const key = opts.vkey ? readVerificationKey(readFileSync(opts.vkey, 'utf8'), opts.vkey) : file.verificationKey!;
  const valid = await verifyProof(key, file.publicSignals, file.proof);
  await terminateCurve();
  print({ valid, format: file.source, keySource: opts.vkey ?? 'the proof file', ...file.about }, opts.json);
  if (!valid) process.exitCode = 1;
}

async function contributeAction(inPath: string, outPath: string, opts: { name: string; json?: boolean }): Promise<void> {
  const result = await contributeToZkey({ inPath, outPath, name: opts.name, onProgress: progress });
  await terminateCurve();
  print({ written: outPath, contribution: opts.name, ...result }, opts.json);
}

async function transcriptAction(zkeyPath: string, opts: { r1cs: string; ptau: string; json?: boolean }): Promise<void> {
  const result = await verifyZkeyTranscript({ r1csPath: opts.r1cs, ptauPath: opts.ptau, zkeyPath, onProgress: progress });
  await terminateCurve();
  print({ zkey: zkeyPath, ...result }, opts.json);
}

export function registerZkCommands(program: Command): void {
  program
    .command('zkey-contribute')
    .description('add your phase-2 contribution to a circuit key (a model owner or consumer): download, contribute, upload')
    .argument('<in.zkey>', 'the current key')
    .argument('<out.zkey>', 'where to write the key with your contribution')
    .requiredOption('--name <name>', 'your name, recorded in the transcript')
    .option('--json', 'print JSON')
    .action(guarded(contributeAction));
  program
    .command('zkey-verify')
    .description("check a circuit key's whole transcript against the circuit and the powers of tau (snarkjs zkey verify); lists every contribution")
    .argument('<zkey>', 'the key')
    .requiredOption('--r1cs <circuit.r1cs>', 'the compiled circuit')
    .requiredOption('--ptau <file.ptau>', 'the powers of tau it was set up from')
    .option('--json', 'print JSON')
    .action(guarded(transcriptAction));
  program
    .command('prove')
    .description('prove one inference with Groth16: generate and compile the circuit, run the setup (cached), prove, check against the engine')
    .argument('<model>', 'ONNX model file, or a quantized model JSON written by `quantize --out`')
    .requiredOption('--input <input.json>', 'one input: {"input": [...]} or {"input_data": [[...]]}')
    .option('--calibration <input.json>', 'calibration inputs for quantization')
    .option('--beneficiary <address>', 'address bound into the proof (credited when it settles on-chain)', '0x0000000000000000000000000000000000000000')
    .option('--out <proof.json>', 'write the proof bundle for `verity verify`')
    .option('--json', 'print JSON')
    .action(guarded(proveAction));
  program
    .command('commit-input')
    .description("an on-chain request's input: the fixed-point values (`_input`) and the input commitment for optimistic and zk mode")
    .argument('<model>', 'ONNX model file, or a quantized model JSON written by `quantize --out`')
    .requiredOption('--input <input.json>', 'input: {"input": [...]} or {"input_data": [[...]]} (raw, real units)')
    .option('--calibration <input.json>', 'calibration inputs for quantization (as at registration)')
    .option('--json', 'print JSON')
    .action(guarded(commitInputAction));
  program
    .command('verify')
    .description('verify a Groth16 proof: a bundle written by `verity prove --out`, or the proof the API serves (inference { proof { proof publicSignals } }, alone or as the GraphQL response) with --vkey; exit code 1 when invalid')
    .argument('<proof.json>', 'proof bundle, or the API\'s proof')
    .option('--vkey <verification_key.json>', "verify against this key (snarkjs's verification_key.json or the API's zkCircuit { verificationKey }) instead of the bundle's")
    .option('--json', 'print JSON')
    .action(guarded(verifyAction));
}
