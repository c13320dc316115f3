// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Escrow} from "../../contracts/Escrow.sol";
import {WorkerRegistry} from "../../contracts/WorkerRegistry.sol";
import {IEscrow} from "../../contracts/interfaces/IEscrow.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev An account that stakes but refuses ETH: its withdraw must revert.
contract EtherRefuser {
    function register(WorkerRegistry _registry) external payable {
        _registry.register{value: msg.value}();
    }

    function requestWithdrawal(WorkerRegistry _registry) external {
        _registry.requestWithdrawal();
    }

    function withdraw(WorkerRegistry _registry) external {
        _registry.withdraw();
    }
}

/// @dev Deploys a registry (1 ether minimum, 250 s delay) whose slasher is this test contract.
abstract contract WorkerRegistry_TestInit is TestBase {
    uint256 internal constant MIN_STAKE = 1 ether;
    uint64 internal constant DELAY = 250;
    WorkerRegistry internal registry;
    Escrow internal escrow;
    address internal worker = address(0xA11CE);
    address internal stranger = address(0xBAD);

    function setUp() public virtual {
        vm.warp(1_000_000);
        escrow = new Escrow();
        registry = new WorkerRegistry(MIN_STAKE, DELAY, escrow);
        registry.setSlasher(address(this));
        vm.deal(worker, 1_000 ether);
        vm.deal(stranger, 1_000 ether);
    }

    function _stake(address _worker, uint256 _amount) internal {
        vm.prank(_worker);
        registry.register{value: _amount}();
    }
}

contract WorkerRegistry_Constructor_Test is TestBase {
    Escrow internal escrow = new Escrow();

    function test_constructor_zeroMinimumStake_reverts() public {
        vm.expectRevert(WorkerRegistry.WorkerRegistry_ZeroAmount.selector);
        new WorkerRegistry(0, 250, escrow);
    }

    function testFuzz_constructor_escrowNotAContract_reverts(address _escrow) public {
        vm.assume(_escrow.code.length == 0);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.WorkerRegistry_EscrowNotContract.selector, _escrow));
        new WorkerRegistry(1 ether, 250, IEscrow(_escrow));
    }

    function testFuzz_constructor_setsParameters(uint256 _minimumStake, uint64 _delay) public {
        vm.assume(_minimumStake != 0);
        WorkerRegistry registry = new WorkerRegistry(_minimumStake, _delay, escrow);
        vm.assertEq(registry.minimumStake(), _minimumStake, "minimumStake");
        vm.assertEq(uint256(registry.withdrawalDelay()), uint256(_delay), "withdrawalDelay");
        vm.assertEq(registry.deployer(), address(this), "deployer");
        vm.assertEq(registry.slasher(), address(0), "no slasher yet");
        vm.assertEq(address(registry.escrow()), address(escrow), "escrow");
    }
}

contract WorkerRegistry_SetSlasher_Test is TestBase {
    WorkerRegistry internal registry;

    function setUp() public {
        registry = new WorkerRegistry(1 ether, 250, new Escrow());
    }

    function test_setSlasher_byStranger_reverts() public {
        vm.prank(address(0xBAD));
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.WorkerRegistry_NotDeployer.selector, address(0xBAD)));
        registry.setSlasher(address(this));
    }

    function test_setSlasher_notAContract_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.WorkerRegistry_SlasherNotContract.selector, address(0xC0FFEE)));
        registry.setSlasher(address(0xC0FFEE));
    }

    function test_setSlasher_twice_reverts() public {
        registry.setSlasher(address(this));
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.WorkerRegistry_SlasherAlreadySet.selector, address(this)));
        registry.setSlasher(address(registry));
    }

    function test_setSlasher_byDeployer_setsAndEmits() public {
        vm.expectEmit(address(registry));
        emit WorkerRegistry.SlasherSet(address(this));
        registry.setSlasher(address(this));
        vm.assertEq(registry.slasher(), address(this), "slasher");
    }
}

