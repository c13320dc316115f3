pragma circom 2.1.0;

/*
 * Fixed-point gadgets for Verity's zk mode (docs/semantics.md, sections 1 and 3).
 *
 * Signed integers are field elements read in (-p/2, p/2), p the BN254 scalar field (~2^253.6).
 * Every bound below is a real constraint (Num2Bits), never an `assert` on a signal: an assert on a
 * signal only runs in the witness generator and adds nothing to the R1CS, so a prover could pick
 * any value. The `assert`s in this file are on template parameters only (compile-time checks).
 *
 * Soundness rests on one fact: Num2Bits(k) with k <= 250 forces its input to be the integer
 * sum b_i 2^i in [0, 2^k) (the bits are boolean and the sum cannot wrap modulo p). Every signed
 * value is range checked by shifting it into [0, 2^n) first (SignedRange).
 *
 * Constraint counts (circom2 0.2.23 --O2, each template alone in a main; the integration spec
 * test/integration/zk/gadgets.integration-spec.ts checks the formulas on its test circuits):
 *
 * | template                         | non-linear constraints | formula                       |
 * | -------------------------------- | ---------------------- | ----------------------------- |
 * | SignedRange(8)                   | 8                      | n                             |
 * | Rescale(8, 16)                   | 24                     | S + n                         |
 * | RescaleRelu(8, 16)               | 25                     | S + n + 1                     |
 * | Relu(16)                         | 17                     | n + 1                         |
 * | LeakyRelu(16, 8, 26)             | 39                     | n + S + m + 1 (*)             |
 * | ClipConst(16, 1, -256, 1, 256)   | 52                     | n + (w + 2) per bound (**)    |
 * | ClipConst(16, 1, 0, 0, 0)        | 34                     |                               |
 * | MaxOf(4, 16)                     | 131                    | 2kn + k - 1                   |
 * | MaxOf(1, 16)                     | 32                     |                               |
 * | ArgMax(4, 16)                    | 142                    | MaxOf + 3k - 1 (MaxOf if k=1) |
 * | ArgMax(1, 16)                    | 32                     |                               |
 *
 * (*) m = max(2, n + bitlen(|alpha|) - S + 1): the bit width of the rescaled negative branch.
 * (**) w = n unless a clip constant needs more signed bits than n.
 */

include "bitify.circom";
include "comparators.circom";

/* Bit length of a non-negative integer (0 for 0). Compile time only. */
function fpBitLength(value) {
    var length = 0;
    var rest = value;
    while (rest > 0) {
        rest = rest \ 2;
        length++;
    }
    return length;
}

/*
 * -2^(n-1) <= in < 2^(n-1); nonNegative = 1 iff in >= 0.
 * Sound: Num2Bits(n) forces in + 2^(n-1) to be an integer in [0, 2^n), which is exactly the signed
 * range (no wrap since n <= 250). The top bit of in + 2^(n-1) is 1 iff in + 2^(n-1) >= 2^(n-1),
 * i.e. iff in >= 0. Cost: n.
 */
template SignedRange(n) {
    assert(n >= 2 && n <= 250);
    signal input in;
    signal output nonNegative;

    component bits = Num2Bits(n);
    bits.in <== in + (1 << (n - 1));
    nonNegative <== bits.out[n - 1];
}

/*
 * out = rescale(in, S) = floor((in + 2^(S-1)) / 2^S), and the quotient's sign bit.
 *
 * Constraints: in + 2^(S-1) === out * 2^S + rem, rem in [0, 2^S), out in [-2^(n-1), 2^(n-1)).
 *
 * PRECONDITION (the caller derives n from static bounds): |in| + 2^(S-1) < 2^(n+S-1), in being
 * the true integer (its own bounds keep it inside (-p/2, p/2), so its field element reads back
 * as itself).
 * Sound: with both parts range checked, out * 2^S + rem takes 2^(n+S) distinct integer values in
 * [-2^(n+S-1), 2^(n+S-1)), and n + S < 252 makes them distinct modulo p as well: for a given in at
 * most one (out, rem) satisfies the field equation. Under the precondition that one is the
 * integer solution q = floor((in + 2^(S-1)) / 2^S), r = the remainder, so the prover has no
 * choice left; if in violates it, no witness exists (the generator fails), never a wrong one.
 * (Without the range check on out, out + t * inv(2^S) with rem - t would satisfy the field
 * equation for any t; without the one on rem, out - 1 with rem + 2^S would. The integration
 * spec shows both forgeries pass once that check is removed.)
 */
