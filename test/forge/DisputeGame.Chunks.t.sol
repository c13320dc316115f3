// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {
    Dispute,
    DisputeOutcome,
    DisputePhase,
    DisputeSide,
    IDisputeGame
} from "../../contracts/interfaces/IDisputeGame.sol";
import {LibTensorRoot} from "../../contracts/libraries/LibTensorRoot.sol";
import {DisputeGameFixture} from "./utils/DisputeGameFixture.sol";

/// @dev A dispute on the default scenario whose challenger picked step 1 (70 values, 5 chunks:
///      a chunk tree of height 3, one page of 8 nodes, 3 of them padding).
abstract contract DisputeGame_Chunks_TestInit is DisputeGameFixture {
    uint256 internal constant STEP = 1;
    Scenario internal sc;
    uint256 internal id;

    function setUp() public virtual override {
        super.setUp();
        Scenario memory fresh = _commit(_scenario());
        sc = fresh;
        id = _open(fresh);
        _pickTraceLeaf(fresh, id, STEP + 1);
    }
}

contract DisputeGame_RevealChunkPage_Test is DisputeGame_Chunks_TestInit {
    function testFuzz_revealChunkPage_byAnyone_awaitsTheChallengersPick(address _caller) public {
        bytes32[] memory nodes = _chunkPage(sc, id);
        vm.assertEq(nodes.length, 8, "8 nodes");
        vm.assertEq(nodes[5], bytes32(0), "padding leaf");
        vm.expectEmit(address(game));
        emit IDisputeGame.ChunkPageRevealed(id, _caller, 0, 0, nodes);
        vm.prank(_caller);
        game.revealChunkPage(id, nodes);
        vm.assertEq(uint256(_dispute(id).phase), uint256(DisputePhase.AwaitChunkPick), "challenger to pick");
        vm.assertEq(uint256(game.turnOf(id)), uint256(DisputeSide.Challenger), "turn");
    }

    function testFuzz_revealChunkPage_wrongPageLength_reverts(uint256 _length) public {
        _length = _bound(_length, 0, 40);
        vm.assume(_length != 8);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_PageSize.selector, id, _length, 8));
        game.revealChunkPage(id, new bytes32[](_length));
    }

    function testFuzz_revealChunkPage_realNodeThatDoesNotHashToTheParent_reverts(uint256 _position, bytes32 _node)
        public
    {
        _position = _bound(_position, 0, 4);
        bytes32[] memory nodes = _chunkPage(sc, id);
        vm.assume(nodes[_position] != _node);
        nodes[_position] = _node;
        bytes32 parent = _dispute(id).node;
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeGame_PageMismatch.selector, id, parent, LibTensorRoot.rootFromLeaves(nodes)
            )
        );
        game.revealChunkPage(id, nodes);
    }

    function testFuzz_revealChunkPage_nonCanonicalPadding_reverts(uint256 _position, bytes32 _node) public {
        _position = _bound(_position, 5, 7);
        vm.assume(_node != bytes32(0));
        bytes32[] memory nodes = _chunkPage(sc, id);
        nodes[_position] = _node;
        bytes32 parent = _dispute(id).node;
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_PageMismatch.selector, id, parent, bytes32(0)));
        game.revealChunkPage(id, nodes);
    }

    function test_revealChunkPage_outOfTurn_reverts() public {
        _revealChunkPage(sc, id);
        bytes32[] memory nodes = _chunkPage(sc, id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeGame_WrongPhase.selector, id, DisputePhase.AwaitChunkPage, DisputePhase.AwaitChunkPick
            )
        );
        game.revealChunkPage(id, nodes);
    }

    function test_revealChunkPage_duringTheTraceDescent_reverts() public {
        Scenario memory other = _commit(_scenario());
        uint256 fresh = _open(other);
        bytes32[] memory nodes = _tracePage(other, fresh);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeGame_WrongPhase.selector, fresh, DisputePhase.AwaitChunkPage, DisputePhase.AwaitTracePage
            )
        );
        game.revealChunkPage(fresh, nodes);
    }

    function testFuzz_revealChunkPage_afterTheClockRanOut_reverts(uint256 _late) public {
        bytes32[] memory nodes = _chunkPage(sc, id);
        uint256 used = _dispute(id).defenderClockUsed;
        vm.warp(_now() + MAX_CLOCK - used + _bound(_late, 0, 365 days));
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_ClockExpired.selector, id, DisputeSide.Defender));
        game.revealChunkPage(id, nodes);
    }

    function test_revealChunkPage_largeOutput_takesTwoPages() public {
        Scenario memory other = _scenario();
        other.lengths[2] = 16 * 300; // step 1: 300 chunks, a chunk tree of height 9
        _commit(other);
        uint256 fresh = _open(other);
        _pickTraceLeaf(other, fresh, 2);
        bytes32[] memory first = _chunkPage(other, fresh);
        vm.assertEq(first.length, 256, "a full page of height-1 nodes");
        vm.expectEmit(address(game));
        emit IDisputeGame.ChunkPageRevealed(fresh, outsider, 1, 0, first);
        vm.prank(outsider);
        game.revealChunkPage(fresh, first);
        _pickChunk(other, fresh, 149); // chunks 298, 299
        bytes32[] memory second = _chunkPage(other, fresh);
        vm.expectEmit(address(game));
        emit IDisputeGame.ChunkPageRevealed(fresh, outsider, 0, 149, second);
        vm.prank(outsider);
        game.revealChunkPage(fresh, second);
        _pickChunk(other, fresh, 1);
        vm.assertEq(uint256(_dispute(fresh).chunkIndex), 299, "the last chunk");
    }
}

