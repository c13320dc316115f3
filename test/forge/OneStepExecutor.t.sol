// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {OneStepExecutor} from "../../contracts/dispute/OneStepExecutor.sol";
import {LibStepDescriptor} from "../../contracts/libraries/LibStepDescriptor.sol";
import {LibTensorRoot} from "../../contracts/libraries/LibTensorRoot.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev The one-step fixtures of scripts/forge-fixtures.ts (test/forge/fixtures/one-step): three tiny
///      models whose steps cover every op, evaluated by the TypeScript engine, with, per step, a few
///      elements, the evaluator's value of each and the witness the TypeScript side builds for it.
abstract contract OneStepExecutor_TestInit is TestBase {
    /// @notice One element of one step: the evaluator's value and its witness.
    struct Case {
        uint256 step;
        uint256 op;
        uint256 element;
        uint256 outputLength;
        int256 value;
        bytes witness;
    }

    struct Fixture {
        string model;
        bytes32 stepsRoot;
        bytes32 parametersRoot;
        bytes32 traceRoot;
        uint256 traceDepth;
        bytes32[] tensorRoots;
        Case[] cases;
    }

    /// @notice The witness as the executor decodes it.
    struct Witness {
        bytes descriptor;
        bytes32[] descriptorProof;
        OneStepExecutor.InputRoot[] inputRoots;
        OneStepExecutor.ChunkRead[] reads;
    }

    string internal constant CASE_TYPE =
        "Case(uint256 step,uint256 op,uint256 element,uint256 outputLength,int256 value,bytes witness)";
    uint256 internal constant FIXTURE_COUNT = 8;
    uint256 internal constant SOURCE_PARAMETERS = 254;
    uint256 internal constant SOURCE_MAP = 255;

    OneStepExecutor internal executor;

    function setUp() public virtual {
        executor = new OneStepExecutor();
    }

    function _modelName(uint256 _index) internal pure returns (string memory) {
        if (_index == 0) return "hand-elementwise";
        if (_index == 1) return "hand-pooling";
        if (_index == 2) return "hand-conv";
        if (_index == 3) return "hand-integer-elementwise";
        if (_index == 4) return "hand-reductions";
        if (_index == 5) return "hand-sqrt";
        if (_index == 6) return "hand-division";
        return "hand-attention";
    }

    function _fixture(uint256 _index) internal view returns (Fixture memory f_) {
        f_.model = _modelName(_index);
        string memory json =
            vm.readFile(string.concat(vm.projectRoot(), "/test/forge/fixtures/one-step/", f_.model, ".json"));
        f_.stepsRoot = vm.parseJsonBytes32(json, ".stepsRoot");
        f_.parametersRoot = vm.parseJsonBytes32(json, ".parametersRoot");
        f_.traceRoot = vm.parseJsonBytes32(json, ".traceRoot");
        f_.traceDepth = vm.parseJsonUint(json, ".traceDepth");
        f_.tensorRoots = vm.parseJsonBytes32Array(json, ".tensorRoots");
        f_.cases = abi.decode(vm.parseJsonTypeArray(json, ".cases", CASE_TYPE), (Case[]));
    }

    function _execute(Fixture memory _f, Case memory _c, bytes memory _witness) internal view returns (int256) {
        return executor.executeElement(
            _f.stepsRoot, _f.parametersRoot, _f.traceRoot, _f.traceDepth, _c.step, _c.element, _witness
        );
    }

    function _decode(bytes memory _witness) internal pure returns (Witness memory w_) {
        (w_.descriptor, w_.descriptorProof, w_.inputRoots, w_.reads) = abi.decode(
            _witness, (bytes, bytes32[], OneStepExecutor.InputRoot[], OneStepExecutor.ChunkRead[])
        );
    }

    function _encode(Witness memory _w) internal pure returns (bytes memory) {
        return abi.encode(_w.descriptor, _w.descriptorProof, _w.inputRoots, _w.reads);
    }

    function _label(Fixture memory _f, Case memory _c) internal pure returns (string memory) {
        return string.concat(_f.model, " step ", vm.toString(_c.step), " element ", vm.toString(_c.element));
    }

    /// @dev Every case of op `_op` in every fixture returns the evaluator's value; returns how many.
    function _checkOp(uint256 _op) internal view returns (uint256 checked_) {
        for (uint256 m; m < FIXTURE_COUNT; ++m) {
            Fixture memory f = _fixture(m);
            for (uint256 i; i < f.cases.length; ++i) {
                Case memory c = f.cases[i];
                if (c.op != _op) continue;
                vm.assertEq(_execute(f, c, c.witness), c.value, _label(f, c));
                ++checked_;
            }
        }
        vm.assertGe(checked_, 2, "the fixtures hold cases of this op");
    }

    /// @dev A case with at least one read (inside the output), chosen by `_seed` over all fixtures.
    function _caseWithReads(uint256 _seed) internal view returns (Fixture memory f_, Case memory c_) {
        f_ = _fixture(_seed % FIXTURE_COUNT);
        uint256 start = (_seed / FIXTURE_COUNT) % f_.cases.length;
        for (uint256 k; k < f_.cases.length; ++k) {
            c_ = f_.cases[(start + k) % f_.cases.length];
            if (c_.element < c_.outputLength) return (f_, c_);
        }
        revert("no case with reads");
    }

    /// @dev The first case of op `_op` in fixture `_index` at element `_element`.
    function _caseOf(uint256 _index, uint256 _op, uint256 _element) internal view returns (Fixture memory f_, Case memory c_) {
        f_ = _fixture(_index);
        for (uint256 i; i < f_.cases.length; ++i) {
            if (f_.cases[i].op == _op && f_.cases[i].element == _element) return (f_, f_.cases[i]);
        }
        revert("no such case");
    }
}

