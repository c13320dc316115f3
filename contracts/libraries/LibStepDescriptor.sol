// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice One step of a quantized model as the one-step executor reads it (docs/semantics.md
///         section 11). Encoded as abi.encode(op, fractionBits, inputs, outShape, ints, table,
///         mapRoot, mapLength) by src/engine/commitment/step-descriptor.ts.
/// @dev `ints` layout per op (offsets point into the parameter vector of section 8):
///      linear [inFeatures, outFeatures, weightsOffset, biasOffset];
///      conv [geometry(15), outChannels, weightsOffset, biasOffset];
///      affine [inner, L, scaleOffset, shiftOffset]; addConst [inner, L, valuesOffset];
///      leakyRelu [alpha]; clip [hasMin, min, hasMax, max]; avgPool [geometry(15), countIncludePad];
///      maxPool [geometry(15)]; gather [padValue]; sigmoid, tanh [lo, hi, shiftBits, below, above];
///      softmax [groupSize, lo, hi, shiftBits, below, above]; add, sub, relu, reshape [];
///      mul, abs, sign, floor, ceil, round []; compare [kind]; compareConst [kind, constant]
///      (kind: less 0, lessOrEqual 1, greater 2, greaterOrEqual 3, equal 4);
///      pwl [lo, hi, shiftBits, below, above, belowSlope, aboveSlope];
///      reduce [kind, groupSize] (kind: sum 0, mean 1, max 2, min 3, l1 4, argmax 5, argmin 6, l2 7);
///      sqrt []; div []; reciprocal [numerator]; matmul [batch, rows, inner, cols].
///      geometry = [C, H, W, kh, kw, sh, sw, padTop, padLeft, padBottom, padRight, dh, dw, Ho, Wo].
///      `table` holds PWL values; `mapRoot` is the tensor root of the gather index map or of the
///      avgPool multipliers (`mapLength` values).
struct StepDescriptor {
    uint256 op;
    uint256 fractionBits;
    uint256[] inputs;
    uint256[] outShape;
    int256[] ints;
    int256[] table;
    bytes32 mapRoot;
    uint256 mapLength;
}

/// @title LibStepDescriptor
/// @notice Decoding, shape checks and the Merkle leaf of step descriptors.
library LibStepDescriptor {
    uint256 internal constant OP_LINEAR = 0;
    uint256 internal constant OP_CONV = 1;
    uint256 internal constant OP_AFFINE = 2;
    uint256 internal constant OP_ADD_CONST = 3;
    uint256 internal constant OP_ADD = 4;
    uint256 internal constant OP_SUB = 5;
    uint256 internal constant OP_RELU = 6;
    uint256 internal constant OP_LEAKY_RELU = 7;
    uint256 internal constant OP_CLIP = 8;
    uint256 internal constant OP_AVG_POOL = 9;
    uint256 internal constant OP_MAX_POOL = 10;
    uint256 internal constant OP_GATHER = 11;
    uint256 internal constant OP_RESHAPE = 12;
    uint256 internal constant OP_SIGMOID = 13;
    uint256 internal constant OP_TANH = 14;
    uint256 internal constant OP_SOFTMAX = 15;
    // issue 13 (appended; the codes above are unchanged)
    uint256 internal constant OP_MUL = 16;
    uint256 internal constant OP_ABS = 17;
    uint256 internal constant OP_SIGN = 18;
    uint256 internal constant OP_FLOOR = 19;
    uint256 internal constant OP_CEIL = 20;
    uint256 internal constant OP_ROUND = 21;
    uint256 internal constant OP_COMPARE = 22;
    uint256 internal constant OP_COMPARE_CONST = 23;
    uint256 internal constant OP_PWL = 24;
    uint256 internal constant OP_REDUCE = 25;
    uint256 internal constant OP_SQRT = 26;
    uint256 internal constant OP_DIV = 27;
    uint256 internal constant OP_RECIPROCAL = 28;
    uint256 internal constant OP_MATMUL = 29;
    uint256 internal constant OP_COUNT = 30;
    uint256 internal constant GEOMETRY_INTS = 15;

    /// @notice The descriptor does not have the fields its op needs.
    error LibStepDescriptor_Malformed(uint256 op, uint256 inputs, uint256 ints);

    /// @notice keccak256(abi.encode(uint256 index, keccak256(descriptor))): the step's leaf in stepsRoot.
    function leaf(uint256 _index, bytes memory _descriptor) internal pure returns (bytes32) {
        return keccak256(abi.encode(_index, keccak256(_descriptor)));
    }

    /// @notice Decodes a descriptor and checks the op code, the number of inputs and of ints.
    function decode(bytes memory _descriptor) internal pure returns (StepDescriptor memory d_) {
        (d_.op, d_.fractionBits, d_.inputs, d_.outShape, d_.ints, d_.table, d_.mapRoot, d_.mapLength) = abi.decode(
            _descriptor,
            (uint256, uint256, uint256[], uint256[], int256[], int256[], bytes32, uint256)
        );
        if (
            d_.op >= OP_COUNT ||
            d_.fractionBits == 0 ||
            d_.fractionBits > 64 ||
            d_.inputs.length != _inputCount(d_.op) ||
            d_.ints.length != _intCount(d_.op)
        ) {
            revert LibStepDescriptor_Malformed(d_.op, d_.inputs.length, d_.ints.length);
        }
    }

    /// @notice The number of values of the step's output (the product of outShape; 1 for a scalar).
    function outputLength(StepDescriptor memory _d) internal pure returns (uint256 length_) {
        length_ = 1;
        for (uint256 i; i < _d.outShape.length; ++i) length_ *= _d.outShape[i];
    }

    function _inputCount(uint256 _op) private pure returns (uint256) {
        return _op == OP_ADD || _op == OP_SUB || _op == OP_MUL || _op == OP_COMPARE || _op == OP_DIV || _op == OP_MATMUL ? 2 : 1;
    }

    function _intCount(uint256 _op) private pure returns (uint256) {
        if (_op == OP_LINEAR || _op == OP_AFFINE || _op == OP_CLIP || _op == OP_MATMUL) return 4;
        if (_op == OP_CONV) return GEOMETRY_INTS + 3;
        if (_op == OP_ADD_CONST) return 3;
        if (_op == OP_LEAKY_RELU || _op == OP_GATHER || _op == OP_COMPARE || _op == OP_RECIPROCAL) return 1;
        if (_op == OP_COMPARE_CONST || _op == OP_REDUCE) return 2;
        if (_op == OP_AVG_POOL) return GEOMETRY_INTS + 1;
        if (_op == OP_MAX_POOL) return GEOMETRY_INTS;
        if (_op == OP_SIGMOID || _op == OP_TANH) return 5;
        if (_op == OP_SOFTMAX) return 6;
        if (_op == OP_PWL) return 7;
        return 0;
    }
}
