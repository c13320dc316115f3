// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {LibTensorRoot} from "../../contracts/libraries/LibTensorRoot.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev Trees of tensor roots built level by level here, to check the library's root, leaf proofs
///      and range proofs against.
abstract contract LibTensorRoot_TestInit is TestBase {
    function _values(uint256 _seed, uint256 _length) internal pure returns (int256[] memory values_) {
        values_ = new int256[](_length);
        for (uint256 i; i < _length; ++i) values_[i] = int256(uint256(keccak256(abi.encode(_seed, i))));
    }

    /// @dev Every level of the padded tree over `_leaves`, leaves first.
    function _levels(bytes32[] memory _leaves) internal pure returns (bytes32[][] memory levels_) {
        uint256 width = 1;
        uint256 depth;
        while (width < _leaves.length) (width, depth) = (width << 1, depth + 1);
        levels_ = new bytes32[][](depth + 1);
        levels_[0] = new bytes32[](width);
        for (uint256 i; i < _leaves.length; ++i) levels_[0][i] = _leaves[i];
        for (uint256 d = 1; d <= depth; ++d) {
            levels_[d] = new bytes32[](levels_[d - 1].length / 2);
            for (uint256 i; i < levels_[d].length; ++i) {
                levels_[d][i] = keccak256(abi.encodePacked(levels_[d - 1][2 * i], levels_[d - 1][2 * i + 1]));
            }
        }
    }

    function _leaves(uint256 _seed, uint256 _count) internal pure returns (bytes32[] memory leaves_) {
        leaves_ = new bytes32[](_count);
        for (uint256 i; i < _count; ++i) leaves_[i] = keccak256(abi.encode("leaf", _seed, i));
    }
}

contract LibTensorRoot_Root_Test is LibTensorRoot_TestInit {
    function test_root_empty_isZero() public pure {
        vm.assertEq(LibTensorRoot.root(new int256[](0)), bytes32(0), "empty tensor");
    }

    function testFuzz_root_matchesChunkLeavesPaddedToAPowerOfTwo(uint256 _seed, uint256 _length) public pure {
        _length = _bound(_length, 1, 80);
        int256[] memory values = _values(_seed, _length);
        uint256 chunks = (_length + 15) / 16;
        bytes32[] memory leaves = new bytes32[](chunks);
        for (uint256 c; c < chunks; ++c) {
            int256[16] memory chunk;
            for (uint256 k; k < 16 && c * 16 + k < _length; ++k) chunk[k] = values[c * 16 + k];
            leaves[c] = keccak256(abi.encode(c, chunk));
        }
        bytes32[][] memory levels = _levels(leaves);
        vm.assertEq(LibTensorRoot.root(values), levels[levels.length - 1][0], "root");
    }

    function testFuzz_chunkLeafAt_equalsChunkLeaf(uint256 _seed, uint256 _chunks, uint256 _chunk, uint256 _index) public pure {
        _chunks = _bound(_chunks, 1, 4);
        _chunk = _bound(_chunk, 0, _chunks - 1);
        int256[] memory values = _values(_seed, _chunks * 16);
        int256[16] memory chunk;
        for (uint256 k; k < 16; ++k) chunk[k] = values[_chunk * 16 + k];
        bytes32 inPlace = LibTensorRoot.chunkLeafAt(values, _chunk, _index);
        vm.assertEq(inPlace, LibTensorRoot.chunkLeaf(_index, chunk), "in-place leaf");
        vm.assertEq(values[0], _values(_seed, 1)[0], "array restored");
        vm.assertEq(values.length, _chunks * 16, "length restored");
    }
}