/// @notice The fixtures themselves: the TypeScript trace tree is the Solidity one, and every op is covered.
contract OneStepExecutor_Fixtures_Test is OneStepExecutor_TestInit {
    function test_fixtures_traceRootIsTheTreeOfTheTensorRoots() public view {
        for (uint256 m; m < FIXTURE_COUNT; ++m) {
            Fixture memory f = _fixture(m);
            vm.assertEq(LibTensorRoot.rootFromLeaves(f.tensorRoots), f.traceRoot, f.model);
            vm.assertEq(LibTensorRoot.depthOf(f.tensorRoots.length), f.traceDepth, f.model);
        }
    }

    function test_fixtures_coverEveryOp() public view {
        bool[] memory seen = new bool[](LibStepDescriptor.OP_COUNT);
        for (uint256 m; m < FIXTURE_COUNT; ++m) {
            Case[] memory cases = _fixture(m).cases;
            for (uint256 i; i < cases.length; ++i) seen[cases[i].op] = true;
        }
        for (uint256 op; op < seen.length; ++op) vm.assertTrue(seen[op], string.concat("op ", vm.toString(op)));
    }
}

contract OneStepExecutor_StepOutputLength_Test is OneStepExecutor_TestInit {
    function test_stepOutputLength_everyCommittedStep_isItsOutputLength() public view {
        for (uint256 m; m < FIXTURE_COUNT; ++m) {
            Fixture memory f = _fixture(m);
            for (uint256 i; i < f.cases.length; ++i) {
                Witness memory w = _decode(f.cases[i].witness);
                uint256 length = executor.stepOutputLength(f.stepsRoot, f.cases[i].step, w.descriptor, w.descriptorProof);
                vm.assertEq(length, f.cases[i].outputLength, _label(f, f.cases[i]));
            }
        }
    }

    function testFuzz_stepOutputLength_anotherStepIndex_reverts(uint256 _step) public {
        Fixture memory f = _fixture(1);
        Case memory c = f.cases[0];
        vm.assume(_step != c.step);
        Witness memory w = _decode(c.witness);
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_BadDescriptorProof.selector, _step));
        executor.stepOutputLength(f.stepsRoot, _step, w.descriptor, w.descriptorProof);
    }

    function test_stepOutputLength_descriptorEdited_reverts() public {
        Fixture memory f = _fixture(1);
        Case memory c = f.cases[3];
        Witness memory w = _decode(c.witness);
        w.descriptor[w.descriptor.length - 1] ^= 0x01;
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_BadDescriptorProof.selector, c.step));
        executor.stepOutputLength(f.stepsRoot, c.step, w.descriptor, w.descriptorProof);
    }

    function test_stepOutputLength_anotherModelsStepsRoot_reverts() public {
        Fixture memory f = _fixture(1);
        Case memory c = f.cases[0];
        Witness memory w = _decode(c.witness);
        bytes32 other = _fixture(0).stepsRoot;
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_BadDescriptorProof.selector, c.step));
        executor.stepOutputLength(other, c.step, w.descriptor, w.descriptorProof);
    }
}

