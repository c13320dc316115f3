// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ISettlement} from "../../contracts/interfaces/ISettlement.sol";
import {RequestStatus} from "../../contracts/interfaces/IVerityResults.sol";
import {SettlementFixture} from "./utils/SettlementFixture.sol";

contract Settlement_RequestInference_Test is SettlementFixture {
    function test_requestInference_derivesIdsFromChainContractAndNonce() public {
        bytes32 first = _request();
        bytes32 second = _request();
        vm.assertEq(first, keccak256(abi.encode(block.chainid, address(settlement), uint256(0))), "first id");
        vm.assertEq(second, keccak256(abi.encode(block.chainid, address(settlement), uint256(1))), "second id");
        ISettlement.Request memory stored = settlement.requestOf(first);
        vm.assertEq(uint256(stored.status), uint256(RequestStatus.Open), "open");
        vm.assertEq(stored.requester, requester, "requester");
        vm.assertEq(stored.fee, MIN_FEE, "fee");
        vm.assertEq(settlement.requestNonce(), 2, "nonce");
    }

    function testFuzz_requestInference_holdsTheWholeFeeUntilFinal(uint256 _fee) public {
        _fee = _bound(_fee, MIN_FEE, 100 ether);
        bytes32 commitment = _inputCommitment();
        int256[] memory input = _input();
        vm.prank(requester);
        bytes32 id =
            settlement.requestInference{value: _fee}(MODEL, commitment, input, MODE_OPTIMISTIC, address(0), 0);
        vm.assertEq(uint256(settlement.requestOf(id).fee), _fee, "fee recorded");
        vm.assertEq(address(settlement).balance, _fee, "held by the settlement");
        vm.assertEq(address(escrow).balance, 0, "nothing paid out yet");
    }

    function testFuzz_requestInference_feeAboveUint128_reverts(uint256 _fee) public {
        _fee = _bound(_fee, uint256(type(uint128).max) + 1, type(uint256).max / 2);
        bytes32 commitment = _inputCommitment();
        int256[] memory input = _input();
        vm.deal(requester, _fee);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_FeeTooHigh.selector, _fee));
        settlement.requestInference{value: _fee}(MODEL, commitment, input, MODE_OPTIMISTIC, address(0), 0);
    }

    function testFuzz_requestInference_feeBelowMinimum_reverts(uint256 _fee) public {
        _fee = _bound(_fee, 0, MIN_FEE - 1);
        bytes32 commitment = _inputCommitment();
        int256[] memory input = _input();
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_FeeTooLow.selector, _fee, MIN_FEE));
        settlement.requestInference{value: _fee}(MODEL, commitment, input, MODE_OPTIMISTIC, address(0), 0);
    }

    function test_requestInference_unregisteredModel_reverts() public {
        bytes32 unknown = keccak256("unknown");
        bytes32 commitment = _inputCommitment();
        int256[] memory input = _input();
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_ModeNotAllowed.selector, unknown, MODE_OPTIMISTIC));
        settlement.requestInference{value: MIN_FEE}(unknown, commitment, input, MODE_OPTIMISTIC, address(0), 0);
    }

    function testFuzz_requestInference_modeNotAllowed_reverts(uint8 _mode) public {
        vm.assume(_mode != MODE_OPTIMISTIC);
        bytes32 commitment = _inputCommitment();
        int256[] memory input = _input();
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_ModeNotAllowed.selector, MODEL, _mode));
        settlement.requestInference{value: MIN_FEE}(MODEL, commitment, input, _mode, address(0), 0);
    }

    function test_requestInference_inputNotMatchingItsCommitment_reverts() public {
        bytes32 wrong = keccak256("wrong");
        int256[] memory input = _input();
        vm.prank(requester);
        vm.expectRevert(
            abi.encodeWithSelector(ISettlement.Settlement_InputCommitmentMismatch.selector, wrong, _inputCommitment())
        );
        settlement.requestInference{value: MIN_FEE}(MODEL, wrong, input, MODE_OPTIMISTIC, address(0), 0);
    }

    function test_requestInference_commitmentWithoutInlineInput_opens() public {
        vm.prank(requester);
        bytes32 id = settlement.requestInference{value: MIN_FEE}(
            MODEL, keccak256("off-chain input"), new int256[](0), MODE_OPTIMISTIC, address(0), 0
        );
        vm.assertEq(_status(id), uint256(RequestStatus.Open), "open");
    }

    function testFuzz_requestInference_callbackGasAboveMaximum_reverts(uint32 _gasLimit) public {
        _gasLimit = uint32(_bound(_gasLimit, settlement.MAX_CALLBACK_GAS_LIMIT() + 1, type(uint32).max));
        bytes32 commitment = _inputCommitment();
        int256[] memory input = _input();
        vm.prank(requester);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISettlement.Settlement_CallbackGasLimitTooHigh.selector, _gasLimit, settlement.MAX_CALLBACK_GAS_LIMIT()
            )
        );
        settlement.requestInference{value: MIN_FEE}(MODEL, commitment, input, MODE_OPTIMISTIC, address(this), _gasLimit);
    }

    function testFuzz_requestInference_zkMode_needsAFieldElementButNoKeccakMatch(uint256 _commitment) public {
        int256[] memory input = _input();
        uint256 field = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
        vm.prank(requester);
        if (_commitment >= field) {
            vm.expectRevert(
                abi.encodeWithSelector(ISettlement.Settlement_InputCommitmentNotInField.selector, bytes32(_commitment))
            );
        }
        bytes32 id = settlement.requestInference{value: MIN_FEE}(
            ZK_MODEL, bytes32(_commitment), input, MODE_ZK, address(0), 0
        );
        if (_commitment < field) {
            ISettlement.Request memory stored = settlement.requestOf(id);
            vm.assertEq(uint256(stored.zkCircuitCount), 1, "records the circuits the model had");
            vm.assertEq(stored.gasFee, 0, "no gas part in zk mode");
        }
    }
}

