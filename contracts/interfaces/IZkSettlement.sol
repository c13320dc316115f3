// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IZkSettlement
/// @notice zk-mode settlement: one Groth16 proof of a model's batch circuit establishes the output
///         of each (model, input) in the batch and makes the zk-mode requests it names final at
///         once (through the Settlement, IZkSettlementHost), their fees credited to the proof's
///         beneficiary.
interface IZkSettlement {
    /// @notice A zk proof established `output` for a model and an input; `requestId` is the request
    ///         it settled, or bytes32(0) when the proof settled none.
    event ZkResultProven(
        bytes32 indexed modelCommitment, bytes32 indexed inputCommitment, bytes32 indexed requestId, int256[] output
    );

    error ZkSettlement_UnknownCircuit(bytes32 modelCommitment, uint32 batchSize);
    error ZkSettlement_BatchLengthMismatch(uint32 batchSize, uint256 requestIds, uint256 inputCommitments);
    error ZkSettlement_OutputFieldCountMismatch(uint256 expected, uint256 actual);
    error ZkSettlement_SignalNotInField(uint256 index, uint256 value);
    error ZkSettlement_PackedFieldNotCanonical(uint256 index, uint256 value);
    error ZkSettlement_ZeroBeneficiary();
    error ZkSettlement_ProofRejected(bytes32 modelCommitment, uint32 batchSize);
    error ZkSettlement_ResultConflict(
        bytes32 modelCommitment, bytes32 inputCommitment, bytes32 known, bytes32 proven
    );

    /// @notice Settles a batch of zk-mode inferences with one Groth16 proof of the model's circuit
    ///         for `_batchSize`: each (model, input) gets its proven output (zkResultOf), and each
    ///         named request becomes final at once, its fee credited to `_beneficiary` and its
    ///         consumer called back (by the Settlement). Anyone may call; the proof binds the
    ///         beneficiary, so a copied proof still pays whoever made it.
    /// @dev Public signals, in order: `_inputCommitments`, `_outputPacked`, uint160(`_beneficiary`)
    ///      (LibZkPublicSignals). Send an explicit gas limit: the snarkjs verifier returns false
    ///      when it runs out of gas, so an estimate can settle on a limit at which this reverts.
    /// @param _modelCommitment The model whose circuit proves the batch.
    /// @param _batchSize Inferences in the batch; selects the circuit.
    /// @param _requestIds Per sample, the zk-mode request it settles, or bytes32(0) for none.
    /// @param _inputCommitments Per sample, the Poseidon commitment of its input.
    /// @param _outputPacked The packed outputs: ceil(batchSize * outputLength / k) fields.
    /// @param _beneficiary Who is credited the fees (must be the address the proof binds).
    /// @param _a The proof's A point.
    /// @param _b The proof's B point (Fp2 coordinates as the pairing precompile takes them).
    /// @param _c The proof's C point.
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
    ) external;

    /// @notice The output a zk proof established for a model and an input commitment, whether or
    ///         not a request asked for it.
    /// @param _modelCommitment The model.
    /// @param _inputCommitment The input's Poseidon commitment (the circuit's public signal).
    /// @return outputHash_ keccak256(abi.encode(int256[] output)), or bytes32(0) when none is proven.
    function zkResultOf(bytes32 _modelCommitment, bytes32 _inputCommitment) external view returns (bytes32 outputHash_);
}