contract WorkerRegistry_Register_Test is WorkerRegistry_TestInit {
    function test_register_beforeSlasherIsSet_reverts() public {
        WorkerRegistry unwired = new WorkerRegistry(MIN_STAKE, DELAY, new Escrow());
        vm.prank(worker);
        vm.expectRevert(WorkerRegistry.WorkerRegistry_SlasherNotSet.selector);
        unwired.register{value: MIN_STAKE}();
    }

    function test_register_zeroValue_reverts() public {
        vm.prank(worker);
        vm.expectRevert(WorkerRegistry.WorkerRegistry_ZeroAmount.selector);
        registry.register();
    }

    function testFuzz_register_belowMinimum_reverts(uint256 _amount) public {
        _amount = _bound(_amount, 1, MIN_STAKE - 1);
        vm.prank(worker);
        vm.expectRevert(
            abi.encodeWithSelector(WorkerRegistry.WorkerRegistry_StakeBelowMinimum.selector, _amount, MIN_STAKE)
        );
        registry.register{value: _amount}();
    }

    function testFuzz_register_atLeastMinimum_activatesWorker(uint256 _amount) public {
        _amount = _bound(_amount, MIN_STAKE, 1_000 ether);
        vm.expectEmit(address(registry));
        emit WorkerRegistry.Staked(worker, _amount, _amount);
        _stake(worker, _amount);
        vm.assertEq(uint256(registry.workerOf(worker).stake), _amount, "stake");
        vm.assertTrue(registry.isActive(worker), "active");
        vm.assertTrue(registry.isBonded(worker), "bonded");
        vm.assertEq(address(registry).balance, _amount, "registry holds the stake");
    }

    function testFuzz_register_topUp_addsToStake(uint256 _first, uint256 _second) public {
        _first = _bound(_first, MIN_STAKE, 100 ether);
        _second = _bound(_second, 1, 100 ether);
        _stake(worker, _first);
        _stake(worker, _second);
        vm.assertEq(uint256(registry.workerOf(worker).stake), _first + _second, "stake adds up");
    }

    function test_register_aboveUint128_reverts() public {
        uint256 huge = uint256(type(uint128).max);
        vm.deal(worker, huge + 1);
        _stake(worker, huge);
        vm.prank(worker);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.WorkerRegistry_StakeOverflow.selector, huge + 1));
        registry.register{value: 1}();
    }

    function test_register_whileWithdrawalPending_reverts() public {
        _stake(worker, MIN_STAKE);
        vm.prank(worker);
        registry.requestWithdrawal();
        uint64 withdrawableAt = uint64(block.timestamp) + DELAY;
        vm.prank(worker);
        vm.expectRevert(
            abi.encodeWithSelector(WorkerRegistry.WorkerRegistry_WithdrawalPending.selector, worker, withdrawableAt)
        );
        registry.register{value: MIN_STAKE}();
    }
}

contract WorkerRegistry_RequestWithdrawal_Test is WorkerRegistry_TestInit {
    function test_requestWithdrawal_unregistered_reverts() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.WorkerRegistry_NotRegistered.selector, stranger));
        registry.requestWithdrawal();
    }

    function test_requestWithdrawal_registered_deactivatesAtOnceButStaysBonded() public {
        _stake(worker, MIN_STAKE);
        vm.expectEmit(address(registry));
        emit WorkerRegistry.WithdrawalRequested(worker, MIN_STAKE, uint64(block.timestamp) + DELAY);
        vm.prank(worker);
        registry.requestWithdrawal();
        vm.assertFalse(registry.isActive(worker), "not active");
        vm.assertTrue(registry.isBonded(worker), "still bonded");
    }

    function test_requestWithdrawal_twice_reverts() public {
        _stake(worker, MIN_STAKE);
        vm.prank(worker);
        registry.requestWithdrawal();
        vm.prank(worker);
        vm.expectRevert(
            abi.encodeWithSelector(
                WorkerRegistry.WorkerRegistry_WithdrawalPending.selector, worker, uint64(block.timestamp) + DELAY
            )
        );
        registry.requestWithdrawal();
    }
}

contract WorkerRegistry_Withdraw_Test is WorkerRegistry_TestInit {
    function setUp() public override {
        super.setUp();
        _stake(worker, 3 ether);
    }

    function test_withdraw_withoutRequest_reverts() public {
        vm.prank(worker);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.WorkerRegistry_NoWithdrawalRequested.selector, worker));
        registry.withdraw();
    }

    function testFuzz_withdraw_beforeDelay_reverts(uint256 _elapsed) public {
        _elapsed = _bound(_elapsed, 0, DELAY - 1);
        vm.prank(worker);
        registry.requestWithdrawal();
        uint64 withdrawableAt = uint64(block.timestamp) + DELAY;
        vm.warp(block.timestamp + _elapsed);
        vm.prank(worker);
        vm.expectRevert(
            abi.encodeWithSelector(WorkerRegistry.WorkerRegistry_WithdrawalDelayNotOver.selector, worker, withdrawableAt)
        );
        registry.withdraw();
    }

    function testFuzz_withdraw_afterDelay_paysWholeStake(uint256 _elapsed) public {
        _elapsed = _bound(_elapsed, DELAY, 10 * 365 days);
        vm.prank(worker);
        registry.requestWithdrawal();
        vm.warp(block.timestamp + _elapsed);
        uint256 before = worker.balance;
        vm.prank(worker);
        registry.withdraw();
        vm.assertEq(worker.balance - before, 3 ether, "whole stake paid");
        vm.assertEq(uint256(registry.workerOf(worker).stake), 0, "record deleted");
        vm.assertEq(uint256(registry.workerOf(worker).withdrawableAt), 0, "can register again");
    }

    function test_withdraw_whileFrozen_revertsUntilUnfrozen() public {
        registry.freeze(worker);
        registry.freeze(worker);
        vm.prank(worker);
        registry.requestWithdrawal();
        vm.warp(block.timestamp + DELAY);
        vm.prank(worker);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.WorkerRegistry_StakeIsFrozen.selector, worker, uint32(2)));
        registry.withdraw();
        registry.unfreeze(worker);
        vm.prank(worker);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.WorkerRegistry_StakeIsFrozen.selector, worker, uint32(1)));
        registry.withdraw();
        registry.unfreeze(worker);
        vm.prank(worker);
        registry.withdraw();
    }

    function test_withdraw_recipientRefusesEther_reverts() public {
        EtherRefuser refuser = new EtherRefuser();
        refuser.register{value: MIN_STAKE}(registry);
        refuser.requestWithdrawal(registry);
        vm.warp(block.timestamp + DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(WorkerRegistry.WorkerRegistry_TransferFailed.selector, address(refuser), MIN_STAKE)
        );
        refuser.withdraw(registry);
    }
}

