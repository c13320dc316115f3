// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ISettlement} from "../../contracts/interfaces/ISettlement.sol";
import {RequestStatus} from "../../contracts/interfaces/IVerityResults.sol";
import {IZkSettlement} from "../../contracts/interfaces/IZkSettlement.sol";
import {ZkBatch} from "../../contracts/interfaces/IZkSettlementHost.sol";
import {LibZkPublicSignals} from "../../contracts/libraries/LibZkPublicSignals.sol";
import {ConsumerMock} from "../../contracts/test/ConsumerMock.sol";
import {SettlementFixture} from "./utils/SettlementFixture.sol";

/// @notice The fixture's zk-only model (2 outputs of 8 bits, offset 128: 31 values per packed
///         field) with its batch-1 circuit, a prover, and helpers to request and settle.
abstract contract ZkSettlement_TestInit is SettlementFixture {
    uint256 internal constant FIELD = LibZkPublicSignals.BN254_SCALAR_FIELD;
    bytes32 internal constant ZKEY_2 = keccak256("zkey-2");
    address internal prover = address(0x9807E5);
    uint256[2] internal proofA;
    uint256[2][2] internal proofB;
    uint256[2] internal proofC;

    /// @dev A zk request for ZK_MODEL over input commitment `_input`, with the minimum fee.
    function _zkRequest(uint256 _input) internal returns (bytes32) {
        return _zkRequest(_input, address(0), 0);
    }

    function _zkRequest(uint256 _input, address _callback, uint32 _gasLimit) internal returns (bytes32 requestId_) {
        vm.prank(requester);
        requestId_ = settlement.requestInference{value: MIN_FEE}(
            ZK_MODEL, bytes32(_input), new int256[](0), MODE_ZK, _callback, _gasLimit
        );
    }

    /// @dev The batch-2 circuit (a second one: ordinal 2), under ZKEY_2.
    function _addBatch2Circuit() internal {
        models.addZkCircuit(ZK_MODEL, _zkCircuit(2, ZKEY_2));
    }

    /// @dev The outputs of `_samples`, packed as the circuit lays them out (sample-major).
    function _pack(int256[][] memory _samples) internal pure returns (uint256[] memory packed_) {
        uint256 values = _samples.length * 2;
        packed_ = new uint256[]((values + 30) / 31);
        for (uint256 s; s < _samples.length; ++s) {
            for (uint256 j; j < 2; ++j) {
                uint256 i = s * 2 + j;
                packed_[i / 31] |= uint256(_samples[s][j] + 128) << ((i % 31) * 8);
            }
        }
    }

    function _outputs(uint256 _samples) internal pure returns (int256[][] memory outputs_) {
        outputs_ = new int256[][](_samples);
        for (uint256 s; s < _samples; ++s) {
            outputs_[s] = new int256[](2);
            (outputs_[s][0], outputs_[s][1]) = (int256(s) - 128, 127 - int256(s));
        }
    }

    /// @dev The public signals in circuit order: input commitments, packed outputs, beneficiary.
    function _signals(uint256[] memory _inputCommitments, uint256[] memory _packed, address _beneficiary)
        internal
        pure
        returns (uint256[] memory signals_)
    {
        signals_ = new uint256[](_inputCommitments.length + _packed.length + 1);
        for (uint256 i; i < _inputCommitments.length; ++i) signals_[i] = _inputCommitments[i];
        for (uint256 m; m < _packed.length; ++m) signals_[_inputCommitments.length + m] = _packed[m];
        signals_[signals_.length - 1] = uint256(uint160(_beneficiary));
    }

    function _ids(bytes32 _id) internal pure returns (bytes32[] memory ids_) {
        ids_ = new bytes32[](1);
        ids_[0] = _id;
    }

    function _inputs(uint256 _input) internal pure returns (uint256[] memory inputs_) {
        inputs_ = new uint256[](1);
        inputs_[0] = _input;
    }

    function _settle(
        uint32 _batchSize,
        bytes32[] memory _requestIds,
        uint256[] memory _inputCommitments,
        uint256[] memory _packed,
        address _beneficiary
    ) internal {
        zk.settleZk(ZK_MODEL, _batchSize, _requestIds, _inputCommitments, _packed, _beneficiary, proofA, proofB, proofC);
    }

    /// @dev Settles one request (or none: bytes32(0)) on input `_input` with the batch-1 circuit.
    function _settleOne(bytes32 _requestId, uint256 _input) internal {
        _settle(1, _ids(_requestId), _inputs(_input), _pack(_outputs(1)), prover);
    }

    function _expectRevertSettleOne(bytes32 _requestId, uint256 _input, bytes memory _revert) internal {
        bytes32[] memory ids = _ids(_requestId);
        uint256[] memory inputs = _inputs(_input);
        uint256[] memory packed = _pack(_outputs(1));
        vm.expectRevert(_revert);
        _settle(1, ids, inputs, packed, prover);
    }
}

