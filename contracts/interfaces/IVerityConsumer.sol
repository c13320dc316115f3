// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IVerityConsumer
/// @notice Implemented by contracts that receive Verity results. Settlement calls it exactly once
///         per request, when the result becomes final (never when it is only revealed), with the
///         gas limit the request named. A revert or out-of-gas here does not undo finalization.
interface IVerityConsumer {
    /// @notice Receives the final output of a request. Check that msg.sender is the Settlement.
    /// @param _requestId The request the output answers.
    /// @param _output The final fixed-point output values.
    function onVerityResult(bytes32 _requestId, int256[] calldata _output) external;
}