contract LibTensorRoot_VerifyLeaf_Test is LibTensorRoot_TestInit {
    function testFuzz_verifyLeaf_everyLeaf_isProvenAtItsIndexOnly(uint256 _seed, uint256 _count, uint256 _index) public pure {
        _count = _bound(_count, 1, 40);
        _index = _bound(_index, 0, _count - 1);
        bytes32[][] memory levels = _levels(_leaves(_seed, _count));
        uint256 depth = levels.length - 1;
        bytes32[] memory proof = new bytes32[](depth);
        for (uint256 d; d < depth; ++d) proof[d] = levels[d][(_index >> d) ^ 1];
        bytes32 root = levels[depth][0];
        bytes32 leaf = levels[0][_index];
        vm.assertTrue(LibTensorRoot.verifyLeaf(root, _index, leaf, proof), "proven");
        if (depth > 0) {
            vm.assertFalse(LibTensorRoot.verifyLeaf(root, _index ^ 1, leaf, proof), "ordered: not at the sibling index");
        }
        vm.assertFalse(LibTensorRoot.verifyLeaf(root, _index + (1 << depth), leaf, proof), "index beyond 2^depth");
    }

    function test_verifyLeaf_proofDeeperThanMax_fails() public pure {
        bytes32[] memory proof = new bytes32[](LibTensorRoot.MAX_DEPTH + 1);
        vm.assertFalse(LibTensorRoot.verifyLeaf(bytes32(0), 0, bytes32(0), proof), "too deep");
    }
}

contract LibTensorRoot_RangeRoot_Test is LibTensorRoot_TestInit {
    /// @dev The range proof of [a, b): per level, the left neighbour when a is odd, then the right
    ///      neighbour when b is odd.
    function _rangeProof(bytes32[][] memory _levels, uint256 _a, uint256 _b) internal pure returns (bytes32[] memory proof_) {
        bytes32[] memory siblings = new bytes32[](2 * _levels.length);
        uint256 used;
        for (uint256 d; d + 1 < _levels.length; ++d) {
            if (_a & 1 == 1) siblings[used++] = _levels[d][_a - 1];
            if (_b & 1 == 1) siblings[used++] = _levels[d][_b];
            (_a, _b) = (_a >> 1, (_b + 1) >> 1);
        }
        proof_ = new bytes32[](used);
        for (uint256 i; i < used; ++i) proof_[i] = siblings[i];
    }

    function _slice(bytes32[] memory _from, uint256 _a, uint256 _b) internal pure returns (bytes32[] memory out_) {
        out_ = new bytes32[](_b - _a);
        for (uint256 i; i < out_.length; ++i) out_[i] = _from[_a + i];
    }

    function testFuzz_rangeRoot_anyRange_givesTheRoot(uint256 _seed, uint256 _count, uint256 _a, uint256 _b) public pure {
        _count = _bound(_count, 1, 40);
        bytes32[][] memory levels = _levels(_leaves(_seed, _count));
        uint256 width = levels[0].length;
        _a = _bound(_a, 0, width - 1);
        _b = _bound(_b, _a + 1, width);
        bytes32[] memory proof = _rangeProof(levels, _a, _b);
        (bool ok, bytes32 root) = LibTensorRoot.rangeRoot(_slice(levels[0], _a, _b), _a, levels.length - 1, proof);
        vm.assertTrue(ok, "range accepted");
        vm.assertEq(root, levels[levels.length - 1][0], "same root");
        if (proof.length > 0) {
            bytes32[] memory short = _slice(proof, 0, proof.length - 1);
            (ok,) = LibTensorRoot.rangeRoot(_slice(levels[0], _a, _b), _a, levels.length - 1, short);
            vm.assertFalse(ok, "one sibling short");
        }
        bytes32[] memory long = new bytes32[](proof.length + 1);
        for (uint256 i; i < proof.length; ++i) long[i] = proof[i];
        (ok,) = LibTensorRoot.rangeRoot(_slice(levels[0], _a, _b), _a, levels.length - 1, long);
        vm.assertFalse(ok, "one sibling too many");
    }

    function test_rangeRoot_emptyOrOutsideTheTree_fails() public pure {
        (bool ok,) = LibTensorRoot.rangeRoot(new bytes32[](0), 0, 2, new bytes32[](0));
        vm.assertFalse(ok, "empty range");
        (ok,) = LibTensorRoot.rangeRoot(new bytes32[](2), 3, 2, new bytes32[](2));
        vm.assertFalse(ok, "range past 2^depth");
        (ok,) = LibTensorRoot.rangeRoot(new bytes32[](1), 4, 2, new bytes32[](2));
        vm.assertFalse(ok, "first past 2^depth");
        (ok,) = LibTensorRoot.rangeRoot(new bytes32[](1), 0, LibTensorRoot.MAX_DEPTH + 1, new bytes32[](0));
        vm.assertFalse(ok, "too deep");
    }
}
