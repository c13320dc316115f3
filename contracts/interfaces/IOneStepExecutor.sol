// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IOneStepExecutor
/// @notice Re-executes one output value of one step of a committed model on-chain, with the exact
///         fixed-point semantics of docs/semantics.md. The dispute game calls it at the end of a
///         dispute; every piece of data it reads is checked against a commitment first.
interface IOneStepExecutor {
    /// @notice Checks that `_descriptor` is step `_stepIndex` of the model whose step list has Merkle
    ///         root `_stepsRoot` (docs/semantics.md section 11) and returns the number of values of
    ///         that step's output tensor (tensor `_stepIndex + 1`).
    /// @dev Reverts with a OneStep_* error when the descriptor or its proof is wrong.
    function stepOutputLength(
        bytes32 _stepsRoot,
        uint256 _stepIndex,
        bytes calldata _descriptor,
        bytes32[] calldata _descriptorProof
    ) external pure returns (uint256 length_);

    /// @notice Recomputes value `_element` (flat, row-major) of the output of step `_stepIndex`,
    ///         reading the step's input tensors through the claimed trace root (`_traceRoot`, a tree
    ///         of depth `_traceDepth` whose leaf t is the root of tensor t: tensor 0 the model input,
    ///         tensor i + 1 the output of step i) and its parameters from `_parametersRoot`. An
    ///         `_element` at or past the output length returns 0 (chunk padding).
    /// @dev `_witness` carries the step descriptor with its proof, each input tensor's root with its
    ///      proof against `_traceRoot`, and the input and parameter chunks with their proofs
    ///      (encoding: src/engine/commitment/one-step-witness.ts). Reverts with a OneStepExecutor_*
    ///      error when any of them fails its check; never returns a value computed from unchecked data.
    function executeElement(
        bytes32 _stepsRoot,
        bytes32 _parametersRoot,
        bytes32 _traceRoot,
        uint256 _traceDepth,
        uint256 _stepIndex,
        uint256 _element,
        bytes calldata _witness
    ) external view returns (int256 value_);
}