template RescaleWithSign(S, n) {
    assert(S >= 1);
    assert(n >= 2);
    assert(n + S < 252);
    signal input in;
    signal output out;
    signal output nonNegative;
    signal rem;

    var half = 1 << (S - 1);
    var divisor = 1 << S;
    // Witness hint: circom's `\` divides the canonical representative in [0, p), so a negative
    // numerator is handled explicitly: floor(a / d) = -ceil(-a / d) for a < 0.
    // (`<` on field elements compares their signed values in (-p/2, p/2).)
    var shifted = in + half;
    var quotient;
    if (shifted < 0) {
        quotient = -((-shifted + divisor - 1) \ divisor);
    } else {
        quotient = shifted \ divisor;
    }
    out <-- quotient;
    rem <-- shifted - quotient * divisor;

    in + half === out * divisor + rem;

    component remBits = Num2Bits(S);
    remBits.in <== rem;

    component range = SignedRange(n);
    range.in <== out;
    nonNegative <== range.nonNegative;
}

/* out = rescale(in, S); see RescaleWithSign for the constraints and the precondition. Cost: S + n. */
template Rescale(S, n) {
    signal input in;
    signal output out;

    component core = RescaleWithSign(S, n);
    core.in <== in;
    out <== core.out;
}

/*
 * out = max(rescale(in, S), 0). The quotient's range check already yields its sign bit, so the
 * ReLU costs one product: out = quotient * nonNegative. Same precondition as Rescale.
 * Cost: S + n + 1.
 */
template RescaleRelu(S, n) {
    signal input in;
    signal output out;

    component core = RescaleWithSign(S, n);
    core.in <== in;
    out <== core.out * core.nonNegative;
}

/*
 * out = max(in, 0), in constrained to [-2^(n-1), 2^(n-1)).
 * Sound: nonNegative is the constrained sign bit of in (SignedRange), out = in * nonNegative is a
 * single quadratic constraint: in for in >= 0, 0 otherwise. Cost: n + 1.
 */
template Relu(n) {
    signal input in;
    signal output out;

    component range = SignedRange(n);
    range.in <== in;
    out <== in * range.nonNegative;
}

/*
 * out = in >= 0 ? in : rescale(in * alpha, S), alpha a signed integer at 2^S (q(alpha, F) with
 * S = F), in constrained to [-2^(n-1), 2^(n-1)).
 * The rescaled branch is computed for every in (it is a constraint system, not a branch); its
 * quotient width m is derived here so that Rescale's precondition holds for every in allowed by
 * SignedRange(n): |in * alpha| <= 2^(n-1) |alpha| < 2^(n-1+a) with a = bitlen(|alpha|), so
 * |rescale| <= 2^(n-1+a-S) + 1/2, inside [-2^(m-1), 2^(m-1)) for m = max(2, n + a - S + 1).
 * Selection: out = r + nonNegative * (in - r), one product with the constrained sign bit.
 * Cost: n + S + m + 1.
 */
template LeakyRelu(n, S, alpha) {
    var magnitude = alpha < 0 ? -alpha : alpha;
    var m = n + fpBitLength(magnitude) - S + 1;
    if (m < 2) {
        m = 2;
    }
    signal input in;
    signal output out;

    component range = SignedRange(n);
    range.in <== in;

    component scaled = Rescale(S, m);
    scaled.in <== in * alpha;

    out <== scaled.out + range.nonNegative * (in - scaled.out);
}

/* Signed bit width n such that [-2^(n-1), 2^(n-1)) holds value. Compile time only. */
function fpSignedBits(value) {
    var magnitude = value < 0 ? -value - 1 : value;
    return fpBitLength(magnitude) + 1;
}

/*
 * out = min(max(in, minValue), maxValue) with either bound optional (hasMin, hasMax in {0, 1};
 * ONNX Clip semantics, so minValue > maxValue yields maxValue). in is constrained to signed n bits.
 * The constants may lie outside that range (Clip(0, 6) after a small input bound): comparisons run
 * at width w = the signed width that holds in and both constants.
 * Sound: with in, minValue in [-2^(w-1), 2^(w-1)), in - minValue lies in (-2^w, 2^w), so
 * SignedRange(w + 1) gives its true sign; lo = minValue + ge * (in - minValue) is max(in, minValue)
 * (again a signed w-bit value); maxValue - lo is checked the same way, and
 * out = maxValue + le * (lo - maxValue) is min(lo, maxValue). Every comparison is a constraint.
 * Cost: n + (w + 2) per present bound (w = n when the constants fit in n bits).
 */