contract DisputeGame_PickChunkNode_Test is DisputeGame_Chunks_TestInit {
    bytes32[] internal page;

    function setUp() public override {
        super.setUp();
        _revealChunkPage(sc, id);
        page = _chunkPage(sc, id);
    }

    function testFuzz_pickChunkNode_byAnyoneButTheChallenger_reverts(address _caller) public {
        vm.assume(_caller != challenger);
        bytes32[] memory siblings = _pageSiblings(page, 1);
        vm.prank(_caller);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_NotChallenger.selector, id, _caller));
        game.pickChunkNode(id, 1, page[1], siblings);
    }

    function testFuzz_pickChunkNode_chunkLeaf_awaitsItsValues(uint256 _position) public {
        _position = _bound(_position, 0, 4);
        bytes32[] memory siblings = _pageSiblings(page, _position);
        vm.expectEmit(address(game));
        emit IDisputeGame.ChunkNodePicked(id, 0, _position, page[_position]);
        vm.prank(challenger);
        game.pickChunkNode(id, _position, page[_position], siblings);
        Dispute memory d = _dispute(id);
        vm.assertEq(uint256(d.chunkIndex), _position, "chunk index");
        vm.assertEq(d.node, page[_position], "its leaf");
        vm.assertEq(uint256(d.phase), uint256(DisputePhase.AwaitChunkValues), "defender reveals values");
    }

    function testFuzz_pickChunkNode_positionOutOfPage_reverts(uint256 _position) public {
        _position = _bound(_position, 8, type(uint256).max);
        bytes32[] memory siblings = _pageSiblings(page, 1);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_PickOutOfPage.selector, id, _position, 8));
        game.pickChunkNode(id, _position, page[1], siblings);
    }

    function testFuzz_pickChunkNode_paddingChunk_reverts(uint256 _position) public {
        _position = _bound(_position, 5, 7);
        bytes32[] memory siblings = _pageSiblings(page, _position);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_PaddingPicked.selector, id, 0, _position, 5));
        game.pickChunkNode(id, _position, page[_position], siblings);
    }

    function testFuzz_pickChunkNode_nodeNotInThePage_reverts(bytes32 _node) public {
        vm.assume(_node != page[1]);
        bytes32[] memory siblings = _pageSiblings(page, 1);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_PickProof.selector, id, 1, _node));
        game.pickChunkNode(id, 1, _node, siblings);
    }

    function test_pickChunkNode_outOfTurn_reverts() public {
        bytes32[] memory siblings = _pageSiblings(page, 1);
        vm.prank(challenger);
        game.pickChunkNode(id, 1, page[1], siblings);
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeGame_WrongPhase.selector, id, DisputePhase.AwaitChunkPick, DisputePhase.AwaitChunkValues
            )
        );
        game.pickChunkNode(id, 1, page[1], siblings);
    }

    function testFuzz_pickChunkNode_afterTheClockRanOut_reverts(uint256 _late) public {
        bytes32[] memory siblings = _pageSiblings(page, 1);
        uint256 used = _dispute(id).challengerClockUsed;
        vm.warp(_now() + MAX_CLOCK - used + _bound(_late, 0, 365 days));
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_ClockExpired.selector, id, DisputeSide.Challenger)
        );
        game.pickChunkNode(id, 1, page[1], siblings);
    }
}

