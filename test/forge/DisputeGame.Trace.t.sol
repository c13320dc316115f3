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
import {LibTensorRoot} from "../../contracts/libraries/LibTensorRoot.sol";
import {OneStepExecutorMock} from "../../contracts/test/OneStepExecutorMock.sol";
import {DisputeGameFixture} from "./utils/DisputeGameFixture.sol";

contract DisputeGame_RevealTracePage_Test is DisputeGameFixture {
    function testFuzz_revealTracePage_byAnyone_awaitsTheChallengersPick(address _caller, uint256 _elapsed) public {
        _elapsed = _bound(_elapsed, 0, MAX_CLOCK - 1);
        Scenario memory sc = _commit(_scenario());
        uint256 id = _open(sc);
        bytes32[] memory nodes = _tracePage(sc, id);
        vm.assertEq(nodes.length, 4, "the 4 tensor roots of a 3-step trace");
        vm.warp(_now() + _elapsed);
        vm.expectEmit(address(game));
        emit IDisputeGame.TracePageRevealed(id, _caller, 0, 0, nodes);
        vm.prank(_caller);
        game.revealTracePage(id, nodes);
        Dispute memory d = _dispute(id);
        vm.assertEq(uint256(d.phase), uint256(DisputePhase.AwaitTracePick), "challenger to pick");
        vm.assertEq(d.node, sc.leaf.traceCommitment, "the current node stays until the pick");
        vm.assertEq(uint256(d.defenderClockUsed), _elapsed, "defender charged its time");
        vm.assertEq(uint256(d.turnStartedAt), _now(), "challenger clock starts now");
        vm.assertEq(uint256(game.turnOf(id)), uint256(DisputeSide.Challenger), "turn");
    }

    function testFuzz_revealTracePage_wrongPageLength_reverts(uint256 _length) public {
        _length = _bound(_length, 0, 40);
        vm.assume(_length != 4);
        Scenario memory sc = _commit(_scenario());
        uint256 id = _open(sc);
        bytes32[] memory nodes = new bytes32[](_length);
        bytes32[] memory page = _tracePage(sc, id);
        for (uint256 i; i < _length && i < 4; ++i) nodes[i] = page[i];
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_PageSize.selector, id, _length, 4));
        game.revealTracePage(id, nodes);
    }

    function testFuzz_revealTracePage_nodeThatDoesNotHashToTheParent_reverts(uint256 _position, bytes32 _node) public {
        _position = _bound(_position, 0, 3);
        Scenario memory sc = _commit(_scenario());
        uint256 id = _open(sc);
        bytes32[] memory nodes = _tracePage(sc, id);
        vm.assume(nodes[_position] != _node);
        nodes[_position] = _node;
        bytes32 computed = LibTensorRoot.rootFromLeaves(nodes);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_PageMismatch.selector, id, sc.leaf.traceCommitment, computed)
        );
        game.revealTracePage(id, nodes);
    }

    function test_revealTracePage_nonCanonicalPaddingNode_reverts() public {
        Scenario memory sc = _commit(_scenario(_lengths(3, 20))); // 3 leaves: node 3 is padding
        uint256 id = _open(sc);
        bytes32[] memory nodes = _tracePage(sc, id);
        nodes[3] = keccak256("not padding");
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_PageMismatch.selector, id, sc.leaf.traceCommitment, bytes32(0))
        );
        game.revealTracePage(id, nodes);
    }

    function test_revealTracePage_traceCommittedOverNonCanonicalPadding_defenderLosesOnTime() public {
        Scenario memory sc = _scenario(_lengths(3, 20));
        sc.tracePadding = keccak256("junk padding");
        _commit(sc);
        uint256 id = _open(sc);
        bytes32[] memory nodes = _tracePage(sc, id); // hashes to the committed root, padding not canonical
        vm.assertEq(LibTensorRoot.rootFromLeaves(nodes), sc.leaf.traceCommitment, "the worker's own page");
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_PageMismatch.selector, id, sc.leaf.traceCommitment, bytes32(0))
        );
        game.revealTracePage(id, nodes);
        vm.warp(_now() + MAX_CLOCK);
        game.claimTimeout(id);
        Dispute memory d = _dispute(id);
        vm.assertEq(uint256(d.outcome), uint256(DisputeOutcome.ChallengerWon), "no valid defence: challenger wins");
        vm.assertEq(uint256(d.reason), uint256(DisputeReason.Timeout), "on time");
    }

    function test_revealTracePage_outOfTurn_reverts() public {
        Scenario memory sc = _commit(_scenario());
        uint256 id = _open(sc);
        _revealTracePage(sc, id);
        bytes32[] memory nodes = _tracePage(sc, id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeGame_WrongPhase.selector, id, DisputePhase.AwaitTracePage, DisputePhase.AwaitTracePick
            )
        );
        game.revealTracePage(id, nodes);
    }

    function testFuzz_revealTracePage_afterTheClockRanOut_reverts(uint256 _late) public {
        Scenario memory sc = _commit(_scenario());
        uint256 id = _open(sc);
        bytes32[] memory nodes = _tracePage(sc, id);
        vm.warp(_now() + MAX_CLOCK + _bound(_late, 0, 365 days));
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_ClockExpired.selector, id, DisputeSide.Defender));
        game.revealTracePage(id, nodes);
    }

    function test_revealTracePage_unknownDispute_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_UnknownDispute.selector, 7));
        game.revealTracePage(7, new bytes32[](4));
    }

    function test_revealTracePage_resolvedDispute_reverts() public {
        Scenario memory sc = _commit(_scenario());
        uint256 id = _refute(sc);
        bytes32[] memory nodes = _tracePage(sc, id);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_NotInProgress.selector, id, DisputeOutcome.ChallengerWon)
        );
        game.revealTracePage(id, nodes);
    }

    function test_revealTracePage_deepTrace_takesTwoPages() public {
        Scenario memory sc = _commit(_scenario(_lengths(301, 1))); // 301 tensors: height 9
        uint256 id = _open(sc);
        bytes32[] memory first = _tracePage(sc, id);
        vm.assertEq(first.length, 256, "a full page of height-1 nodes");
        vm.expectEmit(address(game));
        emit IDisputeGame.TracePageRevealed(id, outsider, 1, 0, first);
        vm.prank(outsider);
        game.revealTracePage(id, first);
        _pickTrace(sc, id, 137);
        bytes32[] memory second = _tracePage(sc, id);
        vm.assertEq(second.length, 2, "the two leaves under node (1, 137)");
        vm.expectEmit(address(game));
        emit IDisputeGame.TracePageRevealed(id, outsider, 0, 137, second);
        vm.prank(outsider);
        game.revealTracePage(id, second);
    }
}

