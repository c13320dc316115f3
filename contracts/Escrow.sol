// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IEscrow} from "./interfaces/IEscrow.sol";

/// @title Escrow
/// @notice Holds every payout of the protocol until its account claims it: fees of final results
///         (to workers, provers and the committer's gas part) and slashed stake (to challengers
///         that won a dispute). The Settlement deposits each payout for its account the moment it
///         is owed (depositFor); an account claims all its credits at once (claim).
/// @dev Every credit arrives with its ETH, in the same call, so the Escrow cannot owe more than it
///      holds whoever deposits: it needs no owner, no list of depositors and no wiring. No delay
///      (unlike DelayedWETH): a credit is final when it is made.
contract Escrow is IEscrow {
    /// @inheritdoc IEscrow
    mapping(address account => uint256) public claimableOf;

    /// @inheritdoc IEscrow
    function depositFor(address _account) external payable {
        _credit(_account, msg.value);
    }

    /// @inheritdoc IEscrow
    function depositForEach(address[] calldata _accounts, uint256[] calldata _amounts) external payable {
        if (_accounts.length != _amounts.length) revert Escrow_LengthMismatch(_accounts.length, _amounts.length);
        uint256 total;
        for (uint256 i; i < _accounts.length; ++i) {
            total += _amounts[i];
            _credit(_accounts[i], _amounts[i]);
        }
        if (total != msg.value) revert Escrow_ValueMismatch(msg.value, total);
    }

    /// @inheritdoc IEscrow
    function claim() external {
        uint256 amount = claimableOf[msg.sender];
        if (amount == 0) revert Escrow_NothingToClaim(msg.sender);
        // INVARIANT: each credit is paid once: cleared before the transfer, restored by its revert.
        claimableOf[msg.sender] = 0;
        emit Claimed(msg.sender, amount);
        (bool success,) = msg.sender.call{value: amount}("");
        if (!success) revert Escrow_TransferFailed(msg.sender, amount);
    }

    function _credit(address _account, uint256 _amount) private {
        if (_account == address(0)) revert Escrow_ZeroAccount();
        // INVARIANT: the balance covers every claimable amount: the credits of a call are exactly
        // the ETH that came with it, and a claim pays out exactly what it clears.
        claimableOf[_account] += _amount;
        emit Credited(msg.sender, _account, _amount);
    }
}
