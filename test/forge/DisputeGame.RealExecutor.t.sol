// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {DisputeGame} from "../../contracts/dispute/DisputeGame.sol";
import {OneStepExecutor} from "../../contracts/dispute/OneStepExecutor.sol";
import {Dispute, DisputeOutcome, DisputePhase, ModelParts} from "../../contracts/interfaces/IDisputeGame.sol";
import {IDisputeHost} from "../../contracts/interfaces/IDisputeHost.sol";
import {IOneStepExecutor} from "../../contracts/interfaces/IOneStepExecutor.sol";
import {ResultLeaf} from "../../contracts/libraries/LibResultMerkle.sol";
import {LibTensorRoot} from "../../contracts/libraries/LibTensorRoot.sol";
import {DisputeHostMock} from "../../contracts/test/DisputeHostMock.sol";
import {DisputeGameFixture} from "./utils/DisputeGameFixture.sol";

/// @notice Whole disputes with the real one-step executor on a model the TypeScript engine
///         evaluated (test/forge/fixtures/dispute, scripts/forge-fixtures.ts): the hand-pooling
///         model's 11-tensor trace, once honest and once with one value of step 1's output (an
///         average pool of 84 values) changed by the worker. The challenger plays the honest
///         strategy of docs/disputes.md (first node differing from the honest trace), with the
///         real step descriptor and the witness the TypeScript side built.
contract DisputeGame_RealExecutor_Test is DisputeGameFixture {
    struct GameFixture {
        ModelParts parts;
        int256[][] honest;
        int256[][] claimed;
        bytes32[] tensorRoots;
        bytes32 traceRoot;
        bytes32 claimedTraceRoot;
        uint256 step;
        uint256 element;
        int256 honestValue;
        int256 claimedValue;
        bytes descriptor;
        bytes32[] descriptorProof;
        bytes honestWitness;
        bytes claimedWitness;
    }

    function setUp() public override {
        super.setUp();
        host = new DisputeHostMock();
        game = new DisputeGame(IDisputeHost(address(host)), IOneStepExecutor(address(new OneStepExecutor())), BOND, MAX_CLOCK);
        host.setGame(address(game));
    }

    function _load() internal view returns (GameFixture memory g_) {
        string memory json =
            vm.readFile(string.concat(vm.projectRoot(), "/test/forge/fixtures/dispute/hand-pooling.json"));
        g_.parts = ModelParts({
            headerHash: vm.parseJsonBytes32(json, ".headerHash"),
            parametersRoot: vm.parseJsonBytes32(json, ".parametersRoot"),
            parameterCount: vm.parseJsonUint(json, ".parameterCount"),
            stepsRoot: vm.parseJsonBytes32(json, ".stepsRoot"),
            stepCount: vm.parseJsonUint(json, ".stepCount")
        });
        g_.tensorRoots = vm.parseJsonBytes32Array(json, ".tensorRoots");
        g_.honest = new int256[][](g_.parts.stepCount + 1);
        g_.claimed = new int256[][](g_.parts.stepCount + 1);
        for (uint256 t; t < g_.honest.length; ++t) {
            string memory key = string.concat(".tensors[", vm.toString(t), "]");
            g_.honest[t] = vm.parseJsonIntArray(json, key);
            g_.claimed[t] = vm.parseJsonIntArray(json, key);
        }
        g_.traceRoot = vm.parseJsonBytes32(json, ".traceRoot");
        g_.claimedTraceRoot = vm.parseJsonBytes32(json, ".claimedTraceRoot");
        g_.step = vm.parseJsonUint(json, ".step");
        g_.element = vm.parseJsonUint(json, ".element");
        g_.honestValue = vm.parseJsonInt(json, ".honestValue");
        g_.claimedValue = vm.parseJsonInt(json, ".claimedValue");
        g_.claimed[g_.step + 1][g_.element] = g_.claimedValue;
        g_.descriptor = vm.parseJsonBytes(json, ".descriptor");
        g_.descriptorProof = vm.parseJsonBytes32Array(json, ".descriptorProof");
        g_.honestWitness = vm.parseJsonBytes(json, ".honestWitness");
        g_.claimedWitness = vm.parseJsonBytes(json, ".claimedWitness");
    }

    function _rootsOf(int256[][] memory _tensors) internal pure returns (bytes32[] memory roots_) {
        roots_ = new bytes32[](_tensors.length);
        for (uint256 t; t < roots_.length; ++t) roots_[t] = LibTensorRoot.root(_tensors[t]);
    }

    function _chunkLeavesOf(int256[] memory _values) internal pure returns (bytes32[] memory leaves_) {
        leaves_ = new bytes32[]((_values.length + 15) / 16);
        for (uint256 c; c < leaves_.length; ++c) leaves_[c] = LibTensorRoot.chunkLeaf(c, _chunk(_values, c));
    }

    /// @dev The worker signs and commits a leaf over `_tensors` (its trace); the challenger opens.
    function _openOn(GameFixture memory _g, int256[][] memory _tensors) internal returns (uint256 id_) {
        Scenario memory sc;
        sc.seed = 1_000;
        sc.parts = _g.parts;
        sc.leaf = _leafOf(_g, _tensors);
        _commitLeaf(sc, WORKER_KEY);
        id_ = _open(sc);
    }

    /// @dev The position of the first node of `_page` that differs from `_honest` (whose first
    ///      node has index `_first`), or the last real one when none differs.
    function _firstDifference(bytes32[] memory _page, bytes32[] memory _honest, uint256 _first, uint256 _real)
        internal
        pure
        returns (uint256)
    {
        for (uint256 j; j < _page.length; ++j) if (_page[j] != _honest[_first + j]) return j;
        return _real - 1 - _first;
    }

    /// @dev Defender (anyone) reveals both pages and the values from `_tensors`; the challenger
    ///      descends by the first difference from the honest trace. Returns the one-step's offset.
    function _playHonestChallenger(GameFixture memory _g, uint256 _id, int256[][] memory _tensors)
        internal
        returns (uint8 offset_)
    {
        bytes32[][] memory claimedLevels = _levels(_rootsOf(_tensors), bytes32(0));
        bytes32[][] memory honestLevels = _levels(_rootsOf(_g.honest), bytes32(0));
        bytes32[] memory page = claimedLevels[0]; // 11 tensors: height 4, one page of 16 leaves
        vm.prank(outsider);
        game.revealTracePage(_id, page);
        uint256 leaf = _firstDifference(page, honestLevels[0], 0, _tensors.length);
        vm.prank(challenger);
        game.pickTraceNode(_id, leaf, page[leaf], _pageSiblings(page, leaf), _g.descriptor, _g.descriptorProof);
        vm.assertEq(leaf, _g.step + 1, "the challenger's pick: the step's output leaf");

        bytes32[] memory chunks = _levels(_chunkLeavesOf(_tensors[leaf]), bytes32(0))[0];
        vm.prank(outsider);
        game.revealChunkPage(_id, chunks);
        bytes32[] memory honestChunks = _chunkLeavesOf(_g.honest[leaf]);
        uint256 chunk = _firstDifference(chunks, honestChunks, 0, honestChunks.length);
        vm.prank(challenger);
        game.pickChunkNode(_id, chunk, chunks[chunk], _pageSiblings(chunks, chunk));

        int256[16] memory values = _chunk(_tensors[leaf], chunk);
        vm.prank(outsider);
        game.revealChunkValues(_id, values);
        int256[16] memory honestValues = _chunk(_g.honest[leaf], chunk);
        for (uint8 k; k < 16; ++k) if (values[k] != honestValues[k]) return k;
        return uint8(_g.element % 16);
    }

    function test_fixture_rootsComputedHereAreTheTypeScriptRoots() public view {
        GameFixture memory g = _load();
        bytes32[] memory roots = _rootsOf(g.honest);
        for (uint256 t; t < roots.length; ++t) vm.assertEq(roots[t], g.tensorRoots[t], "tensor root");
        vm.assertEq(LibTensorRoot.rootFromLeaves(roots), g.traceRoot, "trace root");
        vm.assertEq(LibTensorRoot.rootFromLeaves(_rootsOf(g.claimed)), g.claimedTraceRoot, "the worker's trace root");
        vm.assertEq(g.claimedValue, g.honestValue + 1, "one value changed by one");
    }

    function test_dispute_wrongValueInAStep_honestChallengerWinsWithTheRealExecutor() public {
        GameFixture memory g = _load();
        uint256 id = _openOn(g, g.claimed);
        uint8 offset = _playHonestChallenger(g, id, g.claimed);
        Dispute memory d = _dispute(id);
        vm.assertEq(uint256(d.stepIndex), g.step, "step");
        vm.assertEq(uint256(d.chunkIndex) * 16 + offset, g.element, "the changed value");
        int256[16] memory values = _chunk(g.claimed[g.step + 1], d.chunkIndex);
        vm.prank(challenger);
        game.oneStep(id, offset, values, g.claimedWitness);
        d = _dispute(id);
        vm.assertEq(uint256(d.outcome), uint256(DisputeOutcome.ChallengerWon), "challenger won");
        vm.assertTrue(host.discarded(_hashLeaf(_leafOf(g, g.claimed))), "leaf discarded");
    }

    function test_oneStep_correctLeafAtTheFixturesValue_defenderWins() public {
        GameFixture memory g = _load();
        uint256 id = _openOn(g, g.honest);
        bytes32[] memory page = _levels(_rootsOf(g.honest), bytes32(0))[0];
        vm.prank(outsider);
        game.revealTracePage(id, page);
        uint256 leaf = g.step + 1;
        vm.prank(challenger);
        game.pickTraceNode(id, leaf, page[leaf], _pageSiblings(page, leaf), g.descriptor, g.descriptorProof);
        bytes32[] memory chunks = _levels(_chunkLeavesOf(g.honest[leaf]), bytes32(0))[0];
        vm.prank(outsider);
        game.revealChunkPage(id, chunks);
        uint256 chunk = g.element / 16;
        vm.prank(challenger);
        game.pickChunkNode(id, chunk, chunks[chunk], _pageSiblings(chunks, chunk));
        int256[16] memory values = _chunk(g.honest[leaf], chunk);
        vm.prank(outsider);
        game.revealChunkValues(id, values);
        vm.prank(challenger);
        game.oneStep(id, uint8(g.element % 16), values, g.honestWitness);
        vm.assertEq(uint256(_dispute(id).outcome), uint256(DisputeOutcome.DefenderWon), "the correct value stands");
        vm.assertEq(game.claimable(worker), BOND, "the worker gets the bond");
    }

    function test_oneStep_witnessProvenAgainstTheHonestTraceNotTheDefenders_reverts() public {
        GameFixture memory g = _load();
        uint256 id = _openOn(g, g.claimed);
        uint8 offset = _playHonestChallenger(g, id, g.claimed);
        int256[16] memory values = _chunk(g.claimed[g.step + 1], _dispute(id).chunkIndex);
        vm.prank(challenger);
        // slot 0 of the average pool (step 1) is tensor 1: its proof runs through the changed leaf's sibling
        vm.expectRevert(abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_BadInputRootProof.selector, 0, 1));
        game.oneStep(id, offset, values, g.honestWitness);
        vm.assertEq(uint256(_dispute(id).phase), uint256(DisputePhase.AwaitOneStep), "the challenger may retry");
        vm.prank(challenger);
        game.oneStep(id, offset, values, g.claimedWitness);
        vm.assertEq(uint256(_dispute(id).outcome), uint256(DisputeOutcome.ChallengerWon), "and win");
    }

    function test_pickTraceNode_descriptorOfAnotherStep_reverts() public {
        GameFixture memory g = _load();
        uint256 id = _openOn(g, g.honest);
        bytes32[] memory page = _levels(_rootsOf(g.honest), bytes32(0))[0];
        vm.prank(outsider);
        game.revealTracePage(id, page);
        uint256 leaf = g.step + 2; // step g.step + 1, given step g.step's descriptor
        bytes32[] memory siblings = _pageSiblings(page, leaf);
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(OneStepExecutor.OneStepExecutor_BadDescriptorProof.selector, g.step + 1)
        );
        game.pickTraceNode(id, leaf, page[leaf], siblings, g.descriptor, g.descriptorProof);
    }

    /// @dev The worker's leaf over `_tensors`: the committed input, its own output and trace.
    function _leafOf(GameFixture memory _g, int256[][] memory _tensors) internal view returns (ResultLeaf memory) {
        return ResultLeaf({
            requestId: keccak256("request"),
            modelCommitment: keccak256(abi.encode(_g.parts)),
            inputCommitment: LibTensorRoot.root(_g.honest[0]),
            outputCommitment: LibTensorRoot.root(_tensors[_tensors.length - 1]),
            traceCommitment: LibTensorRoot.rootFromLeaves(_rootsOf(_tensors)),
            worker: worker
        });
    }
}
