// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title LibSignature
/// @notice Strict recovery of the signer of a 32-byte digest from a 65-byte (r, s, v) secp256k1
///         signature, as EIP-712 signers (viem, ethers, wallets) produce it.
/// @dev Refuses, by returning address(0), everything but the canonical form: any length other than
///      65 (no EIP-2098 64-byte compact form), v other than 27 or 28, and s in the upper half of
///      the curve order (the malleable twin (r, n - s, v ^ 1) of a valid signature), plus whatever
///      the ecrecover precompile cannot recover (it returns address(0)). A caller must compare the
///      result with the expected signer and must never accept address(0) as a signer.
library LibSignature {
    /// @notice secp256k1n / 2: the largest s of a canonical (low-s, EIP-2) signature.
    uint256 internal constant MAX_S = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// @notice The address that signed `_digest`, or address(0) when `_signature` is not a valid
    ///         canonical 65-byte signature of it.
    /// @param _digest The signed digest (for EIP-712: keccak256("\x19\x01" ++ domain ++ struct)).
    /// @param _signature r (32 bytes) ++ s (32 bytes) ++ v (1 byte).
    function recover(bytes32 _digest, bytes calldata _signature) internal pure returns (address signer_) {
        if (_signature.length != 65) return address(0);
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            r := calldataload(_signature.offset)
            s := calldataload(add(_signature.offset, 0x20))
            v := byte(0, calldataload(add(_signature.offset, 0x40)))
        }
        // INVARIANT: one signature per (digest, signer): the high-s twin of a valid signature is refused.
        if (uint256(s) > MAX_S) return address(0);
        if (v != 27 && v != 28) return address(0);
        signer_ = ecrecover(_digest, v, r, s);
    }
}
