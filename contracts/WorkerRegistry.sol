// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IEscrow} from "./interfaces/IEscrow.sol";

/// @title WorkerRegistry
/// @notice Workers stake native ETH to commit results. A worker leaves in two steps: it requests a
///         withdrawal (and stops being active at once), then withdraws after the withdrawal delay.
///         One slasher (the Settlement contract) can freeze a stake while a dispute is open and
///         slash it: the slashed ETH goes into the Escrow, credited to the recipient it names.
/// @dev Wiring: the slasher is not known when this contract is deployed (the Settlement needs
///      this address first), so the deployer sets it once with setSlasher; it can never change.
///      Staking is refused until the slasher is set, so no stake is ever held unslashable.
contract WorkerRegistry {
    struct Worker {
        uint128 stake;
        uint64 withdrawableAt;
        uint32 frozen;
    }

    /// @notice Smallest stake of an active worker, in wei.
    uint256 public immutable minimumStake;
    /// @notice Seconds between requestWithdrawal and the earliest withdraw.
    uint64 public immutable withdrawalDelay;
    /// @notice Where slashed stake is credited to its recipient (who claims it there).
    IEscrow public immutable escrow;
    /// @notice The account allowed to set the slasher, once.
    address public immutable deployer;
    /// @notice The contract allowed to freeze and slash stakes.
    address public slasher;

    mapping(address worker => Worker) private _workers;

    event SlasherSet(address indexed slasher);
    event Staked(address indexed worker, uint256 amount, uint256 stake);
    event WithdrawalRequested(address indexed worker, uint256 stake, uint64 withdrawableAt);
    event Withdrawn(address indexed worker, uint256 amount);
    event StakeFrozen(address indexed worker, uint32 frozen);
    event StakeUnfrozen(address indexed worker, uint32 frozen);
    event Slashed(address indexed worker, address indexed recipient, uint256 amount, uint256 remaining);

    error WorkerRegistry_NotDeployer(address caller);
    error WorkerRegistry_NotSlasher(address caller);
    error WorkerRegistry_SlasherAlreadySet(address slasher);
    error WorkerRegistry_SlasherNotContract(address slasher);
    error WorkerRegistry_SlasherNotSet();
    error WorkerRegistry_ZeroAmount();
    error WorkerRegistry_EscrowNotContract(address escrow);
    error WorkerRegistry_StakeBelowMinimum(uint256 stake, uint256 minimumStake);
    error WorkerRegistry_StakeOverflow(uint256 stake);
    error WorkerRegistry_NotRegistered(address worker);
    error WorkerRegistry_WithdrawalPending(address worker, uint64 withdrawableAt);
    error WorkerRegistry_NoWithdrawalRequested(address worker);
    error WorkerRegistry_WithdrawalDelayNotOver(address worker, uint64 withdrawableAt);
    error WorkerRegistry_StakeIsFrozen(address worker, uint32 frozen);
    error WorkerRegistry_NotFrozen(address worker);
    error WorkerRegistry_ZeroRecipient();
    error WorkerRegistry_TransferFailed(address to, uint256 amount);

    modifier onlySlasher() {
        if (msg.sender != slasher) revert WorkerRegistry_NotSlasher(msg.sender);
        _;
    }

    /// @param _minimumStake Smallest stake of an active worker, in wei (non-zero).
    /// @param _withdrawalDelay Seconds from requestWithdrawal to withdraw.
    /// @param _escrow The Escrow slashed stake is credited in (a contract).
    constructor(uint256 _minimumStake, uint64 _withdrawalDelay, IEscrow _escrow) {
        if (_minimumStake == 0) revert WorkerRegistry_ZeroAmount();
        if (address(_escrow).code.length == 0) revert WorkerRegistry_EscrowNotContract(address(_escrow));
        minimumStake = _minimumStake;
        withdrawalDelay = _withdrawalDelay;
        escrow = _escrow;
        deployer = msg.sender;
    }

    /// @notice Sets the slasher (the Settlement contract). Deployer only, once, a contract.
    /// @param _slasher The contract allowed to freeze and slash stakes.
    function setSlasher(address _slasher) external {
        if (msg.sender != deployer) revert WorkerRegistry_NotDeployer(msg.sender);
        // INVARIANT: the slasher is set at most once; nobody can later swap in another slasher.
        if (slasher != address(0)) revert WorkerRegistry_SlasherAlreadySet(slasher);
        if (_slasher.code.length == 0) revert WorkerRegistry_SlasherNotContract(_slasher);
        slasher = _slasher;
        emit SlasherSet(_slasher);
    }

    /// @notice Registers the caller as a worker or adds to its stake (msg.value).
    function register() external payable {
        // INVARIANT: no stake is accepted before a slasher exists to slash it.
        if (slasher == address(0)) revert WorkerRegistry_SlasherNotSet();
        if (msg.value == 0) revert WorkerRegistry_ZeroAmount();
        Worker storage worker = _workers[msg.sender];
        if (worker.withdrawableAt != 0) revert WorkerRegistry_WithdrawalPending(msg.sender, worker.withdrawableAt);
        uint256 stake = uint256(worker.stake) + msg.value;
        if (stake > type(uint128).max) revert WorkerRegistry_StakeOverflow(stake);
        if (stake < minimumStake) revert WorkerRegistry_StakeBelowMinimum(stake, minimumStake);
        worker.stake = uint128(stake);
        emit Staked(msg.sender, msg.value, stake);
    }

    /// @notice Starts the withdrawal delay; the caller stops being active immediately.
    function requestWithdrawal() external {
        Worker storage worker = _workers[msg.sender];
        if (worker.stake == 0) revert WorkerRegistry_NotRegistered(msg.sender);
        if (worker.withdrawableAt != 0) revert WorkerRegistry_WithdrawalPending(msg.sender, worker.withdrawableAt);
        uint64 withdrawableAt = uint64(block.timestamp) + withdrawalDelay;
        worker.withdrawableAt = withdrawableAt;
        emit WithdrawalRequested(msg.sender, worker.stake, withdrawableAt);
    }

    /// @notice Pays the caller its whole stake once the withdrawal delay is over and no dispute
    ///         holds it frozen.
    function withdraw() external {
        Worker storage worker = _workers[msg.sender];
        uint64 withdrawableAt = worker.withdrawableAt;
        if (withdrawableAt == 0) revert WorkerRegistry_NoWithdrawalRequested(msg.sender);
        // INVARIANT: a stake leaves no earlier than withdrawalDelay after the worker stopped being
        // active, which Settlement requires to cover every challenge window of its results.
        if (block.timestamp < withdrawableAt) revert WorkerRegistry_WithdrawalDelayNotOver(msg.sender, withdrawableAt);
        // INVARIANT: a stake with an open dispute against it cannot leave.
        if (worker.frozen != 0) revert WorkerRegistry_StakeIsFrozen(msg.sender, worker.frozen);
        uint256 amount = worker.stake;
        delete _workers[msg.sender];
        emit Withdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @notice Holds a worker's stake while a dispute against one of its results is open.
    /// @param _worker The worker whose result is disputed.
    function freeze(address _worker) external onlySlasher {
        uint32 frozen = ++_workers[_worker].frozen;
        emit StakeFrozen(_worker, frozen);
    }

    /// @notice Releases one freeze taken by freeze.
    /// @param _worker The worker whose dispute is resolved.
    function unfreeze(address _worker) external onlySlasher {
        Worker storage worker = _workers[_worker];
        if (worker.frozen == 0) revert WorkerRegistry_NotFrozen(_worker);
        uint32 frozen = --worker.frozen;
        emit StakeUnfrozen(_worker, frozen);
    }

    /// @notice Moves up to `_amount` of a worker's stake into the Escrow, credited to `_recipient`
    ///         (a credit, never a transfer to it: a recipient cannot make the slash revert).
    /// @param _worker The worker to slash.
    /// @param _amount The most to take; more than the stake takes the whole stake.
    /// @param _recipient Who may claim the slashed ETH from the Escrow.
    /// @return slashed_ The amount actually taken.
    function slash(address _worker, uint256 _amount, address _recipient) external onlySlasher returns (uint256 slashed_) {
        if (_recipient == address(0)) revert WorkerRegistry_ZeroRecipient();
        Worker storage worker = _workers[_worker];
        uint256 stake = worker.stake;
        slashed_ = _amount < stake ? _amount : stake;
        worker.stake = uint128(stake - slashed_);
        emit Slashed(_worker, _recipient, slashed_, stake - slashed_);
        if (slashed_ != 0) escrow.depositFor{value: slashed_}(_recipient);
    }

    /// @notice Whether a worker may commit results: staked at least minimumStake and not leaving.
    function isActive(address _worker) external view returns (bool) {
        Worker storage worker = _workers[_worker];
        return worker.stake >= minimumStake && worker.withdrawableAt == 0;
    }

    /// @notice Whether a worker still holds at least minimumStake (active or leaving).
    function isBonded(address _worker) external view returns (bool) {
        return _workers[_worker].stake >= minimumStake;
    }

    /// @notice A worker's stake, withdrawal time (0: none requested) and open dispute count.
    function workerOf(address _worker) external view returns (Worker memory) {
        return _workers[_worker];
    }

    function _send(address _to, uint256 _amount) private {
        (bool success,) = _to.call{value: _amount}("");
        if (!success) revert WorkerRegistry_TransferFailed(_to, _amount);
    }
}
