// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {LibResultMerkle, ResultLeaf} from "../../contracts/libraries/LibResultMerkle.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev LibResultMerkle takes calldata; this exposes it.
contract LibResultMerkleHarness {
    function hashLeaf(ResultLeaf calldata _leaf) external pure returns (bytes32) {
        return LibResultMerkle.hashLeaf(_leaf);
    }

    function verify(bytes32[] calldata _proof, bytes32 _root, bytes32 _leaf) external pure returns (bool) {
        return LibResultMerkle.verify(_proof, _root, _leaf);
    }
}

/// @dev Sorted-pair trees built here, independently of the library (odd node promoted unchanged).
abstract contract LibResultMerkle_TestInit is TestBase {
    LibResultMerkleHarness internal harness;

    function setUp() public {
        harness = new LibResultMerkleHarness();
    }

    function _pair(bytes32 _a, bytes32 _b) internal pure returns (bytes32) {
        return _a < _b ? keccak256(abi.encodePacked(_a, _b)) : keccak256(abi.encodePacked(_b, _a));
    }

    /// @dev The root over `_leaves` and the proof of leaf `_index`.
    function _rootAndProof(bytes32[] memory _tree, uint256 _index)
        internal
        pure
        returns (bytes32 root_, bytes32[] memory proof_)
    {
        bytes32[] memory level = _tree;
        bytes32[] memory proof = new bytes32[](16);
        uint256 depth;
        uint256 index = _index;
        while (level.length > 1) {
            uint256 sibling = index ^ 1;
            if (sibling < level.length) proof[depth++] = level[sibling];
            bytes32[] memory next = new bytes32[]((level.length + 1) / 2);
            for (uint256 i; i < next.length; ++i) {
                next[i] = 2 * i + 1 < level.length ? _pair(level[2 * i], level[2 * i + 1]) : level[2 * i];
            }
            level = next;
            index >>= 1;
        }
        proof_ = new bytes32[](depth);
        for (uint256 i; i < depth; ++i) proof_[i] = proof[i];
        root_ = level[0];
    }

    function _leaves(uint256 _seed, uint256 _count) internal pure returns (bytes32[] memory leaves_) {
        leaves_ = new bytes32[](_count);
        for (uint256 i; i < _count; ++i) leaves_[i] = keccak256(abi.encode(_seed, i));
    }
}

contract LibResultMerkle_HashLeaf_Test is LibResultMerkle_TestInit {
    function testFuzz_hashLeaf_isDoubleKeccakOfTheSixFields(ResultLeaf calldata _leaf) public view {
        bytes32 inner = keccak256(
            abi.encode(
                _leaf.requestId,
                _leaf.modelCommitment,
                _leaf.inputCommitment,
                _leaf.outputCommitment,
                _leaf.traceCommitment,
                _leaf.worker
            )
        );
        vm.assertEq(harness.hashLeaf(_leaf), keccak256(abi.encodePacked(inner)), "keccak(keccak(abi.encode(fields)))");
    }

    function testFuzz_hashLeaf_anyFieldChanged_changesTheLeaf(ResultLeaf memory _leaf, uint8 _field, bytes32 _value)
        public
        view
    {
        bytes32 before = harness.hashLeaf(_leaf);
        _field = uint8(_bound(_field, 0, 5));
        if (_field == 0) { vm.assume(_leaf.requestId != _value); _leaf.requestId = _value; }
        if (_field == 1) { vm.assume(_leaf.modelCommitment != _value); _leaf.modelCommitment = _value; }
        if (_field == 2) { vm.assume(_leaf.inputCommitment != _value); _leaf.inputCommitment = _value; }
        if (_field == 3) { vm.assume(_leaf.outputCommitment != _value); _leaf.outputCommitment = _value; }
        if (_field == 4) { vm.assume(_leaf.traceCommitment != _value); _leaf.traceCommitment = _value; }
        if (_field == 5) {
            vm.assume(_leaf.worker != address(uint160(uint256(_value))));
            _leaf.worker = address(uint160(uint256(_value)));
        }
        vm.assertNotEq(harness.hashLeaf(_leaf), before, "every field is bound");
    }
}

contract LibResultMerkle_Verify_Test is LibResultMerkle_TestInit {
    function testFuzz_verify_everyLeafOfAnyTree_isProven(uint256 _seed, uint256 _count, uint256 _index) public view {
        _count = _bound(_count, 1, 33);
        _index = _bound(_index, 0, _count - 1);
        bytes32[] memory leaves = _leaves(_seed, _count);
        (bytes32 root, bytes32[] memory proof) = _rootAndProof(leaves, _index);
        vm.assertTrue(harness.verify(proof, root, leaves[_index]), "leaf proven");
    }

    function testFuzz_verify_alteredProofOrLeaf_fails(uint256 _seed, uint256 _count, uint256 _index, uint256 _at) public view {
        _count = _bound(_count, 2, 33);
        _index = _bound(_index, 0, _count - 1);
        bytes32[] memory leaves = _leaves(_seed, _count);
        (bytes32 root, bytes32[] memory proof) = _rootAndProof(leaves, _index);
        vm.assertFalse(harness.verify(proof, root, keccak256("not a leaf")), "unknown leaf");
        proof[_bound(_at, 0, proof.length - 1)] ^= bytes32(uint256(1));
        vm.assertFalse(harness.verify(proof, root, leaves[_index]), "altered sibling");
    }

    function test_verify_oneLeafTree_rootIsTheLeafWithAnEmptyProof() public view {
        bytes32 leaf = keccak256("only");
        vm.assertTrue(harness.verify(new bytes32[](0), leaf, leaf), "single leaf");
    }
}
