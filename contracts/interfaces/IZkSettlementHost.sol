// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ModelRegistry} from "../ModelRegistry.sol";

/// @notice What ZkSettlement tells its host about one verified batch proof.
struct ZkBatch {
    bytes32 modelCommitment;
    /// @dev Who the proof binds: credited the fees of the requests it settles.
    address beneficiary;
    /// @dev The circuit's ordinal in the model's list (ModelRegistry.findZkCircuit) and batch size.
    uint32 circuitOrdinal;
    uint32 batchSize;
    /// @dev The circuit's proving key (ModelRegistry.ZkCircuit.zkeyHash).
    bytes32 zkeyHash;
}

/// @title IZkSettlementHost
/// @notice What ZkSettlement needs from the contract that holds the requests (the Settlement): the
///         model registry whose circuits it verifies against, and one callback per verified proof
///         that names requests. The host accepts the callback only from its ZkSettlement, and
///         trusts it for exactly one thing: that the outputs were proven by `_batch`'s circuit for
///         those input commitments. Everything about the requests (open, zk mode, same model and
///         input, a circuit the request may use, its pinned key) the host checks itself.
interface IZkSettlementHost {
    /// @notice The ModelRegistry whose circuits settle this host's requests.
    function modelRegistry() external view returns (ModelRegistry);

    /// @notice A batch proof verified: makes each named request (non-zero id) final with its
    ///         proven output, credits their fees to the beneficiary and calls their consumers
    ///         back once every one of them is final. Reverts (and so undoes the whole settlement)
    ///         if any named request may not take its output.
    /// @param _batch The proof's model, circuit and beneficiary.
    /// @param _requestIds Per sample, the request it settles, or bytes32(0) for none.
    /// @param _inputCommitments Per sample, the input commitment the proof binds.
    /// @param _outputs Per sample, the output the proof establishes.
    function onZkProven(
        ZkBatch calldata _batch,
        bytes32[] calldata _requestIds,
        uint256[] calldata _inputCommitments,
        int256[][] calldata _outputs
    ) external;
}
