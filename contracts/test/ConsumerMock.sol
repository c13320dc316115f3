// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IVerityConsumer} from "../interfaces/IVerityConsumer.sol";

interface IFinalize {
    function finalize(bytes32 _requestId) external;
}

/// @title ConsumerMock
/// @notice Test consumer with a chosen behaviour in its callback: record, revert, burn all its
///         gas, or try to finalize the same request again (re-entrancy).
contract ConsumerMock is IVerityConsumer {
    enum Behaviour {
        Record,
        Revert,
        BurnGas,
        Reenter
    }

    /// @notice What onVerityResult does.
    Behaviour public behaviour;
    /// @notice How many callbacks completed.
    uint256 public calls;
    /// @notice Whether the re-entrant finalize reverted (Reenter behaviour).
    bool public reentryReverted;
    /// @notice The last request delivered.
    bytes32 public lastRequestId;
    int256[] private _lastOutput;

    event BehaviourSet(Behaviour behaviour);
    event Called(bytes32 indexed requestId, uint256 calls);

    error ConsumerMock_Refused(bytes32 requestId);

    /// @notice Chooses the callback's behaviour.
    function setBehaviour(Behaviour _behaviour) external {
        behaviour = _behaviour;
        emit BehaviourSet(_behaviour);
    }

    /// @notice The callback under test.
    function onVerityResult(bytes32 _requestId, int256[] calldata _output) external {
        if (behaviour == Behaviour.Revert) revert ConsumerMock_Refused(_requestId);
        if (behaviour == Behaviour.BurnGas) {
            while (gasleft() > 0) {
                calls += 1;
            }
        }
        if (behaviour == Behaviour.Reenter) {
            try IFinalize(msg.sender).finalize(_requestId) {
                reentryReverted = false;
            } catch {
                reentryReverted = true;
            }
        }
        calls += 1;
        lastRequestId = _requestId;
        _lastOutput = _output;
        emit Called(_requestId, calls);
    }

    /// @notice The last output delivered.
    function lastOutput() external view returns (int256[] memory) {
        return _lastOutput;
    }
}