/// @notice Correct steps with correct witnesses: per op, the executor returns exactly the value the
///         TypeScript evaluator computed (and 0 past the end of the output).
contract OneStepExecutor_ExecuteElement_Ops_Test is OneStepExecutor_TestInit {
    function test_executeElement_linear_returnsTheEvaluatorValue() public view {
        _checkOp(LibStepDescriptor.OP_LINEAR);
    }

    function test_executeElement_conv_returnsTheEvaluatorValue() public view {
        _checkOp(LibStepDescriptor.OP_CONV);
    }

    function test_executeElement_affine_returnsTheEvaluatorValue() public view {
        _checkOp(LibStepDescriptor.OP_AFFINE);
    }

    function test_executeElement_addConst_returnsTheEvaluatorValue() public view {
        _checkOp(LibStepDescriptor.OP_ADD_CONST);
    }

    function test_executeElement_add_returnsTheEvaluatorValue() public view {
        _checkOp(LibStepDescriptor.OP_ADD);
    }

    function test_executeElement_sub_returnsTheEvaluatorValue() public view {
        _checkOp(LibStepDescriptor.OP_SUB);
    }

    function test_executeElement_relu_returnsTheEvaluatorValue() public view {
        _checkOp(LibStepDescriptor.OP_RELU);
    }

    function test_executeElement_leakyRelu_returnsTheEvaluatorValue() public view {
        _checkOp(LibStepDescriptor.OP_LEAKY_RELU);
    }

    function test_executeElement_clip_returnsTheEvaluatorValue() public view {
        _checkOp(LibStepDescriptor.OP_CLIP);
    }

    function test_executeElement_avgPool_returnsTheEvaluatorValue() public view {
        _checkOp(LibStepDescriptor.OP_AVG_POOL);
    }

    function test_executeElement_maxPool_returnsTheEvaluatorValue() public view {
        _checkOp(LibStepDescriptor.OP_MAX_POOL);
    }

    function test_executeElement_gather_returnsTheEvaluatorValue() public view {
        _checkOp(LibStepDescriptor.OP_GATHER);
    }

    function test_executeElement_reshape_returnsTheEvaluatorValue() public view {
        _checkOp(LibStepDescriptor.OP_RESHAPE);
    }

    function test_executeElement_sigmoid_returnsTheEvaluatorValue() public view {
        _checkOp(LibStepDescriptor.OP_SIGMOID);
    }

    function test_executeElement_tanh_returnsTheEvaluatorValue() public view {
        _checkOp(LibStepDescriptor.OP_TANH);
    }

    function test_executeElement_softmax_returnsTheEvaluatorValue() public view {
        _checkOp(LibStepDescriptor.OP_SOFTMAX);
    }

    function test_executeElement_gatherPadding_returnsThePadValue() public view {
        (Fixture memory f, Case memory c) = _caseOf(1, LibStepDescriptor.OP_GATHER, 0); // Pad: row 0 is padding
        Witness memory w = _decode(c.witness);
        vm.assertEq(w.reads.length, 1, "only the index map is read");
        vm.assertEq(w.reads[0].source, SOURCE_MAP, "the map");
        vm.assertEq(_execute(f, c, c.witness), c.value, "the pad value");
    }

    function test_executeElement_pastTheOutput_returnsZeroWithTheDescriptorOnly() public view {
        uint256 checked;
        for (uint256 m; m < FIXTURE_COUNT; ++m) {
            Fixture memory f = _fixture(m);
            for (uint256 i; i < f.cases.length; ++i) {
                Case memory c = f.cases[i];
                if (c.element < c.outputLength) continue;
                Witness memory w = _decode(c.witness);
                vm.assertEq(w.reads.length + w.inputRoots.length, 0, "no reads past the end");
                vm.assertEq(_execute(f, c, c.witness), 0, _label(f, c));
                ++checked;
            }
        }
        vm.assertGe(checked, 2, "cases past the end");
    }
}

