// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {
    Dispute,
    DisputeOutcome,
    DisputePhase,
    DisputeReason,
    DisputeSide,
    IDisputeGame
} from "../../contracts/interfaces/IDisputeGame.sol";
import {IDisputeHost} from "../../contracts/interfaces/IDisputeHost.sol";
import {IOneStepExecutor} from "../../contracts/interfaces/IOneStepExecutor.sol";
import {LibTensorRoot} from "../../contracts/libraries/LibTensorRoot.sol";
import {OneStepExecutorMock} from "../../contracts/test/OneStepExecutorMock.sol";
import {DisputeGameFixture} from "./utils/DisputeGameFixture.sol";

/// @dev A dispute on the default scenario played down to the one-step of chunk 4 of step 1's
///      output (70 values: offsets 0-5 are values 64-69, offsets 6-15 padding).
abstract contract DisputeGame_OneStep_TestInit is DisputeGameFixture {
    uint256 internal constant STEP = 1;
    uint256 internal constant CHUNK = 4;
    Scenario internal sc;
    uint256 internal id;

    function setUp() public virtual override {
        super.setUp();
        Scenario memory fresh = _commit(_scenario());
        sc = fresh;
        id = _open(fresh);
        _playToOneStep(fresh, id, STEP, CHUNK);
    }

    function _values() internal view returns (int256[16] memory) {
        return _chunkValues(sc, id);
    }
}

contract DisputeGame_OneStep_Test is DisputeGame_OneStep_TestInit {
    function testFuzz_oneStep_executorReturnsTheDefendersValue_defenderWins(uint8 _offset) public {
        _offset = uint8(_bound(_offset, 0, 15));
        int256[16] memory values = _values();
        uint256 element = CHUNK * 16 + _offset;
        executor.setValue(values[_offset], false);
        vm.expectEmit(address(game));
        emit IDisputeGame.OneStepExecuted(id, element, values[_offset], values[_offset]);
        vm.expectEmit(address(game));
        emit IDisputeGame.DisputeResolved(id, true, DisputeReason.OneStep);
        vm.expectEmit(address(game));
        emit IDisputeGame.BondCredited(id, worker, BOND);
        vm.prank(challenger);
        game.oneStep(id, _offset, values, "");
        Dispute memory d = _dispute(id);
        vm.assertEq(uint256(d.phase), uint256(DisputePhase.Resolved), "resolved");
        vm.assertEq(uint256(d.outcome), uint256(DisputeOutcome.DefenderWon), "defender won");
        vm.assertEq(uint256(d.reason), uint256(DisputeReason.OneStep), "by the one-step");
        vm.assertEq(game.claimable(worker), BOND, "the bond goes to the worker");
        vm.assertEq(game.claimable(challenger), 0, "nothing for the challenger");
        vm.assertFalse(game.leafRefuted(sc.leafHash), "leaf stands");
        vm.assertEq(game.openDisputesOf(sc.leafHash), 0, "none open");
        vm.assertFalse(host.isHeld(sc.leafHash), "host released it");
        vm.assertFalse(host.discarded(sc.leafHash), "not discarded");
    }

    function testFuzz_oneStep_executorComputesAnotherValue_challengerWins(uint8 _offset, int256 _computed) public {
        _offset = uint8(_bound(_offset, 0, 15));
        int256[16] memory values = _values();
        vm.assume(_computed != values[_offset]);
        executor.setValue(_computed, false);
        vm.expectEmit(address(game));
        emit IDisputeGame.OneStepExecuted(id, CHUNK * 16 + _offset, values[_offset], _computed);
        vm.expectEmit(address(game));
        emit IDisputeGame.LeafRefuted(sc.leafHash, id);
        vm.expectEmit(address(game));
        emit IDisputeGame.DisputeResolved(id, false, DisputeReason.OneStep);
        vm.prank(challenger);
        game.oneStep(id, _offset, values, "");
        Dispute memory d = _dispute(id);
        vm.assertEq(uint256(d.outcome), uint256(DisputeOutcome.ChallengerWon), "challenger won");
        vm.assertEq(game.claimable(challenger), BOND, "bond back");
        vm.assertEq(game.refutingDisputeOf(sc.leafHash), id, "leaf refuted");
        vm.assertTrue(host.discarded(sc.leafHash), "host discarded it");
    }

    function test_oneStep_callsTheExecutorWithTheDefendersCommitments() public {
        executor.expectCall(sc.parts.stepsRoot, sc.parts.parametersRoot, sc.leaf.traceCommitment, STEP, CHUNK * 16 + 3);
        bytes memory witness = hex"c0ffee";
        vm.expectCall(
            address(executor),
            abi.encodeCall(
                IOneStepExecutor.executeElement,
                (sc.parts.stepsRoot, sc.parts.parametersRoot, sc.leaf.traceCommitment, 2, STEP, CHUNK * 16 + 3, witness)
            )
        );
        int256[16] memory values = _values();
        executor.setValue(values[3], false);
        vm.prank(challenger);
        game.oneStep(id, 3, values, witness);
        vm.assertEq(uint256(_dispute(id).outcome), uint256(DisputeOutcome.DefenderWon), "decided");
    }

    function testFuzz_oneStep_offsetOutOfRange_reverts(uint8 _offset) public {
        _offset = uint8(_bound(_offset, 16, 255));
        int256[16] memory values = _values();
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_OffsetOutOfRange.selector, id, _offset));
        game.oneStep(id, _offset, values, "");
    }

    function testFuzz_oneStep_valuesNotTheRevealedChunk_reverts(uint256 _offset, int256 _value) public {
        _offset = _bound(_offset, 0, 15);
        int256[16] memory values = _values();
        vm.assume(values[_offset] != _value);
        values[_offset] = _value;
        bytes32 leaf = _dispute(id).node;
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeGame_ChunkValuesMismatch.selector, id, leaf, LibTensorRoot.chunkLeaf(CHUNK, values)
            )
        );
        game.oneStep(id, 0, values, "");
        vm.assertEq(leaf, _dispute(id).node, "unchanged");
        vm.assertEq(uint256(_dispute(id).phase), uint256(DisputePhase.AwaitOneStep), "still the one-step");
    }

    function test_oneStep_executorRefusesTheWitness_revertsAndTheChallengerMayRetry() public {
        executor.setValue(0, true);
        int256[16] memory values = _values();
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(OneStepExecutorMock.OneStepExecutorMock_Refused.selector, CHUNK * 16 + 2)
        );
        game.oneStep(id, 2, values, "");
        vm.assertEq(uint256(_dispute(id).phase), uint256(DisputePhase.AwaitOneStep), "turn kept");
        _oneStep(sc, id, 2, values[2] + 1);
        vm.assertEq(uint256(_dispute(id).outcome), uint256(DisputeOutcome.ChallengerWon), "retried and won");
    }

    function testFuzz_oneStep_byAnyoneButTheChallenger_reverts(address _caller) public {
        vm.assume(_caller != challenger);
        int256[16] memory values = _values();
        vm.prank(_caller);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_NotChallenger.selector, id, _caller));
        game.oneStep(id, 0, values, "");
    }

    function test_oneStep_beforeTheValues_reverts() public {
        Scenario memory other = _commit(_scenario());
        uint256 fresh = _open(other);
        _pickTraceLeaf(other, fresh, 3);
        int256[16] memory values;
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeGame_WrongPhase.selector, fresh, DisputePhase.AwaitOneStep, DisputePhase.AwaitChunkValues
            )
        );
        game.oneStep(fresh, 0, values, "");
    }

    function test_oneStep_afterTheDisputeIsDecided_reverts() public {
        int256[16] memory values = _values();
        _oneStep(sc, id, 0, values[0]);
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_NotInProgress.selector, id, DisputeOutcome.DefenderWon)
        );
        game.oneStep(id, 0, values, "");
    }

    function testFuzz_oneStep_afterTheClockRanOut_reverts(uint256 _late) public {
        int256[16] memory values = _values();
        uint256 used = _dispute(id).challengerClockUsed;
        vm.warp(_now() + MAX_CLOCK - used + _bound(_late, 0, 365 days));
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_ClockExpired.selector, id, DisputeSide.Challenger)
        );
        game.oneStep(id, 0, values, "");
    }
}