contract DisputeGame_PickTraceNode_Test is DisputeGameFixture {
    Scenario internal sc;
    uint256 internal id;

    function setUp() public override {
        super.setUp();
        Scenario memory fresh = _commit(_scenario());
        sc = fresh;
        id = _open(fresh);
        _revealTracePage(fresh, id);
    }

    function _pickArgs(uint256 _position)
        internal
        view
        returns (bytes32 node_, bytes32[] memory siblings_, bytes memory descriptor_, bytes32[] memory proof_)
    {
        return _tracePick(sc, id, _position);
    }

    function testFuzz_pickTraceNode_byAnyoneButTheChallenger_reverts(address _caller) public {
        vm.assume(_caller != challenger);
        (bytes32 node, bytes32[] memory siblings, bytes memory descriptor, bytes32[] memory proof) = _pickArgs(2);
        vm.prank(_caller);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_NotChallenger.selector, id, _caller));
        game.pickTraceNode(id, 2, node, siblings, descriptor, proof);
    }

    function test_pickTraceNode_beforeThePage_reverts() public {
        Scenario memory other = _commit(_scenario());
        uint256 fresh = _open(other);
        (bytes32 node, bytes32[] memory siblings, bytes memory descriptor, bytes32[] memory proof) = _pickArgs(2);
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeGame_WrongPhase.selector, fresh, DisputePhase.AwaitTracePick, DisputePhase.AwaitTracePage
            )
        );
        game.pickTraceNode(fresh, 2, node, siblings, descriptor, proof);
    }

    function testFuzz_pickTraceNode_positionOutOfPage_reverts(uint256 _position) public {
        _position = _bound(_position, 4, type(uint256).max);
        (bytes32 node, bytes32[] memory siblings, bytes memory descriptor, bytes32[] memory proof) = _pickArgs(2);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_PickOutOfPage.selector, id, _position, 4));
        game.pickTraceNode(id, _position, node, siblings, descriptor, proof);
    }

    function testFuzz_pickTraceNode_nodeNotInThePage_reverts(bytes32 _node) public {
        (bytes32 node, bytes32[] memory siblings, bytes memory descriptor, bytes32[] memory proof) = _pickArgs(2);
        vm.assume(_node != node);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_PickProof.selector, id, 2, _node));
        game.pickTraceNode(id, 2, _node, siblings, descriptor, proof);
    }

    function test_pickTraceNode_nodeAtAnotherPosition_reverts() public {
        (bytes32 node, bytes32[] memory siblings, bytes memory descriptor, bytes32[] memory proof) = _pickArgs(2);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_PickProof.selector, id, 1, node));
        game.pickTraceNode(id, 1, node, siblings, descriptor, proof);
    }

    function test_pickTraceNode_siblingsOfWrongLength_reverts() public {
        (bytes32 node, bytes32[] memory siblings, bytes memory descriptor, bytes32[] memory proof) = _pickArgs(2);
        bytes32[] memory longer = new bytes32[](3);
        (longer[0], longer[1], longer[2]) = (siblings[0], siblings[1], bytes32(0));
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_PickProof.selector, id, 2, node));
        game.pickTraceNode(id, 2, node, longer, descriptor, proof);
    }

    function test_pickTraceNode_paddingLeaf_reverts() public {
        Scenario memory other = _commit(_scenario(_lengths(3, 20)));
        uint256 fresh = _open(other);
        _revealTracePage(other, fresh);
        (bytes32 node, bytes32[] memory siblings,,) = _tracePick(other, fresh, 3);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_PaddingPicked.selector, fresh, 0, 3, 3));
        game.pickTraceNode(fresh, 3, node, siblings, "", new bytes32[](0));
    }

    function test_pickTraceNode_paddingSubtree_reverts() public {
        Scenario memory other = _commit(_scenario(_lengths(301, 1)));
        uint256 fresh = _open(other);
        _revealTracePage(other, fresh);
        (bytes32 node, bytes32[] memory siblings,,) = _tracePick(other, fresh, 151); // leaves 302, 303
        vm.assertEq(node, LibTensorRoot.paddingNode(1), "a padding node");
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_PaddingPicked.selector, fresh, 1, 151, 301));
        game.pickTraceNode(fresh, 151, node, siblings, "", new bytes32[](0));
        _pickTrace(other, fresh, 150); // leaves 300 (real) and 301 (padding)
        vm.assertEq(uint256(_dispute(fresh).nodeIndex), 150, "node over the last leaf");
    }

    function test_pickTraceNode_stepLeaf_picksTheStepAndItsChunkTree() public {
        (bytes32 node, bytes32[] memory siblings, bytes memory descriptor, bytes32[] memory proof) = _pickArgs(2);
        vm.expectEmit(address(game));
        emit IDisputeGame.TraceNodePicked(id, 0, 2, node);
        vm.expectEmit(address(game));
        emit IDisputeGame.StepPicked(id, 1, 70, 5);
        vm.prank(challenger);
        game.pickTraceNode(id, 2, node, siblings, descriptor, proof);
        Dispute memory d = _dispute(id);
        vm.assertEq(node, LibTensorRoot.root(_claimedTensor(sc, 2)), "step 1's output root");
        vm.assertEq(d.node, node, "the chunk descent starts at it");
        vm.assertEq(uint256(d.stepIndex), 1, "step 1");
        vm.assertEq(uint256(d.outputLength), 70, "its output length");
        vm.assertEq(uint256(d.chunkCount), 5, "5 chunks");
        vm.assertEq(uint256(d.nodeHeight), 3, "chunk tree of height 3");
        vm.assertEq(uint256(d.nodeIndex), 0, "root index");
        vm.assertEq(uint256(d.phase), uint256(DisputePhase.AwaitChunkPage), "defender reveals chunks");
        vm.assertEq(uint256(game.turnOf(id)), uint256(DisputeSide.Defender), "turn");
    }

    function test_pickTraceNode_lastLeafMatchingTheOutput_picksTheLastStep() public {
        _pickTrace(sc, id, 3);
        Dispute memory d = _dispute(id);
        vm.assertEq(uint256(d.stepIndex), 2, "last step");
        vm.assertEq(uint256(d.chunkCount), 1, "10 values: one chunk");
        vm.assertEq(uint256(d.phase), uint256(DisputePhase.AwaitChunkValues), "straight to the values");
    }

    function test_pickTraceNode_descriptorNotProven_reverts() public {
        (bytes32 node, bytes32[] memory siblings,,) = _pickArgs(2);
        (bytes memory descriptor, bytes32[] memory proof) = _descriptor(sc, 0, 70); // proven for step 0, not 1
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutorMock.OneStepExecutorMock_BadDescriptor.selector, 1));
        game.pickTraceNode(id, 2, node, siblings, descriptor, proof);
    }

    function testFuzz_pickTraceNode_outputLengthZeroOrAboveUint32_reverts(uint256 _length) public {
        _length = _length % 2 == 0 ? 0 : _bound(_length, uint256(type(uint32).max) + 1, type(uint256).max);
        (bytes32 node, bytes32[] memory siblings,,) = _pickArgs(2);
        (bytes memory descriptor, bytes32[] memory proof) = _descriptor(sc, 1, _length);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_OutputLengthTooLarge.selector, id, _length));
        game.pickTraceNode(id, 2, node, siblings, descriptor, proof);
    }

    function test_pickTraceNode_leafZeroMatchingTheInput_revertsAndKeepsTheTurn() public {
        (bytes32 node, bytes32[] memory siblings, bytes memory descriptor, bytes32[] memory proof) = _pickArgs(0);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_BoundaryRootMatches.selector, id, node));
        game.pickTraceNode(id, 0, node, siblings, descriptor, proof);
        vm.assertEq(uint256(_dispute(id).phase), uint256(DisputePhase.AwaitTracePick), "still the challenger's pick");
        vm.assertEq(uint256(_dispute(id).outcome), uint256(DisputeOutcome.Undecided), "no loss");
        _pickTrace(sc, id, 1);
        vm.assertEq(uint256(_dispute(id).stepIndex), 0, "another pick is still possible");
    }

    function testFuzz_pickTraceNode_afterTheClockRanOut_reverts(uint256 _late) public {
        (bytes32 node, bytes32[] memory siblings, bytes memory descriptor, bytes32[] memory proof) = _pickArgs(2);
        vm.warp(_now() + MAX_CLOCK + _bound(_late, 0, 365 days));
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_ClockExpired.selector, id, DisputeSide.Challenger)
        );
        game.pickTraceNode(id, 2, node, siblings, descriptor, proof);
    }

    function test_pickTraceNode_deepTrace_descendsPageByPageToTheStep() public {
        Scenario memory other = _commit(_scenario(_lengths(301, 17)));
        uint256 fresh = _open(other);
        _revealTracePage(other, fresh);
        _pickTrace(other, fresh, 137);
        Dispute memory d = _dispute(fresh);
        vm.assertEq(uint256(d.nodeHeight), 1, "height 1");
        vm.assertEq(uint256(d.nodeIndex), 137, "node 137");
        vm.assertEq(uint256(d.phase), uint256(DisputePhase.AwaitTracePage), "the next page");
        _revealTracePage(other, fresh);
        _pickTrace(other, fresh, 1); // leaf 275: step 274
        d = _dispute(fresh);
        vm.assertEq(uint256(d.stepIndex), 274, "step 274");
        vm.assertEq(uint256(d.chunkCount), 2, "17 values: two chunks");
        vm.assertEq(d.node, LibTensorRoot.root(_claimedTensor(other, 275)), "its output root");
    }
}

