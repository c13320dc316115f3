// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ModelRegistry
/// @notice Records the commitment of every model Verity serves (a hash over its canonical
///         quantized form, see docs/semantics.md), the modes it may be used in, and for zk mode
///         the Groth16 verifier that checks its proofs.
contract ModelRegistry {
    /// @notice Bit flag: results may be proven with a zk proof.
    uint8 public constant MODE_ZK = 1;
    /// @notice Bit flag: results may be committed optimistically and disputed.
    uint8 public constant MODE_OPTIMISTIC = 2;

    struct Model {
        address owner;
        uint8 modes;
        address verifier;
        uint64 registeredAt;
    }

    mapping(bytes32 commitment => Model) private _models;

    event ModelRegistered(bytes32 indexed commitment, address indexed owner, uint8 modes, address verifier);

    error ModelRegistry_AlreadyRegistered(bytes32 commitment);
    error ModelRegistry_InvalidModes(uint8 modes);
    error ModelRegistry_ZkModeNeedsVerifier(bytes32 commitment);
    error ModelRegistry_UnknownModel(bytes32 commitment);

    /// @notice Registers a model commitment. A commitment can be registered once; the caller owns it.
    /// @param _commitment The model commitment (keccak256, docs/semantics.md).
    /// @param _modes Bit set of MODE_ZK and MODE_OPTIMISTIC; at least one.
    /// @param _verifier The Groth16 verifier for zk mode, or address(0) without zk mode.
    function register(bytes32 _commitment, uint8 _modes, address _verifier) external {
        if (_models[_commitment].registeredAt != 0) revert ModelRegistry_AlreadyRegistered(_commitment);
        if (_modes == 0 || _modes & ~(MODE_ZK | MODE_OPTIMISTIC) != 0) revert ModelRegistry_InvalidModes(_modes);
        if (_modes & MODE_ZK != 0 && _verifier.code.length == 0) revert ModelRegistry_ZkModeNeedsVerifier(_commitment);
        _models[_commitment] = Model({
            owner: msg.sender,
            modes: _modes,
            verifier: _verifier,
            registeredAt: uint64(block.timestamp)
        });
        emit ModelRegistered(_commitment, msg.sender, _modes, _verifier);
    }

    /// @notice Returns a registered model; reverts for an unknown commitment.
    function modelOf(bytes32 _commitment) external view returns (Model memory model_) {
        model_ = _models[_commitment];
        if (model_.registeredAt == 0) revert ModelRegistry_UnknownModel(_commitment);
    }

    /// @notice Whether a model is registered and allows a mode.
    function allows(bytes32 _commitment, uint8 _mode) external view returns (bool) {
        Model storage model = _models[_commitment];
        return model.registeredAt != 0 && model.modes & _mode == _mode && _mode != 0;
    }
}
