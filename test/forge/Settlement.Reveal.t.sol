// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ISettlement} from "../../contracts/interfaces/ISettlement.sol";
import {RequestStatus} from "../../contracts/interfaces/IVerityResults.sol";
import {ResultLeaf} from "../../contracts/libraries/LibResultMerkle.sol";
import {LibTensorRoot} from "../../contracts/libraries/LibTensorRoot.sol";
import {SettlementFixture} from "./utils/SettlementFixture.sol";

contract Settlement_CommitBatch_Test is SettlementFixture {
    function testFuzz_commitBatch_byAnyoneButTheCommitter_reverts(address _caller) public {
        vm.assume(_caller != committer);
        vm.prank(_caller);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_NotCommitter.selector, _caller));
        settlement.commitBatch(keccak256("root"), 1);
    }

    function test_commitBatch_emptyRootOrCount_reverts() public {
        vm.startPrank(committer);
        vm.expectRevert(ISettlement.Settlement_EmptyBatch.selector);
        settlement.commitBatch(bytes32(0), 1);
        vm.expectRevert(ISettlement.Settlement_EmptyBatch.selector);
        settlement.commitBatch(keccak256("root"), 0);
        vm.stopPrank();
    }

    function test_commitBatch_byCommitter_numbersBatchesFromOne() public {
        vm.prank(committer);
        vm.expectEmit(address(settlement));
        emit ISettlement.BatchCommitted(1, keccak256("root"), 3);
        vm.assertEq(settlement.commitBatch(keccak256("root"), 3), 1, "first id");
        ISettlement.Batch memory batch = settlement.batchOf(1);
        vm.assertEq(batch.root, keccak256("root"), "root");
        vm.assertEq(uint256(batch.committedAt), block.timestamp, "committedAt");
        vm.assertEq(uint256(batch.count), 3, "count");
    }
}