/// @notice Whole disputes between a worker and an honest challenger: the challenger picks the first
///         node that differs from the honest trace, then the first differing chunk and value, and
///         the executor (mocked) returns the honest value.
contract DisputeGame_HonestChallenger_Test is DisputeGameFixture {
    function testFuzz_dispute_wrongValueInsideAStep_honestChallengerWins(uint256 _tensor, uint256 _element, int256 _delta)
        public
    {
        uint256[] memory lengths = new uint256[](6);
        (lengths[0], lengths[1], lengths[2], lengths[3], lengths[4], lengths[5]) = (30, 50, 8, 100, 16, 3);
        Scenario memory sc = _scenario(lengths);
        sc.corruptTensor = _bound(_tensor, 1, 5);
        sc.corruptElement = _bound(_element, 0, lengths[sc.corruptTensor] - 1);
        sc.delta = int256(_bound(uint256(_delta), 1, 1_000_000));
        _commit(sc);
        uint256 id = _open(sc);
        uint256 step = sc.corruptTensor - 1;
        _playToOneStep(sc, id, step, sc.corruptElement / 16);
        uint8 offset = uint8(sc.corruptElement % 16);
        int256 honest = _honestValue(sc, sc.corruptTensor, sc.corruptElement);
        vm.assertEq(_chunkValues(sc, id)[offset], honest + sc.delta, "the defender's wrong value");
        executor.expectCall(sc.parts.stepsRoot, sc.parts.parametersRoot, sc.leaf.traceCommitment, step, sc.corruptElement);
        _oneStep(sc, id, offset, honest);
        vm.assertEq(uint256(_dispute(id).outcome), uint256(DisputeOutcome.ChallengerWon), "challenger won");
        vm.assertTrue(host.discarded(sc.leafHash), "leaf discarded");
    }

    function testFuzz_dispute_correctLeaf_everyOneStepUpholdsIt(uint256 _step, uint256 _element) public {
        Scenario memory sc = _commit(_scenario());
        uint256 step = _bound(_step, 0, 2);
        uint256 element = _bound(_element, 0, sc.lengths[step + 1] - 1);
        uint256 id = _open(sc);
        _playToOneStep(sc, id, step, element / 16);
        _oneStep(sc, id, uint8(element % 16), _honestValue(sc, step + 1, element));
        vm.assertEq(uint256(_dispute(id).outcome), uint256(DisputeOutcome.DefenderWon), "defender won");
        vm.assertEq(game.claimable(worker), BOND, "worker paid for answering");
    }
}