template ClipConst(n, hasMin, minValue, hasMax, maxValue) {
    assert(hasMin == 0 || hasMin == 1);
    assert(hasMax == 0 || hasMax == 1);
    var w = n;
    if (hasMin == 1 && fpSignedBits(minValue) > w) {
        w = fpSignedBits(minValue);
    }
    if (hasMax == 1 && fpSignedBits(maxValue) > w) {
        w = fpSignedBits(maxValue);
    }
    assert(w + 1 <= 250);
    signal input in;
    signal output out;

    component range = SignedRange(n);
    range.in <== in;

    signal lo;
    if (hasMin == 1) {
        component geMin = SignedRange(w + 1);
        geMin.in <== in - minValue;
        lo <== minValue + geMin.nonNegative * (in - minValue);
    } else {
        lo <== in;
    }

    if (hasMax == 1) {
        component leMax = SignedRange(w + 1);
        leMax.in <== maxValue - lo;
        out <== maxValue + leMax.nonNegative * (lo - maxValue);
    } else {
        out <== lo;
    }
}

/*
 * out = max(in[0..k-1]), every in[i] constrained to signed n bits.
 * Sound: out - in[i] in [0, 2^n) forces out >= in[i] for every i (the difference of the honest
 * max and any input is at most 2^n - 1, and an integer in [0, 2^n) cannot be a wrapped negative
 * number); prod_i (out - in[i]) === 0 in a field forces one factor to be zero, so out is one of
 * the inputs. An upper bound that is one of the inputs is the maximum. Cost: 2kn + k - 1.
 */
template MaxOf(k, n) {
    assert(k >= 1);
    assert(n >= 2 && n <= 249);
    signal input in[k];
    signal output out;

    var best = in[0];
    for (var i = 1; i < k; i++) {
        best = in[i] > best ? in[i] : best;
    }
    out <-- best;

    component range[k];
    component above[k];
    for (var i = 0; i < k; i++) {
        range[i] = SignedRange(n);
        range[i].in <== in[i];
        above[i] = Num2Bits(n);
        above[i].in <== out - in[i];
    }

    // prefix[i] = prod_{j <= i} (out - in[j]); the last one must be zero.
    signal prefix[k];
    prefix[0] <== out - in[0];
    for (var i = 1; i < k; i++) {
        prefix[i] <== prefix[i - 1] * (out - in[i]);
    }
    prefix[k - 1] === 0;
}

/*
 * out = index of the FIRST maximal in[i], every in[i] constrained to signed n bits.
 * Sound: MaxOf gives the constrained maximum; isMax[i] = IsZero(max - in[i]) is exact (IsZero is
 * sound: inv * x = 1 - isZero and x * isZero = 0 admit only the honest isZero). seen[i] counts the
 * maxima strictly before i (0 or 1 after the first), first[i] = isMax[i] * (1 - seen[i]) is 1
 * exactly at the first maximum, and out = sum i * first[i]. Nothing is left to the prover.
 * Cost: MaxOf(k, n) + 3k - 1 (IsZero is 2, first[0] is linear; k = 1 folds to MaxOf alone).
 */
template ArgMax(k, n) {
    signal input in[k];
    signal output out;

    component maximum = MaxOf(k, n);
    for (var i = 0; i < k; i++) {
        maximum.in[i] <== in[i];
    }

    component isMax[k];
    signal first[k];
    // seen[i] = 1 iff some j < i is a maximum (first is one-hot, so the running sum stays 0/1).
    signal seen[k + 1];
    seen[0] <== 0;
    var index = 0;
    for (var i = 0; i < k; i++) {
        isMax[i] = IsZero();
        isMax[i].in <== maximum.out - in[i];
        first[i] <== isMax[i].out * (1 - seen[i]);
        seen[i + 1] <== seen[i] + first[i];
        index += i * first[i];
    }
    // Exactly one first maximum (also implied by MaxOf; stated so the one-hot use is explicit).
    seen[k] === 1;
    out <== index;
}
