// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Escrow} from "../../contracts/Escrow.sol";
import {IEscrow} from "../../contracts/interfaces/IEscrow.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev An account that claims for itself; refuses ETH, or tries to claim again while being paid.
contract Claimant {
    enum Behaviour {
        Refuse,
        Reenter
    }

    Escrow public immutable escrow;
    Behaviour public immutable behaviour;
    bool public reentryReverted;
    uint256 public received;

    constructor(Escrow _escrow, Behaviour _behaviour) {
        escrow = _escrow;
        behaviour = _behaviour;
    }

    function claim() external {
        escrow.claim();
    }

    receive() external payable {
        if (behaviour == Behaviour.Refuse) revert("refused");
        received += msg.value;
        try escrow.claim() {
            reentryReverted = false;
        } catch {
            reentryReverted = true;
        }
    }
}

abstract contract Escrow_TestInit is TestBase {
    Escrow internal escrow;
    address internal depositor = address(0xDE9);
    address internal otherDepositor = address(0xDE8);
    address internal account = address(0xACC);

    function setUp() public virtual {
        escrow = new Escrow();
    }

    function _depositFor(address _depositor, address _account, uint256 _amount) internal {
        vm.deal(_depositor, _depositor.balance + _amount);
        vm.prank(_depositor);
        escrow.depositFor{value: _amount}(_account);
    }
}

contract Escrow_DepositFor_Test is Escrow_TestInit {
    function testFuzz_depositFor_creditsTheAccount(uint256 _first, uint256 _second, address _account) public {
        vm.assume(_account != address(0) && _account != depositor);
        _first = _bound(_first, 0, 1e30);
        _second = _bound(_second, 0, 1e30);
        vm.deal(depositor, _first);
        vm.expectEmit(address(escrow));
        emit IEscrow.Credited(depositor, _account, _first);
        vm.prank(depositor);
        escrow.depositFor{value: _first}(_account);
        _depositFor(otherDepositor, _account, _second);
        vm.assertEq(escrow.claimableOf(_account), _first + _second, "credited from both depositors");
        vm.assertEq(escrow.claimableOf(depositor), 0, "not to the depositor");
        vm.assertEq(address(escrow).balance, _first + _second, "holds what it owes");
    }

    function testFuzz_depositFor_zeroAccount_reverts(uint256 _amount) public {
        _amount = _bound(_amount, 0, 1e30);
        vm.deal(depositor, _amount);
        vm.prank(depositor);
        vm.expectRevert(IEscrow.Escrow_ZeroAccount.selector);
        escrow.depositFor{value: _amount}(address(0));
    }
}

contract Escrow_DepositForEach_Test is Escrow_TestInit {
    function _pair(address _a, address _b) internal pure returns (address[] memory accounts_) {
        accounts_ = new address[](2);
        (accounts_[0], accounts_[1]) = (_a, _b);
    }

    function _amounts(uint256 _a, uint256 _b) internal pure returns (uint256[] memory amounts_) {
        amounts_ = new uint256[](2);
        (amounts_[0], amounts_[1]) = (_a, _b);
    }

    function testFuzz_depositForEach_creditsEachAccountItsAmount(uint256 _a, uint256 _b) public {
        _a = _bound(_a, 0, 1e30);
        _b = _bound(_b, 0, 1e30);
        vm.deal(depositor, _a + _b);
        vm.expectEmit(address(escrow));
        emit IEscrow.Credited(depositor, account, _a);
        vm.expectEmit(address(escrow));
        emit IEscrow.Credited(depositor, otherDepositor, _b);
        vm.prank(depositor);
        escrow.depositForEach{value: _a + _b}(_pair(account, otherDepositor), _amounts(_a, _b));
        vm.assertEq(escrow.claimableOf(account), _a, "first");
        vm.assertEq(escrow.claimableOf(otherDepositor), _b, "second");
        vm.assertEq(address(escrow).balance, _a + _b, "holds what it owes");
    }

    function testFuzz_depositForEach_valueOtherThanTheSum_reverts(uint256 _a, uint256 _b, uint256 _value) public {
        _a = _bound(_a, 0, 1e30);
        _b = _bound(_b, 0, 1e30);
        _value = _bound(_value, 0, 3e30);
        vm.assume(_value != _a + _b);
        vm.deal(depositor, _value);
        address[] memory accounts = _pair(account, otherDepositor);
        uint256[] memory amounts = _amounts(_a, _b);
        vm.prank(depositor);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.Escrow_ValueMismatch.selector, _value, _a + _b));
        escrow.depositForEach{value: _value}(accounts, amounts);
    }

    function test_depositForEach_lengthMismatch_reverts() public {
        address[] memory accounts = new address[](1);
        accounts[0] = account;
        uint256[] memory amounts = _amounts(1, 2);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.Escrow_LengthMismatch.selector, 1, 2));
        escrow.depositForEach{value: 3}(accounts, amounts);
    }

    function test_depositForEach_zeroAccount_reverts() public {
        address[] memory accounts = _pair(account, address(0));
        uint256[] memory amounts = _amounts(1, 2);
        vm.expectRevert(IEscrow.Escrow_ZeroAccount.selector);
        escrow.depositForEach{value: 3}(accounts, amounts);
    }
}

contract Escrow_Claim_Test is Escrow_TestInit {
    function test_claim_nothingToClaim_reverts() public {
        vm.prank(account);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.Escrow_NothingToClaim.selector, account));
        escrow.claim();
    }

    function testFuzz_claim_paysWhatEveryDepositorCreditedOnce(uint256 _a, uint256 _b) public {
        _a = _bound(_a, 0, 1e30);
        _b = _bound(_b, 1, 1e30);
        _depositFor(depositor, account, _a);
        _depositFor(otherDepositor, account, _b);
        _depositFor(depositor, otherDepositor, 1 ether);
        vm.expectEmit(address(escrow));
        emit IEscrow.Claimed(account, _a + _b);
        vm.prank(account);
        escrow.claim();
        vm.assertEq(account.balance, _a + _b, "one claim pays every credit");
        vm.assertEq(escrow.claimableOf(account), 0, "cleared");
        vm.assertEq(address(escrow).balance, 1 ether, "another account's credit stays");
        vm.prank(account);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.Escrow_NothingToClaim.selector, account));
        escrow.claim();
    }

    function test_claim_recipientRefusesEther_revertsAndKeepsTheCredit() public {
        Claimant claimant = new Claimant(escrow, Claimant.Behaviour.Refuse);
        _depositFor(depositor, address(claimant), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.Escrow_TransferFailed.selector, address(claimant), 1 ether));
        claimant.claim();
        vm.assertEq(escrow.claimableOf(address(claimant)), 1 ether, "credit kept");
        vm.assertEq(address(escrow).balance, 1 ether, "and its ETH");
    }

    function test_claim_reentrantClaimant_isPaidOnce() public {
        Claimant claimant = new Claimant(escrow, Claimant.Behaviour.Reenter);
        _depositFor(depositor, address(claimant), 1 ether);
        _depositFor(depositor, account, 1 ether);
        claimant.claim();
        vm.assertEq(claimant.received(), 1 ether, "paid once");
        vm.assertTrue(claimant.reentryReverted(), "the re-entrant claim found nothing");
        vm.assertEq(address(escrow).balance, 1 ether, "another account's credit untouched");
    }
}