/// @notice The callbacks to the host: one onDisputeOpened per dispute, exactly one
///         onDisputeResolved per dispute with the leaf's fields and the outcome, after the game's
///         state is final; the first challenger win discards the leaf, later resolutions count down.
contract DisputeGame_HostCallbacks_Test is DisputeGameFixture {
    function test_resolve_challengerWin_tellsTheHostOnce() public {
        Scenario memory sc = _commit(_scenario());
        uint256 id = _open(sc);
        vm.expectCall(
            address(host),
            abi.encodeCall(
                IDisputeHost.onDisputeResolved,
                (sc.batchId, sc.leafHash, sc.leaf.requestId, worker, false, challenger)
            ),
            1
        );
        vm.warp(_now() + MAX_CLOCK);
        game.claimTimeout(id);
        vm.assertEq(host.resolvedCount(sc.leafHash), 1, "one resolution");
        vm.assertEq(host.refutations(), 1, "one refutation");
        vm.assertEq(host.refutationOf(sc.leafHash).worker, worker, "slashing the leaf's worker");
    }

    function test_resolve_defenderWin_tellsTheHostOnce() public {
        Scenario memory sc = _commit(_scenario());
        uint256 id = _open(sc);
        _revealTracePage(sc, id);
        vm.expectCall(
            address(host),
            abi.encodeCall(
                IDisputeHost.onDisputeResolved, (sc.batchId, sc.leafHash, sc.leaf.requestId, worker, true, challenger)
            ),
            1
        );
        vm.warp(_now() + MAX_CLOCK);
        game.claimTimeout(id);
        vm.assertEq(host.resolvedCount(sc.leafHash), 1, "one resolution");
        vm.assertFalse(host.discarded(sc.leafHash), "not discarded");
        vm.assertEq(host.refutations(), 0, "no refutation");
    }

    function test_resolve_severalDisputesOnALeaf_firstChallengerWinRefutesLaterOnesCountDown() public {
        Scenario memory sc = _commit(_scenario());
        uint256 a = _open(sc);
        uint256 b = _openAs(sc, outsider);
        uint256 c = _openAs(sc, worker);
        _revealTracePage(sc, b); // b's challenger now to move
        _revealTracePage(sc, c);
        vm.warp(_now() + MAX_CLOCK);
        game.claimTimeout(b); // b's challenger (outsider) timed out: defender wins b
        vm.assertEq(game.openDisputesOf(sc.leafHash), 2, "two open");
        vm.assertEq(host.openDisputes(sc.leafHash), 2, "host agrees");
        vm.assertFalse(game.leafRefuted(sc.leafHash), "a defender win refutes nothing");
        game.claimTimeout(a); // a's defender never moved: challenger wins a
        vm.assertEq(game.refutingDisputeOf(sc.leafHash), a, "a refutes the leaf");
        game.claimTimeout(c); // c's challenger (the worker) timed out: defender wins c
        vm.assertEq(game.refutingDisputeOf(sc.leafHash), a, "still a");
        vm.assertEq(game.openDisputesOf(sc.leafHash), 0, "none open");
        vm.assertEq(host.openDisputes(sc.leafHash), 0, "host agrees");
        vm.assertEq(host.resolvedCount(sc.leafHash), 3, "three resolutions");
        vm.assertEq(host.refutations(), 1, "one refutation");
        vm.assertEq(host.refutationOf(sc.leafHash).challenger, challenger, "rewarding a's challenger");
        vm.assertEq(game.claimable(challenger), BOND, "a's bond back");
        vm.assertEq(game.claimable(worker), 2 * BOND, "b's and c's bonds to the worker");
    }

    function test_resolve_laterChallengerWinOnARefutedLeaf_keepsTheFirst() public {
        Scenario memory sc = _commit(_scenario());
        uint256 a = _open(sc);
        uint256 b = _openAs(sc, outsider);
        vm.warp(_now() + MAX_CLOCK);
        game.claimTimeout(a);
        game.claimTimeout(b);
        vm.assertEq(game.refutingDisputeOf(sc.leafHash), a, "the first win refutes");
        vm.assertEq(uint256(_dispute(b).outcome), uint256(DisputeOutcome.ChallengerWon), "b won too");
        vm.assertEq(game.claimable(outsider), BOND, "b's bond back");
        vm.assertEq(host.refutations(), 1, "discarded once");
        vm.assertEq(host.refutationOf(sc.leafHash).challenger, challenger, "a's challenger rewarded");
    }
}