/// @notice Witnesses that are wrong in one place: each is refused with the error naming it, so the
///         executor never returns a value computed from unchecked data. Each fuzz run draws one case
///         of the fixtures (and what to change in it), so fewer runs than the default cover them.
/// forge-config: default.fuzz.runs = 64
contract OneStepExecutor_ExecuteElement_Witness_Test is OneStepExecutor_TestInit {
    function testFuzz_executeElement_readValueChanged_reverts(uint256 _seed, uint256 _read, uint256 _at, int256 _delta)
        public
    {
        vm.assume(_delta != 0 && _delta > type(int256).min / 2 && _delta < type(int256).max / 2);
        (Fixture memory f, Case memory c) = _caseWithReads(_seed);
        Witness memory w = _decode(c.witness);
        OneStepExecutor.ChunkRead memory read = w.reads[_read % w.reads.length];
        read.values[_at % read.values.length] += _delta;
        vm.expectRevert(
            abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_BadChunkProof.selector, read.source, read.first)
        );
        this.executeElement(f, c, _encode(w));
    }

    function testFuzz_executeElement_readPresentedAtAnotherChunkIndex_reverts(uint256 _seed, uint256 _read, uint256 _first)
        public
    {
        (Fixture memory f, Case memory c) = _caseWithReads(_seed);
        Witness memory w = _decode(c.witness);
        OneStepExecutor.ChunkRead memory read = w.reads[_read % w.reads.length];
        uint256 first = _bound(_first, 0, 64);
        vm.assume(first != read.first);
        read.first = first;
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_BadChunkProof.selector, read.source, first));
        this.executeElement(f, c, _encode(w));
    }

    function testFuzz_executeElement_readLeftOut_reverts(uint256 _seed, uint256 _read) public view {
        (Fixture memory f, Case memory c) = _caseWithReads(_seed);
        Witness memory w = _decode(c.witness);
        uint256 dropped = _read % w.reads.length;
        OneStepExecutor.ChunkRead[] memory kept = new OneStepExecutor.ChunkRead[](w.reads.length - 1);
        for (uint256 r; r < kept.length; ++r) kept[r] = w.reads[r < dropped ? r : r + 1];
        w.reads = kept;
        // the arguments (source, index, count) depend on the op: the error is checked by selector
        try this.executeElement(f, c, _encode(w)) returns (int256 value) {
            revert(string.concat("accepted without a read, value ", vm.toString(uint256(value))));
        } catch (bytes memory reason) {
            vm.assertEq(uint256(uint32(bytes4(reason))), uint256(uint32(OneStepExecutor.OneStepExecutor_MissingValues.selector)), "missing values");
        }
    }

    function testFuzz_executeElement_readOfPartialChunks_reverts(uint256 _seed, uint256 _read, uint256 _cut) public {
        (Fixture memory f, Case memory c) = _caseWithReads(_seed);
        Witness memory w = _decode(c.witness);
        OneStepExecutor.ChunkRead memory read = w.reads[_read % w.reads.length];
        int256[] memory values = read.values;
        uint256 length = values.length - 1 - (_cut % 15);
        assembly ("memory-safe") {
            mstore(values, length)
        }
        vm.expectRevert(
            abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_BadChunkProof.selector, read.source, read.first)
        );
        this.executeElement(f, c, _encode(w));
    }

    function testFuzz_executeElement_anotherStepIndex_reverts(uint256 _seed, uint256 _step) public {
        (Fixture memory f, Case memory c) = _caseWithReads(_seed);
        vm.assume(_step != c.step);
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_BadDescriptorProof.selector, _step));
        executor.executeElement(f.stepsRoot, f.parametersRoot, f.traceRoot, f.traceDepth, _step, c.element, c.witness);
    }

    function testFuzz_executeElement_descriptorProofChanged_reverts(uint256 _seed, uint256 _sibling, bytes32 _node) public {
        (Fixture memory f, Case memory c) = _caseWithReads(_seed);
        Witness memory w = _decode(c.witness);
        uint256 index = _sibling % w.descriptorProof.length;
        vm.assume(w.descriptorProof[index] != _node);
        w.descriptorProof[index] = _node;
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_BadDescriptorProof.selector, c.step));
        this.executeElement(f, c, _encode(w));
    }

    function testFuzz_executeElement_inputRootForged_reverts(uint256 _seed, bytes32 _root) public {
        (Fixture memory f, Case memory c) = _caseWithReads(_seed);
        Witness memory w = _decode(c.witness);
        vm.assume(w.inputRoots.length > 0 && w.inputRoots[0].root != _root);
        w.inputRoots[0].root = _root;
        uint256 tensor = _inputTensor(w, 0);
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_BadInputRootProof.selector, 0, tensor));
        this.executeElement(f, c, _encode(w));
    }

    function test_executeElement_inputRootOfAnotherTensor_reverts() public {
        (Fixture memory f, Case memory c) = _caseOf(0, LibStepDescriptor.OP_SUB, 0); // reads tensors 3 and 0
        Witness memory w = _decode(c.witness);
        vm.assertEq(_inputTensor(w, 1), 0, "slot 1 is the model input");
        // slot 1 (tensor 0) given slot 0's root and proof (tensor 3): a valid leaf of the trace, the wrong one
        w.inputRoots[1] = w.inputRoots[0];
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_BadInputRootProof.selector, 1, 0));
        this.executeElement(f, c, _encode(w));
    }

    function testFuzz_executeElement_wrongTraceDepth_reverts(uint256 _seed, uint256 _depth) public {
        (Fixture memory f, Case memory c) = _caseWithReads(_seed);
        _depth = _bound(_depth, 0, 70);
        vm.assume(_depth != f.traceDepth);
        uint256 tensor = _inputTensor(_decode(c.witness), 0);
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_BadInputRootProof.selector, 0, tensor));
        executor.executeElement(f.stepsRoot, f.parametersRoot, f.traceRoot, _depth, c.step, c.element, c.witness);
    }

    function testFuzz_executeElement_anotherTraceRoot_reverts(uint256 _seed, bytes32 _traceRoot) public {
        (Fixture memory f, Case memory c) = _caseWithReads(_seed);
        vm.assume(_traceRoot != f.traceRoot);
        uint256 tensor = _inputTensor(_decode(c.witness), 0);
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_BadInputRootProof.selector, 0, tensor));
        executor.executeElement(f.stepsRoot, f.parametersRoot, _traceRoot, f.traceDepth, c.step, c.element, c.witness);
    }

    function testFuzz_executeElement_inputRootsLeftOut_reverts(uint256 _seed) public {
        (Fixture memory f, Case memory c) = _caseWithReads(_seed);
        Witness memory w = _decode(c.witness);
        uint256 expected = w.inputRoots.length;
        w.inputRoots = new OneStepExecutor.InputRoot[](0);
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_InputRootCount.selector, 0, expected));
        this.executeElement(f, c, _encode(w));
    }

    function test_executeElement_anotherModelsParametersRoot_reverts() public {
        (Fixture memory f, Case memory c) = _caseOf(2, LibStepDescriptor.OP_CONV, 26);
        Witness memory w = _decode(c.witness);
        uint256 first = type(uint256).max;
        for (uint256 r; r < w.reads.length && first == type(uint256).max; ++r) {
            if (w.reads[r].source == SOURCE_PARAMETERS) first = w.reads[r].first;
        }
        f.parametersRoot = keccak256("another model's parameters");
        vm.expectRevert(
            abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_BadChunkProof.selector, SOURCE_PARAMETERS, first)
        );
        this.executeElement(f, c, c.witness);
    }

    function test_executeElement_gatherIndexMapChanged_reverts() public {
        (Fixture memory f, Case memory c) = _caseOf(0, LibStepDescriptor.OP_GATHER, 9);
        Witness memory w = _decode(c.witness);
        OneStepExecutor.ChunkRead memory map = w.reads[w.reads.length - 1];
        vm.assertEq(map.source, SOURCE_MAP, "reads are sorted by source: the map last");
        map.values[9] += 1; // point the element at another input value
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_BadChunkProof.selector, SOURCE_MAP, 0));
        this.executeElement(f, c, _encode(w));
    }

    function test_executeElement_readFromASourceTheStepLacks_reverts() public {
        (Fixture memory f, Case memory c) = _caseOf(1, LibStepDescriptor.OP_LEAKY_RELU, 0); // one input slot
        Witness memory w = _decode(c.witness);
        OneStepExecutor.ChunkRead[] memory reads = new OneStepExecutor.ChunkRead[](w.reads.length + 1);
        for (uint256 r; r < w.reads.length; ++r) reads[r] = w.reads[r];
        reads[w.reads.length] = w.reads[0];
        reads[w.reads.length].source = 1;
        w.reads = reads;
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_UnknownSource.selector, 1));
        this.executeElement(f, c, _encode(w));
    }

    function test_executeElement_elementInAChunkTheWitnessLacks_reverts() public {
        (Fixture memory f, Case memory c) = _caseOf(1, LibStepDescriptor.OP_LEAKY_RELU, 0); // 24 values, 2 chunks
        c.element = 23;
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_MissingValues.selector, 0, 23, 1));
        this.executeElement(f, c, c.witness);
    }

    function test_executeElement_committedStepReadingALaterTensor_reverts() public {
        // a one-step model whose relu names tensor 1 (its own output) as input
        uint256[] memory inputs = new uint256[](1);
        inputs[0] = 1;
        uint256[] memory outShape = new uint256[](1);
        outShape[0] = 4;
        bytes memory descriptor =
            abi.encode(LibStepDescriptor.OP_RELU, 16, inputs, outShape, new int256[](0), new int256[](0), bytes32(0), 0);
        bytes32 stepsRoot = LibStepDescriptor.leaf(0, descriptor);
        OneStepExecutor.InputRoot[] memory roots = new OneStepExecutor.InputRoot[](1);
        bytes memory witness = abi.encode(descriptor, new bytes32[](0), roots, new OneStepExecutor.ChunkRead[](0));
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_BadInputTensor.selector, 1, 0));
        executor.executeElement(stepsRoot, bytes32(0), keccak256("trace"), 1, 0, 0, witness);
    }

    function test_executeElement_malformedDescriptor_reverts() public {
        uint256[] memory inputs = new uint256[](2); // relu has one input
        uint256[] memory outShape = new uint256[](1);
        outShape[0] = 4;
        bytes memory descriptor =
            abi.encode(LibStepDescriptor.OP_RELU, 16, inputs, outShape, new int256[](0), new int256[](0), bytes32(0), 0);
        bytes memory witness = abi.encode(
            descriptor, new bytes32[](0), new OneStepExecutor.InputRoot[](0), new OneStepExecutor.ChunkRead[](0)
        );
        vm.expectRevert(
            abi.encodeWithSelector(LibStepDescriptor.LibStepDescriptor_Malformed.selector, LibStepDescriptor.OP_RELU, 2, 0)
        );
        executor.executeElement(LibStepDescriptor.leaf(0, descriptor), bytes32(0), bytes32(0), 0, 0, 0, witness);
    }

    function test_executeElement_maxPoolWindowAllPadding_reverts() public {
        // 1x1 input, 1x1 window, padding 1 on every side: output (0, 0) sees only padding
        int256[] memory g = new int256[](15);
        (g[0], g[1], g[2], g[3], g[4], g[5], g[6]) = (1, 1, 1, 1, 1, 1, 1);
        (g[7], g[8], g[9], g[10], g[11], g[12], g[13], g[14]) = (1, 1, 1, 1, 1, 1, 3, 3);
        uint256[] memory inputs = new uint256[](1);
        uint256[] memory outShape = new uint256[](4);
        (outShape[0], outShape[1], outShape[2], outShape[3]) = (1, 1, 3, 3);
        bytes memory descriptor =
            abi.encode(LibStepDescriptor.OP_MAX_POOL, 16, inputs, outShape, g, new int256[](0), bytes32(0), 0);
        int256[] memory input = new int256[](1);
        input[0] = 5;
        bytes32 inputRoot = LibTensorRoot.root(input);
        OneStepExecutor.InputRoot[] memory roots = new OneStepExecutor.InputRoot[](1);
        roots[0] = OneStepExecutor.InputRoot(inputRoot, new bytes32[](0));
        bytes memory witness = abi.encode(descriptor, new bytes32[](0), roots, new OneStepExecutor.ChunkRead[](0));
        bytes32 stepsRoot = LibStepDescriptor.leaf(0, descriptor);
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_EmptyWindow.selector, 0));
        executor.executeElement(stepsRoot, bytes32(0), inputRoot, 0, 0, 0, witness);
        // the centre (1, 1) sees the one real value
        OneStepExecutor.ChunkRead[] memory reads = new OneStepExecutor.ChunkRead[](1);
        int256[] memory chunk = new int256[](16);
        chunk[0] = 5;
        reads[0] = OneStepExecutor.ChunkRead(0, 0, 0, chunk, new bytes32[](0));
        witness = abi.encode(descriptor, new bytes32[](0), roots, reads);
        vm.assertEq(executor.executeElement(stepsRoot, bytes32(0), inputRoot, 0, 0, 4, witness), 5, "centre tap");
    }

    /// @dev External so expectRevert can wrap the executor call it makes (the witness is encoded first).
    function executeElement(Fixture memory _f, Case memory _c, bytes memory _witness) external view returns (int256) {
        return _execute(_f, _c, _witness);
    }

    /// @dev The trace tensor that input slot `_slot` of the witness's step reads.
    function _inputTensor(Witness memory _w, uint256 _slot) internal pure returns (uint256) {
        return LibStepDescriptor.decode(_w.descriptor).inputs[_slot];
    }
}
