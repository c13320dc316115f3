// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IVerityConsumer} from "../interfaces/IVerityConsumer.sol";
import {IVerityRequests} from "../interfaces/IVerityRequests.sol";
import {LibTensorRoot} from "../libraries/LibTensorRoot.sol";

/// @title ExampleConsumer
/// @notice Minimal Verity consumer: asks for an inference and stores the output only when the
///         Settlement delivers the final result. Callbacks from anyone else are refused.
contract ExampleConsumer is IVerityConsumer {
    /// @notice Optimistic mode (results final after the challenge window).
    uint8 public constant MODE_OPTIMISTIC = 2;

    /// @notice The Verity Settlement this consumer trusts.
    IVerityRequests public immutable settlement;

    mapping(bytes32 requestId => bool) public asked;
    mapping(bytes32 requestId => bool) public answered;
    mapping(bytes32 requestId => int256[]) private _outputs;

    event InferenceAsked(bytes32 indexed requestId);
    event OutputStored(bytes32 indexed requestId, int256[] output);

    error ExampleConsumer_NotSettlement(address caller);
    error ExampleConsumer_UnknownRequest(bytes32 requestId);
    error ExampleConsumer_AlreadyAnswered(bytes32 requestId);

    /// @param _settlement The Settlement contract that requests go to and results come from.
    constructor(IVerityRequests _settlement) {
        settlement = _settlement;
    }

    /// @notice Requests an optimistic inference over `_input`, forwarding msg.value as the fee.
    /// @param _modelCommitment The registered model to run.
    /// @param _input The input values; their commitment is their tensor root (LibTensorRoot.root, format v3).
    /// @param _callbackGasLimit Gas for onVerityResult.
    /// @return requestId_ The Settlement's request id.
    function ask(bytes32 _modelCommitment, int256[] calldata _input, uint32 _callbackGasLimit)
        external
        payable
        returns (bytes32 requestId_)
    {
        requestId_ = settlement.requestInference{value: msg.value}(
            _modelCommitment, LibTensorRoot.root(_input), _input, MODE_OPTIMISTIC, address(this), _callbackGasLimit
        );
        asked[requestId_] = true;
        emit InferenceAsked(requestId_);
    }

    /// @notice Stores a final output. Only the Settlement, only for a request this contract made, once.
    function onVerityResult(bytes32 _requestId, int256[] calldata _output) external {
        if (msg.sender != address(settlement)) revert ExampleConsumer_NotSettlement(msg.sender);
        if (!asked[_requestId]) revert ExampleConsumer_UnknownRequest(_requestId);
        if (answered[_requestId]) revert ExampleConsumer_AlreadyAnswered(_requestId);
        answered[_requestId] = true;
        _outputs[_requestId] = _output;
        emit OutputStored(_requestId, _output);
    }

    /// @notice The stored output of a request (empty until its final result arrived).
    function outputOf(bytes32 _requestId) external view returns (int256[] memory) {
        return _outputs[_requestId];
    }
}
