// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IEscrow
/// @notice The one place Verity's payouts wait to be claimed (request fees earned by workers and
///         provers, the committer's gas part, slashed stake won by challengers), in the manner of
///         Optimism's DelayedWETH: a payer deposits each payout for the account it is owed to, and
///         each account claims everything credited to it, from every payer, with one call.
interface IEscrow {
    /// @notice `depositor` deposited `amount` wei for `account`.
    event Credited(address indexed depositor, address indexed account, uint256 amount);
    /// @notice `account` was paid the `amount` wei credited to it.
    event Claimed(address indexed account, uint256 amount);

    error Escrow_ZeroAccount();
    error Escrow_LengthMismatch(uint256 accounts, uint256 amounts);
    error Escrow_ValueMismatch(uint256 value, uint256 total);
    error Escrow_NothingToClaim(address account);
    error Escrow_TransferFailed(address account, uint256 amount);

    /// @notice Credits msg.value to `_account`.
    /// @param _account Who may claim it (non-zero).
    function depositFor(address _account) external payable;

    /// @notice Credits `_amounts[i]` to `_accounts[i]`, for each i; msg.value must be their sum.
    /// @param _accounts Who may claim each amount (non-zero).
    /// @param _amounts The amounts, in wei.
    function depositForEach(address[] calldata _accounts, uint256[] calldata _amounts) external payable;

    /// @notice Pays the caller everything credited to it.
    function claim() external;

    /// @notice Wei credited to `_account` and not claimed yet.
    function claimableOf(address _account) external view returns (uint256);
}