contract WorkerRegistry_Freeze_Test is WorkerRegistry_TestInit {
    function test_freeze_byStranger_reverts() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.WorkerRegistry_NotSlasher.selector, stranger));
        registry.freeze(worker);
    }

    function test_freeze_bySlasher_countsEachFreeze() public {
        registry.freeze(worker);
        vm.expectEmit(address(registry));
        emit WorkerRegistry.StakeFrozen(worker, 2);
        registry.freeze(worker);
        vm.assertEq(uint256(registry.workerOf(worker).frozen), 2, "two freezes");
    }
}

contract WorkerRegistry_Unfreeze_Test is WorkerRegistry_TestInit {
    function test_unfreeze_byStranger_reverts() public {
        registry.freeze(worker);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.WorkerRegistry_NotSlasher.selector, stranger));
        registry.unfreeze(worker);
    }

    function test_unfreeze_notFrozen_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.WorkerRegistry_NotFrozen.selector, worker));
        registry.unfreeze(worker);
    }

    function test_unfreeze_bySlasher_releasesOneFreeze() public {
        registry.freeze(worker);
        registry.freeze(worker);
        vm.expectEmit(address(registry));
        emit WorkerRegistry.StakeUnfrozen(worker, 1);
        registry.unfreeze(worker);
        vm.assertEq(uint256(registry.workerOf(worker).frozen), 1, "one freeze left");
    }
}

contract WorkerRegistry_Slash_Test is WorkerRegistry_TestInit {
    address internal recipient = address(0xCAFE);

    function test_slash_byStranger_reverts() public {
        _stake(worker, MIN_STAKE);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.WorkerRegistry_NotSlasher.selector, stranger));
        registry.slash(worker, 1, stranger);
    }

    function test_slash_zeroRecipient_reverts() public {
        _stake(worker, MIN_STAKE);
        vm.expectRevert(WorkerRegistry.WorkerRegistry_ZeroRecipient.selector);
        registry.slash(worker, 1, address(0));
    }

    function testFuzz_slash_takesAtMostTheStake(uint256 _stakeAmount, uint256 _amount) public {
        _stakeAmount = _bound(_stakeAmount, MIN_STAKE, 100 ether);
        _stake(worker, _stakeAmount);
        uint256 expected = _amount < _stakeAmount ? _amount : _stakeAmount;
        vm.expectEmit(address(registry));
        emit WorkerRegistry.Slashed(worker, recipient, expected, _stakeAmount - expected);
        uint256 slashed = registry.slash(worker, _amount, recipient);
        vm.assertEq(slashed, expected, "slashed = min(amount, stake)");
        vm.assertEq(escrow.claimableOf(recipient), expected, "credited to the recipient in the escrow");
        vm.assertEq(address(escrow).balance, expected, "the escrow holds it");
        vm.assertEq(uint256(registry.workerOf(worker).stake), _stakeAmount - expected, "stake left");
        vm.assertEq(address(registry).balance, _stakeAmount - expected, "registry holds what is left");
        vm.assertEq(registry.isActive(worker), _stakeAmount - expected >= MIN_STAKE, "active iff minimum left");
    }

    function test_slash_unknownWorker_takesNothing() public {
        vm.assertEq(registry.slash(stranger, 1 ether, recipient), 0, "nothing to take");
        vm.assertEq(escrow.claimableOf(recipient), 0, "nothing credited");
    }

    function test_slash_recipientRefusingEther_stillSlashes() public {
        // The slash is a credit in the escrow, never a transfer: a recipient cannot block it.
        _stake(worker, MIN_STAKE);
        EtherRefuser refuser = new EtherRefuser();
        vm.assertEq(registry.slash(worker, 1, address(refuser)), 1, "slashed");
        vm.assertEq(escrow.claimableOf(address(refuser)), 1, "credited");
    }
}
