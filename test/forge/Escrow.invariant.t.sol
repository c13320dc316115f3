// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Escrow} from "../../contracts/Escrow.sol";
import {TestBase} from "./utils/TestBase.sol";
import {Vm} from "./utils/Vm.sol";

/// @title EscrowHandler
/// @notice The only target of the invariant run: three depositors credit three accounts any
///         amounts in random order (one or two at a time), the accounts claim (an account with nothing to claim reverts
///         and is skipped, fail_on_revert = false), and ETH is forced in. Tracks what went in and out.
contract EscrowHandler {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    Escrow public immutable escrow;
    address[3] public depositors = [address(0xD1), address(0xD2), address(0xD3)];
    address[3] public accounts = [address(0xA1), address(0xA2), address(0xA3)];
    /// @notice Wei credited, forced in and paid out, in total.
    uint256 public totalCredited;
    uint256 public totalForced;
    uint256 public totalPaid;

    constructor(Escrow _escrow) {
        escrow = _escrow;
    }

    function depositFor(uint256 _depositor, uint256 _account, uint256 _amount) external {
        address from = depositors[_depositor % 3];
        _amount = _amount % 100 ether;
        vm.deal(from, _amount);
        vm.prank(from);
        escrow.depositFor{value: _amount}(accounts[_account % 3]);
        totalCredited += _amount;
    }

    function depositForEach(uint256 _depositor, uint256 _first, uint256 _second, uint256 _a, uint256 _b) external {
        address from = depositors[_depositor % 3];
        address[] memory to = new address[](2);
        (to[0], to[1]) = (accounts[_first % 3], accounts[_second % 3]);
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (_a % 100 ether, _b % 100 ether);
        vm.deal(from, amounts[0] + amounts[1]);
        vm.prank(from);
        escrow.depositForEach{value: amounts[0] + amounts[1]}(to, amounts);
        totalCredited += amounts[0] + amounts[1];
    }

    function claim(uint256 _account) external {
        address to = accounts[_account % 3];
        uint256 before = to.balance;
        vm.prank(to);
        escrow.claim();
        totalPaid += to.balance - before;
    }

    /// @dev ETH that arrives without a call (a selfdestruct, a block reward): nobody's credit.
    function force(uint256 _amount) external {
        _amount = _amount % 1 ether;
        vm.deal(address(escrow), address(escrow).balance + _amount);
        totalForced += _amount;
    }
}

/// @notice The escrow rule for any depositors and accounts: the balance covers every claimable
///         amount; what is claimable is exactly what was credited and not yet paid, and the balance
///         is that plus any ETH forced in (no wei created or lost).
contract Escrow_Invariant is TestBase {
    Escrow internal escrow;
    EscrowHandler internal handler;

    function setUp() public {
        escrow = new Escrow();
        handler = new EscrowHandler(escrow);
        _targetContract(address(handler));
    }

    function _claimable() internal view returns (uint256 total_) {
        for (uint256 i; i < 3; ++i) {
            total_ += escrow.claimableOf(handler.accounts(i));
        }
    }

    function invariant_balanceCoversEveryClaimableAmount() public view {
        vm.assertGe(address(escrow).balance, _claimable(), "balance covers every credit");
    }

    function invariant_claimableIsCreditedMinusPaid() public view {
        vm.assertEq(_claimable(), handler.totalCredited() - handler.totalPaid(), "credited - paid");
        vm.assertEq(
            address(escrow).balance, _claimable() + handler.totalForced(), "balance: claimable + forced, nothing else"
        );
    }
}
