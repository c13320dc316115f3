// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IOneStepExecutor} from "../interfaces/IOneStepExecutor.sol";

/// @title OneStepExecutorMock
/// @notice Test executor for the dispute game.
///         - stepOutputLength (pure, as the interface requires): the descriptor is
///           abi.encode(uint256 outputLength) and its "proof" is the single hash
///           keccak256(abi.encode(stepsRoot, stepIndex, descriptor)); anything else reverts.
///         - executeElement returns the configured value, or reverts when told to; when an
///           expectation is set it also reverts unless it was called with exactly those arguments,
///           so a test can check what the game passes.
contract OneStepExecutorMock is IOneStepExecutor {
    /// @notice What executeElement returns.
    int256 public value;
    /// @notice When set, executeElement reverts (a witness the executor refuses).
    bool public refuse;
    /// @notice Whether executeElement checks its arguments against the expectation below.
    bool public expecting;
    bytes32 public expectedStepsRoot;
    bytes32 public expectedParametersRoot;
    bytes32 public expectedTraceRoot;
    uint256 public expectedStepIndex;
    uint256 public expectedElement;

    event ValueSet(int256 value, bool refuse);
    event ExpectationSet(
        bytes32 stepsRoot, bytes32 parametersRoot, bytes32 traceRoot, uint256 stepIndex, uint256 element
    );

    error OneStepExecutorMock_BadDescriptor(uint256 stepIndex);
    error OneStepExecutorMock_Refused(uint256 element);
    error OneStepExecutorMock_UnexpectedCall(uint256 stepIndex, uint256 element);

    /// @notice Sets the value executeElement returns, or makes it revert.
    function setValue(int256 _value, bool _refuse) external {
        value = _value;
        refuse = _refuse;
        emit ValueSet(_value, _refuse);
    }

    /// @notice Makes executeElement revert unless called with exactly these arguments.
    function expectCall(
        bytes32 _stepsRoot,
        bytes32 _parametersRoot,
        bytes32 _traceRoot,
        uint256 _stepIndex,
        uint256 _element
    ) external {
        expecting = true;
        expectedStepsRoot = _stepsRoot;
        expectedParametersRoot = _parametersRoot;
        expectedTraceRoot = _traceRoot;
        expectedStepIndex = _stepIndex;
        expectedElement = _element;
        emit ExpectationSet(_stepsRoot, _parametersRoot, _traceRoot, _stepIndex, _element);
    }

    /// @inheritdoc IOneStepExecutor
    function stepOutputLength(
        bytes32 _stepsRoot,
        uint256 _stepIndex,
        bytes calldata _descriptor,
        bytes32[] calldata _descriptorProof
    ) external pure returns (uint256 length_) {
        if (
            _descriptor.length != 32 || _descriptorProof.length != 1
                || _descriptorProof[0] != keccak256(abi.encode(_stepsRoot, _stepIndex, _descriptor))
        ) revert OneStepExecutorMock_BadDescriptor(_stepIndex);
        length_ = abi.decode(_descriptor, (uint256));
    }

    /// @inheritdoc IOneStepExecutor
    function executeElement(
        bytes32 _stepsRoot,
        bytes32 _parametersRoot,
        bytes32 _traceRoot,
        uint256,
        uint256 _stepIndex,
        uint256 _element,
        bytes calldata
    ) external view returns (int256 value_) {
        if (refuse) revert OneStepExecutorMock_Refused(_element);
        if (
            expecting
                && (
                    _stepsRoot != expectedStepsRoot || _parametersRoot != expectedParametersRoot
                        || _traceRoot != expectedTraceRoot || _stepIndex != expectedStepIndex
                        || _element != expectedElement
                )
        ) revert OneStepExecutorMock_UnexpectedCall(_stepIndex, _element);
        return value;
    }
}
