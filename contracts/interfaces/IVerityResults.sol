// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Life of a request: None (unknown) -> Open (waiting for a result) -> Pending (revealed,
///         challenge window running) -> Final. Pending -> Disputed -> Pending (result upheld) or
///         Open (result discarded, request reopened for recompute). A zk-mode request goes from
///         Open straight to Final when a proof of its result verifies (ZkSettlement.settleZk).
enum RequestStatus {
    None,
    Open,
    Pending,
    Disputed,
    Final
}

/// @title IVerityResults
/// @notice Read access to Verity results.
interface IVerityResults {
    /// @notice The result recorded for a request.
    /// @param _requestId The request.
    /// @return output_ The revealed output (empty while none is revealed).
    /// @return isFinal_ Whether the output is final (safe to act on).
    /// @return status_ The request's status.
    /// @return worker_ The worker whose result is recorded (for a zk result, the proof's
    ///         beneficiary), or address(0).
    /// @return challengeEndsAt_ When the challenge window of the recorded result ends, or 0 (none
    ///         yet, or a zk result: final the moment its proof verified).
    function resultOf(bytes32 _requestId)
        external
        view
        returns (int256[] memory output_, bool isFinal_, RequestStatus status_, address worker_, uint64 challengeEndsAt_);

    /// @notice The status of a request.
    function statusOf(bytes32 _requestId) external view returns (RequestStatus);
}