contract Settlement_Reveal_Test is SettlementFixture {
    bytes32 internal requestId;
    ResultLeaf internal leaf;
    uint256 internal batchId;

    function setUp() public override {
        super.setUp();
        requestId = _request();
        leaf = _leaf(requestId, workerA);
        batchId = _commit(leaf);
    }

    function _revealExpecting(bytes memory _revert, bytes memory _signature, int256[] memory _out) internal {
        vm.prank(outsider);
        vm.expectRevert(_revert);
        settlement.reveal(batchId, leaf, _out, new bytes32[](0), _signature);
    }

    function test_reveal_validLeaf_recordsAPendingResult() public {
        vm.expectEmit(address(settlement));
        emit ISettlement.ResultRevealed(
            requestId, batchId, workerA, leaf.outputCommitment, uint64(block.timestamp) + WINDOW
        );
        _reveal(batchId, leaf, WORKER_A_KEY);
        (int256[] memory output, bool isFinal, RequestStatus status, address worker, uint64 endsAt) =
            settlement.resultOf(requestId);
        vm.assertEq(output, _output(), "output");
        vm.assertFalse(isFinal, "not final");
        vm.assertEq(uint256(status), uint256(RequestStatus.Pending), "pending");
        vm.assertEq(worker, workerA, "worker");
        vm.assertEq(uint256(endsAt), block.timestamp + WINDOW, "window end");
    }

    function test_reveal_unknownBatch_reverts() public {
        bytes memory signature1 = _sign(WORKER_A_KEY, leaf);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_UnknownBatch.selector, uint256(9)));
        settlement.reveal(9, leaf, _output(), new bytes32[](0), signature1);
    }

    function testFuzz_reveal_afterTheBatchWindow_reverts(uint256 _elapsed) public {
        _elapsed = _bound(_elapsed, WINDOW, 10 * 365 days);
        uint64 deadline = uint64(block.timestamp) + WINDOW;
        vm.warp(block.timestamp + _elapsed);
        _revealExpecting(
            abi.encodeWithSelector(ISettlement.Settlement_RevealWindowOver.selector, batchId, deadline),
            _sign(WORKER_A_KEY, leaf),
            _output()
        );
    }

    function testFuzz_reveal_withinTheBatchWindow_succeeds(uint256 _elapsed) public {
        _elapsed = _bound(_elapsed, 0, WINDOW - 1);
        vm.warp(block.timestamp + _elapsed);
        _reveal(batchId, leaf, WORKER_A_KEY);
        vm.assertEq(_status(requestId), uint256(RequestStatus.Pending), "pending");
    }

    function test_reveal_wrongProof_reverts() public {
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = keccak256("sibling");
        bytes memory signature2 = _sign(WORKER_A_KEY, leaf);
        vm.expectRevert(
            abi.encodeWithSelector(ISettlement.Settlement_InvalidProof.selector, batchId, settlement.hashResultLeaf(leaf))
        );
        settlement.reveal(batchId, leaf, _output(), proof, signature2);
    }

    function test_reveal_outputNotMatchingItsCommitment_reverts() public {
        int256[] memory other = _output();
        other[0] += 1;
        _revealExpecting(
            abi.encodeWithSelector(
                ISettlement.Settlement_OutputMismatch.selector, requestId, leaf.outputCommitment, LibTensorRoot.root(other)
            ),
            _sign(WORKER_A_KEY, leaf),
            other
        );
    }

    function test_reveal_leafOfAnotherModelOrInput_reverts() public {
        ResultLeaf memory wrong = _leaf(requestId, workerA);
        wrong.inputCommitment = keccak256("another input");
        uint256 wrongBatch = _commit(wrong);
        bytes memory signature3 = _sign(WORKER_A_KEY, wrong);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_LeafRequestMismatch.selector, requestId));
        settlement.reveal(wrongBatch, wrong, _output(), new bytes32[](0), signature3);
    }

    function test_reveal_unknownRequest_reverts() public {
        ResultLeaf memory unknown = _leaf(keccak256("no such request"), workerA);
        uint256 unknownBatch = _commit(unknown);
        bytes memory signature4 = _sign(WORKER_A_KEY, unknown);
        vm.expectRevert(
            abi.encodeWithSelector(ISettlement.Settlement_NotOpen.selector, unknown.requestId, RequestStatus.None)
        );
        settlement.reveal(unknownBatch, unknown, _output(), new bytes32[](0), signature4);
    }

    function test_reveal_zkModeRequest_reverts() public {
        models.addZkCircuit(MODEL, _zkCircuit(1, keccak256("model zkey")));
        bytes32 fieldCommitment = bytes32(uint256(5));
        vm.prank(requester);
        bytes32 zkId = settlement.requestInference{value: MIN_FEE}(
            MODEL, fieldCommitment, new int256[](0), MODE_ZK, address(0), 0
        );
        ResultLeaf memory zkLeaf = _leaf(zkId, workerA);
        zkLeaf.inputCommitment = fieldCommitment;
        uint256 zkBatch = _commit(zkLeaf);
        bytes memory signature5 = _sign(WORKER_A_KEY, zkLeaf);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_ZkModeNeedsProof.selector, zkId));
        settlement.reveal(zkBatch, zkLeaf, _output(), new bytes32[](0), signature5);
    }

    function test_reveal_secondResultForTheSameRequest_reverts() public {
        _reveal(batchId, leaf, WORKER_A_KEY);
        ResultLeaf memory rival = _leaf(requestId, workerB);
        uint256 rivalBatch = _commit(rival);
        bytes memory signature6 = _sign(WORKER_B_KEY, rival);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_NotOpen.selector, requestId, RequestStatus.Pending));
        settlement.reveal(rivalBatch, rival, _output(), new bytes32[](0), signature6);
        vm.warp(block.timestamp + WINDOW);
        settlement.finalize(requestId);
        rivalBatch = _commit(rival);
        bytes memory signature7 = _sign(WORKER_B_KEY, rival);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_NotOpen.selector, requestId, RequestStatus.Final));
        settlement.reveal(rivalBatch, rival, _output(), new bytes32[](0), signature7);
    }

    function test_reveal_workerLeavingOrUnregistered_reverts() public {
        vm.prank(workerA);
        workers.requestWithdrawal();
        _revealExpecting(
            abi.encodeWithSelector(ISettlement.Settlement_WorkerNotActive.selector, workerA),
            _sign(WORKER_A_KEY, leaf),
            _output()
        );
        ResultLeaf memory unstaked = _leaf(requestId, outsider);
        uint256 unstakedBatch = _commit(unstaked);
        bytes memory signature8 = _sign(OUTSIDER_KEY, unstaked);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_WorkerNotActive.selector, outsider));
        settlement.reveal(unstakedBatch, unstaked, _output(), new bytes32[](0), signature8);
    }

    function testFuzz_reveal_signatureByAnotherKey_reverts(uint256 _key) public {
        _key = _bound(_key, 1, 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364140);
        vm.assume(_key != WORKER_A_KEY);
        _revealExpecting(
            abi.encodeWithSelector(ISettlement.Settlement_BadWorkerSignature.selector, requestId, workerA),
            _sign(_key, leaf),
            _output()
        );
    }

    function testFuzz_reveal_malleatedSignature_reverts(uint8 _v) public {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(WORKER_A_KEY, settlement.resultDigest(leaf));
        bytes32 highS = bytes32(0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141 - uint256(s));
        bytes memory expected =
            abi.encodeWithSelector(ISettlement.Settlement_BadWorkerSignature.selector, requestId, workerA);
        _revealExpecting(expected, abi.encodePacked(r, highS, v == 27 ? uint8(28) : uint8(27)), _output());
        vm.assume(_v != v);
        _revealExpecting(expected, abi.encodePacked(r, s, _v), _output());
    }

    function testFuzz_reveal_signatureOverAnyOtherField_reverts(uint8 _field, bytes32 _value) public {
        ResultLeaf memory signed = _leaf(requestId, workerA);
        _field = uint8(_bound(_field, 0, 4));
        if (_field == 0) signed.requestId = _value;
        if (_field == 1) signed.modelCommitment = _value;
        if (_field == 2) signed.inputCommitment = _value;
        if (_field == 3) signed.outputCommitment = _value;
        if (_field == 4) signed.traceCommitment = _value;
        vm.assume(settlement.hashResultLeaf(signed) != settlement.hashResultLeaf(leaf));
        _revealExpecting(
            abi.encodeWithSelector(ISettlement.Settlement_BadWorkerSignature.selector, requestId, workerA),
            _sign(WORKER_A_KEY, signed),
            _output()
        );
    }

    function test_reveal_leafNamingTheZeroAddress_reverts() public {
        ResultLeaf memory nobody = _leaf(requestId, address(0));
        uint256 nobodyBatch = _commit(nobody);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_BadWorkerSignature.selector, requestId, address(0)));
        settlement.reveal(nobodyBatch, nobody, _output(), new bytes32[](0), new bytes(65));
    }

    function test_reveal_twoWorkersInOneBatch_eachCreditedToItsWorker() public {
        bytes32 second = _request();
        ResultLeaf memory leafB = _leaf(second, workerB);
        bytes32 hashA = settlement.hashResultLeaf(leaf);
        bytes32 hashB = settlement.hashResultLeaf(leafB);
        bytes32 root = hashA < hashB ? keccak256(abi.encode(hashA, hashB)) : keccak256(abi.encode(hashB, hashA));
        vm.prank(committer);
        uint256 both = settlement.commitBatch(root, 2);
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = hashB;
        settlement.reveal(both, leaf, _output(), proof, _sign(WORKER_A_KEY, leaf));
        proof[0] = hashA;
        settlement.reveal(both, leafB, _output(), proof, _sign(WORKER_B_KEY, leafB));
        (,,, address workerOfA,) = settlement.resultOf(requestId);
        (,,, address workerOfB,) = settlement.resultOf(second);
        vm.assertEq(workerOfA, workerA, "A's result");
        vm.assertEq(workerOfB, workerB, "B's result");
    }
}
