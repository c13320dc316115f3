// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title LibTensorRoot
/// @notice Tensor roots of docs/semantics.md sections 8, 9 and 11 (format version 3): a tensor's values,
///         flat and row-major, in chunks of 16 int256 (the last chunk zero-padded);
///         leaf_c = keccak256(abi.encode(uint256 c, int256[16] chunk_c)); leaves padded with bytes32(0)
///         to a power of two; parent = keccak256(abi.encodePacked(left, right)) (ordered). The same
///         tree commits the parameter vector (parametersRoot) and every tensor of a trace; with
///         32-byte leaves it is the trace tree over a trace's tensor roots (its depth is fixed by the
///         step count, so there too a node never passes for a leaf). pageRoot checks a page of either.
///         src/engine/commitment/tensor-root.ts computes the same roots and proofs.
/// @dev Second preimages: a leaf is the hash of a 544-byte preimage, an internal node of a 64-byte
///      one, so a node cannot pass for a leaf (or the reverse) without a keccak256 collision; the
///      leaf also binds its chunk index. A zero leaf (padding) has no known preimage.
library LibTensorRoot {
    /// @notice Values per chunk (leaf).
    uint256 internal constant CHUNK_SIZE = 16;
    /// @notice Deepest tree a proof may claim (2^64 chunks is far beyond any tensor).
    uint256 internal constant MAX_DEPTH = 64;

    /// @notice The tensor root of a whole tensor (bytes32(0) for an empty tensor).
    function root(int256[] memory _values) internal pure returns (bytes32) {
        uint256 count = (_values.length + CHUNK_SIZE - 1) / CHUNK_SIZE;
        bytes32[] memory leaves = new bytes32[](count);
        int256[16] memory chunk;
        for (uint256 c; c < count; ++c) {
            uint256 start = c * CHUNK_SIZE;
            for (uint256 k; k < CHUNK_SIZE; ++k) {
                chunk[k] = start + k < _values.length ? _values[start + k] : int256(0);
            }
            leaves[c] = chunkLeaf(c, chunk);
        }
        return rootFromLeaves(leaves);
    }

    /// @notice leaf_c = keccak256(abi.encode(uint256 c, int256[16] chunk)).
    function chunkLeaf(uint256 _index, int256[16] memory _values) internal pure returns (bytes32) {
        return keccak256(abi.encode(_index, _values));
    }

    /// @notice The leaf of chunk `_first + _chunk` read from a flat array of whole chunks, without copying.
    /// @dev Hashes abi.encode(uint256, int256[16]) in place: the word before the chunk is saved,
    ///      overwritten with the index, hashed with the 16 values and restored.
    function chunkLeafAt(int256[] memory _values, uint256 _chunk, uint256 _index) internal pure returns (bytes32 leaf_) {
        assembly ("memory-safe") {
            // word k of the array data lives at _values + 0x20 + 0x20 * k; the index goes one word before.
            let at := add(_values, mul(_chunk, 0x200))
            let saved := mload(at)
            mstore(at, _index)
            leaf_ := keccak256(at, 0x220)
            mstore(at, saved)
        }
    }

    /// @notice The root over `_leaves` (padded with bytes32(0) to a power of two); bytes32(0) for none.
    function rootFromLeaves(bytes32[] memory _leaves) internal pure returns (bytes32) {
        uint256 width = _leaves.length;
        if (width == 0) return bytes32(0);
        uint256 padded = 1;
        while (padded < width) padded <<= 1;
        bytes32[] memory level = new bytes32[](padded);
        for (uint256 i; i < width; ++i) level[i] = _leaves[i];
        while (padded > 1) {
            padded >>= 1;
            for (uint256 i; i < padded; ++i) level[i] = hashPair(level[2 * i], level[2 * i + 1]);
        }
        return level[0];
    }

    /// @notice Whether `_proof` (siblings from the leaf level up) links leaf `_leaf` at position `_index`
    ///         to `_root`. The depth is the proof's length; `_index` must lie below 2^depth.
    function verifyLeaf(bytes32 _root, uint256 _index, bytes32 _leaf, bytes32[] memory _proof) internal pure returns (bool) {
        if (_proof.length > MAX_DEPTH || (_index >> _proof.length) != 0) return false;
        bytes32 node = _leaf;
        uint256 index = _index;
        for (uint256 i; i < _proof.length; ++i) {
            node = (index & 1) == 0 ? hashPair(node, _proof[i]) : hashPair(_proof[i], node);
            index >>= 1;
        }
        return node == _root;
    }

    /// @notice The root of a tree of depth `_depth` whose leaves `[_first, _first + _leaves.length)`
    ///         are `_leaves`, given the range proof `_siblings`: level by level from the leaves up, the
    ///         left neighbour of the range (when its first node is a right child) then the right
    ///         neighbour (when its last node is a left child). One leaf: the usual Merkle proof; the
    ///         whole tree: no siblings. Overwrites `_leaves`.
    /// @return ok_ false when the range is empty, does not fit below 2^depth, or the sibling count is
    ///         not exactly what the range needs (then root_ is bytes32(0) and means nothing).
    function rangeRoot(
        bytes32[] memory _leaves,
        uint256 _first,
        uint256 _depth,
        bytes32[] memory _siblings
    ) internal pure returns (bool ok_, bytes32 root_) {
        uint256 a = _first;
        if (_leaves.length == 0 || _depth > MAX_DEPTH || a >= (uint256(1) << _depth)) return (false, bytes32(0));
        uint256 b = a + _leaves.length;
        if (b > (uint256(1) << _depth)) return (false, bytes32(0));
        uint256 used;
        for (uint256 level; level < _depth; ++level) {
            uint256 start = a >> 1;
            uint256 end = (b + 1) >> 1;
            for (uint256 j; j < end - start; ++j) {
                uint256 pos = (start + j) << 1;
                bytes32 left;
                bytes32 right;
                if (pos >= a) {
                    left = _leaves[pos - a];
                } else {
                    if (used >= _siblings.length) return (false, bytes32(0));
                    left = _siblings[used++];
                }
                if (pos + 1 < b) {
                    right = _leaves[pos + 1 - a];
                } else {
                    if (used >= _siblings.length) return (false, bytes32(0));
                    right = _siblings[used++];
                }
                _leaves[j] = hashPair(left, right);
            }
            a = start;
            b = end;
        }
        if (used != _siblings.length) return (false, bytes32(0));
        return (true, _leaves[0]);
    }

    /// @notice The node of height `_height` over an all-padding subtree: bytes32(0) at the leaf level,
    ///         hashPair(z, z) of the one below above it.
    function paddingNode(uint256 _height) internal pure returns (bytes32 node_) {
        for (uint256 h; h < _height; ++h) node_ = hashPair(node_, node_);
    }

    /// @notice The root of one page of a tree with `_leafCount` real leaves: `_nodes` are the
    ///         2^k nodes of height `_height` whose first has index `_firstIndex` at that height
    ///         (k = log2 of their count, so they are every descendant of one node k levels up).
    ///         A node whose subtree holds no real leaf (index * 2^height >= _leafCount) must be the
    ///         padding node of its height, so a page can differ from the canonical tree only where
    ///         a real leaf lies below.
    /// @return ok_ false when the count is not a power of two or a padding node is not canonical.
    function pageRoot(bytes32[] calldata _nodes, uint256 _height, uint256 _firstIndex, uint256 _leafCount)
        internal
        pure
        returns (bool ok_, bytes32 root_)
    {
        uint256 width = _nodes.length;
        if (width == 0 || (width & (width - 1)) != 0 || _height > MAX_DEPTH) return (false, bytes32(0));
        bytes32 padding = paddingNode(_height);
        bytes32[] memory level = new bytes32[](width);
        for (uint256 j; j < width; ++j) {
            bytes32 node = _nodes[j];
            if (((_firstIndex + j) << _height) >= _leafCount && node != padding) return (false, bytes32(0));
            level[j] = node;
        }
        while (width > 1) {
            width >>= 1;
            for (uint256 j; j < width; ++j) level[j] = hashPair(level[2 * j], level[2 * j + 1]);
        }
        return (true, level[0]);
    }

    /// @notice Height of the tree over `_leafCount` leaves: the least d with 2^d >= _leafCount.
    function depthOf(uint256 _leafCount) internal pure returns (uint256 depth_) {
        while ((uint256(1) << depth_) < _leafCount) ++depth_;
    }

    /// @notice keccak256(abi.encodePacked(_left, _right)).
    function hashPair(bytes32 _left, bytes32 _right) internal pure returns (bytes32 value_) {
        assembly ("memory-safe") {
            mstore(0x00, _left)
            mstore(0x20, _right)
            value_ := keccak256(0x00, 0x40)
        }
    }
}
