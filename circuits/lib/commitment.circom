pragma circom 2.1.0;

/*
 * Poseidon commitments to vectors of bounded integers, the input commitment of every zk circuit.
 * TypeScript twins: src/zk/poseidon-commitment.ts (packRange, poseidonChain, commitSignedVector);
 * test/integration/zk/commitment.integration-spec.ts checks they agree.
 *
 * Constraint counts (circom2 0.2.23 --O2, each template alone in a main; the integration specs
 * check the formulas on their test circuits):
 *
 * | template                                | non-linear constraints | formula                  |
 * | --------------------------------------- | ---------------------- | ------------------------ |
 * | PackRange(4, 20)                        | 80                     | k * n                    |
 * | PoseidonChain(1)                        | 564                    | 609 B - 3 (1 + 15 B - m) |
 * | PoseidonChain(15)                       | 606                    |                          |
 * | PoseidonChain(16)                       | 1173                   |                          |
 * | PoseidonChain(31)                       | 1782                   |                          |
 * | CommitSignedVector(784, 20, 2^18)       | 18695                  | count * n + Chain(G)     |
 *
 * B = ceil(m / 15) Poseidon(16) blocks of 609 constraints each; every input that is a constant
 * (the initial zero state, the zero padding of the last block) saves its first-round S-box
 * (3 constraints). G = ceil(count / floor(252 / n)) packed field elements.
 */

include "bitify.circom";
include "poseidon.circom";

/*
 * out = sum in[i] * 2^(n*i), each in[i] constrained to [0, 2^n).
 * Injective: every in[i] is an integer in [0, 2^n) (Num2Bits), so the sum is the integer whose
 * base-2^n digits are the inputs, below 2^(k*n) <= 2^252 < p: no two input vectors give the same
 * field element. Without the range checks, in[0] + 2^n and in[1] - 1 would alias. Cost: k * n.
 */
template PackRange(k, n) {
    assert(k >= 1);
    assert(n >= 1);
    assert(k * n <= 252);
    signal input in[k];
    signal output out;

    component bits[k];
    var packed = 0;
    for (var i = 0; i < k; i++) {
        bits[i] = Num2Bits(n);
        bits[i].in <== in[i];
        packed += in[i] * (1 << (n * i));
    }
    out <== packed;
}

/*
 * A sponge-like chain over m field elements: state = 0; for each block of 15 inputs (the last
 * zero-padded), state = Poseidon(16)([state, block...]); out = state.
 * The length m is a template parameter (fixed per circuit), so zero padding is unambiguous.
 * Cost: 609 per block (circomlib Poseidon with 16 inputs), less 3 per constant input (the zero
 * state of the first block, the padding of the last).
 */
template PoseidonChain(m) {
    assert(m >= 1);
    signal input in[m];
    signal output out;

    var blocks = (m + 14) \ 15;
    component hashes[blocks];
    for (var b = 0; b < blocks; b++) {
        hashes[b] = Poseidon(16);
        if (b == 0) {
            hashes[b].inputs[0] <== 0;
        } else {
            hashes[b].inputs[0] <== hashes[b - 1].out;
        }
        for (var j = 0; j < 15; j++) {
            var index = b * 15 + j;
            if (index < m) {
                hashes[b].inputs[j + 1] <== in[index];
            } else {
                hashes[b].inputs[j + 1] <== 0;
            }
        }
    }
    out <== hashes[blocks - 1].out;
}

/*
 * Commitment to a vector of signed integers v with v_i + offset in [0, 2^n) (constrained):
 * the shifted values are packed floor(252 / n) per field element (PackRange, injective), the last
 * group shorter, and the packed elements are chained with PoseidonChain. With offset = B (the
 * model's input bound) and n = bitlen(2B), the accepted range is v in [-B, 2^n - 1 - B]: every
 * input the engine accepts (|v| <= B) passes, and so do the values from B + 1 up to 2^n - 1 - B
 * (between B + 1 and 3B - 1; 2^n - 1 is odd, 2B even, so the range is never exact), which the
 * engine refuses. A superset, as docs/zk.md says: a tight upper check would double the input cost.
 * Cost: count * n + PoseidonChain(G), G = ceil(count / floor(252 / n)).
 */
template CommitSignedVector(count, n, offset) {
    assert(count >= 1);
    assert(n >= 1 && n <= 252);
    assert(offset >= 0);
    signal input in[count];
    signal output out;

    var perGroup = 252 \ n;
    var fullGroups = count \ perGroup;
    var lastSize = count - fullGroups * perGroup;
    var groups = fullGroups + (lastSize > 0 ? 1 : 0);

    component chain = PoseidonChain(groups);

    // All components of an array must share one template and parameter set: the full groups form
    // the array, the shorter last group is a separate component.
    component full[fullGroups];
    for (var g = 0; g < fullGroups; g++) {
        full[g] = PackRange(perGroup, n);
        for (var j = 0; j < perGroup; j++) {
            full[g].in[j] <== in[g * perGroup + j] + offset;
        }
        chain.in[g] <== full[g].out;
    }
    if (lastSize > 0) {
        component last = PackRange(lastSize, n);
        for (var j = 0; j < lastSize; j++) {
            last.in[j] <== in[fullGroups * perGroup + j] + offset;
        }
        chain.in[fullGroups] <== last.out;
    }
    out <== chain.out;
}
