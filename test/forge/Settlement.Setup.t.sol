// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Escrow} from "../../contracts/Escrow.sol";
import {ISettlement} from "../../contracts/interfaces/ISettlement.sol";
import {ModelRegistry} from "../../contracts/ModelRegistry.sol";
import {Settlement} from "../../contracts/Settlement.sol";
import {WorkerRegistry} from "../../contracts/WorkerRegistry.sol";
import {SettlementFixture} from "./utils/SettlementFixture.sol";
import {TestBase} from "./utils/TestBase.sol";

contract Settlement_Constructor_Test is TestBase {
    ModelRegistry internal models = new ModelRegistry(address(this));
    Escrow internal escrow = new Escrow();
    WorkerRegistry internal workers = new WorkerRegistry(1 ether, 250, escrow);

    function test_constructor_zeroChallengeWindow_reverts() public {
        vm.expectRevert(ISettlement.Settlement_ZeroChallengeWindow.selector);
        new Settlement(models, workers, 0, 1, address(1), 1, 0);
    }

    function test_constructor_zeroCommitter_reverts() public {
        vm.expectRevert(ISettlement.Settlement_ZeroCommitter.selector);
        new Settlement(models, workers, 100, 1, address(0), 1, 0);
    }

    function testFuzz_constructor_withdrawalDelayBelowTwoWindows_reverts(uint64 _window) public {
        _window = uint64(_bound(_window, 126, type(uint64).max / 2));
        vm.expectRevert(
            abi.encodeWithSelector(ISettlement.Settlement_WithdrawalDelayTooShort.selector, uint64(250), 2 * uint256(_window))
        );
        new Settlement(models, workers, _window, 1, address(1), 1, 0);
    }

    function testFuzz_constructor_windowUpToHalfTheDelay_deploys(uint64 _window) public {
        _window = uint64(_bound(_window, 1, 125));
        Settlement settlement = new Settlement(models, workers, _window, 1, address(1), 1, 0);
        vm.assertEq(uint256(settlement.challengeWindow()), _window, "window");
    }

    function test_constructor_zeroSlashAmount_reverts() public {
        vm.expectRevert(ISettlement.Settlement_ZeroSlashAmount.selector);
        new Settlement(models, workers, 100, 1, address(1), 0, 0);
    }

    function testFuzz_constructor_slashAmountAboveMinimumStake_reverts(uint256 _slash) public {
        _slash = _bound(_slash, 1 ether + 1, type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(ISettlement.Settlement_SlashAmountAboveMinimumStake.selector, _slash, 1 ether)
        );
        new Settlement(models, workers, 100, 1, address(1), _slash, 0);
    }

    function testFuzz_constructor_setsParameters(uint256 _slash, uint256 _minimumFee, uint256 _gasPrice) public {
        _slash = _bound(_slash, 1, 1 ether);
        Settlement settlement = new Settlement(models, workers, 100, _minimumFee, address(0xC0), _slash, _gasPrice);
        vm.assertEq(settlement.disputeSlashAmount(), _slash, "slash");
        vm.assertEq(settlement.minimumFee(), _minimumFee, "minimumFee");
        vm.assertEq(settlement.feeGasPrice(), _gasPrice, "feeGasPrice");
        vm.assertEq(settlement.committer(), address(0xC0), "committer");
        vm.assertEq(settlement.deployer(), address(this), "deployer");
        vm.assertEq(address(settlement.escrow()), address(escrow), "the registry's escrow");
    }
}

contract Settlement_SetDisputeGame_Test is TestBase {
    Settlement internal settlement;

    function setUp() public {
        settlement = new Settlement(
            new ModelRegistry(address(this)), new WorkerRegistry(1 ether, 250, new Escrow()), 100, 1, address(1), 1, 0
        );
    }

    function test_setDisputeGame_byStranger_reverts() public {
        vm.prank(address(0xBAD));
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_NotDeployer.selector, address(0xBAD)));
        settlement.setDisputeGame(address(this));
    }

    function test_setDisputeGame_notAContract_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_DisputeGameNotContract.selector, address(0xBAD)));
        settlement.setDisputeGame(address(0xBAD));
    }

    function test_setDisputeGame_twice_reverts() public {
        vm.expectEmit(address(settlement));
        emit ISettlement.DisputeGameSet(address(this));
        settlement.setDisputeGame(address(this));
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_DisputeGameAlreadySet.selector, address(this)));
        settlement.setDisputeGame(address(settlement));
    }
}

contract Settlement_SetZkSettlement_Test is TestBase {
    Settlement internal settlement;

    function setUp() public {
        settlement = new Settlement(
            new ModelRegistry(address(this)), new WorkerRegistry(1 ether, 250, new Escrow()), 100, 1, address(1), 1, 0
        );
    }

    function testFuzz_setZkSettlement_byStranger_reverts(address _caller) public {
        vm.assume(_caller != address(this));
        vm.prank(_caller);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_NotDeployer.selector, _caller));
        settlement.setZkSettlement(address(this));
    }

    function test_setZkSettlement_notAContract_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_ZkSettlementNotContract.selector, address(0xBAD)));
        settlement.setZkSettlement(address(0xBAD));
    }

    function test_setZkSettlement_twice_reverts() public {
        vm.expectEmit(address(settlement));
        emit ISettlement.ZkSettlementSet(address(this));
        settlement.setZkSettlement(address(this));
        vm.assertEq(settlement.zkSettlement(), address(this), "set");
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_ZkSettlementAlreadySet.selector, address(this)));
        settlement.setZkSettlement(address(settlement));
    }
}

contract Settlement_Receive_Test is SettlementFixture {
    /// @dev ETH comes in only with a request; slashed stake goes from the registry to the Escrow.
    function testFuzz_receive_plainEther_isRefused(address _sender) public {
        vm.deal(_sender, 1 ether);
        vm.prank(_sender);
        (bool ok,) = address(settlement).call{value: 1 ether}("");
        vm.assertFalse(ok, "refused");
        vm.assertEq(address(settlement).balance, 0, "nothing kept");
    }
}

contract Settlement_DomainSeparator_Test is SettlementFixture {
    function test_domainSeparator_isEip712OfVerityV1ThisChainThisContract() public view {
        bytes32 expected = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Verity"),
                keccak256("1"),
                block.chainid,
                address(settlement)
            )
        );
        vm.assertEq(settlement.domainSeparator(), expected, "domain separator");
    }

    function testFuzz_domainSeparator_afterAFork_followsTheChainId(uint64 _chainId) public {
        vm.assume(_chainId != block.chainid && _chainId != 0);
        bytes32 before = settlement.domainSeparator();
        vm.chainId(_chainId);
        vm.assertNotEq(settlement.domainSeparator(), before, "rebuilt for the new chain id");
    }
}