contract Settlement_RequestZkInference_Test is SettlementFixture {
    function test_requestZkInference_unknownOrZeroZkey_reverts() public {
        int256[] memory input = _input();
        bytes32[2] memory bad = [bytes32(0), keccak256("other zkey")];
        for (uint256 i; i < 2; ++i) {
            vm.prank(requester);
            vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_UnknownZkey.selector, ZK_MODEL, bad[i]));
            settlement.requestZkInference{value: MIN_FEE}(ZK_MODEL, bytes32(uint256(1)), input, bad[i], address(0), 0);
        }
    }

    function test_requestZkInference_knownZkey_pinsIt() public {
        int256[] memory input = _input();
        vm.prank(requester);
        bytes32 id =
            settlement.requestZkInference{value: MIN_FEE}(ZK_MODEL, bytes32(uint256(1)), input, ZKEY, address(0), 0);
        vm.assertEq(settlement.zkeyPinOf(id), ZKEY, "pinned");
        vm.assertEq(uint256(settlement.requestOf(id).mode), MODE_ZK, "zk mode");
    }
}

contract Settlement_RequiredFee_Test is SettlementFixture {
    uint256 internal constant GAS_PRICE = 2 gwei;

    function _feeGasPrice() internal pure override returns (uint256) {
        return GAS_PRICE;
    }

    function testFuzz_requiredFee_coversServiceGasOutputsAndCallback(uint32 _gasLimit) public view {
        _gasLimit = uint32(_bound(_gasLimit, 0, settlement.MAX_CALLBACK_GAS_LIMIT()));
        uint256 gas = settlement.SERVICE_GAS_PER_REQUEST() + 2 * settlement.SERVICE_GAS_PER_OUTPUT() + _gasLimit;
        vm.assertEq(settlement.requiredFee(MODEL, _gasLimit), MIN_FEE + gas * GAS_PRICE, "requiredFee");
    }

    function testFuzz_requestInference_belowRequiredFee_reverts(uint32 _gasLimit, uint256 _short) public {
        _gasLimit = uint32(_bound(_gasLimit, 0, settlement.MAX_CALLBACK_GAS_LIMIT()));
        uint256 required = settlement.requiredFee(MODEL, _gasLimit);
        uint256 fee = required - _bound(_short, 1, required);
        bytes32 commitment = _inputCommitment();
        int256[] memory input = _input();
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_FeeTooLow.selector, fee, required));
        settlement.requestInference{value: fee}(MODEL, commitment, input, MODE_OPTIMISTIC, address(this), _gasLimit);
    }

    function testFuzz_requestInference_atRequiredFee_recordsTheGasPart(uint32 _gasLimit) public {
        _gasLimit = uint32(_bound(_gasLimit, 0, settlement.MAX_CALLBACK_GAS_LIMIT()));
        bytes32 id = _request(address(this), _gasLimit);
        ISettlement.Request memory stored = settlement.requestOf(id);
        vm.assertEq(stored.gasFee, settlement.requiredFee(MODEL, _gasLimit) - MIN_FEE, "gas part");
        vm.assertEq(uint256(stored.callbackGasLimit), _gasLimit, "callback gas limit");
    }

    function test_requiredFee_unknownModel_reverts() public {
        vm.expectRevert();
        settlement.requiredFee(keccak256("unknown"), 0);
    }
}
