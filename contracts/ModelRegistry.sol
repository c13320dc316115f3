// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title ModelRegistry
/// @notice Records the commitment of every model Verity serves (a hash over its canonical
///         quantized form, see docs/semantics.md), the modes it may be used in, and for zk mode
///         the Groth16 circuits (one verifier per batch size) that prove its results.
/// @dev The registry cannot check that a circuit computes the model it is registered for: the
///      model owner vouches for it. `circuitHash` and `zkeyHash` let anyone audit that claim off
///      chain (regenerate the circuit from the model, the verifier from the zkey). A request only
///      trusts the circuits that existed when it was made (see zkCircuitCount), and may pin the
///      one proving key it accepts (Settlement.requestZkInference).
///
///      A commitment is public the moment a model is uploaded (the API's reply, its subscription,
///      the mempool), so first-come registration would let anyone claim a model and attach an
///      always-true verifier. Only the registrar (the Verity service's account, fixed at
///      deployment) registers commitments, naming the owner it verified; only that owner or the
///      registrar attaches circuits.
contract ModelRegistry {
    /// @notice Bit flag: results may be proven with a zk proof.
    uint8 public constant MODE_ZK = 1;
    /// @notice Bit flag: results may be committed optimistically and disputed.
    uint8 public constant MODE_OPTIMISTIC = 2;
    /// @notice Widest packed output value: k = 252 / outputBits values share one field element.
    uint16 public constant MAX_OUTPUT_BITS = 252;

    struct Model {
        address owner;
        uint8 modes;
        uint64 registeredAt;
        /// @dev Output values of one inference: what a reveal stores (Settlement's fee covers it).
        uint32 outputLength;
    }

    /// @notice A Groth16 circuit proving `batchSize` inferences of one model at once. Its public
    ///         signals are inputCommitment[batchSize], outputPacked[ceil(batchSize * outputLength
    ///         / k)] with k = 252 / outputBits, then the beneficiary (src/zk/circuit-layout.ts).
    struct ZkCircuit {
        /// @dev The generated snarkjs verifier: verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[N]).
        address verifier;
        uint32 batchSize;
        /// @dev Output values of one inference.
        uint32 outputLength;
        /// @dev Each output y is packed as y + outputOffset in outputBits bits.
        uint16 outputBits;
        uint256 outputOffset;
        /// @dev sha256 of the circuit (circom source, libraries, compiler), for audits.
        bytes32 circuitHash;
        /// @dev sha256 of the final proving key the verifier was exported from, for audits.
        bytes32 zkeyHash;
    }

    /// @notice The only account that registers commitments (the service; fixed at deployment).
    address public immutable registrar;

    mapping(bytes32 commitment => Model) private _models;
    mapping(bytes32 commitment => mapping(uint32 batchSize => ZkCircuit)) private _zkCircuits;
    /// @dev 1-based position of a circuit among its model's circuits, in the order they were added.
    mapping(bytes32 commitment => mapping(uint32 batchSize => uint32)) private _zkCircuitOrdinals;
    /// @notice How many zk circuits a model has. A zk request records it; only the circuits added
    ///         before the request (ordinal <= that count) may settle it.
    mapping(bytes32 commitment => uint32) public zkCircuitCount;
    /// @notice 1-based ordinal of the model's circuit exported from a proving key (by its zkeyHash),
    ///         0 when none: what a pinned request (Settlement.requestZkInference) checks.
    mapping(bytes32 commitment => mapping(bytes32 zkeyHash => uint32)) public zkeyOrdinal;

    event ModelRegistered(bytes32 indexed commitment, address indexed owner, uint8 modes);
    /// @notice A zk circuit was added; the model now allows MODE_ZK.
    event ZkCircuitAdded(
        bytes32 indexed commitment,
        uint32 indexed batchSize,
        address indexed verifier,
        uint32 ordinal,
        uint32 outputLength,
        uint16 outputBits,
        uint256 outputOffset,
        bytes32 circuitHash,
        bytes32 zkeyHash
    );

    error ModelRegistry_AlreadyRegistered(bytes32 commitment);
    error ModelRegistry_NotRegistrar(address caller);
    error ModelRegistry_ZeroAddress();
    error ModelRegistry_InvalidModes(uint8 modes);
    error ModelRegistry_ZkModeNeedsCircuit(bytes32 commitment);
    error ModelRegistry_UnknownModel(bytes32 commitment);
    error ModelRegistry_NotOwner(bytes32 commitment, address caller);
    error ModelRegistry_VerifierHasNoCode(address verifier);
    error ModelRegistry_InvalidBatchSize(uint32 batchSize);
    error ModelRegistry_InvalidOutputLength(uint32 outputLength);
    error ModelRegistry_InvalidOutputBits(uint16 outputBits);
    error ModelRegistry_OutputOffsetTooLarge(uint256 outputOffset, uint16 outputBits);
    error ModelRegistry_ZkCircuitExists(bytes32 commitment, uint32 batchSize);
    error ModelRegistry_UnknownZkCircuit(bytes32 commitment, uint32 batchSize);

    /// @param _registrar The account allowed to register commitments (the service's).
    constructor(address _registrar) {
        if (_registrar == address(0)) revert ModelRegistry_ZeroAddress();
        registrar = _registrar;
    }

    /// @notice Registers a model commitment for an owner. The registrar only; a commitment can be
    ///         registered once. Zk mode cannot be set here: it comes with a circuit (addZkCircuit).
    /// @param _commitment The model commitment (keccak256, docs/semantics.md).
    /// @param _modes MODE_OPTIMISTIC, or 0 for a model that will only allow zk mode (addZkCircuit).
    /// @param _owner Who may attach circuits besides the registrar: the registrar itself, or the
    ///        owner key the registrar verified.
    /// @param _outputLength Output values of one inference (non-zero).
    function register(bytes32 _commitment, uint8 _modes, address _owner, uint32 _outputLength) external {
        // INVARIANT: nobody but the registrar can claim a commitment, so a third party who sees
        // one first cannot own it and attach its own verifier.
        if (msg.sender != registrar) revert ModelRegistry_NotRegistrar(msg.sender);
        if (_owner == address(0)) revert ModelRegistry_ZeroAddress();
        if (_outputLength == 0) revert ModelRegistry_InvalidOutputLength(_outputLength);
        if (_models[_commitment].registeredAt != 0) revert ModelRegistry_AlreadyRegistered(_commitment);
        // INVARIANT: a model allows MODE_ZK only once it has a verifier (addZkCircuit).
        if (_modes & MODE_ZK != 0) revert ModelRegistry_ZkModeNeedsCircuit(_commitment);
        if (_modes & ~MODE_OPTIMISTIC != 0) revert ModelRegistry_InvalidModes(_modes);
        _models[_commitment] =
            Model({owner: _owner, modes: _modes, registeredAt: uint64(block.timestamp), outputLength: _outputLength});
        emit ModelRegistered(_commitment, _owner, _modes);
    }

    /// @notice Adds the Groth16 circuit that proves `_circuit.batchSize` inferences of a model at
    ///         once and enables MODE_ZK for the model. The model's owner or the registrar only; once
    ///         per batch size.
    /// @param _commitment A registered model.
    /// @param _circuit The circuit; its verifier must be a deployed contract.
    function addZkCircuit(bytes32 _commitment, ZkCircuit calldata _circuit) external {
        Model storage model = _models[_commitment];
        if (model.registeredAt == 0) revert ModelRegistry_UnknownModel(_commitment);
        if (model.owner != msg.sender && msg.sender != registrar) revert ModelRegistry_NotOwner(_commitment, msg.sender);
        if (_circuit.verifier.code.length == 0) revert ModelRegistry_VerifierHasNoCode(_circuit.verifier);
        if (_circuit.batchSize == 0) revert ModelRegistry_InvalidBatchSize(_circuit.batchSize);
        if (_circuit.outputLength == 0) revert ModelRegistry_InvalidOutputLength(_circuit.outputLength);
        if (_circuit.outputBits == 0 || _circuit.outputBits > MAX_OUTPUT_BITS) {
            revert ModelRegistry_InvalidOutputBits(_circuit.outputBits);
        }
        if (_circuit.outputOffset >> _circuit.outputBits != 0) {
            revert ModelRegistry_OutputOffsetTooLarge(_circuit.outputOffset, _circuit.outputBits);
        }
        // INVARIANT: a verifier can never be swapped once requests may rely on it: a circuit is
        // added once per (model, batch size) and never changed or removed.
        if (_zkCircuitOrdinals[_commitment][_circuit.batchSize] != 0) {
            revert ModelRegistry_ZkCircuitExists(_commitment, _circuit.batchSize);
        }
        uint32 ordinal = ++zkCircuitCount[_commitment];
        _zkCircuitOrdinals[_commitment][_circuit.batchSize] = ordinal;
        if (zkeyOrdinal[_commitment][_circuit.zkeyHash] == 0) zkeyOrdinal[_commitment][_circuit.zkeyHash] = ordinal;
        _zkCircuits[_commitment][_circuit.batchSize] = _circuit;
        model.modes |= MODE_ZK;
        emit ZkCircuitAdded(
            _commitment,
            _circuit.batchSize,
            _circuit.verifier,
            ordinal,
            _circuit.outputLength,
            _circuit.outputBits,
            _circuit.outputOffset,
            _circuit.circuitHash,
            _circuit.zkeyHash
        );
    }

    /// @notice Returns a registered model; reverts for an unknown commitment.
    /// @param _commitment The model commitment.
    function modelOf(bytes32 _commitment) external view returns (Model memory model_) {
        model_ = _models[_commitment];
        if (model_.registeredAt == 0) revert ModelRegistry_UnknownModel(_commitment);
    }

    /// @notice Whether a model is registered and allows a mode.
    /// @param _commitment The model commitment.
    /// @param _mode MODE_ZK or MODE_OPTIMISTIC (or both).
    function allows(bytes32 _commitment, uint8 _mode) external view returns (bool) {
        Model storage model = _models[_commitment];
        return model.registeredAt != 0 && model.modes & _mode == _mode && _mode != 0;
    }

    /// @notice The zk circuit of a model for a batch size; reverts when there is none.
    /// @param _commitment The model commitment.
    /// @param _batchSize Inferences per proof.
    function zkCircuitOf(bytes32 _commitment, uint32 _batchSize) external view returns (ZkCircuit memory circuit_) {
        if (_zkCircuitOrdinals[_commitment][_batchSize] == 0) revert ModelRegistry_UnknownZkCircuit(_commitment, _batchSize);
        circuit_ = _zkCircuits[_commitment][_batchSize];
    }

    /// @notice The zk circuit of a model for a batch size and its ordinal (1 for the model's first
    ///         circuit); ordinal 0 and an empty circuit when there is none. Never reverts.
    /// @param _commitment The model commitment.
    /// @param _batchSize Inferences per proof.
    function findZkCircuit(bytes32 _commitment, uint32 _batchSize)
        external
        view
        returns (ZkCircuit memory circuit_, uint32 ordinal_)
    {
        ordinal_ = _zkCircuitOrdinals[_commitment][_batchSize];
        circuit_ = _zkCircuits[_commitment][_batchSize];
    }
}