/// @notice Leaf 0 against the commitments: the input always, and the output too when the model has
///         no step (tensor 0 is then also the last tensor). Each case is a separate dispute.
contract DisputeGame_PickTraceNode_Boundaries_Test is DisputeGameFixture {
    function _pickLeaf(Scenario memory _sc, uint256 _leaf) internal returns (uint256 id_) {
        id_ = _open(_sc);
        _pickTraceLeaf(_sc, id_, _leaf);
    }

    function _assertChallengerWon(Scenario memory _sc, uint256 _id, DisputeReason _reason) internal view {
        Dispute memory d = _dispute(_id);
        vm.assertEq(uint256(d.phase), uint256(DisputePhase.Resolved), "resolved");
        vm.assertEq(uint256(d.outcome), uint256(DisputeOutcome.ChallengerWon), "challenger won");
        vm.assertEq(uint256(d.reason), uint256(_reason), "reason");
        vm.assertEq(game.refutingDisputeOf(_sc.leafHash), _id, "leaf refuted by it");
        vm.assertEq(game.claimable(challenger), BOND, "bond back to the challenger");
        vm.assertTrue(host.discarded(_sc.leafHash), "host discarded the leaf");
        vm.assertEq(host.refutationOf(_sc.leafHash).challenger, challenger, "rewarding this challenger");
    }

    function test_pickTraceNode_leafZeroNotTheInput_challengerWins() public {
        Scenario memory sc = _scenario();
        sc.inputOverride = LibTensorRoot.root(_honestTensor(_scenario(), 0)); // another input
        _commit(sc);
        uint256 id = _open(sc);
        uint256 position = _descendTraceTo(sc, id, 0);
        bytes32 claimed = _claimedRoots(sc)[0];
        vm.expectEmit(address(game));
        emit IDisputeGame.BoundaryChallenged(id, false, claimed, sc.inputOverride);
        vm.expectEmit(address(game));
        emit IDisputeGame.DisputeResolved(id, false, DisputeReason.InputMismatch);
        _pickTrace(sc, id, position);
        _assertChallengerWon(sc, id, DisputeReason.InputMismatch);
    }

    function test_pickTraceNode_lastLeafNotTheOutput_challengerWins() public {
        Scenario memory sc = _scenario();
        sc.outputOverride = keccak256("another output");
        _commit(sc);
        uint256 id = _open(sc);
        uint256 position = _descendTraceTo(sc, id, 3);
        vm.expectEmit(address(game));
        emit IDisputeGame.BoundaryChallenged(id, true, _claimedRoots(sc)[3], sc.outputOverride);
        _pickTrace(sc, id, position);
        _assertChallengerWon(sc, id, DisputeReason.OutputMismatch);
    }

    function test_pickTraceNode_zeroStepModel_leafZeroNotTheInput_challengerWins() public {
        Scenario memory sc = _scenario(_lengths(1, 20));
        sc.inputOverride = keccak256("another input");
        _commit(sc);
        uint256 id = _pickLeaf(sc, 0);
        _assertChallengerWon(sc, id, DisputeReason.InputMismatch);
    }

    function test_pickTraceNode_zeroStepModel_leafZeroNotTheOutput_challengerWins() public {
        Scenario memory sc = _scenario(_lengths(1, 20));
        sc.outputOverride = keccak256("another output");
        _commit(sc);
        uint256 id = _open(sc);
        bytes32[] memory page = _tracePage(sc, id);
        vm.assertEq(page.length, 1, "a page of one node: the root is leaf 0");
        _revealTracePage(sc, id);
        vm.expectEmit(address(game));
        emit IDisputeGame.BoundaryChallenged(id, true, page[0], sc.outputOverride);
        _pickTrace(sc, id, 0);
        _assertChallengerWon(sc, id, DisputeReason.OutputMismatch);
    }

    function test_pickTraceNode_zeroStepModel_leafZeroIsInputAndOutput_reverts() public {
        Scenario memory sc = _commit(_scenario(_lengths(1, 20)));
        vm.assertEq(sc.leaf.inputCommitment, sc.leaf.outputCommitment, "output is the input");
        uint256 id = _open(sc);
        _revealTracePage(sc, id);
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_BoundaryRootMatches.selector, id, sc.leaf.inputCommitment)
        );
        game.pickTraceNode(id, 0, sc.leaf.inputCommitment, new bytes32[](0), "", new bytes32[](0));
        vm.warp(_now() + MAX_CLOCK);
        game.claimTimeout(id);
        vm.assertEq(uint256(_dispute(id).outcome), uint256(DisputeOutcome.DefenderWon), "a correct leaf stands");
        vm.assertEq(game.claimable(worker), BOND, "the bond goes to the worker");
    }

    function test_pickTraceNode_zeroStepModel_neverPicksAStep() public {
        Scenario memory sc = _scenario(_lengths(1, 20));
        sc.inputOverride = keccak256("another input");
        sc.outputOverride = keccak256("another output");
        _commit(sc);
        uint256 id = _pickLeaf(sc, 0);
        _assertChallengerWon(sc, id, DisputeReason.InputMismatch);
        vm.assertEq(uint256(_dispute(id).chunkCount), 0, "no step picked");
    }
}
