// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {LibFixedPoint} from "../libraries/LibFixedPoint.sol";
import {LibTensorRoot} from "../libraries/LibTensorRoot.sol";

/// @title OneStepLibrariesHarness
/// @notice Exposes LibTensorRoot and LibFixedPoint to the integration tests (not deployed by the service).
contract OneStepLibrariesHarness {
    /// @notice LibTensorRoot.root.
    function root(int256[] memory _values) external pure returns (bytes32) {
        return LibTensorRoot.root(_values);
    }

    /// @notice LibTensorRoot.chunkLeaf.
    function chunkLeaf(uint256 _index, int256[16] memory _values) external pure returns (bytes32) {
        return LibTensorRoot.chunkLeaf(_index, _values);
    }

    /// @notice LibTensorRoot.rootFromLeaves.
    function rootFromLeaves(bytes32[] memory _leaves) external pure returns (bytes32) {
        return LibTensorRoot.rootFromLeaves(_leaves);
    }

    /// @notice LibTensorRoot.verifyLeaf.
    function verifyLeaf(bytes32 _root, uint256 _index, bytes32 _leaf, bytes32[] memory _proof) external pure returns (bool) {
        return LibTensorRoot.verifyLeaf(_root, _index, _leaf, _proof);
    }

    /// @notice LibFixedPoint.rescale.
    function rescale(int256 _a, uint256 _s) external pure returns (int256) {
        return LibFixedPoint.rescale(_a, _s);
    }

    /// @notice LibFixedPoint.floorShift (Solidity's `>>` on int256).
    function floorShift(int256 _a, uint256 _s) external pure returns (int256) {
        return LibFixedPoint.floorShift(_a, _s);
    }
}