contract DisputeGame_RevealChunkValues_Test is DisputeGame_Chunks_TestInit {
    /// @dev Picks chunk `_chunk` of step 1's output (70 values: chunk 4 holds 6 values and 10 zeros).
    function _pickChunkIndex(uint256 _chunk) internal {
        _pickChunk(sc, id, _descendChunkTo(sc, id, _chunk));
    }

    function testFuzz_revealChunkValues_byAnyone_awaitsTheOneStep(address _caller, uint256 _chunk) public {
        _chunk = _bound(_chunk, 0, 4);
        _pickChunkIndex(_chunk);
        int256[16] memory values = _chunkValues(sc, id);
        vm.expectEmit(address(game));
        emit IDisputeGame.ChunkValuesRevealed(id, _caller, _chunk, values);
        vm.prank(_caller);
        game.revealChunkValues(id, values);
        vm.assertEq(uint256(_dispute(id).phase), uint256(DisputePhase.AwaitOneStep), "challenger's one-step");
        vm.assertEq(uint256(game.turnOf(id)), uint256(DisputeSide.Challenger), "turn");
    }

    function testFuzz_revealChunkValues_valueChanged_reverts(uint256 _offset, int256 _value) public {
        _offset = _bound(_offset, 0, 15);
        _pickChunkIndex(4);
        int256[16] memory values = _chunkValues(sc, id);
        vm.assume(values[_offset] != _value);
        values[_offset] = _value;
        bytes32 leaf = _dispute(id).node;
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeGame_ChunkValuesMismatch.selector, id, leaf, LibTensorRoot.chunkLeaf(4, values)
            )
        );
        game.revealChunkValues(id, values);
    }

    function test_revealChunkValues_nonZeroPaddingPastTheEnd_reverts() public {
        _pickChunkIndex(4);
        int256[16] memory values = _chunkValues(sc, id);
        vm.assertEq(values[6], 0, "value 70 is padding");
        values[6] = 1;
        bytes32 leaf = _dispute(id).node;
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeGame_ChunkValuesMismatch.selector, id, leaf, LibTensorRoot.chunkLeaf(4, values)
            )
        );
        game.revealChunkValues(id, values);
    }

    function test_revealChunkValues_valuesOfAnotherChunk_reverts() public {
        _pickChunkIndex(1);
        int256[16] memory other = _chunk(_claimedTensor(sc, STEP + 1), 2);
        bytes32 leaf = _dispute(id).node;
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeGame_ChunkValuesMismatch.selector, id, leaf, LibTensorRoot.chunkLeaf(1, other)
            )
        );
        game.revealChunkValues(id, other);
    }

    function test_revealChunkValues_beforeTheChunkIsPicked_reverts() public {
        int256[16] memory values;
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeGame_WrongPhase.selector, id, DisputePhase.AwaitChunkValues, DisputePhase.AwaitChunkPage
            )
        );
        game.revealChunkValues(id, values);
    }

    function testFuzz_revealChunkValues_afterTheClockRanOut_reverts(uint256 _late) public {
        _pickChunkIndex(3);
        int256[16] memory values = _chunkValues(sc, id);
        uint256 used = _dispute(id).defenderClockUsed;
        vm.warp(_now() + MAX_CLOCK - used + _bound(_late, 0, 365 days));
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_ClockExpired.selector, id, DisputeSide.Defender));
        game.revealChunkValues(id, values);
    }

    function test_revealChunkValues_oneChunkOutput_followsTheStepPickDirectly() public {
        Scenario memory other = _commit(_scenario());
        uint256 fresh = _open(other);
        _pickTraceLeaf(other, fresh, 3); // step 2's output: 10 values
        vm.assertEq(uint256(_dispute(fresh).phase), uint256(DisputePhase.AwaitChunkValues), "no chunk page");
        vm.assertEq(uint256(_dispute(fresh).chunkIndex), 0, "chunk 0");
        _revealChunkValues(other, fresh);
        vm.assertEq(uint256(_dispute(fresh).phase), uint256(DisputePhase.AwaitOneStep), "one-step next");
        vm.assertEq(uint256(_dispute(fresh).outcome), uint256(DisputeOutcome.Undecided), "undecided");
    }
}
