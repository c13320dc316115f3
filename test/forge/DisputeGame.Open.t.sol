// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {DisputeGame} from "../../contracts/dispute/DisputeGame.sol";
import {
    Dispute,
    DisputeOutcome,
    DisputePhase,
    DisputeSide,
    IDisputeGame
} from "../../contracts/interfaces/IDisputeGame.sol";
import {IDisputeHost} from "../../contracts/interfaces/IDisputeHost.sol";
import {IOneStepExecutor} from "../../contracts/interfaces/IOneStepExecutor.sol";
import {ResultLeaf} from "../../contracts/libraries/LibResultMerkle.sol";
import {LibTensorRoot} from "../../contracts/libraries/LibTensorRoot.sol";
import {DisputeHostMock} from "../../contracts/test/DisputeHostMock.sol";
import {DisputeGameFixture} from "./utils/DisputeGameFixture.sol";

contract DisputeGame_Constructor_Test is DisputeGameFixture {
    function test_constructor_zeroHost_reverts() public {
        vm.expectRevert(IDisputeGame.DisputeGame_ZeroAddress.selector);
        new DisputeGame(IDisputeHost(address(0)), IOneStepExecutor(address(executor)), BOND, MAX_CLOCK);
    }

    function test_constructor_zeroExecutor_reverts() public {
        vm.expectRevert(IDisputeGame.DisputeGame_ZeroAddress.selector);
        new DisputeGame(IDisputeHost(address(host)), IOneStepExecutor(address(0)), BOND, MAX_CLOCK);
    }

    function test_constructor_zeroBond_reverts() public {
        vm.expectRevert(IDisputeGame.DisputeGame_ZeroBond.selector);
        new DisputeGame(IDisputeHost(address(host)), IOneStepExecutor(address(executor)), 0, MAX_CLOCK);
    }

    function test_constructor_zeroClock_reverts() public {
        vm.expectRevert(IDisputeGame.DisputeGame_ZeroClock.selector);
        new DisputeGame(IDisputeHost(address(host)), IOneStepExecutor(address(executor)), BOND, 0);
    }

    function testFuzz_constructor_setsParameters(uint256 _bond, uint64 _clock) public {
        _bond = _bound(_bond, 1, type(uint256).max);
        _clock = uint64(_bound(_clock, 1, type(uint64).max));
        DisputeGame other =
            new DisputeGame(IDisputeHost(address(host)), IOneStepExecutor(address(executor)), _bond, _clock);
        vm.assertEq(address(other.host()), address(host), "host");
        vm.assertEq(address(other.executor()), address(executor), "executor");
        vm.assertEq(other.challengerBondWei(), _bond, "bond");
        vm.assertEq(uint256(other.maxClockSeconds()), uint256(_clock), "clock");
        vm.assertEq(other.disputeCount(), 0, "no dispute");
    }
}

