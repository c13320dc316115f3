// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {LibSignature} from "../libraries/LibSignature.sol";

/// @title LibSignatureHarness
/// @notice Exposes LibSignature to the integration tests (not deployed by the service), so the
///         TypeScript signature rule (src/chain/signature.ts) can be checked against it case by case.
contract LibSignatureHarness {
    /// @notice LibSignature.recover: the canonical signer of `_digest`, or address(0).
    function recover(bytes32 _digest, bytes calldata _signature) external pure returns (address) {
        return LibSignature.recover(_digest, _signature);
    }
}