contract ZkSettlement_Constructor_Test is ZkSettlement_TestInit {
    function test_constructor_takesTheSettlementsRegistry() public view {
        vm.assertEq(address(zk.settlement()), address(settlement), "settlement");
        vm.assertEq(address(zk.modelRegistry()), address(models), "the settlement's registry");
        vm.assertEq(settlement.zkSettlement(), address(zk), "wired");
    }
}

contract ZkSettlement_SettleZk_Test is ZkSettlement_TestInit {
    function test_settleZk_honestBatch_finalizesCreditsTheBeneficiaryAndCallsEachConsumerOnce() public {
        _addBatch2Circuit();
        ConsumerMock consumer = new ConsumerMock();
        uint256[] memory inputs = new uint256[](2);
        (inputs[0], inputs[1]) = (11, 12);
        bytes32[] memory ids = new bytes32[](2);
        ids[0] = _zkRequest(inputs[0], address(consumer), 200_000);
        ids[1] = _zkRequest(inputs[1]);
        int256[][] memory outputs = _outputs(2);
        uint256[] memory packed = _pack(outputs);
        // The verifier accepts only the signals in circuit order: inputs, packed outputs, beneficiary.
        uint256[] memory signals = _signals(inputs, packed, prover);
        verifier.configure(
            true, 0, LibZkPublicSignals.verifyProofSelector(signals.length), keccak256(abi.encodePacked(signals))
        );
        vm.expectEmit(address(zk));
        emit IZkSettlement.ZkResultProven(ZK_MODEL, bytes32(inputs[0]), ids[0], outputs[0]);
        vm.expectEmit(address(zk));
        emit IZkSettlement.ZkResultProven(ZK_MODEL, bytes32(inputs[1]), ids[1], outputs[1]);
        vm.expectEmit(address(settlement));
        emit ISettlement.ResultFinalized(ids[0], prover, MIN_FEE);
        vm.expectEmit(address(settlement));
        emit ISettlement.ResultFinalized(ids[1], prover, MIN_FEE);
        vm.expectEmit(address(settlement));
        emit ISettlement.ConsumerCalled(ids[0], address(consumer), true);
        vm.prank(outsider);
        _settle(2, ids, inputs, packed, prover);
        for (uint256 s; s < 2; ++s) {
            (int256[] memory output, bool isFinal, RequestStatus status, address worker, uint64 endsAt) =
                settlement.resultOf(ids[s]);
            vm.assertEq(output, outputs[s], "output");
            vm.assertTrue(isFinal, "final");
            vm.assertEq(uint256(status), uint256(RequestStatus.Final), "status");
            vm.assertEq(worker, prover, "the proof's beneficiary");
            vm.assertEq(uint256(endsAt), 0, "no window");
            vm.assertEq(zk.zkResultOf(ZK_MODEL, bytes32(inputs[s])), keccak256(abi.encode(outputs[s])), "proven");
        }
        vm.assertEq(escrow.claimableOf(prover), 2 * MIN_FEE, "both fees credited to the prover");
        vm.assertEq(escrow.claimableOf(outsider), 0, "not to the caller");
        vm.assertEq(address(settlement).balance, 0, "no fee left in the settlement");
        vm.assertEq(consumer.calls(), 1, "called back once");
        vm.assertEq(consumer.lastRequestId(), ids[0], "with its request");
        vm.assertEq(consumer.lastOutput(), outputs[0], "and its output");
    }

    function testFuzz_settleZk_outputs_areUnpackedSignedAndRecorded(int8 _first, int8 _second) public {
        bytes32 id = _zkRequest(7);
        int256[][] memory outputs = new int256[][](1);
        outputs[0] = new int256[](2);
        (outputs[0][0], outputs[0][1]) = (int256(_first), int256(_second));
        _settle(1, _ids(id), _inputs(7), _pack(outputs), prover);
        (int256[] memory output,,,,) = settlement.resultOf(id);
        vm.assertEq(output, outputs[0], "output");
        vm.assertEq(zk.zkResultOf(ZK_MODEL, bytes32(uint256(7))), keccak256(abi.encode(outputs[0])), "proven");
    }

    function test_settleZk_noRequests_recordsTheOutputsOnly() public {
        bytes32 open = _zkRequest(5);
        _settleOne(bytes32(0), 5);
        vm.assertEq(zk.zkResultOf(ZK_MODEL, bytes32(uint256(5))), keccak256(abi.encode(_outputs(1)[0])), "proven");
        vm.assertEq(uint256(settlement.statusOf(open)), uint256(RequestStatus.Open), "a request it does not name stays open");
        vm.assertEq(address(settlement).balance, MIN_FEE, "its fee still held");
    }

    function testFuzz_settleZk_unknownBatchSize_reverts(uint32 _batchSize) public {
        vm.assume(_batchSize != 1);
        bytes32[] memory ids = _ids(bytes32(0));
        uint256[] memory inputs = _inputs(1);
        uint256[] memory packed = _pack(_outputs(1));
        vm.expectRevert(abi.encodeWithSelector(IZkSettlement.ZkSettlement_UnknownCircuit.selector, ZK_MODEL, _batchSize));
        _settle(_batchSize, ids, inputs, packed, prover);
    }

    function testFuzz_settleZk_unknownModel_reverts(bytes32 _model) public {
        vm.assume(_model != ZK_MODEL);
        bytes32[] memory ids = _ids(bytes32(0));
        uint256[] memory inputs = _inputs(1);
        uint256[] memory packed = _pack(_outputs(1));
        vm.expectRevert(abi.encodeWithSelector(IZkSettlement.ZkSettlement_UnknownCircuit.selector, _model, uint32(1)));
        zk.settleZk(_model, 1, ids, inputs, packed, prover, proofA, proofB, proofC);
    }

    function testFuzz_settleZk_wrongLengths_reverts(uint8 _ids_, uint8 _inputs_, uint8 _fields) public {
        uint256 idCount = _bound(_ids_, 0, 4);
        uint256 inputCount = _bound(_inputs_, 0, 4);
        uint256 fieldCount = _bound(_fields, 0, 4);
        vm.assume(idCount != 1 || inputCount != 1 || fieldCount != 1);
        bytes32[] memory ids = new bytes32[](idCount);
        uint256[] memory inputs = new uint256[](inputCount);
        uint256[] memory packed = new uint256[](fieldCount);
        if (idCount != 1 || inputCount != 1) {
            vm.expectRevert(
                abi.encodeWithSelector(IZkSettlement.ZkSettlement_BatchLengthMismatch.selector, uint32(1), idCount, inputCount)
            );
        } else {
            vm.expectRevert(
                abi.encodeWithSelector(IZkSettlement.ZkSettlement_OutputFieldCountMismatch.selector, uint256(1), fieldCount)
            );
        }
        _settle(1, ids, inputs, packed, prover);
    }

    function testFuzz_settleZk_inputCommitmentOutsideTheField_reverts(uint256 _input) public {
        _input = _bound(_input, FIELD, type(uint256).max);
        _expectRevertSettleOne(
            bytes32(0), _input, abi.encodeWithSelector(IZkSettlement.ZkSettlement_SignalNotInField.selector, 0, _input)
        );
    }

    function testFuzz_settleZk_packedFieldWithBitsAboveItsValues_reverts(uint256 _high) public {
        // 31 values of 8 bits fill 248 bits; anything above is not a canonical packed field.
        _high = _bound(_high, 1, type(uint256).max >> 248);
        uint256[] memory packed = _pack(_outputs(1));
        packed[0] |= _high << 248;
        bytes32[] memory ids = _ids(bytes32(0));
        uint256[] memory inputs = _inputs(1);
        vm.expectRevert(
            abi.encodeWithSelector(IZkSettlement.ZkSettlement_PackedFieldNotCanonical.selector, 1, packed[0])
        );
        _settle(1, ids, inputs, packed, prover);
    }

    function test_settleZk_zeroBeneficiary_reverts() public {
        bytes32[] memory ids = _ids(bytes32(0));
        uint256[] memory inputs = _inputs(1);
        uint256[] memory packed = _pack(_outputs(1));
        vm.expectRevert(IZkSettlement.ZkSettlement_ZeroBeneficiary.selector);
        _settle(1, ids, inputs, packed, address(0));
    }

    function test_settleZk_wrongProof_reverts() public {
        bytes32 id = _zkRequest(3);
        verifier.configure(false, 0, bytes4(0), bytes32(0));
        _expectRevertSettleOne(
            id, 3, abi.encodeWithSelector(IZkSettlement.ZkSettlement_ProofRejected.selector, ZK_MODEL, uint32(1))
        );
        vm.assertEq(uint256(settlement.statusOf(id)), uint256(RequestStatus.Open), "still open");
        vm.assertEq(zk.zkResultOf(ZK_MODEL, bytes32(uint256(3))), bytes32(0), "nothing proven");
        vm.assertEq(escrow.claimableOf(prover), 0, "nothing credited");
    }

    function testFuzz_settleZk_proofForAnotherBeneficiary_reverts(address _other) public {
        vm.assume(_other != prover && _other != address(0));
        bytes32 id = _zkRequest(3);
        // The verifier accepts the proof only with the beneficiary it binds (`_other`).
        uint256[] memory signals = _signals(_inputs(3), _pack(_outputs(1)), _other);
        verifier.configure(true, 0, bytes4(0), keccak256(abi.encodePacked(signals)));
        _expectRevertSettleOne(
            id, 3, abi.encodeWithSelector(IZkSettlement.ZkSettlement_ProofRejected.selector, ZK_MODEL, uint32(1))
        );
        vm.assertEq(escrow.claimableOf(prover), 0, "a copied proof pays nobody else");
    }

    function testFuzz_settleZk_verifierOutOfGas_reverts(uint256 _gasNeeded) public {
        // The snarkjs verifier returns false, not a revert, when short of gas: settleZk must refuse.
        _gasNeeded = _bound(_gasNeeded, 400_000, 2_000_000);
        verifier.configure(true, _gasNeeded, bytes4(0), bytes32(0));
        bytes32 id = _zkRequest(3);
        bytes32[] memory ids = _ids(id);
        uint256[] memory inputs = _inputs(3);
        uint256[] memory packed = _pack(_outputs(1));
        vm.expectRevert(abi.encodeWithSelector(IZkSettlement.ZkSettlement_ProofRejected.selector, ZK_MODEL, uint32(1)));
        zk.settleZk{gas: 300_000}(ZK_MODEL, 1, ids, inputs, packed, prover, proofA, proofB, proofC);
        vm.assertEq(uint256(settlement.statusOf(id)), uint256(RequestStatus.Open), "still open");
        zk.settleZk{gas: _gasNeeded + 400_000}(ZK_MODEL, 1, ids, inputs, packed, prover, proofA, proofB, proofC);
        vm.assertEq(uint256(settlement.statusOf(id)), uint256(RequestStatus.Final), "settled with enough gas");
    }

    function test_settleZk_reentrantConsumer_getsNoSecondCallback() public {
        ConsumerMock consumer = new ConsumerMock();
        consumer.setBehaviour(ConsumerMock.Behaviour.Reenter);
        bytes32 id = _zkRequest(4, address(consumer), 300_000);
        _settleOne(id, 4);
        vm.assertEq(consumer.calls(), 1, "called once");
        vm.assertTrue(consumer.reentryReverted(), "its finalize reverted");
        vm.assertEq(escrow.claimableOf(prover), MIN_FEE, "paid once");
    }

    function test_settleZk_requestOfAnotherInput_reverts() public {
        bytes32 id = _zkRequest(3);
        _expectRevertSettleOne(id, 4, abi.encodeWithSelector(ISettlement.Settlement_ZkRequestMismatch.selector, id));
    }

    function test_settleZk_requestOfAnotherModel_reverts() public {
        bytes32 other = keccak256("other zk model");
        models.register(other, 0, address(this), 2);
        models.addZkCircuit(other, _zkCircuit(1, ZKEY));
        vm.prank(requester);
        bytes32 id =
            settlement.requestInference{value: MIN_FEE}(other, bytes32(uint256(3)), new int256[](0), MODE_ZK, address(0), 0);
        _expectRevertSettleOne(id, 3, abi.encodeWithSelector(ISettlement.Settlement_ZkRequestMismatch.selector, id));
    }

    function test_settleZk_optimisticRequest_reverts() public {
        bytes32 id = _request();
        _expectRevertSettleOne(
            id, uint256(_inputCommitment()) % FIELD, abi.encodeWithSelector(ISettlement.Settlement_NotZkRequest.selector, id)
        );
    }

    function testFuzz_settleZk_unknownRequest_reverts(bytes32 _id) public {
        vm.assume(_id != bytes32(0));
        _expectRevertSettleOne(
            _id, 3, abi.encodeWithSelector(ISettlement.Settlement_NotOpen.selector, _id, RequestStatus.None)
        );
    }

    function test_settleZk_finalRequestAgain_reverts() public {
        bytes32 id = _zkRequest(3);
        _settleOne(id, 3);
        _expectRevertSettleOne(
            id, 3, abi.encodeWithSelector(ISettlement.Settlement_NotOpen.selector, id, RequestStatus.Final)
        );
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_NotPending.selector, id, RequestStatus.Final));
        settlement.finalize(id);
        vm.assertEq(escrow.claimableOf(prover), MIN_FEE, "paid once");
    }

    function test_settleZk_requestNamedTwice_reverts() public {
        _addBatch2Circuit();
        bytes32 id = _zkRequest(3);
        bytes32[] memory ids = new bytes32[](2);
        (ids[0], ids[1]) = (id, id);
        uint256[] memory inputs = new uint256[](2);
        (inputs[0], inputs[1]) = (3, 3);
        int256[][] memory outputs = _outputs(2);
        outputs[1] = outputs[0];
        uint256[] memory packed = _pack(outputs);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_NotOpen.selector, id, RequestStatus.Final));
        _settle(2, ids, inputs, packed, prover);
    }

    function test_settleZk_circuitAddedAfterTheRequest_reverts() public {
        bytes32 id = _zkRequest(3);
        _addBatch2Circuit();
        bytes32[] memory ids = new bytes32[](2);
        ids[0] = id;
        uint256[] memory inputs = new uint256[](2);
        (inputs[0], inputs[1]) = (3, 9);
        uint256[] memory packed = _pack(_outputs(2));
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_ZkCircuitTooNew.selector, id, uint32(2)));
        _settle(2, ids, inputs, packed, prover);
        // The circuit the model had when it was requested still settles it.
        _settleOne(id, 3);
        vm.assertEq(uint256(settlement.statusOf(id)), uint256(RequestStatus.Final), "settled by its circuit");
    }

    function test_settleZk_anotherKeyThanThePinnedOne_reverts() public {
        _addBatch2Circuit();
        vm.prank(requester);
        bytes32 id = settlement.requestZkInference{value: MIN_FEE}(
            ZK_MODEL, bytes32(uint256(3)), new int256[](0), ZKEY, address(0), 0
        );
        bytes32[] memory ids = new bytes32[](2);
        ids[0] = id;
        uint256[] memory inputs = new uint256[](2);
        (inputs[0], inputs[1]) = (3, 9);
        uint256[] memory packed = _pack(_outputs(2));
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_ZkeyNotPinned.selector, id, ZKEY, ZKEY_2));
        _settle(2, ids, inputs, packed, prover);
        _settleOne(id, 3);
        vm.assertEq(uint256(settlement.statusOf(id)), uint256(RequestStatus.Final), "settled under its key");
    }

    function testFuzz_settleZk_anotherOutputForAProvenInput_reverts(int8 _other) public {
        _settleOne(bytes32(0), 3);
        int256[][] memory outputs = _outputs(1);
        bytes32 known = keccak256(abi.encode(outputs[0]));
        vm.assume(int256(_other) != outputs[0][1]);
        outputs[0][1] = _other;
        uint256[] memory packed = _pack(outputs);
        bytes32[] memory ids = _ids(bytes32(0));
        uint256[] memory inputs = _inputs(3);
        vm.expectRevert(
            abi.encodeWithSelector(
                IZkSettlement.ZkSettlement_ResultConflict.selector,
                ZK_MODEL,
                bytes32(uint256(3)),
                known,
                keccak256(abi.encode(outputs[0]))
            )
        );
        _settle(1, ids, inputs, packed, prover);
        // The same output again changes nothing.
        _settleOne(bytes32(0), 3);
        vm.assertEq(zk.zkResultOf(ZK_MODEL, bytes32(uint256(3))), known, "unchanged");
    }
}

contract Settlement_OnZkProven_Test is ZkSettlement_TestInit {
    function testFuzz_onZkProven_byAnyoneButTheZkSettlement_reverts(address _caller) public {
        vm.assume(_caller != address(zk));
        bytes32 id = _zkRequest(3);
        ZkBatch memory batch = ZkBatch({
            modelCommitment: ZK_MODEL, beneficiary: _caller, circuitOrdinal: 1, batchSize: 1, zkeyHash: ZKEY
        });
        vm.prank(_caller);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_NotZkSettlement.selector, _caller));
        settlement.onZkProven(batch, _ids(id), _inputs(3), _outputs(1));
        vm.assertEq(uint256(settlement.statusOf(id)), uint256(RequestStatus.Open), "still open");
    }
}