contract DisputeGame_Open_Test is DisputeGameFixture {
    function test_open_validLeaf_opensDisputeWithDefenderToMove() public {
        Scenario memory sc = _commit(_scenario());
        vm.expectEmit(address(game));
        emit IDisputeGame.DisputeOpened(1, sc.batchId, sc.leafHash, sc.leaf.requestId, worker, challenger, BOND);
        vm.expectCall(
            address(host), abi.encodeCall(IDisputeHost.onDisputeOpened, (sc.batchId, sc.leafHash, sc.leaf.requestId, worker))
        );
        uint256 id = _open(sc);
        vm.assertEq(id, 1, "first id");
        Dispute memory d = _dispute(id);
        vm.assertEq(d.challenger, challenger, "challenger");
        vm.assertEq(d.worker, worker, "worker");
        vm.assertEq(uint256(d.phase), uint256(DisputePhase.AwaitTracePage), "defender moves first");
        vm.assertEq(uint256(d.outcome), uint256(DisputeOutcome.Undecided), "undecided");
        vm.assertEq(uint256(d.turnStartedAt), _now(), "defender clock starts now");
        vm.assertEq(uint256(d.stepCount), 3, "step count");
        vm.assertEq(d.node, sc.leaf.traceCommitment, "descent starts at the trace root");
        vm.assertEq(uint256(d.nodeHeight), 2, "height ceil(log2(4))");
        vm.assertEq(uint256(d.nodeIndex), 0, "root index");
        vm.assertEq(d.batchId, sc.batchId, "batch");
        vm.assertEq(d.leafHash, sc.leafHash, "leaf hash");
        vm.assertEq(d.requestId, sc.leaf.requestId, "request");
        vm.assertEq(d.inputCommitment, sc.leaf.inputCommitment, "input");
        vm.assertEq(d.outputCommitment, sc.leaf.outputCommitment, "output");
        vm.assertEq(d.traceCommitment, sc.leaf.traceCommitment, "trace");
        vm.assertEq(d.stepsRoot, sc.parts.stepsRoot, "steps root");
        vm.assertEq(d.parametersRoot, sc.parts.parametersRoot, "parameters root");
        vm.assertEq(uint256(game.turnOf(id)), uint256(DisputeSide.Defender), "turn");
        vm.assertEq(game.clockRemaining(id, DisputeSide.Defender), MAX_CLOCK, "defender clock full");
        vm.assertEq(game.clockRemaining(id, DisputeSide.Challenger), MAX_CLOCK, "challenger clock full");
        vm.assertEq(address(game).balance, BOND, "bond held");
        vm.assertEq(game.disputeCountOf(sc.leafHash), 1, "one dispute on the leaf");
        vm.assertEq(game.disputeIdOfLeafAt(sc.leafHash, 0), id, "its id");
        vm.assertEq(game.openDisputesOf(sc.leafHash), 1, "open");
        vm.assertFalse(game.leafRefuted(sc.leafHash), "not refuted");
        vm.assertEq(host.openedCount(sc.leafHash), 1, "host told once");
        vm.assertEq(host.openedBatch(sc.leafHash), sc.batchId, "with the batch");
        vm.assertTrue(host.isHeld(sc.leafHash), "host holds the result");
    }

    function testFuzz_open_wrongBond_reverts(uint256 _value) public {
        _value = _bound(_value, 0, 1_000 ether);
        vm.assume(_value != BOND);
        Scenario memory sc = _commit(_scenario());
        vm.deal(challenger, _value);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_IncorrectBond.selector, _value, BOND));
        game.open{value: _value}(sc.batchId, sc.leaf, sc.leafProof, sc.parts, sc.signature);
    }

    function test_open_unknownBatch_reverts() public {
        Scenario memory sc = _commit(_scenario());
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_UnknownBatch.selector, 99));
        game.open{value: BOND}(99, sc.leaf, sc.leafProof, sc.parts, sc.signature);
    }

    function testFuzz_open_atOrAfterWindowEnd_reverts(uint256 _late) public {
        Scenario memory sc = _commit(_scenario());
        uint64 endsAt = uint64(_now()) + WINDOW;
        vm.warp(endsAt + _bound(_late, 0, 365 days));
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_ChallengeWindowOver.selector, sc.batchId, endsAt)
        );
        game.open{value: BOND}(sc.batchId, sc.leaf, sc.leafProof, sc.parts, sc.signature);
    }

    function testFuzz_open_beforeWindowEnd_opens(uint256 _elapsed) public {
        Scenario memory sc = _commit(_scenario());
        vm.warp(_now() + _bound(_elapsed, 0, WINDOW - 1));
        uint256 id = _open(sc);
        vm.assertEq(uint256(_dispute(id).turnStartedAt), _now(), "opened now");
    }

    function test_open_leafFieldChanged_reverts() public {
        Scenario memory sc = _commit(_scenario());
        sc.leaf.outputCommitment = keccak256("another output");
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_LeafNotInBatch.selector, sc.batchId, _hashLeaf(sc.leaf))
        );
        game.open{value: BOND}(sc.batchId, sc.leaf, sc.leafProof, sc.parts, sc.signature);
    }

    function test_open_proofOfAnotherBatch_reverts() public {
        Scenario memory sc = _commit(_scenario());
        Scenario memory other = _commit(_scenario());
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_LeafNotInBatch.selector, other.batchId, sc.leafHash)
        );
        game.open{value: BOND}(other.batchId, sc.leaf, sc.leafProof, sc.parts, sc.signature);
    }

    function test_open_signedByAnotherKey_reverts() public {
        Scenario memory sc = _commit(_scenario());
        bytes memory forged = _sign(OTHER_WORKER_KEY, sc.leaf);
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_BadWorkerSignature.selector, sc.leafHash, worker)
        );
        game.open{value: BOND}(sc.batchId, sc.leaf, sc.leafProof, sc.parts, forged);
    }

    function test_open_malformedSignature_reverts() public {
        Scenario memory sc = _commit(_scenario());
        bytes memory compact = new bytes(64);
        for (uint256 i; i < 64; ++i) compact[i] = sc.signature[i];
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_BadWorkerSignature.selector, sc.leafHash, worker)
        );
        game.open{value: BOND}(sc.batchId, sc.leaf, sc.leafProof, sc.parts, compact);
    }

    function test_open_partsNotTheModelCommitment_reverts() public {
        Scenario memory sc = _commit(_scenario());
        sc.parts.parameterCount += 1;
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeGame_ModelMismatch.selector, sc.leaf.modelCommitment, keccak256(abi.encode(sc.parts))
            )
        );
        game.open{value: BOND}(sc.batchId, sc.leaf, sc.leafProof, sc.parts, sc.signature);
    }

    function test_open_stepCountAboveUint32_reverts() public {
        Scenario memory sc = _commit(_scenario());
        sc.parts.stepCount = uint256(type(uint32).max) + 1;
        sc.leaf.modelCommitment = keccak256(abi.encode(sc.parts));
        _commitLeaf(sc, WORKER_KEY);
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_StepCountTooLarge.selector, sc.parts.stepCount)
        );
        game.open{value: BOND}(sc.batchId, sc.leaf, sc.leafProof, sc.parts, sc.signature);
    }

    function test_open_hostRefuses_revertsAndRecordsNothing() public {
        Scenario memory sc = _commit(_scenario());
        host.setRefuseOpen(true);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(DisputeHostMock.DisputeHostMock_Refused.selector, sc.leafHash));
        game.open{value: BOND}(sc.batchId, sc.leaf, sc.leafProof, sc.parts, sc.signature);
        vm.assertEq(game.disputeCount(), 0, "no dispute");
        vm.assertEq(game.openDisputesOf(sc.leafHash), 0, "none open");
        vm.assertEq(game.disputeCountOf(sc.leafHash), 0, "none recorded");
    }

    function testFuzz_open_traceHeightFollowsStepCount(uint256 _steps) public {
        _steps = _bound(_steps, 0, 300);
        Scenario memory sc = _commit(_scenario(_lengths(_steps + 1, 1)));
        uint256 id = _open(sc);
        uint256 height;
        while ((uint256(1) << height) < _steps + 1) ++height;
        vm.assertEq(uint256(_dispute(id).nodeHeight), height, "ceil(log2(stepCount + 1))");
        vm.assertEq(uint256(_dispute(id).stepCount), _steps, "step count");
    }

    function test_open_severalDisputesOnOneLeaf_eachCountedAndHeld() public {
        Scenario memory sc = _commit(_scenario());
        uint256 first = _open(sc);
        uint256 second = _openAs(sc, outsider);
        uint256 third = _openAs(sc, worker);
        vm.assertEq(game.disputeCountOf(sc.leafHash), 3, "three disputes");
        vm.assertEq(game.openDisputesOf(sc.leafHash), 3, "three open");
        uint256[] memory ids = game.disputeIdsOf(sc.leafHash);
        vm.assertEq(ids.length, 3, "ids");
        vm.assertEq(ids[0], first, "oldest first");
        vm.assertEq(ids[1], second, "second");
        vm.assertEq(ids[2], third, "third");
        vm.assertEq(_dispute(third).challenger, worker, "a worker may dispute its own leaf");
        vm.assertEq(host.openDisputes(sc.leafHash), 3, "host counts three");
        vm.assertEq(address(game).balance, 3 * BOND, "three bonds");
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_LeafDisputeIndexOutOfRange.selector, sc.leafHash, 3, 3)
        );
        game.disputeIdOfLeafAt(sc.leafHash, 3);
    }

    function test_open_afterADefenderWin_opens() public {
        Scenario memory sc = _commit(_scenario());
        uint256 upheld = _uphold(sc);
        vm.assertEq(uint256(_dispute(upheld).outcome), uint256(DisputeOutcome.DefenderWon), "upheld");
        uint256 id = _open(sc);
        vm.assertEq(uint256(_dispute(id).phase), uint256(DisputePhase.AwaitTracePage), "a new dispute");
        vm.assertEq(game.openDisputesOf(sc.leafHash), 1, "one open");
    }

    function test_open_refutedLeaf_revertsInAnyBatch() public {
        Scenario memory sc = _commit(_scenario());
        uint256 refuting = _refute(sc);
        vm.assertTrue(game.leafRefuted(sc.leafHash), "refuted");
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_LeafAlreadyDiscarded.selector, sc.leafHash, refuting)
        );
        game.open{value: BOND}(sc.batchId, sc.leaf, sc.leafProof, sc.parts, sc.signature);
        _commitLeaf(sc, WORKER_KEY); // the same leaf committed again in a new batch
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_LeafAlreadyDiscarded.selector, sc.leafHash, refuting)
        );
        game.open{value: BOND}(sc.batchId, sc.leaf, sc.leafProof, sc.parts, sc.signature);
    }

    function test_open_zeroStepModel_startsAtLeafZero() public {
        Scenario memory sc = _commit(_scenario(_lengths(1, 20)));
        uint256 id = _open(sc);
        Dispute memory d = _dispute(id);
        vm.assertEq(uint256(d.stepCount), 0, "no step");
        vm.assertEq(uint256(d.nodeHeight), 0, "the root is leaf 0");
        vm.assertEq(d.node, LibTensorRoot.root(_honestTensor(sc, 0)), "the input's tensor root");
    }

    function test_open_leafOfAnotherWorkerSignedByThem_namesThatWorker() public {
        Scenario memory sc = _commit(_scenario(), OTHER_WORKER_KEY);
        uint256 id = _open(sc);
        vm.assertEq(_dispute(id).worker, otherWorker, "the leaf's worker");
        ResultLeaf memory leaf = sc.leaf;
        vm.assertEq(leaf.worker, otherWorker, "leaf names it");
    }
}
