// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IVerityRequests
/// @notice The entry point through which contracts request inferences.
interface IVerityRequests {
    /// @notice Requests an inference and pays its fee (at least minimumFee()).
    /// @param _modelCommitment A model registered in the ModelRegistry.
    /// @param _inputCommitment Commitment to the input. MODE_OPTIMISTIC: the input's tensor root
    ///        (LibTensorRoot.root, commitment format v3). MODE_ZK: the Poseidon commitment the model's circuit exposes
    ///        (src/zk/poseidon-commitment.ts commitSignedVector), a BN254 scalar field element.
    /// @param _input The input values, or empty when the input is delivered off-chain. Checked
    ///        against `_inputCommitment` in optimistic mode only: a Poseidon commitment is too costly
    ///        to recompute on-chain. The service refuses a zk request whose posted input does not
    ///        match its commitment, and no proof can settle it (a proof binds the real input's).
    /// @param _mode MODE_ZK (1) or MODE_OPTIMISTIC (2); the model must allow it.
    /// @param _callback The IVerityConsumer called at finalization, or address(0) for none.
    /// @param _callbackGasLimit Gas forwarded to the callback.
    /// @return requestId_ keccak256(abi.encode(chainid, settlement address, nonce)).
    function requestInference(
        bytes32 _modelCommitment,
        bytes32 _inputCommitment,
        int256[] calldata _input,
        uint8 _mode,
        address _callback,
        uint32 _callbackGasLimit
    ) external payable returns (bytes32 requestId_);

    /// @notice Requests a zk-mode inference that only a proof under one proving key may settle: the
    ///         consumer pins the circuit it audited (ModelRegistry.ZkCircuit.zkeyHash, the sha256 of
    ///         the final zkey its verifier was exported from). A proof from any other circuit of the
    ///         model, even one its owner adds later, cannot settle it.
    /// @param _zkeyHash The pinned proving key's hash; must be one of the model's circuits now.
    /// @dev Other parameters as requestInference (mode ZK).
    function requestZkInference(
        bytes32 _modelCommitment,
        bytes32 _inputCommitment,
        int256[] calldata _input,
        bytes32 _zkeyHash,
        address _callback,
        uint32 _callbackGasLimit
    ) external payable returns (bytes32 requestId_);

    /// @notice The smallest fee a request may pay, in wei.
    function minimumFee() external view returns (uint256);
}
