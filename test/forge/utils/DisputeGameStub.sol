// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IDisputeHost} from "../../../contracts/interfaces/IDisputeHost.sol";

/// @title DisputeGameStub
/// @notice Stands in for the dispute game in Settlement's tests: opens and resolves disputes on
///         the host when a test says so, passing what the real game passes. The game's own rules
///         (moves, clocks, bonds) are tested with the game itself, not here.
contract DisputeGameStub {
    IDisputeHost public immutable host;

    constructor(IDisputeHost _host) {
        host = _host;
    }

    /// @notice Tells the host a dispute on `_leafHash`, naming `_worker`, was opened.
    function open(uint256 _batchId, bytes32 _leafHash, bytes32 _requestId, address _worker) external {
        host.onDisputeOpened(_batchId, _leafHash, _requestId, _worker);
    }

    /// @notice Tells the host one dispute on `_leafHash` is decided.
    function resolve(
        uint256 _batchId,
        bytes32 _leafHash,
        bytes32 _requestId,
        address _worker,
        bool _defenderWon,
        address _challenger
    ) external {
        host.onDisputeResolved(_batchId, _leafHash, _requestId, _worker, _defenderWon, _challenger);
    }
}
