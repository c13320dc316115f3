// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ModelRegistry} from "./ModelRegistry.sol";
import {WorkerRegistry} from "./WorkerRegistry.sol";
import {IDisputeGame} from "./interfaces/IDisputeGame.sol";
import {IDisputeHost} from "./interfaces/IDisputeHost.sol";
import {IVerityConsumer} from "./interfaces/IVerityConsumer.sol";
import {IVerityRequests} from "./interfaces/IVerityRequests.sol";
import {IVerityResults, RequestStatus} from "./interfaces/IVerityResults.sol";
import {LibResultMerkle, ResultLeaf} from "./libraries/LibResultMerkle.sol";
import {LibTensorRoot} from "./libraries/LibTensorRoot.sol";
import {LibSignature} from "./libraries/LibSignature.sol";
import {LibZkPublicSignals} from "./libraries/LibZkPublicSignals.sol";

/// @title Settlement
/// @notice Requests, result batches and optimistic finality. A contract requests an inference and
///         pays a fee; the service's committer commits the results of many workers as one Merkle
///         root; anyone reveals a result with its proof, its output and the EIP-712 signature of
///         the active worker that computed it (so the committer cannot attribute a result to a
///         worker that did not sign it); after the challenge window anyone finalizes it, which
///         credits the fee to the worker and calls the consumer back, exactly once. It hosts the
///         dispute game (IDisputeHost): any committed leaf can be disputed inside its batch's
///         window; a disputed leaf cannot be revealed and its revealed result cannot finalize until
///         the game decides; a leaf found wrong is discarded for good, its request reopened for a
///         recomputed result and its worker slashed by disputeSlashAmount, credited to the
///         challenger. In zk mode a request is final the moment a Groth16 proof of its result
///         verifies (settleZk): no window, no reveal.
/// @dev EIP-712 domain: name "Verity", version "1", block.chainid, this contract's address;
///      src/chain/typed-data.ts builds the same domain and `Result` type for workers to sign.
contract Settlement is IVerityRequests, IVerityResults, IDisputeHost {
    struct Batch {
        bytes32 root;
        uint64 committedAt;
        uint32 count;
    }

    struct Request {
        bytes32 modelCommitment;
        bytes32 inputCommitment;
        address requester;
        uint8 mode;
        RequestStatus status;
        // zk mode: the model's zk circuit count at request time; only those circuits may settle it.
        uint32 zkCircuitCount;
        address callback;
        uint32 callbackGasLimit;
        uint256 fee;
        // The part of `fee` that reimburses the committer's gas for this request (optimistic mode).
        uint256 gasFee;
    }

    struct Result {
        address worker;
        uint64 revealedAt;
        bytes32 leaf;
        int256[] output;
    }

    /// @dev What settleZk passes down to each sample of a batch.
    struct ZkSettlement {
        bytes32 modelCommitment;
        uint32 circuitOrdinal;
        address beneficiary;
        ModelRegistry.ZkCircuit circuit;
    }

    /// @notice Request mode: finality by a zk proof (same flag as ModelRegistry.MODE_ZK).
    uint8 public constant MODE_ZK = 1;
    /// @notice Request mode: finality after the challenge window (ModelRegistry.MODE_OPTIMISTIC).
    uint8 public constant MODE_OPTIMISTIC = 2;
    /// @notice Largest gas limit a request may ask for its callback.
    uint32 public constant MAX_CALLBACK_GAS_LIMIT = 2_500_000;
    /// @dev Gas kept back for the work around the callback (Chainlink's GAS_FOR_CALL_EXACT_CHECK).
    uint256 private constant CALLBACK_GAS_RESERVE = 5_000;
    /// @notice EIP-712 type hash of a worker's signature over one result leaf (its six fields).
    bytes32 public constant RESULT_TYPEHASH = keccak256(
        "Result(bytes32 requestId,bytes32 modelCommitment,bytes32 inputCommitment,bytes32 outputCommitment,bytes32 traceCommitment,address worker)"
    );
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant NAME_HASH = keccak256("Verity");
    bytes32 private constant VERSION_HASH = keccak256("1");

    /// @notice Where models and their allowed modes are registered.
    ModelRegistry public immutable modelRegistry;
    /// @notice Where workers stake; this contract is its slasher.
    WorkerRegistry public immutable workerRegistry;
    /// @notice Seconds a revealed result can be disputed; also the reveal deadline of a batch.
    uint64 public immutable challengeWindow;
    /// @notice Smallest fee of a request, in wei.
    uint256 public immutable minimumFee;
    /// @notice Wei per gas at which a request's fee must cover the service's gas (requiredFee).
    uint256 public immutable feeGasPrice;
    /// @notice Gas the service spends on one optimistic request besides its output values and the
    ///         consumer's callback: commitBatch (all of it for a request alone in its batch), reveal
    ///         (Merkle proof, EIP-712 signature, worker check) and finalize, each with its 21k base
    ///         cost. Measured 352k in all with 2 outputs (test/integration/contracts/
    ///         settlement.integration-spec.ts, "fees that cover the service gas"); this keeps a margin.
    uint256 public constant SERVICE_GAS_PER_REQUEST = 400_000;
    /// @notice Gas per output value the reveal stores (about 22k measured).
    uint256 public constant SERVICE_GAS_PER_OUTPUT = 25_000;
    /// @notice The account allowed to set the dispute game, once.
    address public immutable deployer;
    /// @notice The service account, the only one allowed to commit result batches. It cannot make
    ///         a result count for a worker: each leaf is revealed only with its worker's signature.
    address public immutable committer;
    /// @notice Wei taken from a worker's stake for each dispute one of its results loses (what is
    ///         left, when the stake is smaller), credited to the challenger that won.
    uint256 public immutable disputeSlashAmount;
    /// @notice The dispute game, the only caller of onDisputeOpened / onDisputeResolved.
    address public disputeGame;
    /// @notice Requests made so far; the next request's nonce.
    uint256 public requestNonce;
    /// @notice Batches committed so far; batch ids run from 1.
    uint256 public batchCount;
    /// @notice Leaves whose result a dispute found wrong; they can never be revealed again.
    mapping(bytes32 leaf => bool) public discardedLeaves;
    /// @notice Slashed stake credited to challengers that won disputes, paid by claimRewards.
    mapping(address challenger => uint256) public claimableRewards;
    /// @notice Fees earned by finalized results, claimable by each worker.
    mapping(address worker => uint256) public claimableFees;
    /// @notice keccak256(abi.encode(int256[] output)) of the output a zk proof established for a
    ///         model and an input commitment (bytes32(0): none yet). The semantics is deterministic,
    ///         so a model and an input have exactly one correct output.
    mapping(bytes32 modelCommitment => mapping(bytes32 inputCommitment => bytes32 outputHash)) public zkResultOf;
    /// @notice The proving key a zk request accepts (requestZkInference), or bytes32(0): any circuit
    ///         its model had when it was requested.
    mapping(bytes32 requestId => bytes32 zkeyHash) public zkeyPinOf;

    mapping(uint256 batchId => Batch) private _batches;
    mapping(bytes32 requestId => Request) private _requests;
    mapping(bytes32 requestId => Result) private _results;
    /// @dev Undecided disputes per leaf (the game's openDisputesOf, counted from its callbacks).
    mapping(bytes32 leaf => uint256) private _openDisputes;

    bytes32 private immutable _cachedDomainSeparator;
    uint256 private immutable _cachedChainId;
    address private immutable _cachedThis;

    event DisputeGameSet(address indexed disputeGame);
    /// @notice A zk request pinned the proving key that may settle it (requestZkInference).
    event ZkeyPinned(bytes32 indexed requestId, bytes32 zkeyHash);
    event InferenceRequested(
        bytes32 indexed requestId,
        address indexed requester,
        bytes32 indexed modelCommitment,
        bytes32 inputCommitment,
        int256[] input,
        uint8 mode,
        address callback,
        uint32 callbackGasLimit,
        uint256 fee
    );
    event BatchCommitted(uint256 indexed batchId, bytes32 root, uint32 count);
    event ResultRevealed(
        bytes32 indexed requestId, uint256 indexed batchId, address indexed worker, bytes32 outputCommitment, uint64 challengeEndsAt
    );
    /// @notice A dispute opened on `leafHash`; `resultHeld`: this dispute moved the leaf's pending
    ///         result to Disputed (finalize refuses it until every dispute on the leaf is decided).
    event LeafDisputed(
        uint256 indexed batchId, bytes32 indexed leafHash, bytes32 indexed requestId, address worker, bool resultHeld
    );
    /// @notice One dispute on `leafHash` is decided; `slashed` wei of the worker's stake were
    ///         credited to `challenger` (0 when the defender won or the leaf was already discarded).
    event LeafDisputeResolved(
        uint256 batchId,
        bytes32 indexed leafHash,
        bytes32 indexed requestId,
        address indexed worker,
        bool defenderWon,
        address challenger,
        uint256 slashed
    );
    event RequestReopened(bytes32 indexed requestId, bytes32 discardedLeaf);
    event ResultFinalized(bytes32 indexed requestId, address indexed worker, uint256 fee);
    event ConsumerCalled(bytes32 indexed requestId, address indexed callback, bool success);
    event FeesClaimed(address indexed worker, uint256 amount);
    event RewardsClaimed(address indexed challenger, uint256 amount);
    /// @notice A zk proof established `output` for a model and an input; `requestId` is the request
    ///         it settled, or bytes32(0) when the proof settled none.
    event ZkResultProven(
        bytes32 indexed modelCommitment, bytes32 indexed inputCommitment, bytes32 indexed requestId, int256[] output
    );

    error Settlement_ZeroChallengeWindow();
    error Settlement_OutputLength(bytes32 requestId, uint256 length, uint256 expected);
    error Settlement_ZeroCommitter();
    error Settlement_NotCommitter(address caller);
    error Settlement_WithdrawalDelayTooShort(uint64 withdrawalDelay, uint256 required);
    error Settlement_NotDeployer(address caller);
    error Settlement_DisputeGameAlreadySet(address disputeGame);
    error Settlement_DisputeGameNotContract(address disputeGame);
    error Settlement_NotDisputeGame(address caller);
    error Settlement_ZeroSlashAmount();
    error Settlement_SlashAmountAboveMinimumStake(uint256 disputeSlashAmount, uint256 minimumStake);
    error Settlement_UnexpectedEther(address sender);
    error Settlement_LeafUnderDispute(bytes32 leaf);
    error Settlement_FeeTooLow(uint256 fee, uint256 requiredFee);
    error Settlement_ModeNotAllowed(bytes32 modelCommitment, uint8 mode);
    error Settlement_InputCommitmentMismatch(bytes32 inputCommitment, bytes32 computed);
    error Settlement_CallbackGasLimitTooHigh(uint32 callbackGasLimit, uint32 maximum);
    error Settlement_WorkerNotActive(address worker);
    error Settlement_EmptyBatch();
    error Settlement_UnknownBatch(uint256 batchId);
    error Settlement_RevealWindowOver(uint256 batchId, uint64 deadline);
    error Settlement_BadWorkerSignature(bytes32 requestId, address worker);
    error Settlement_InvalidProof(uint256 batchId, bytes32 leaf);
    error Settlement_LeafDiscarded(bytes32 leaf);
    error Settlement_OutputMismatch(bytes32 requestId, bytes32 outputCommitment, bytes32 computed);
    error Settlement_NotOpen(bytes32 requestId, RequestStatus status);
    error Settlement_LeafRequestMismatch(bytes32 requestId);
    error Settlement_ZkModeNeedsProof(bytes32 requestId);
    error Settlement_NotPending(bytes32 requestId, RequestStatus status);
    error Settlement_ChallengeWindowOpen(bytes32 requestId, uint64 challengeEndsAt);
    error Settlement_InsufficientGasForCallback(bytes32 requestId, uint32 callbackGasLimit);
    error Settlement_NothingToClaim(address worker);
    error Settlement_TransferFailed(address to, uint256 amount);
    error Settlement_InputCommitmentNotInField(bytes32 inputCommitment);
    error Settlement_UnknownZkCircuit(bytes32 modelCommitment, uint32 batchSize);
    error Settlement_ZkBatchLengthMismatch(uint32 batchSize, uint256 requestIds, uint256 inputCommitments);
    error Settlement_ZkOutputFieldCountMismatch(uint256 expected, uint256 actual);
    error Settlement_ZkSignalNotInField(uint256 index, uint256 value);
    error Settlement_ZkPackedFieldNotCanonical(uint256 index, uint256 value);
    error Settlement_ZeroBeneficiary();
    error Settlement_ZkProofRejected(bytes32 modelCommitment, uint32 batchSize);
    error Settlement_ZkResultConflict(bytes32 modelCommitment, bytes32 inputCommitment, bytes32 known, bytes32 proven);
    error Settlement_NotZkRequest(bytes32 requestId);
    error Settlement_UnknownZkey(bytes32 modelCommitment, bytes32 zkeyHash);
    error Settlement_ZkeyNotPinned(bytes32 requestId, bytes32 pinned, bytes32 used);
    error Settlement_ZkRequestMismatch(bytes32 requestId);
    error Settlement_ZkCircuitTooNew(bytes32 requestId, uint32 batchSize);

    modifier onlyDisputeGame() {
        if (msg.sender != disputeGame) revert Settlement_NotDisputeGame(msg.sender);
        _;
    }

    /// @param _modelRegistry The ModelRegistry.
    /// @param _workerRegistry The WorkerRegistry; its withdrawal delay must be >= 2 challenge windows.
    /// @param _challengeWindow Seconds a revealed result can be disputed (non-zero).
    /// @param _minimumFee Smallest request fee, in wei.
    /// @param _committer The service account allowed to commit result batches (non-zero).
    /// @param _disputeSlashAmount Wei slashed per lost dispute (non-zero, at most the minimum stake).
    /// @param _feeGasPrice Wei per gas at which a request's fee must cover the service's gas.
    constructor(
        ModelRegistry _modelRegistry,
        WorkerRegistry _workerRegistry,
        uint64 _challengeWindow,
        uint256 _minimumFee,
        address _committer,
        uint256 _disputeSlashAmount,
        uint256 _feeGasPrice
    ) {
        if (_challengeWindow == 0) revert Settlement_ZeroChallengeWindow();
        if (_committer == address(0)) revert Settlement_ZeroCommitter();
        // INVARIANT: a worker's stake outlives the dispute window of every result revealed in its
        // name. A result is revealed only while its worker is active (staked, not leaving), at tr,
        // within one window of its batch's commit tc; a dispute must come before tc + window <=
        // tr + window, while a withdrawal requested at tw > tr frees the stake no earlier than
        // tw + withdrawalDelay >= tr + 2 windows; a dispute then freezes it.
        uint64 delay = _workerRegistry.withdrawalDelay();
        if (delay < 2 * uint256(_challengeWindow)) {
            revert Settlement_WithdrawalDelayTooShort(delay, 2 * uint256(_challengeWindow));
        }
        // INVARIANT: a lost dispute costs a worker that holds the minimum stake the whole slash
        // amount; a smaller stake pays what it has.
        if (_disputeSlashAmount == 0) revert Settlement_ZeroSlashAmount();
        uint256 minimumStake = _workerRegistry.minimumStake();
        if (_disputeSlashAmount > minimumStake) {
            revert Settlement_SlashAmountAboveMinimumStake(_disputeSlashAmount, minimumStake);
        }
        disputeSlashAmount = _disputeSlashAmount;
        modelRegistry = _modelRegistry;
        workerRegistry = _workerRegistry;
        challengeWindow = _challengeWindow;
        minimumFee = _minimumFee;
        feeGasPrice = _feeGasPrice;
        deployer = msg.sender;
        committer = _committer;
        _cachedChainId = block.chainid;
        _cachedThis = address(this);
        _cachedDomainSeparator = _buildDomainSeparator();
    }

    /// @notice Accepts ETH only from the WorkerRegistry: slashed stake, credited to challengers.
    receive() external payable {
        if (msg.sender != address(workerRegistry)) revert Settlement_UnexpectedEther(msg.sender);
    }

    /// @notice Sets the dispute game (a contract). Deployer only, once.
    /// @param _disputeGame The game allowed to hold and resolve results (IDisputeGame).
    function setDisputeGame(address _disputeGame) external {
        if (msg.sender != deployer) revert Settlement_NotDeployer(msg.sender);
        // INVARIANT: the dispute game is set at most once; nobody can later swap in another one.
        if (disputeGame != address(0)) revert Settlement_DisputeGameAlreadySet(disputeGame);
        if (_disputeGame.code.length == 0) revert Settlement_DisputeGameNotContract(_disputeGame);
        disputeGame = _disputeGame;
        emit DisputeGameSet(_disputeGame);
    }

    /// @inheritdoc IVerityRequests
    function requestInference(
        bytes32 _modelCommitment,
        bytes32 _inputCommitment,
        int256[] calldata _input,
        uint8 _mode,
        address _callback,
        uint32 _callbackGasLimit
    ) external payable returns (bytes32 requestId_) {
        requestId_ = _openRequest(_modelCommitment, _inputCommitment, _input, _mode, _callback, _callbackGasLimit);
    }

    /// @inheritdoc IVerityRequests
    function requestZkInference(
        bytes32 _modelCommitment,
        bytes32 _inputCommitment,
        int256[] calldata _input,
        bytes32 _zkeyHash,
        address _callback,
        uint32 _callbackGasLimit
    ) external payable returns (bytes32 requestId_) {
        if (_zkeyHash == bytes32(0) || modelRegistry.zkeyOrdinal(_modelCommitment, _zkeyHash) == 0) {
            revert Settlement_UnknownZkey(_modelCommitment, _zkeyHash);
        }
        requestId_ = _openRequest(_modelCommitment, _inputCommitment, _input, MODE_ZK, _callback, _callbackGasLimit);
        zkeyPinOf[requestId_] = _zkeyHash;
        emit ZkeyPinned(requestId_, _zkeyHash);
    }

    /// @dev Records an open request (both entry points) and emits InferenceRequested.
    function _openRequest(
        bytes32 _modelCommitment,
        bytes32 _inputCommitment,
        int256[] calldata _input,
        uint8 _mode,
        address _callback,
        uint32 _callbackGasLimit
    ) private returns (bytes32 requestId_) {
        if ((_mode != MODE_ZK && _mode != MODE_OPTIMISTIC) || !modelRegistry.allows(_modelCommitment, _mode)) {
            revert Settlement_ModeNotAllowed(_modelCommitment, _mode);
        }
        // INVARIANT: a request pays at least the worker's minimum fee plus the gas the service
        // spends on it (its commit share, reveal, finalize and the consumer's callback limit) at
        // feeGasPrice, so requests cannot drain the service.
        uint256 gasFee = _gasFee(_modelCommitment, _callbackGasLimit);
        if (msg.value < minimumFee + gasFee) revert Settlement_FeeTooLow(msg.value, minimumFee + gasFee);
        _checkInputCommitment(_inputCommitment, _input, _mode);
        if (_callbackGasLimit > MAX_CALLBACK_GAS_LIMIT) {
            revert Settlement_CallbackGasLimitTooHigh(_callbackGasLimit, MAX_CALLBACK_GAS_LIMIT);
        }
        // INVARIANT: request ids are unique: chain, contract and a nonce that only increases.
        requestId_ = keccak256(abi.encode(block.chainid, address(this), requestNonce++));
        Request storage request = _requests[requestId_];
        request.modelCommitment = _modelCommitment;
        request.inputCommitment = _inputCommitment;
        request.requester = msg.sender;
        request.mode = _mode;
        request.status = RequestStatus.Open;
        if (_mode == MODE_ZK) request.zkCircuitCount = modelRegistry.zkCircuitCount(_modelCommitment);
        request.callback = _callback;
        request.callbackGasLimit = _callbackGasLimit;
        request.fee = msg.value;
        if (_mode == MODE_OPTIMISTIC) request.gasFee = gasFee;
        emit InferenceRequested(
            requestId_, msg.sender, _modelCommitment, _inputCommitment, _input, _mode, _callback, _callbackGasLimit, msg.value
        );
    }


    /// @notice The smallest fee a request for `_modelCommitment` with `_callbackGasLimit` pays:
    ///         minimumFee plus the service's gas for it at feeGasPrice.
    /// @param _modelCommitment A registered model.
    /// @param _callbackGasLimit The callback gas limit the request will name.
    function requiredFee(bytes32 _modelCommitment, uint32 _callbackGasLimit) external view returns (uint256) {
        return minimumFee + _gasFee(_modelCommitment, _callbackGasLimit);
    }

    /// @dev The service's gas for one request at feeGasPrice (outputs as registered for the model).
    function _gasFee(bytes32 _modelCommitment, uint32 _callbackGasLimit) private view returns (uint256) {
        uint256 outputs = modelRegistry.modelOf(_modelCommitment).outputLength;
        return (SERVICE_GAS_PER_REQUEST + SERVICE_GAS_PER_OUTPUT * outputs + _callbackGasLimit) * feeGasPrice;
    }

    /// @notice Commits a batch of results, possibly from many workers, as one Merkle root (see
    ///         LibResultMerkle). The committer only. A leaf counts for nobody until it is revealed
    ///         with the signature of the worker it names.
    /// @param _root The root over the batch's result leaves.
    /// @param _count How many leaves the batch holds (declared; indexing and accounting only).
    /// @return batchId_ The new batch's id.
    function commitBatch(bytes32 _root, uint32 _count) external returns (uint256 batchId_) {
        // INVARIANT: only the service's committer opens reveal windows; it cannot forge results,
        // since every leaf is bound at reveal to the signature of the worker it names.
        if (msg.sender != committer) revert Settlement_NotCommitter(msg.sender);
        if (_root == bytes32(0) || _count == 0) revert Settlement_EmptyBatch();
        batchId_ = ++batchCount;
        _batches[batchId_] = Batch({root: _root, committedAt: uint64(block.timestamp), count: _count});
        emit BatchCommitted(batchId_, _root, _count);
    }

    /// @notice Reveals one result of a batch: proves its leaf is in the batch root, that the worker
    ///         the leaf names signed it (EIP-712, see resultDigest) and is active, and that the
    ///         output matches the leaf's output commitment, and records it as pending. Anyone may call.
    /// @param _batchId The batch holding the leaf.
    /// @param _leaf The leaf's fields; `_leaf.worker` is the worker credited (and slashable) for it.
    /// @param _output The output values; their tensor root (LibTensorRoot.root) must equal the commitment.
    /// @param _proof Sibling hashes from the leaf up to the root.
    /// @param _workerSignature `_leaf.worker`'s 65-byte (r, s, v) signature of resultDigest(_leaf).
    function reveal(
        uint256 _batchId,
        ResultLeaf calldata _leaf,
        int256[] calldata _output,
        bytes32[] calldata _proof,
        bytes calldata _workerSignature
    ) external {
        Batch storage batch = _batches[_batchId];
        uint64 committedAt = batch.committedAt;
        if (committedAt == 0) revert Settlement_UnknownBatch(_batchId);
        uint64 deadline = committedAt + challengeWindow;
        // INVARIANT: a batch is revealed within one challenge window of its commit.
        if (block.timestamp >= deadline) revert Settlement_RevealWindowOver(_batchId, deadline);
        bytes32 leaf = LibResultMerkle.hashLeaf(_leaf);
        if (!LibResultMerkle.verify(_proof, batch.root, leaf)) revert Settlement_InvalidProof(_batchId, leaf);
        // INVARIANT: a leaf found wrong is never revealed; a leaf under dispute is revealed only
        // once its dispute upheld it.
        if (discardedLeaves[leaf]) revert Settlement_LeafDiscarded(leaf);
        if (_openDisputes[leaf] != 0) revert Settlement_LeafUnderDispute(leaf);
        address worker = _leaf.worker;
        // INVARIANT: a result counts for a worker only with that worker's own signature over all six
        // leaf fields, for this chain and this contract; address(0) (an invalid signature) never
        // matches, so a leaf naming address(0) is refused too.
        address signer = LibSignature.recover(_hashTypedData(_hashResult(_leaf)), _workerSignature);
        if (signer == address(0) || signer != worker) revert Settlement_BadWorkerSignature(_leaf.requestId, worker);
        // Commitment format v3: the output commitment is the output's tensor root.
        bytes32 outputCommitment = LibTensorRoot.root(_output);
        if (outputCommitment != _leaf.outputCommitment) {
            revert Settlement_OutputMismatch(_leaf.requestId, _leaf.outputCommitment, outputCommitment);
        }
        bytes32 requestId = _leaf.requestId;
        Request storage request = _requests[requestId];
        // INVARIANT: a request holds at most one result. The first valid reveal wins; any other
        // leaf for the same request (same or another batch, same or another output) is refused
        // while that result is pending, disputed or final. Only a dispute that finds the result
        // wrong removes it (and bans its leaf), reopening the request for a recomputed result.
        if (request.status != RequestStatus.Open) revert Settlement_NotOpen(requestId, request.status);
        if (request.modelCommitment != _leaf.modelCommitment || request.inputCommitment != _leaf.inputCommitment) {
            revert Settlement_LeafRequestMismatch(requestId);
        }
        if (request.mode != MODE_OPTIMISTIC) revert Settlement_ZkModeNeedsProof(requestId);
        // INVARIANT: the output has the model's length (a tensor root does not bind trailing zeros).
        uint256 outputLength = modelRegistry.modelOf(request.modelCommitment).outputLength;
        if (_output.length != outputLength) revert Settlement_OutputLength(requestId, _output.length, outputLength);
        // INVARIANT: a wrong revealed result can always be slashed. Its worker is active (staked,
        // not leaving) now; a dispute must come within one challenge window of this reveal, and a
        // worker that starts leaving after it keeps its stake for withdrawalDelay >= 2 windows
        // (see constructor), while a dispute freezes the stake until it is resolved.
        if (!workerRegistry.isActive(worker)) revert Settlement_WorkerNotActive(worker);
        request.status = RequestStatus.Pending;
        Result storage result = _results[requestId];
        result.worker = worker;
        result.revealedAt = uint64(block.timestamp);
        result.leaf = leaf;
        result.output = _output;
        emit ResultRevealed(requestId, _batchId, worker, outputCommitment, uint64(block.timestamp) + challengeWindow);
    }

    /// @notice Makes a pending result final once its challenge window is over, credits the fee to
    ///         its worker and calls the consumer back with the requested gas limit. Anyone may call.
    /// @param _requestId The request to finalize.
    function finalize(bytes32 _requestId) external {
        Request storage request = _requests[_requestId];
        // INVARIANT: only a pending (revealed, undisputed) result becomes final, and only once, so
        // the fee is paid once and the consumer is called exactly once.
        if (request.status != RequestStatus.Pending) revert Settlement_NotPending(_requestId, request.status);
        Result storage result = _results[_requestId];
        uint64 challengeEndsAt = result.revealedAt + challengeWindow;
        // INVARIANT: a result is final no earlier than challengeWindow seconds after its reveal.
        if (block.timestamp < challengeEndsAt) revert Settlement_ChallengeWindowOpen(_requestId, challengeEndsAt);
        request.status = RequestStatus.Final;
        address worker = result.worker;
        // The worker earns the fee less the gas part, which reimburses the committer (the service).
        uint256 gasFee = request.gasFee;
        uint256 fee = request.fee - gasFee;
        claimableFees[worker] += fee;
        if (gasFee != 0) claimableFees[committer] += gasFee;
        emit ResultFinalized(_requestId, worker, fee);
        _callBack(_requestId, request, result.output);
    }

    /// @notice Settles the results of a batch of zk-mode inferences with one Groth16 proof of the
    ///         model's circuit for `_batchSize`: each (model, input) gets its proven output
    ///         (zkResultOf), and each named request becomes final at once, its fee credited to
    ///         `_beneficiary` and its consumer called back. Anyone may call; the proof binds the
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
    ) external {
        ZkSettlement memory settlement = _zkSettlementOf(_modelCommitment, _batchSize, _beneficiary);
        _checkZkSignals(settlement.circuit, _requestIds.length, _inputCommitments, _outputPacked, _beneficiary);
        bytes memory verifyCall = LibZkPublicSignals.encodeVerifyProof(
            _a, _b, _c, LibZkPublicSignals.publicSignals(_inputCommitments, _outputPacked, _beneficiary)
        );
        // INVARIANT: a result is settled only when the verifier returns true. The snarkjs verifier
        // returns false (it does not revert) when it runs out of gas, so anything but a successful
        // call returning exactly true reverts here and never leaves a result behind.
        if (!_staticcallReturnsTrue(settlement.circuit.verifier, verifyCall)) {
            revert Settlement_ZkProofRejected(_modelCommitment, _batchSize);
        }
        int256[][] memory outputs = _settleZkSamples(settlement, _requestIds, _inputCommitments, _outputPacked);
        // Consumers are called only once every result of the batch is recorded: a consumer that
        // re-enters finds nothing of this batch left to change.
        for (uint256 s = 0; s < _batchSize; ++s) {
            bytes32 requestId = _requestIds[s];
            if (requestId != bytes32(0)) _callBack(requestId, _requests[requestId], outputs[s]);
        }
    }

    /// @inheritdoc IDisputeHost
    function batchRootAndWindow(uint256 _batchId) external view returns (bytes32 root_, uint64 challengeEndsAt_) {
        Batch storage batch = _batches[_batchId];
        if (batch.committedAt == 0) return (bytes32(0), 0);
        // INVARIANT: one dispute window per batch, [committedAt, committedAt + challengeWindow),
        // closes before any result revealed through the batch can finalize: a reveal must come
        // before committedAt + window (reveal's deadline), and a revealed CHAIN result finalizes
        // at revealedAt + window >= committedAt + window. An API-origin result is never revealed;
        // the service calls it final only after committedAt + window, with no undecided dispute
        // (isLeafDisputed) and not discarded (isLeafDiscarded). So no result of the batch is final
        // while a dispute through the batch can still open. (A leaf committed again in a later
        // batch gets that batch's window too: a dispute through it can still discard the leaf and
        // slash its worker, but cannot undo a result already final through the earlier batch.)
        root_ = batch.root;
        challengeEndsAt_ = batch.committedAt + challengeWindow;
    }

    /// @notice Dispute game only: one more dispute opened on `_leafHash` (a leaf may have several).
    ///         While any is undecided the leaf cannot be revealed and, when it is the pending
    ///         result of its request, that result is Disputed (finalize refuses it); each dispute
    ///         freezes the worker's stake once.
    /// @inheritdoc IDisputeHost
    function onDisputeOpened(uint256 _batchId, bytes32 _leafHash, bytes32 _requestId) external onlyDisputeGame {
        // The game records the dispute before calling back; every dispute on a leaf names the
        // leaf's worker, and the one being opened is the leaf's last.
        IDisputeGame game = IDisputeGame(msg.sender);
        address worker = game.disputeOf(game.disputeIdOfLeafAt(_leafHash, game.disputeCountOf(_leafHash) - 1)).worker;
        ++_openDisputes[_leafHash];
        Request storage request = _requests[_requestId];
        bool held = request.status == RequestStatus.Pending && _results[_requestId].leaf == _leafHash;
        // INVARIANT: a result under dispute never finalizes: finalize takes only Pending results,
        // and it stays Disputed until the leaf has no undecided dispute left.
        if (held) request.status = RequestStatus.Disputed;
        // INVARIANT: a stake with an undecided dispute cannot leave. The registry counts freezes
        // (one per dispute), so the stake stays frozen until the worker's last dispute is decided.
        workerRegistry.freeze(worker);
        emit LeafDisputed(_batchId, _leafHash, _requestId, worker, held);
    }

    /// @notice Dispute game only: one dispute on `_leafHash` is decided. The first challenger win
    ///         discards the leaf for good, drops a result it holds and reopens the request, and
    ///         slashes the worker by disputeSlashAmount (or what is left), credited to that
    ///         challenger (claimRewards). A defender win releases a held result (Pending again,
    ///         final once its window is over) when no other dispute on the leaf is undecided.
    ///         Later resolutions on a discarded leaf only count down. Never reverts on what the
    ///         game sends, in any order.
    /// @inheritdoc IDisputeHost
    function onDisputeResolved(
        uint256 _batchId,
        bytes32 _leafHash,
        bytes32 _requestId,
        address _worker,
        bool _defenderWon,
        address _challenger
    ) external onlyDisputeGame {
        uint256 open = _openDisputes[_leafHash];
        if (open != 0) _openDisputes[_leafHash] = --open;
        workerRegistry.unfreeze(_worker);
        Request storage request = _requests[_requestId];
        bool held = request.status == RequestStatus.Disputed && _results[_requestId].leaf == _leafHash;
        uint256 slashed;
        if (_defenderWon) {
            if (held && open == 0) request.status = RequestStatus.Pending;
        } else if (!discardedLeaves[_leafHash]) {
            // INVARIANT: a leaf found wrong never finalizes and is never revealed again; its
            // request (when the leaf was its result) takes a recomputed result.
            discardedLeaves[_leafHash] = true;
            if (held) {
                delete _results[_requestId];
                request.status = RequestStatus.Open;
                emit RequestReopened(_requestId, _leafHash);
            }
            // INVARIANT: a wrong leaf costs its worker disputeSlashAmount once (at most its stake),
            // paid to the first challenger that proved it wrong, as a pull payment, so a challenger
            // refusing ETH cannot block its own resolution.
            slashed = workerRegistry.slash(_worker, disputeSlashAmount, address(this));
            claimableRewards[_challenger] += slashed;
        }
        emit LeafDisputeResolved(_batchId, _leafHash, _requestId, _worker, _defenderWon, _challenger, slashed);
    }

    /// @notice Pays the caller the slashed stake its won disputes earned.
    function claimRewards() external {
        uint256 amount = claimableRewards[msg.sender];
        if (amount == 0) revert Settlement_NothingToClaim(msg.sender);
        claimableRewards[msg.sender] = 0;
        emit RewardsClaimed(msg.sender, amount);
        (bool success,) = msg.sender.call{value: amount}("");
        if (!success) revert Settlement_TransferFailed(msg.sender, amount);
    }

    /// @notice Whether `_leafHash` has an undecided dispute (the service does not call such an
    ///         API-origin result final).
    function isLeafDisputed(bytes32 _leafHash) external view returns (bool) {
        return _openDisputes[_leafHash] != 0;
    }

    /// @notice How many disputes on `_leafHash` are undecided.
    function openDisputesOf(bytes32 _leafHash) external view returns (uint256) {
        return _openDisputes[_leafHash];
    }

    /// @notice Whether a dispute found `_leafHash` wrong (its result is never final).
    function isLeafDiscarded(bytes32 _leafHash) external view returns (bool) {
        return discardedLeaves[_leafHash];
    }

    /// @notice Pays the caller the fees its finalized results (optimistic or zk) earned.
    function claimFees() external {
        uint256 amount = claimableFees[msg.sender];
        if (amount == 0) revert Settlement_NothingToClaim(msg.sender);
        claimableFees[msg.sender] = 0;
        emit FeesClaimed(msg.sender, amount);
        (bool success,) = msg.sender.call{value: amount}("");
        if (!success) revert Settlement_TransferFailed(msg.sender, amount);
    }

    /// @inheritdoc IVerityResults
    function resultOf(bytes32 _requestId)
        external
        view
        returns (int256[] memory output_, bool isFinal_, RequestStatus status_, address worker_, uint64 challengeEndsAt_)
    {
        Result storage result = _results[_requestId];
        status_ = _requests[_requestId].status;
        output_ = result.output;
        isFinal_ = status_ == RequestStatus.Final;
        worker_ = result.worker;
        challengeEndsAt_ = result.revealedAt == 0 ? 0 : result.revealedAt + challengeWindow;
    }

    /// @inheritdoc IVerityResults
    function statusOf(bytes32 _requestId) external view returns (RequestStatus) {
        return _requests[_requestId].status;
    }

    /// @notice A request as stored (status None for an unknown id).
    function requestOf(bytes32 _requestId) external view returns (Request memory) {
        return _requests[_requestId];
    }

    /// @notice A committed batch (committedAt 0 for an unknown id).
    function batchOf(uint256 _batchId) external view returns (Batch memory) {
        return _batches[_batchId];
    }

    /// @notice The leaf hash of a result, as the off-chain Merkle builder must compute it.
    function hashResultLeaf(ResultLeaf calldata _leaf) external pure returns (bytes32) {
        return LibResultMerkle.hashLeaf(_leaf);
    }

    /// @notice The EIP-712 domain separator of this deployment: name "Verity", version "1", the
    ///         current chain id and this contract's address.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparator();
    }

    /// @notice The EIP-712 digest a worker signs for a result leaf (primary type `Result`); reveal
    ///         accepts a leaf only with its worker's signature of this digest.
    /// @param _leaf The leaf's six fields.
    function resultDigest(ResultLeaf calldata _leaf) external view returns (bytes32) {
        return _hashTypedData(_hashResult(_leaf));
    }

    /// @dev The cached separator, rebuilt if the chain id changed (a fork) or under delegatecall.
    function _domainSeparator() private view returns (bytes32) {
        if (block.chainid == _cachedChainId && address(this) == _cachedThis) return _cachedDomainSeparator;
        return _buildDomainSeparator();
    }

    function _buildDomainSeparator() private view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    function _hashResult(ResultLeaf calldata _leaf) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                RESULT_TYPEHASH,
                _leaf.requestId,
                _leaf.modelCommitment,
                _leaf.inputCommitment,
                _leaf.outputCommitment,
                _leaf.traceCommitment,
                _leaf.worker
            )
        );
    }

    function _hashTypedData(bytes32 _structHash) private view returns (bytes32) {
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(), _structHash));
    }

    /// @dev Optimistic mode: an inline input must match its keccak256 commitment. Zk mode: the
    ///      commitment is a Poseidon commitment (src/zk/poseidon-commitment.ts), too costly to
    ///      recompute here, so `_input` is not checked against it. The service refuses a zk request
    ///      whose posted input does not match, and no proof could settle one anyway: a proof binds
    ///      the commitment of the input it really ran on. One outside the field never can be proven.
    function _checkInputCommitment(bytes32 _inputCommitment, int256[] calldata _input, uint8 _mode) private pure {
        if (_mode == MODE_ZK) {
            if (uint256(_inputCommitment) >= LibZkPublicSignals.BN254_SCALAR_FIELD) {
                revert Settlement_InputCommitmentNotInField(_inputCommitment);
            }
        } else if (_input.length != 0) {
            // Commitment format v3: an optimistic input commitment is the input's tensor root.
            bytes32 computed = LibTensorRoot.root(_input);
            if (computed != _inputCommitment) revert Settlement_InputCommitmentMismatch(_inputCommitment, computed);
        }
    }

    /// @dev Checks the sizes of a zk batch against its circuit and that every public signal is a
    ///      canonical field element (a packed field holds nothing above its k values).
    function _checkZkSignals(
        ModelRegistry.ZkCircuit memory _circuit,
        uint256 _requestCount,
        uint256[] calldata _inputCommitments,
        uint256[] calldata _outputPacked,
        address _beneficiary
    ) private pure {
        uint32 batchSize = _circuit.batchSize;
        if (_requestCount != batchSize || _inputCommitments.length != batchSize) {
            revert Settlement_ZkBatchLengthMismatch(batchSize, _requestCount, _inputCommitments.length);
        }
        uint256 fieldCount = LibZkPublicSignals.outputFieldCount(batchSize, _circuit.outputLength, _circuit.outputBits);
        if (_outputPacked.length != fieldCount) revert Settlement_ZkOutputFieldCountMismatch(fieldCount, _outputPacked.length);
        for (uint256 i = 0; i < batchSize; ++i) {
            uint256 value = _inputCommitments[i];
            if (value >= LibZkPublicSignals.BN254_SCALAR_FIELD) revert Settlement_ZkSignalNotInField(i, value);
        }
        for (uint256 m = 0; m < fieldCount; ++m) {
            uint256 value = _outputPacked[m];
            if (!LibZkPublicSignals.isCanonicalPackedField(value, _circuit.outputBits)) {
                revert Settlement_ZkPackedFieldNotCanonical(batchSize + m, value);
            }
        }
        if (_beneficiary == address(0)) revert Settlement_ZeroBeneficiary();
    }

    /// @dev The circuit settling a zk batch, with what each sample needs; reverts for an unknown one.
    function _zkSettlementOf(bytes32 _modelCommitment, uint32 _batchSize, address _beneficiary)
        private
        view
        returns (ZkSettlement memory settlement_)
    {
        (ModelRegistry.ZkCircuit memory circuit, uint32 ordinal) =
            modelRegistry.findZkCircuit(_modelCommitment, _batchSize);
        if (ordinal == 0) revert Settlement_UnknownZkCircuit(_modelCommitment, _batchSize);
        settlement_ = ZkSettlement({
            modelCommitment: _modelCommitment,
            circuitOrdinal: ordinal,
            beneficiary: _beneficiary,
            circuit: circuit
        });
    }

    /// @dev Unpacks each sample's output, records it and finalizes the request it names, if any.
    function _settleZkSamples(
        ZkSettlement memory _settlement,
        bytes32[] calldata _requestIds,
        uint256[] calldata _inputCommitments,
        uint256[] calldata _outputPacked
    ) private returns (int256[][] memory outputs_) {
        ModelRegistry.ZkCircuit memory circuit = _settlement.circuit;
        bytes32 modelCommitment = _settlement.modelCommitment;
        outputs_ = new int256[][](_requestIds.length);
        for (uint256 s = 0; s < outputs_.length; ++s) {
            int256[] memory output = LibZkPublicSignals.unpackSample(
                _outputPacked, s, circuit.outputLength, circuit.outputBits, circuit.outputOffset
            );
            outputs_[s] = output;
            bytes32 inputCommitment = bytes32(_inputCommitments[s]);
            _recordZkResult(modelCommitment, inputCommitment, output);
            bytes32 requestId = _requestIds[s];
            if (requestId != bytes32(0)) _finalizeZkRequest(_settlement, requestId, inputCommitment, output);
            emit ZkResultProven(modelCommitment, inputCommitment, requestId, output);
        }
    }

    /// @dev Records the output a proof established for (model, input).
    function _recordZkResult(bytes32 _modelCommitment, bytes32 _inputCommitment, int256[] memory _output) private {
        bytes32 proven = keccak256(abi.encode(_output));
        bytes32 known = zkResultOf[_modelCommitment][_inputCommitment];
        // INVARIANT: a model and an input have exactly one output (deterministic semantics). A
        // second proof of the same output changes nothing; a proof of another one can only come
        // from an unsound circuit and is refused.
        if (known == bytes32(0)) zkResultOf[_modelCommitment][_inputCommitment] = proven;
        else if (known != proven) revert Settlement_ZkResultConflict(_modelCommitment, _inputCommitment, known, proven);
    }

    /// @dev Makes an open zk request final with a proven output and credits its fee.
    function _finalizeZkRequest(
        ZkSettlement memory _settlement,
        bytes32 _requestId,
        bytes32 _inputCommitment,
        int256[] memory _output
    ) private {
        Request storage request = _requests[_requestId];
        // INVARIANT: only an open request becomes final, and only once (the fee is paid once and
        // the consumer called once); a request named twice in one batch reverts here.
        if (request.status != RequestStatus.Open) revert Settlement_NotOpen(_requestId, request.status);
        if (request.mode != MODE_ZK) revert Settlement_NotZkRequest(_requestId);
        // INVARIANT: a proof settles a request only for the model and the input it names.
        if (request.modelCommitment != _settlement.modelCommitment || request.inputCommitment != _inputCommitment) {
            revert Settlement_ZkRequestMismatch(_requestId);
        }
        // INVARIANT: a request is settled only by a circuit its model had when it was requested:
        // a circuit added later (for another batch size) cannot settle it.
        if (_settlement.circuitOrdinal > request.zkCircuitCount) {
            revert Settlement_ZkCircuitTooNew(_requestId, _settlement.circuit.batchSize);
        }
        // INVARIANT: a request that pinned a proving key is settled only by a proof under it.
        bytes32 pinned = zkeyPinOf[_requestId];
        if (pinned != bytes32(0) && pinned != _settlement.circuit.zkeyHash) {
            revert Settlement_ZkeyNotPinned(_requestId, pinned, _settlement.circuit.zkeyHash);
        }
        request.status = RequestStatus.Final;
        address beneficiary = _settlement.beneficiary;
        Result storage result = _results[_requestId];
        result.worker = beneficiary;
        result.output = _output;
        uint256 fee = request.fee;
        claimableFees[beneficiary] += fee;
        emit ResultFinalized(_requestId, beneficiary, fee);
    }

    /// @dev Calls a final request's consumer back, if it named one, with its gas limit.
    function _callBack(bytes32 _requestId, Request storage _request, int256[] memory _output) private {
        address callback = _request.callback;
        if (callback == address(0)) return;
        bool success;
        if (callback.code.length != 0) {
            bytes memory data = abi.encodeCall(IVerityConsumer.onVerityResult, (_requestId, _output));
            bool enoughGas;
            (enoughGas, success) = _callConsumer(callback, _request.callbackGasLimit, data);
            // INVARIANT: the consumer gets its whole gas limit; a finalizer cannot starve the
            // callback (EIP-150 forwards at most 63/64) and still finalize.
            if (!enoughGas) revert Settlement_InsufficientGasForCallback(_requestId, _request.callbackGasLimit);
        }
        // INVARIANT: the consumer's revert or out-of-gas never undoes finalization.
        emit ConsumerCalled(_requestId, callback, success);
    }

    /// @dev Staticcalls `_target` with all remaining gas (EIP-150 keeps 1/64 back); true only if
    ///      the call succeeded and returned exactly one word equal to 1.
    function _staticcallReturnsTrue(address _target, bytes memory _data) private view returns (bool ok_) {
        assembly ("memory-safe") {
            let success := staticcall(gas(), _target, add(_data, 0x20), mload(_data), 0x00, 0x20)
            ok_ := and(success, and(eq(returndatasize(), 0x20), eq(mload(0x00), 1)))
        }
    }

    /// @dev Calls the consumer with exactly `_gasLimit` gas, or reports that too little gas is left
    ///      to forward it. Copies no return data (a consumer cannot make finalize pay for it).
    function _callConsumer(address _callback, uint32 _gasLimit, bytes memory _data)
        private
        returns (bool enoughGas_, bool success_)
    {
        assembly ("memory-safe") {
            let g := gas()
            if gt(g, CALLBACK_GAS_RESERVE) {
                g := sub(g, CALLBACK_GAS_RESERVE)
                if gt(sub(g, div(g, 64)), _gasLimit) {
                    enoughGas_ := 1
                    success_ := call(_gasLimit, _callback, 0, add(_data, 0x20), mload(_data), 0, 0)
                }
            }
        }
    }
}
