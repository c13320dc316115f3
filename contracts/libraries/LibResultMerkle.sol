// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice The fields of one committed inference result (a leaf of a batch's Merkle tree).
/// @dev Every field is static, so `abi.encode(leaf)` is the 192-byte head encoding of the six
///      fields in this order; src/chain/result-merkle.ts encodes exactly the same bytes.
struct ResultLeaf {
    bytes32 requestId;
    bytes32 modelCommitment;
    bytes32 inputCommitment;
    bytes32 outputCommitment;
    bytes32 traceCommitment;
    address worker;
}

/// @title LibResultMerkle
/// @notice Leaf hashing and proof verification for result batches. Convention (OpenZeppelin
///         `StandardMerkleTree` / `MerkleProof`): leaf = keccak256(keccak256(abi.encode(fields))),
///         parent = keccak256(min(a, b) ++ max(a, b)) (sorted pairs, so a proof carries no
///         left/right bits). An odd node at the end of a level is promoted unchanged, never
///         duplicated.
/// @dev Second-preimage safety: an internal node is the hash of a 64-byte preimage, a leaf the
///      hash of a 32-byte preimage (the inner hash), so no internal node can be presented as a
///      leaf without a keccak256 collision; the inner hash additionally binds 192 bytes of fields.
library LibResultMerkle {
    /// @notice EIP-712 type hash of a worker's signature over one result leaf (its six fields).
    bytes32 internal constant RESULT_TYPEHASH = keccak256(
        "Result(bytes32 requestId,bytes32 modelCommitment,bytes32 inputCommitment,bytes32 outputCommitment,bytes32 traceCommitment,address worker)"
    );

    /// @notice The EIP-712 hashStruct of a leaf as primary type `Result` (every field is static, so
    ///         it is the type hash followed by the six fields, each one word).
    function hashStruct(ResultLeaf calldata _leaf) internal pure returns (bytes32) {
        return keccak256(abi.encode(RESULT_TYPEHASH, _leaf));
    }

    /// @notice The leaf hash of a result, as committed in a batch root.
    function hashLeaf(ResultLeaf calldata _leaf) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(_leaf))));
    }

    /// @notice Whether `_proof` (sibling hashes from the leaf up) links `_leaf` to `_root`.
    function verify(bytes32[] calldata _proof, bytes32 _root, bytes32 _leaf) internal pure returns (bool) {
        bytes32 node = _leaf;
        for (uint256 i; i < _proof.length; ++i) {
            node = _hashPair(node, _proof[i]);
        }
        return node == _root;
    }

    function _hashPair(bytes32 _a, bytes32 _b) private pure returns (bytes32 value_) {
        (bytes32 low, bytes32 high) = _a < _b ? (_a, _b) : (_b, _a);
        assembly ("memory-safe") {
            mstore(0x00, low)
            mstore(0x20, high)
            value_ := keccak256(0x00, 0x40)
        }
    }
}
