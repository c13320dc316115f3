import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRequestInput } from '../../src/settlement/chain-request-input';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'onnx-conformance');

/** Runs the real `verity` command the way a person would (ts-node, no build step). */
function verity(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return verityWithin(60_000, ...args);
}

function verityWithin(timeoutMs: number, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'),
      '--transpile-only',
      join(ROOT, 'src', 'cli', 'main.ts'),
      ...args,
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the verity command', () => {
  const model = join(FIXTURES, '2l_relu_fc', 'network.onnx');
  const input = join(FIXTURES, '2l_relu_fc', 'input.json');
  /** The model quantized as `verity quantize --out` writes it (calibrated on its input.json, as commit-input is). */
  const mkdtempQuantized = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'verity-cli-'));
    expect(verity('quantize', model, '--out', join(dir, 'model.json')).status).toBe(0);
    return dir;
  };

  it('runs a model with both backends and prints the same fixed-point output and commitments', () => {
    const evaluator = verity('run', model, '--input', input, '--backend', 'evaluator', '--json');
    const onnxruntime = verity('run', model, '--input', input, '--backend', 'onnxruntime', '--json');
    expect(evaluator.status).toBe(0);
    expect(onnxruntime.status).toBe(0);
    const a = JSON.parse(evaluator.stdout);
    const b = JSON.parse(onnxruntime.stdout);
    expect(a.outputFixed.every((v: unknown) => typeof v === 'string')).toBe(true);
    expect(b.outputFixed).toEqual(a.outputFixed);
    expect(b.commitment).toEqual(a.commitment);
    expect(a.output).toHaveLength(a.outputFixed.length);
  });

  it("prints an on-chain request's fixed-point input and both input commitments, which the request watcher accepts", async () => {
    const result = verity('commit-input', model, '--input', input, '--json');
    expect(result.status).toBe(0);
    const printed = JSON.parse(result.stdout);
    const run = JSON.parse(verity('run', model, '--input', input, '--json').stdout);
    expect(printed.optimisticInputCommitment).toBe(run.commitment.input);
    expect(printed.modelCommitment).toBe(run.commitment.model);
    const quantized = JSON.parse(readFileSync(join(mkdtempQuantized(), 'model.json'), 'utf8'));
    const fixed = (printed.inputFixed as string[]).map(BigInt);
    await expect(checkRequestInput(quantized, 'ZK', fixed, printed.zkInputCommitment)).resolves.toMatchObject({ valid: true });
    await expect(checkRequestInput(quantized, 'ZK', fixed.map((v, i) => (i === 0 ? v + 1n : v)), printed.zkInputCommitment)).resolves.toMatchObject({
      valid: false,
      code: 'ZK_INPUT_COMMITMENT_MISMATCH',
    });
    const outOfBound = join(mkdtempSync(join(tmpdir(), 'verity-cli-')), 'input.json');
    writeFileSync(outOfBound, JSON.stringify({ input: fixed.map(() => 1e6) }));
    const refused = verity('commit-input', model, '--input', outOfBound);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/INPUT_OUT_OF_BOUND/);
  });

  it('lists every command from the package bin (bin/verity.js) in a checkout with no build in dist/', () => {
    const bin = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin.verity as string;
    expect(bin).toBe('bin/verity.js');
    // A checkout as `npm ci` leaves it (whether or not this one has a dist/): the launcher, the
    // sources and the dependencies, no build.
    const checkout = mkdtempSync(join(tmpdir(), 'verity-bin-'));
    mkdirSync(join(checkout, 'bin'));
    copyFileSync(join(ROOT, bin), join(checkout, bin));
    for (const entry of ['src', 'scripts', 'contracts', 'node_modules', 'package.json', 'tsconfig.json']) {
      symlinkSync(join(ROOT, entry), join(checkout, entry));
    }
    const result = spawnSync(process.execPath, [join(checkout, bin), '--help'], { cwd: checkout, encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const commands = [...result.stdout.matchAll(/^ {2}([a-z][\w:-]*)/gm)].map((match) => match[1]);
    expect(commands).toEqual(expect.arrayContaining(['serve', 'db:migrate', 'defender', 'worker', 'challenger', 'run', 'prove', 'verify', 'commit-input', 'check']));
  });

  it('refuses an unsupported op by name and exits non-zero', () => {
    const result = verity('inspect', join(FIXTURES, '..', 'onnx-refused', '1l_conv_transpose', 'network.onnx'), '--json');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/UNSUPPORTED_OP.*ConvTranspose/);
  });

  it('refuses to start `verity defender` without its database, chain and own key, naming each', () => {
    const result = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'), '--transpile-only', join(ROOT, 'src', 'cli', 'main.ts'), 'defender'],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH, HOME: process.env.HOME } },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('[CONFIG_INVALID]');
    for (const name of ['DATABASE_URL', 'RPC_URL', 'CHAIN_ID', 'DEFENDER_PRIVATE_KEY']) {
      expect(result.stderr).toContain(`${name}: is required by \`verity defender\``);
    }
  });

  it('refuses an input of the wrong length and exits non-zero', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verity-cli-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ input: [0.1, 0.2] }));
    const result = verity('run', model, '--input', bad, '--json');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/INPUT_SHAPE/);
    expect(result.stdout).toBe('');
  });

  it('proves an inference with Groth16, verifies the bundle and the same proof as the API serves it, and rejects tampered ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verity-prove-'));
    const bundle = join(dir, 'proof.json');
    const proved = verityWithin(600_000, 'prove', model, '--input', input, '--out', bundle, '--json');
    expect(proved.stderr).toMatch(/DEVELOPMENT POWERS OF TAU/);
    expect(proved.status).toBe(0);
    const run = JSON.parse(verity('run', model, '--input', input, '--json').stdout);
    const proof = JSON.parse(readFileSync(bundle, 'utf8'));
    expect(proof.outputFixed).toEqual(run.outputFixed);
    const verified = verity('verify', bundle, '--json');
    expect(verified.status).toBe(0);
    expect(JSON.parse(verified.stdout).valid).toBe(true);

    // The same proof as the API serves it (inference { proof }, the snarkjs proof as a JSON
    // string), with the key as the API's zkCircuit { verificationKey } holds it.
    const served = join(dir, 'served.json');
    const key = join(dir, 'zk-circuit.json');
    const zkProof = { proof: JSON.stringify(proof.proof), publicSignals: proof.publicSignals, circuitId: 'c', inputCommitment: proof.inputCommitment };
    writeFileSync(served, JSON.stringify({ data: { inference: { proof: zkProof, outputFixed: proof.outputFixed } } }));
    writeFileSync(key, JSON.stringify({ data: { zkCircuit: { verificationKey: JSON.stringify(proof.verificationKey) } } }));
    const servedVerified = verity('verify', served, '--vkey', key, '--json');
    expect(servedVerified.status).toBe(0);
    expect(JSON.parse(servedVerified.stdout)).toMatchObject({ valid: true, format: 'api', outputFixed: proof.outputFixed });
    const keyless = verity('verify', served);
    expect(keyless.status).toBe(1);
    expect(keyless.stderr).toMatch(/carries no verification key: pass --vkey/);
    zkProof.publicSignals = [...zkProof.publicSignals];
    zkProof.publicSignals[1] = (BigInt(zkProof.publicSignals[1]) + 1n).toString();
    writeFileSync(served, JSON.stringify(zkProof));
    const servedTampered = verity('verify', served, '--vkey', key, '--json');
    expect(servedTampered.status).toBe(1);
    expect(JSON.parse(servedTampered.stdout).valid).toBe(false);

    proof.publicSignals[1] = (BigInt(proof.publicSignals[1]) + 1n).toString();
    writeFileSync(bundle, JSON.stringify(proof));
    const tampered = verity('verify', bundle, '--json');
    expect(tampered.status).toBe(1);
    expect(JSON.parse(tampered.stdout).valid).toBe(false);
    expect(verity('verify', join(dir, 'missing.json')).stderr).toMatch(/does not exist/);
  }, 660_000);
});
