// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ModelRegistry} from "./ModelRegistry.sol";
import {IZkSettlement} from "./interfaces/IZkSettlement.sol";
import {IZkSettlementHost, ZkBatch} from "./interfaces/IZkSettlementHost.sol";
import {LibZkPublicSignals} from "./libraries/LibZkPublicSignals.sol";

/// @title ZkSettlement
/// @notice zk-mode finality: verifies a Groth16 proof of a model's batch circuit against the
///         verifier the ModelRegistry records for it, records the output it establishes for each
///         (model, input) and hands the requests it names to the Settlement (onZkProven), which
///         makes them final, credits their fees and calls their consumers back. Anyone may call.
/// @dev Deployed after the Settlement and wired to it once (Settlement.setZkSettlement). It holds
///      no request state and no ETH: the Settlement trusts it only to have verified the proof.
contract ZkSettlement is IZkSettlement {
    /// @notice The Settlement that holds the requests this contract settles.
    IZkSettlementHost public immutable settlement;
    /// @notice The Settlement's ModelRegistry: where each model's circuits and verifiers are.
    ModelRegistry public immutable modelRegistry;

    /// @inheritdoc IZkSettlement
    /// @dev The semantics is deterministic, so a model and an input have exactly one output.
    mapping(bytes32 modelCommitment => mapping(bytes32 inputCommitment => bytes32 outputHash)) public zkResultOf;

    /// @param _settlement The Settlement whose requests this contract settles.
    constructor(IZkSettlementHost _settlement) {
        settlement = _settlement;
        modelRegistry = _settlement.modelRegistry();
    }

    /// @inheritdoc IZkSettlement
    function settleZk(
        bytes32 _modelCommitment,
        uint32 _batchSize,
        bytes32[] calldata _requestIds,
        uint256[] calldata _inputCommitments,
        uint256[] calldata _outputPacked,
        address _beneficiary,
        uint256[2] calldata _a,
        uint256[2][2] calldata _b,
        uint256[2] calldata _c
    ) external {
        (ModelRegistry.ZkCircuit memory circuit, uint32 ordinal) =
            modelRegistry.findZkCircuit(_modelCommitment, _batchSize);
        if (ordinal == 0) revert ZkSettlement_UnknownCircuit(_modelCommitment, _batchSize);
        _checkSignals(circuit, _requestIds.length, _inputCommitments, _outputPacked, _beneficiary);
        bytes memory verifyCall = LibZkPublicSignals.encodeVerifyProof(
            _a, _b, _c, LibZkPublicSignals.publicSignals(_inputCommitments, _outputPacked, _beneficiary)
        );
        // INVARIANT: a result is settled only when the verifier returns true. The snarkjs verifier
        // returns false (it does not revert) when it runs out of gas, so anything but a successful
        // call returning exactly true reverts here and never leaves a result behind.
        if (!_staticcallReturnsTrue(circuit.verifier, verifyCall)) {
            revert ZkSettlement_ProofRejected(_modelCommitment, _batchSize);
        }
        (int256[][] memory outputs, bool namesRequests) =
            _recordOutputs(_modelCommitment, circuit, _requestIds, _inputCommitments, _outputPacked);
        if (!namesRequests) return;
        // The Settlement finalizes every named request, then calls their consumers: a consumer that
        // re-enters finds nothing of this batch left to change.
        settlement.onZkProven(
            ZkBatch({
                modelCommitment: _modelCommitment,
                beneficiary: _beneficiary,
                circuitOrdinal: ordinal,
                batchSize: _batchSize,
                zkeyHash: circuit.zkeyHash
            }),
            _requestIds,
            _inputCommitments,
            outputs
        );
    }

    /// @dev Checks the sizes of a batch against its circuit and that every public signal is a
    ///      canonical field element (a packed field holds nothing above its k values).
    function _checkSignals(
        ModelRegistry.ZkCircuit memory _circuit,
        uint256 _requestCount,
        uint256[] calldata _inputCommitments,
        uint256[] calldata _outputPacked,
        address _beneficiary
    ) private pure {
        uint32 batchSize = _circuit.batchSize;
        if (_requestCount != batchSize || _inputCommitments.length != batchSize) {
            revert ZkSettlement_BatchLengthMismatch(batchSize, _requestCount, _inputCommitments.length);
        }
        uint256 fieldCount = LibZkPublicSignals.outputFieldCount(batchSize, _circuit.outputLength, _circuit.outputBits);
        if (_outputPacked.length != fieldCount) revert ZkSettlement_OutputFieldCountMismatch(fieldCount, _outputPacked.length);
        for (uint256 i = 0; i < batchSize; ++i) {
            uint256 value = _inputCommitments[i];
            if (value >= LibZkPublicSignals.BN254_SCALAR_FIELD) revert ZkSettlement_SignalNotInField(i, value);
        }
        for (uint256 m = 0; m < fieldCount; ++m) {
            uint256 value = _outputPacked[m];
            if (!LibZkPublicSignals.isCanonicalPackedField(value, _circuit.outputBits)) {
                revert ZkSettlement_PackedFieldNotCanonical(batchSize + m, value);
            }
        }
        if (_beneficiary == address(0)) revert ZkSettlement_ZeroBeneficiary();
    }

    /// @dev Unpacks and records each sample's output; says whether any sample names a request.
    function _recordOutputs(
        bytes32 _modelCommitment,
        ModelRegistry.ZkCircuit memory _circuit,
        bytes32[] calldata _requestIds,
        uint256[] calldata _inputCommitments,
        uint256[] calldata _outputPacked
    ) private returns (int256[][] memory outputs_, bool namesRequests_) {
        outputs_ = new int256[][](_requestIds.length);
        for (uint256 s = 0; s < outputs_.length; ++s) {
            int256[] memory output = LibZkPublicSignals.unpackSample(
                _outputPacked, s, _circuit.outputLength, _circuit.outputBits, _circuit.outputOffset
            );
            outputs_[s] = output;
            bytes32 inputCommitment = bytes32(_inputCommitments[s]);
            _recordOutput(_modelCommitment, inputCommitment, output);
            bytes32 requestId = _requestIds[s];
            if (requestId != bytes32(0)) namesRequests_ = true;
            emit ZkResultProven(_modelCommitment, inputCommitment, requestId, output);
        }
    }

    /// @dev Records the output a proof established for (model, input).
    function _recordOutput(bytes32 _modelCommitment, bytes32 _inputCommitment, int256[] memory _output) private {
        bytes32 proven = keccak256(abi.encode(_output));
        bytes32 known = zkResultOf[_modelCommitment][_inputCommitment];
        // INVARIANT: a model and an input have exactly one output (deterministic semantics). A
        // second proof of the same output changes nothing; a proof of another one can only come
        // from an unsound circuit and is refused.
        if (known == bytes32(0)) zkResultOf[_modelCommitment][_inputCommitment] = proven;
        else if (known != proven) revert ZkSettlement_ResultConflict(_modelCommitment, _inputCommitment, known, proven);
    }

    /// @dev Staticcalls `_target` with all remaining gas (EIP-150 keeps 1/64 back); true only if
    ///      the call succeeded and returned exactly one word equal to 1.
    function _staticcallReturnsTrue(address _target, bytes memory _data) private view returns (bool ok_) {
        assembly ("memory-safe") {
            let success := staticcall(gas(), _target, add(_data, 0x20), mload(_data), 0x00, 0x20)
            ok_ := and(success, and(eq(returndatasize(), 0x20), eq(mload(0x00), 1)))
        }
    }
}
