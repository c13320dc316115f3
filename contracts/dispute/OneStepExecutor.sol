// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IOneStepExecutor} from "../interfaces/IOneStepExecutor.sol";
import {LibFixedPoint} from "../libraries/LibFixedPoint.sol";
import {LibStepDescriptor, StepDescriptor} from "../libraries/LibStepDescriptor.sol";
import {LibTensorRoot} from "../libraries/LibTensorRoot.sol";

/// @title OneStepExecutor
/// @notice Recomputes one output value of one step of a committed model with the exact integer
///         semantics of docs/semantics.md (section 11 describes the descriptor and the witness).
///         Every value it reads is first checked against a root: the descriptor against stepsRoot,
///         each input tensor's root against the trace root (a Merkle proof at its tensor's leaf),
///         input chunks against those roots, parameter chunks against parametersRoot, index-map /
///         multiplier chunks against the descriptor's mapRoot.
/// @dev Witness = abi.encode(bytes descriptor, bytes32[] descriptorProof, InputRoot[] inputRoots,
///      ChunkRead[] reads): inputRoots[s] is the root of input slot s (tensor d.inputs[s]) with its
///      proof against the trace root (traceDepth siblings, commitment format v3); each
///      read is a run of whole chunks [first, first + values.length / 16) of one source with the
///      range proof of LibTensorRoot.rangeRoot. A contiguous range of values an op reads (a weight
///      row, an input row, a softmax group) must lie in one read. The static bounds of section 6 are
///      off-chain refusals: here values are int256 and the arithmetic is exact; an honest trace stays
///      below 2^52, and values far outside (only in a dishonest trace) may revert with a Panic.
contract OneStepExecutor is IOneStepExecutor {
    using LibStepDescriptor for StepDescriptor;

    /// @notice Source code of a read from the parameter vector (parametersRoot).
    uint256 public constant SOURCE_PARAMETERS = 254;
    /// @notice Source code of a read from the step's index map or multipliers (descriptor mapRoot).
    uint256 public constant SOURCE_MAP = 255;
    /// @notice Input slots 0 .. inputs.length - 1 are sources 0 .. inputs.length - 1.
    uint256 internal constant CHUNK = 16;

    /// @notice A run of chunks of one source, with its range proof.
    struct ChunkRead {
        uint256 source;
        uint256 first;
        uint256 depth;
        int256[] values;
        bytes32[] siblings;
    }

    /// @notice The root of one input tensor of the step, with its proof against the trace root.
    struct InputRoot {
        bytes32 root;
        bytes32[] siblings;
    }

    /// @notice The witness does not carry one proven root per input slot of the step.
    error OneStepExecutor_InputRootCount(uint256 count, uint256 expected);
    /// @notice The root of input slot `slot` (tensor `tensor`) is not that leaf of the trace root.
    error OneStepExecutor_BadInputRootProof(uint256 slot, uint256 tensor);
    /// @notice The descriptor is not step `stepIndex` under the given steps root.
    error OneStepExecutor_BadDescriptorProof(uint256 stepIndex);
    /// @notice The descriptor names an input tensor that is not before the step.
    error OneStepExecutor_BadInputTensor(uint256 tensor, uint256 stepIndex);
    /// @notice A read names a source the step does not have.
    error OneStepExecutor_UnknownSource(uint256 source);
    /// @notice A read's chunks do not hash, with its siblings, to the root of its source.
    error OneStepExecutor_BadChunkProof(uint256 source, uint256 first);
    /// @notice The witness lacks a value the computation needs (source, flat index, count).
    error OneStepExecutor_MissingValues(uint256 source, uint256 index, uint256 count);
    /// @notice A max-pool window with no real tap (not produced by the importer).
    error OneStepExecutor_EmptyWindow(uint256 element);

    /// @inheritdoc IOneStepExecutor
    function stepOutputLength(
        bytes32 _stepsRoot,
        uint256 _stepIndex,
        bytes calldata _descriptor,
        bytes32[] calldata _descriptorProof
    ) external pure returns (uint256 length_) {
        return _checkedDescriptor(_stepsRoot, _stepIndex, _descriptor, _descriptorProof).outputLength();
    }

    /// @inheritdoc IOneStepExecutor
    function executeElement(
        bytes32 _stepsRoot,
        bytes32 _parametersRoot,
        bytes32 _traceRoot,
        uint256 _traceDepth,
        uint256 _stepIndex,
        uint256 _element,
        bytes calldata _witness
    ) external pure returns (int256 value_) {
        (bytes memory descriptor, bytes32[] memory proof, InputRoot[] memory inputRoots, ChunkRead[] memory reads) =
            abi.decode(_witness, (bytes, bytes32[], InputRoot[], ChunkRead[]));
        StepDescriptor memory d = _checkedDescriptor(_stepsRoot, _stepIndex, descriptor, proof);
        if (_element >= d.outputLength()) return 0;
        bytes32[] memory roots = _checkedInputRoots(d, inputRoots, _traceRoot, _traceDepth, _stepIndex);
        for (uint256 r; r < reads.length; ++r) {
            _verifyRead(reads[r], _sourceRoot(d, reads[r].source, _parametersRoot, roots));
        }
        return _execute(d, _element, reads);
    }

    // ---------------------------------------------------------------- checks

    function _checkedDescriptor(
        bytes32 _stepsRoot,
        uint256 _stepIndex,
        bytes memory _descriptor,
        bytes32[] memory _proof
    ) private pure returns (StepDescriptor memory) {
        bytes32 leaf = LibStepDescriptor.leaf(_stepIndex, _descriptor);
        if (!LibTensorRoot.verifyLeaf(_stepsRoot, _stepIndex, leaf, _proof)) {
            revert OneStepExecutor_BadDescriptorProof(_stepIndex);
        }
        return LibStepDescriptor.decode(_descriptor);
    }

    /// @dev The root of every input slot, each proven to be leaf d.inputs[s] of the trace tree,
    ///      which must be at or before the step's own input position (a step reads the model input
    ///      and earlier steps' outputs only: leaf stepIndex + 1 is the step's own output).
    function _checkedInputRoots(
        StepDescriptor memory _d,
        InputRoot[] memory _inputRoots,
        bytes32 _traceRoot,
        uint256 _traceDepth,
        uint256 _stepIndex
    ) private pure returns (bytes32[] memory roots_) {
        if (_inputRoots.length != _d.inputs.length) {
            revert OneStepExecutor_InputRootCount(_inputRoots.length, _d.inputs.length);
        }
        roots_ = new bytes32[](_inputRoots.length);
        for (uint256 s; s < _inputRoots.length; ++s) {
            uint256 tensor = _d.inputs[s];
            // INVARIANT: a step reads only the input and earlier steps' outputs.
            if (tensor > _stepIndex) revert OneStepExecutor_BadInputTensor(tensor, _stepIndex);
            // INVARIANT: an input root is the defender's own leaf, at the full depth of its trace tree.
            bytes32[] memory siblings = _inputRoots[s].siblings;
            if (siblings.length != _traceDepth || !LibTensorRoot.verifyLeaf(_traceRoot, tensor, _inputRoots[s].root, siblings)) {
                revert OneStepExecutor_BadInputRootProof(s, tensor);
            }
            roots_[s] = _inputRoots[s].root;
        }
    }

    function _sourceRoot(
        StepDescriptor memory _d,
        uint256 _source,
        bytes32 _parametersRoot,
        bytes32[] memory _inputRoots
    ) private pure returns (bytes32) {
        if (_source == SOURCE_PARAMETERS) return _parametersRoot;
        if (_source == SOURCE_MAP) return _d.mapRoot;
        if (_source < _d.inputs.length) return _inputRoots[_source];
        revert OneStepExecutor_UnknownSource(_source);
    }

    function _verifyRead(ChunkRead memory _read, bytes32 _root) private pure {
        uint256 count = _read.values.length / CHUNK;
        if (count == 0 || _read.values.length % CHUNK != 0 || _read.first > type(uint64).max) {
            revert OneStepExecutor_BadChunkProof(_read.source, _read.first);
        }
        bytes32[] memory leaves = new bytes32[](count);
        for (uint256 c; c < count; ++c) leaves[c] = LibTensorRoot.chunkLeafAt(_read.values, c, _read.first + c);
        (bool ok, bytes32 root) = LibTensorRoot.rangeRoot(leaves, _read.first, _read.depth, _read.siblings);
        if (!ok || root != _root) revert OneStepExecutor_BadChunkProof(_read.source, _read.first);
    }

    // ---------------------------------------------------------------- reading verified values

    /// @dev The read holding values [_start, _start + _count) of `_source`, and the index of _start in it.
    function _span(
        ChunkRead[] memory _reads,
        uint256 _source,
        uint256 _start,
        uint256 _count
    ) private pure returns (int256[] memory values_, uint256 at_) {
        for (uint256 r; r < _reads.length; ++r) {
            ChunkRead memory read = _reads[r];
            uint256 base = read.first * CHUNK;
            if (read.source == _source && _start >= base && _start + _count <= base + read.values.length) {
                return (read.values, _start - base);
            }
        }
        revert OneStepExecutor_MissingValues(_source, _start, _count);
    }

    function _value(ChunkRead[] memory _reads, uint256 _source, uint256 _index) private pure returns (int256) {
        (int256[] memory values, uint256 offset) = _span(_reads, _source, _index, 1);
        return values[offset];
    }

    // ---------------------------------------------------------------- the ops (docs/semantics.md section 3)

    function _execute(StepDescriptor memory _d, uint256 _e, ChunkRead[] memory _reads) private pure returns (int256) {
        uint256 op = _d.op;
        if (op == LibStepDescriptor.OP_LINEAR) return _linear(_d, _e, _reads);
        if (op == LibStepDescriptor.OP_CONV) return _conv(_d, _e, _reads);
        if (op == LibStepDescriptor.OP_AVG_POOL || op == LibStepDescriptor.OP_MAX_POOL) return _pool(_d, _e, _reads);
        if (op == LibStepDescriptor.OP_SOFTMAX) return _softmax(_d, _e, _reads);
        if (op == LibStepDescriptor.OP_REDUCE) return _reduce(_d, _e, _reads);
        if (op == LibStepDescriptor.OP_MATMUL) return _matmul(_d, _e, _reads);
        if (op == LibStepDescriptor.OP_GATHER) {
            int256 index = _value(_reads, SOURCE_MAP, _e);
            return index >= 0 ? _value(_reads, 0, uint256(index)) : _d.ints[0];
        }
        int256 x = _value(_reads, 0, _e);
        if (op == LibStepDescriptor.OP_AFFINE) {
            uint256 p = (_e / uint256(_d.ints[0])) % uint256(_d.ints[1]);
            int256 scale = _value(_reads, SOURCE_PARAMETERS, uint256(_d.ints[2]) + p);
            int256 shift = _value(_reads, SOURCE_PARAMETERS, uint256(_d.ints[3]) + p);
            return LibFixedPoint.rescale(x * scale + shift, _d.fractionBits);
        }
        if (op == LibStepDescriptor.OP_ADD_CONST) {
            uint256 p = (_e / uint256(_d.ints[0])) % uint256(_d.ints[1]);
            return x + _value(_reads, SOURCE_PARAMETERS, uint256(_d.ints[2]) + p);
        }
        if (op == LibStepDescriptor.OP_ADD) return x + _value(_reads, 1, _e);
        if (op == LibStepDescriptor.OP_SUB) return x - _value(_reads, 1, _e);
        if (op == LibStepDescriptor.OP_RELU) return x > 0 ? x : int256(0);
        if (op == LibStepDescriptor.OP_LEAKY_RELU) return x >= 0 ? x : LibFixedPoint.rescale(x * _d.ints[0], _d.fractionBits);
        if (op == LibStepDescriptor.OP_CLIP) {
            if (_d.ints[0] != 0 && x < _d.ints[1]) x = _d.ints[1];
            if (_d.ints[2] != 0 && x > _d.ints[3]) x = _d.ints[3];
            return x;
        }
        if (op == LibStepDescriptor.OP_RESHAPE) return x;
        if (op >= LibStepDescriptor.OP_MUL && op <= LibStepDescriptor.OP_COMPARE_CONST) return _elementwise(_d, _e, x, _reads);
        if (op == LibStepDescriptor.OP_SQRT) return _x2sqrt(x, _d.fractionBits);
        // section 3.5: b == 0 ? 0 : floor(a 2^F / b)
        if (op == LibStepDescriptor.OP_DIV) return _divide(x, _value(_reads, 1, _e), _d.fractionBits);
        if (op == LibStepDescriptor.OP_RECIPROCAL) return _divide(_d.ints[0], x, _d.fractionBits);
        if (op == LibStepDescriptor.OP_PWL) {
            // outside the table: rescale(x * slope, F) + value (docs/semantics.md section 4.1)
            if (x < _d.ints[0]) return LibFixedPoint.rescale(x * _d.ints[5], _d.fractionBits) + _d.ints[3];
            if (x >= _d.ints[1]) return LibFixedPoint.rescale(x * _d.ints[6], _d.fractionBits) + _d.ints[4];
            return LibFixedPoint.pwl(x, _d.ints, 0, _d.table);
        }
        // sigmoid, tanh (decode() admits no other op code)
        return LibFixedPoint.pwl(x, _d.ints, 0, _d.table);
    }

    /// @dev The exact integer elementwise ops of docs/semantics.md section 3.2 (issue 13).
    function _elementwise(StepDescriptor memory _d, uint256 _e, int256 _x, ChunkRead[] memory _reads) private pure returns (int256) {
        uint256 op = _d.op;
        uint256 f = _d.fractionBits;
        int256 unit = int256(uint256(1) << f);
        if (op == LibStepDescriptor.OP_MUL) return LibFixedPoint.rescale(_x * _value(_reads, 1, _e), f);
        if (op == LibStepDescriptor.OP_ABS) return _x < 0 ? -_x : _x;
        if (op == LibStepDescriptor.OP_SIGN) return _x > 0 ? unit : (_x < 0 ? -unit : int256(0));
        if (op == LibStepDescriptor.OP_FLOOR) return (_x >> f) << f;
        if (op == LibStepDescriptor.OP_CEIL) return -(((-_x) >> f) << f);
        if (op == LibStepDescriptor.OP_ROUND) {
            int256 low = (_x >> f) << f;
            int256 rest = _x - low;
            int256 half = unit >> 1;
            bool lowIsOdd = ((_x >> f) & 1) == 1;
            return rest > half || (rest == half && lowIsOdd) ? low + unit : low;
        }
        int256 other = op == LibStepDescriptor.OP_COMPARE ? _value(_reads, 1, _e) : _d.ints[1];
        return _compare(_d.ints[0], _x, other) ? unit : int256(0);
    }

    /// @dev kind: less 0, lessOrEqual 1, greater 2, greaterOrEqual 3, equal 4 (anything else: equal).
    function _compare(int256 _kind, int256 _a, int256 _b) private pure returns (bool) {
        if (_kind == 0) return _a < _b;
        if (_kind == 1) return _a <= _b;
        if (_kind == 2) return _a > _b;
        if (_kind == 3) return _a >= _b;
        return _a == _b;
    }

    /// @dev y = rescale(b_j + sum_k W_jk x_{r,k}, F) for element e = r * outFeatures + j.
    function _linear(StepDescriptor memory _d, uint256 _e, ChunkRead[] memory _reads) private pure returns (int256) {
        uint256 k = uint256(_d.ints[0]);
        uint256 n = uint256(_d.ints[1]);
        uint256 j = _e % n;
        (int256[] memory x, uint256 xAt) = _span(_reads, 0, (_e / n) * k, k);
        (int256[] memory w, uint256 wAt) = _span(_reads, SOURCE_PARAMETERS, uint256(_d.ints[2]) + j * k, k);
        int256 acc = _value(_reads, SOURCE_PARAMETERS, uint256(_d.ints[3]) + j);
        for (uint256 i; i < k; ++i) acc += w[wAt + i] * x[xAt + i];
        return LibFixedPoint.rescale(acc, _d.fractionBits);
    }

    /// @dev Window geometry of ints[0..15): [C, H, W, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, Ho, Wo].
    ///      Returns the flat input index of tap (c, i, j) at output (oh, ow), or type(uint256).max if padded.
    function _tap(int256[] memory _g, uint256 _c, uint256 _oh, uint256 _ow, uint256 _i, uint256 _j) private pure returns (uint256) {
        int256 h = int256(_oh) * _g[5] - _g[7] + int256(_i) * _g[11];
        int256 w = int256(_ow) * _g[6] - _g[8] + int256(_j) * _g[12];
        if (h < 0 || w < 0 || h >= _g[1] || w >= _g[2]) return type(uint256).max;
        return (_c * uint256(_g[1]) + uint256(h)) * uint256(_g[2]) + uint256(w);
    }

    /// @dev Element e = (oc, oh, ow): rescale(b_oc + sum over real taps of W[oc, c, i, j] x[c, h, w], F).
    function _conv(StepDescriptor memory _d, uint256 _e, ChunkRead[] memory _reads) private pure returns (int256) {
        int256[] memory g = _d.ints;
        uint256 positions = uint256(g[13]) * uint256(g[14]);
        uint256 oc = _e / positions;
        uint256 oh = (_e % positions) / uint256(g[14]);
        uint256 ow = _e % uint256(g[14]);
        uint256 kh = uint256(g[3]);
        uint256 kw = uint256(g[4]);
        uint256 cols = uint256(g[0]) * kh * kw;
        (int256[] memory w, uint256 wAt) = _span(_reads, SOURCE_PARAMETERS, uint256(g[16]) + oc * cols, cols);
        int256 acc = _value(_reads, SOURCE_PARAMETERS, uint256(g[17]) + oc);
        for (uint256 c; c < uint256(g[0]); ++c) {
            for (uint256 i; i < kh; ++i) {
                for (uint256 j; j < kw; ++j) {
                    uint256 src = _tap(g, c, oh, ow, i, j);
                    if (src != type(uint256).max) acc += w[wAt + (c * kh + i) * kw + j] * _value(_reads, 0, src);
                }
            }
        }
        return LibFixedPoint.rescale(acc, _d.fractionBits);
    }

    /// @dev Element e = (c, oh, ow): max over the real taps, or rescale(sum * multiplier[oh * Wo + ow], F).
    function _pool(StepDescriptor memory _d, uint256 _e, ChunkRead[] memory _reads) private pure returns (int256) {
        int256[] memory g = _d.ints;
        uint256 positions = uint256(g[13]) * uint256(g[14]);
        uint256 c = _e / positions;
        uint256 oh = (_e % positions) / uint256(g[14]);
        uint256 ow = _e % uint256(g[14]);
        bool isMax = _d.op == LibStepDescriptor.OP_MAX_POOL;
        bool any;
        int256 acc;
        for (uint256 i; i < uint256(g[3]); ++i) {
            for (uint256 j; j < uint256(g[4]); ++j) {
                uint256 src = _tap(g, c, oh, ow, i, j);
                if (src == type(uint256).max) continue;
                int256 x = _value(_reads, 0, src);
                if (!isMax) acc += x;
                else if (!any || x > acc) acc = x;
                any = true;
            }
        }
        if (isMax) {
            if (!any) revert OneStepExecutor_EmptyWindow(_e);
            return acc;
        }
        return LibFixedPoint.rescale(acc * _value(_reads, SOURCE_MAP, _e % positions), _d.fractionBits);
    }

    /// @dev m = max of the group, e_i = PWL_exp(x_i - m), S = sum e_i, y = floor(e * 2^F / S).
    function _softmax(StepDescriptor memory _d, uint256 _e, ChunkRead[] memory _reads) private pure returns (int256) {
        uint256 size = uint256(_d.ints[0]);
        (int256[] memory x, uint256 xAt) = _span(_reads, 0, (_e / size) * size, size);
        int256 m = x[xAt];
        for (uint256 i = 1; i < size; ++i) if (x[xAt + i] > m) m = x[xAt + i];
        int256 sum;
        int256 mine;
        for (uint256 i; i < size; ++i) {
            int256 v = LibFixedPoint.pwl(x[xAt + i] - m, _d.ints, 1, _d.table);
            sum += v;
            if (i == _e % size) mine = v;
        }
        // e_i >= 0 and S >= 2^F > 0 for the stored exp table, so `/` (truncation) is floor here.
        return (mine << _d.fractionBits) / sum;
    }

    /// @dev Group e of groupSize consecutive values (docs/semantics.md section 3.3): kind sum 0,
    ///      mean 1 (floor((s + floor(n/2)) / n)), max 2, min 3, l1 4, argmax 5, argmin 6 (first
    ///      index on a tie, times 2^F), l2 7 (isqrt of the sum of squares); any other kind is malformed.
    function _reduce(StepDescriptor memory _d, uint256 _e, ChunkRead[] memory _reads) private pure returns (int256) {
        int256 kind = _d.ints[0];
        uint256 size = uint256(_d.ints[1]);
        if (size == 0 || kind < 0 || kind > 7) revert LibStepDescriptor.LibStepDescriptor_Malformed(_d.op, _d.inputs.length, _d.ints.length);
        (int256[] memory x, uint256 xAt) = _span(_reads, 0, _e * size, size);
        if (kind == 0 || kind == 1 || kind == 4) {
            int256 sum;
            for (uint256 i; i < size; ++i) sum += kind == 4 && x[xAt + i] < 0 ? -x[xAt + i] : x[xAt + i];
            return kind == 1 ? _floorDiv(sum + int256(size / 2), int256(size)) : sum;
        }
        if (kind == 7) {
            int256 squares;
            for (uint256 i; i < size; ++i) squares += x[xAt + i] * x[xAt + i];
            return int256(_isqrt(uint256(squares)));
        }
        bool isMax = kind == 2 || kind == 5;
        int256 best = x[xAt];
        uint256 at;
        for (uint256 i = 1; i < size; ++i) {
            int256 v = x[xAt + i];
            // strict: the first index wins a tie (ONNX select_last_index = 0)
            if (isMax ? v > best : v < best) {
                best = v;
                at = i;
            }
        }
        return kind <= 3 ? best : int256(at << _d.fractionBits);
    }

    /// @dev MatMul of two activations (docs/semantics.md section 3.7): e = (b, m, n) reads row (b, m)
    ///      of the left operand and row (b, n) of the transposed right operand, both [.., inner].
    function _matmul(StepDescriptor memory _d, uint256 _e, ChunkRead[] memory _reads) private pure returns (int256) {
        uint256 rows = uint256(_d.ints[1]);
        uint256 inner = uint256(_d.ints[2]);
        uint256 cols = uint256(_d.ints[3]);
        uint256 b = _e / (rows * cols);
        (int256[] memory a, uint256 aAt) = _span(_reads, 0, (b * rows + (_e / cols) % rows) * inner, inner);
        (int256[] memory t, uint256 tAt) = _span(_reads, 1, (b * cols + _e % cols) * inner, inner);
        int256 acc;
        for (uint256 k; k < inner; ++k) acc += a[aAt + k] * t[tAt + k];
        return LibFixedPoint.rescale(acc, _d.fractionBits);
    }

    /// @dev Sqrt (docs/semantics.md section 3.4): floor(sqrt(x * 2^F)), 0 for x <= 0.
    function _x2sqrt(int256 _x, uint256 _f) private pure returns (int256) {
        return _x <= 0 ? int256(0) : int256(_isqrt(uint256(_x) << _f));
    }

    /// @dev floor(sqrt(a)) by Newton's method from above (exact for every uint256).
    function _isqrt(uint256 _a) private pure returns (uint256 x_) {
        if (_a < 2) return _a;
        x_ = _a;
        uint256 y = (x_ >> 1) + (x_ & 1);
        while (y < x_) {
            x_ = y;
            y = (x_ + _a / x_) >> 1;
        }
    }

    /// @dev Division of fixed-point values (docs/semantics.md section 3.5): 0 for a zero divisor.
    function _divide(int256 _a, int256 _b, uint256 _f) private pure returns (int256) {
        return _b == 0 ? int256(0) : _floorDiv(_a * int256(uint256(1) << _f), _b);
    }

    /// @dev floor(a / n) for n != 0 (Solidity's `/` truncates toward zero).
    function _floorDiv(int256 _a, int256 _n) private pure returns (int256 q_) {
        q_ = _a / _n;
        if (_a % _n != 0 && ((_a < 0) != (_n < 0))) q_ -= 1;
    }
}
