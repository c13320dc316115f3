// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Dispute} from "../../../contracts/interfaces/IDisputeGame.sol";
import {IDisputeHost} from "../../../contracts/interfaces/IDisputeHost.sol";

/// @title DisputeGameStub
/// @notice Stands in for the dispute game in Settlement's tests: opens and resolves disputes on
///         the host when a test says so, and answers the three views Settlement.onDisputeOpened
///         reads (disputeCountOf, disputeIdOfLeafAt, disputeOf(...).worker). The game's own rules
///         (moves, clocks, bonds) are tested with the game itself, not here.
contract DisputeGameStub {
    IDisputeHost public immutable host;
    uint256 public disputeCount;
    mapping(uint256 disputeId => address worker) private _workers;
    mapping(bytes32 leafHash => uint256[] disputeIds) private _disputesOfLeaf;

    constructor(IDisputeHost _host) {
        host = _host;
    }

    /// @notice Records a dispute on `_leafHash` naming `_worker`, then tells the host.
    function open(uint256 _batchId, bytes32 _leafHash, bytes32 _requestId, address _worker) external returns (uint256 id_) {
        id_ = ++disputeCount;
        _workers[id_] = _worker;
        _disputesOfLeaf[_leafHash].push(id_);
        host.onDisputeOpened(_batchId, _leafHash, _requestId);
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

    function disputeCountOf(bytes32 _leafHash) external view returns (uint256) {
        return _disputesOfLeaf[_leafHash].length;
    }

    function disputeIdOfLeafAt(bytes32 _leafHash, uint256 _index) external view returns (uint256) {
        return _disputesOfLeaf[_leafHash][_index];
    }

    function disputeOf(uint256 _disputeId) external view returns (Dispute memory dispute_) {
        dispute_.worker = _workers[_disputeId];
    }
}
