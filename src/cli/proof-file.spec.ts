import { BUNDLE_FORMAT, readProofFile, readVerificationKey } from './proof-file';

const PROOF = { pi_a: ['1', '2', '1'], pi_b: [['3', '4'], ['5', '6'], ['1', '0']], pi_c: ['7', '8', '1'], protocol: 'groth16', curve: 'bn128' };
const SIGNALS = ['11', '12', '13'];
const KEY = { protocol: 'groth16', curve: 'bn128', nPublic: 3, vk_alpha_1: [], vk_beta_2: [], vk_gamma_2: [], vk_delta_2: [], IC: [] };
/** The ZkProof object as the API serves it: the snarkjs proof as a JSON string. */
const SERVED = { proof: JSON.stringify(PROOF), publicSignals: SIGNALS, circuitId: 'c-1', inputCommitment: '11', settleTx: null };

describe('readProofFile', () => {
  it('reads the bundle `verity prove --out` writes, with its key', () => {
    const bundle = { format: BUNDLE_FORMAT, circuit: { batchSize: 1 }, verificationKey: KEY, proof: PROOF, publicSignals: SIGNALS, inputCommitment: '11', outputFixed: ['4'], output: [1] };
    const read = readProofFile(JSON.stringify(bundle), 'proof.json');
    expect(read).toMatchObject({ source: 'bundle', proof: PROOF, publicSignals: SIGNALS, verificationKey: KEY });
  });

  it.each([
    ['the ZkProof object', SERVED],
    ['inference { proof }', { inference: { proof: SERVED, outputFixed: ['4'] } }],
    ['the whole GraphQL response', { data: { inference: { proof: SERVED, outputFixed: ['4'] } } }],
  ])('reads the proof the API serves as %s, with no key of its own', (_shape, file) => {
    const read = readProofFile(JSON.stringify(file), 'served.json');
    expect(read.source).toBe('api');
    expect(read.proof).toEqual(PROOF);
    expect(read.publicSignals).toEqual(SIGNALS);
    expect(read.verificationKey).toBeUndefined();
    expect(read.about).toMatchObject({ circuitId: 'c-1', inputCommitment: '11' });
  });

  it.each([
    ['not JSON', 'nope', /is not JSON/],
    ['an array', '[1]', /holds no JSON object/],
    ['an inference without a proof', JSON.stringify({ data: { inference: { proof: null } } }), /neither a proof bundle .* nor a proof the API serves/],
    ['a proof that is not snarkjs JSON', JSON.stringify({ proof: '{"a":1}', publicSignals: SIGNALS }), /neither/],
    ['public signals that are not strings', JSON.stringify({ proof: PROOF, publicSignals: [1, 2] }), /neither/],
  ])('refuses %s with PROOF_INVALID', (_what, text, message) => {
    expect(() => readProofFile(text, 'x.json')).toThrow(expect.objectContaining({ code: 'PROOF_INVALID', message: expect.stringMatching(message) }));
  });
});

describe('readVerificationKey', () => {
  it.each([
    ["snarkjs's verification_key.json", KEY],
    ['zkCircuit { verificationKey }', { verificationKey: JSON.stringify(KEY) }],
    ['the whole GraphQL response', { data: { zkCircuit: { verificationKey: JSON.stringify(KEY) } } }],
  ])('reads %s', (_shape, file) => {
    expect(readVerificationKey(JSON.stringify(file), 'vkey.json')).toEqual(KEY);
  });

  it('refuses a file holding no Groth16 key', () => {
    expect(() => readVerificationKey(JSON.stringify({ data: { zkCircuit: { verificationKey: null } } }), 'vkey.json')).toThrow(
      expect.objectContaining({ code: 'PROOF_INVALID' }),
    );
  });
});
