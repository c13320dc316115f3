// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ModelRegistry} from "./ModelRegistry.sol";
import {WorkerRegistry} from "./WorkerRegistry.sol";
import {Eip712Base} from "./base/Eip712Base.sol";
import {IDisputeHost} from "./interfaces/IDisputeHost.sol";
import {IEscrow} from "./interfaces/IEscrow.sol";
import {ISettlement} from "./interfaces/ISettlement.sol";
import {IVerityConsumer} from "./interfaces/IVerityConsumer.sol";
import {IVerityRequests} from "./interfaces/IVerityRequests.sol";
import {IVerityResults, RequestStatus} from "./interfaces/IVerityResults.sol";
import {IZkSettlementHost, ZkBatch} from "./interfaces/IZkSettlementHost.sol";
import {LibResultMerkle, ResultLeaf} from "./libraries/LibResultMerkle.sol";
import {LibTensorRoot} from "./libraries/LibTensorRoot.sol";
import {LibSignature} from "./libraries/LibSignature.sol";
import {LibZkPublicSignals} from "./libraries/LibZkPublicSignals.sol";

/// @title Settlement
/// @notice Requests, result batches and optimistic finality. A contract requests an inference and
///         pays a fee, held here until the result is final; the service's committer commits the
///         results of many workers as one Merkle root; anyone reveals a result with its proof, its
///         output and the EIP-712 signature of the active worker that computed it (so the committer
///         cannot attribute a result to a worker that did not sign it); after the challenge window
///         anyone finalizes it, which pays the fee into the Escrow for the worker (and the gas part
///         for the committer) and calls the consumer back, exactly once. It hosts the dispute game (IDisputeHost): any committed leaf can be
///         disputed inside its batch's window; a disputed leaf cannot be revealed and its revealed
///         result cannot finalize until the game decides; a leaf found wrong is discarded for good,
///         its request reopened for a recomputed result and its worker slashed by
///         disputeSlashAmount, credited to the challenger in the Escrow. In zk mode a request is
///         final the moment ZkSettlement verifies a Groth16 proof of its result (IZkSettlementHost):
///         no window, no reveal.
/// @dev EIP-712 domain (Eip712Base): name "Verity", version "1", block.chainid, this contract's
///      address; src/chain/typed-data.ts builds the same domain and `Result` type for workers.
contract Settlement is ISettlement, IVerityRequests, IVerityResults, IDisputeHost, IZkSettlementHost, Eip712Base {
    struct Result {
        bytes32 leaf;
        int256[] output;
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
    bytes32 public constant RESULT_TYPEHASH = LibResultMerkle.RESULT_TYPEHASH;
    /// @notice Gas the service spends on one optimistic request besides its output values and the
    ///         consumer's callback: commitBatch (all of it for a request alone in its batch), reveal
    ///         (Merkle proof, EIP-712 signature, worker check) and finalize, each with its 21k base
    ///         cost. Measured 349k in all with 2 outputs (test/integration/contracts/
    ///         settlement.integration-spec.ts, "fees that cover the service gas"); this keeps a margin.
    uint256 public constant SERVICE_GAS_PER_REQUEST = 400_000;
    /// @notice Gas per output value the reveal stores (about 22k measured).
    uint256 public constant SERVICE_GAS_PER_OUTPUT = 25_000;

    /// @notice Where models and their allowed modes are registered.
    ModelRegistry public immutable modelRegistry;
    /// @notice Where workers stake; this contract is its slasher.
    WorkerRegistry public immutable workerRegistry;
    /// @notice Where earned fees and slashed stake wait for their accounts to claim them (the
    ///         WorkerRegistry's, which credits slashed stake there).
    IEscrow public immutable escrow;
    /// @notice Seconds a revealed result can be disputed; also the reveal deadline of a batch.
    uint64 public immutable challengeWindow;
    /// @notice Smallest fee of a request, in wei.
    uint256 public immutable minimumFee;
    /// @notice Wei per gas at which a request's fee must cover the service's gas (requiredFee).
    uint256 public immutable feeGasPrice;
    /// @notice The account allowed to set the dispute game and the ZkSettlement, once each.
    address public immutable deployer;
    /// @notice The service account, the only one allowed to commit result batches. It cannot make
    ///         a result count for a worker: each leaf is revealed only with its worker's signature.
    address public immutable committer;
    /// @notice Wei taken from a worker's stake for each dispute one of its results loses (what is
    ///         left, when the stake is smaller), credited to the challenger that won.
    uint256 public immutable disputeSlashAmount;
    /// @notice The dispute game, the only caller of onDisputeOpened / onDisputeResolved.
    address public disputeGame;
    /// @notice The ZkSettlement, the only caller of onZkProven.
    address public zkSettlement;
    /// @notice Requests made so far; the next request's nonce.
    uint256 public requestNonce;
    /// @notice Batches committed so far; batch ids run from 1.
    uint256 public batchCount;
    /// @notice Leaves whose result a dispute found wrong; they can never be revealed again.
    mapping(bytes32 leaf => bool) public discardedLeaves;
    /// @notice The proving key a zk request accepts (requestZkInference), or bytes32(0): any circuit
    ///         its model had when it was requested.
    mapping(bytes32 requestId => bytes32 zkeyHash) public zkeyPinOf;

    mapping(uint256 batchId => Batch) private _batches;
    mapping(bytes32 requestId => Request) private _requests;
    mapping(bytes32 requestId => Result) private _results;
    /// @dev Undecided disputes per leaf (the game's openDisputesOf, counted from its callbacks).
    mapping(bytes32 leaf => uint256) private _openDisputes;

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
    ) Eip712Base("Verity", "1") {
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
        escrow = _workerRegistry.escrow();
        challengeWindow = _challengeWindow;
        minimumFee = _minimumFee;
        feeGasPrice = _feeGasPrice;
        deployer = msg.sender;
        committer = _committer;
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

    /// @notice Sets the ZkSettlement (a contract). Deployer only, once.
    /// @param _zkSettlement The contract allowed to make zk requests final (IZkSettlementHost).
    function setZkSettlement(address _zkSettlement) external {
        if (msg.sender != deployer) revert Settlement_NotDeployer(msg.sender);
        // INVARIANT: the zk settlement is set at most once; nobody can later swap in another one.
        if (zkSettlement != address(0)) revert Settlement_ZkSettlementAlreadySet(zkSettlement);
        if (_zkSettlement.code.length == 0) revert Settlement_ZkSettlementNotContract(_zkSettlement);
        zkSettlement = _zkSettlement;
        emit ZkSettlementSet(_zkSettlement);
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

    /// @notice The smallest fee a request for `_modelCommitment` with `_callbackGasLimit` pays:
    ///         minimumFee plus the service's gas for it at feeGasPrice.
    /// @param _modelCommitment A registered model.
    /// @param _callbackGasLimit The callback gas limit the request will name.
    function requiredFee(bytes32 _modelCommitment, uint32 _callbackGasLimit) external view returns (uint256) {
        return minimumFee + _gasFee(_modelCommitment, _callbackGasLimit);
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
        address signer = LibSignature.recover(_hashTypedData(LibResultMerkle.hashStruct(_leaf)), _workerSignature);
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
        request.worker = worker;
        request.revealedAt = uint64(block.timestamp);
        Result storage result = _results[requestId];
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
        uint64 challengeEndsAt = request.revealedAt + challengeWindow;
        // INVARIANT: a result is final no earlier than challengeWindow seconds after its reveal.
        if (block.timestamp < challengeEndsAt) revert Settlement_ChallengeWindowOpen(_requestId, challengeEndsAt);
        request.status = RequestStatus.Final;
        address worker = request.worker;
        // The worker earns the fee less the gas part, which reimburses the committer (the service).
        uint256 gasFee = request.gasFee;
        uint256 fee = request.fee - gasFee;
        // INVARIANT: a request's fee is paid out once, in full, into the Escrow, where its payees
        // claim it; until then this contract holds it.
        _payOut(worker, fee, gasFee);
        emit ResultFinalized(_requestId, worker, fee);
        address callback = request.callback;
        if (callback != address(0)) {
            _callBack(_requestId, callback, request.callbackGasLimit, _results[_requestId].output);
        }
    }

    /// @notice ZkSettlement only: the requests a verified batch proof names become final with
    ///         their proven outputs, their fees are credited to the proof's beneficiary, then each
    ///         consumer is called back.
    /// @inheritdoc IZkSettlementHost
    function onZkProven(
        ZkBatch calldata _batch,
        bytes32[] calldata _requestIds,
        uint256[] calldata _inputCommitments,
        int256[][] calldata _outputs
    ) external {
        if (msg.sender != zkSettlement) revert Settlement_NotZkSettlement(msg.sender);
        uint256 fees;
        for (uint256 s = 0; s < _requestIds.length; ++s) {
            bytes32 requestId = _requestIds[s];
            if (requestId != bytes32(0)) {
                fees += _finalizeZkRequest(_batch, requestId, bytes32(_inputCommitments[s]), _outputs[s]);
            }
        }
        if (fees != 0) escrow.depositFor{value: fees}(_batch.beneficiary);
        // Consumers are called only once every result of the batch is recorded: a consumer that
        // re-enters finds nothing of this batch left to change.
        for (uint256 s = 0; s < _requestIds.length; ++s) {
            bytes32 requestId = _requestIds[s];
            if (requestId == bytes32(0)) continue;
            Request storage request = _requests[requestId];
            address callback = request.callback;
            if (callback != address(0)) _callBack(requestId, callback, request.callbackGasLimit, _outputs[s]);
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
    function onDisputeOpened(uint256 _batchId, bytes32 _leafHash, bytes32 _requestId, address _worker)
        external
        onlyDisputeGame
    {
        ++_openDisputes[_leafHash];
        Request storage request = _requests[_requestId];
        bool held = request.status == RequestStatus.Pending && _results[_requestId].leaf == _leafHash;
        // INVARIANT: a result under dispute never finalizes: finalize takes only Pending results,
        // and it stays Disputed until the leaf has no undecided dispute left.
        if (held) request.status = RequestStatus.Disputed;
        // INVARIANT: a stake with an undecided dispute cannot leave. The registry counts freezes
        // (one per dispute), so the stake stays frozen until the worker's last dispute is decided.
        workerRegistry.freeze(_worker);
        emit LeafDisputed(_batchId, _leafHash, _requestId, _worker, held);
    }

    /// @notice Dispute game only: one dispute on `_leafHash` is decided. The first challenger win
    ///         discards the leaf for good, drops a result it holds and reopens the request, and
    ///         slashes the worker by disputeSlashAmount (or what is left), credited to that
    ///         challenger in the Escrow. A defender win releases a held result (Pending again,
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
                request.worker = address(0);
                request.revealedAt = 0;
                emit RequestReopened(_requestId, _leafHash);
            }
            // INVARIANT: a wrong leaf costs its worker disputeSlashAmount once (at most its stake),
            // paid to the first challenger that proved it wrong, as a credit in the Escrow (a pull
            // payment), so a challenger refusing ETH cannot block its own resolution.
            slashed = workerRegistry.slash(_worker, disputeSlashAmount, _challenger);
        }
        emit LeafDisputeResolved(_batchId, _leafHash, _requestId, _worker, _defenderWon, _challenger, slashed);
    }

    /// @inheritdoc ISettlement
    function isLeafDisputed(bytes32 _leafHash) external view returns (bool) {
        return _openDisputes[_leafHash] != 0;
    }

    /// @inheritdoc ISettlement
    function openDisputesOf(bytes32 _leafHash) external view returns (uint256) {
        return _openDisputes[_leafHash];
    }

    /// @inheritdoc ISettlement
    function isLeafDiscarded(bytes32 _leafHash) external view returns (bool) {
        return discardedLeaves[_leafHash];
    }

    /// @inheritdoc IVerityResults
    function resultOf(bytes32 _requestId)
        external
        view
        returns (int256[] memory output_, bool isFinal_, RequestStatus status_, address worker_, uint64 challengeEndsAt_)
    {
        Request storage request = _requests[_requestId];
        status_ = request.status;
        output_ = _results[_requestId].output;
        isFinal_ = status_ == RequestStatus.Final;
        worker_ = request.worker;
        uint64 revealedAt = request.revealedAt;
        challengeEndsAt_ = revealedAt == 0 ? 0 : revealedAt + challengeWindow;
    }

    /// @inheritdoc IVerityResults
    function statusOf(bytes32 _requestId) external view returns (RequestStatus) {
        return _requests[_requestId].status;
    }

    /// @inheritdoc ISettlement
    function requestOf(bytes32 _requestId) external view returns (Request memory) {
        return _requests[_requestId];
    }

    /// @inheritdoc ISettlement
    function batchOf(uint256 _batchId) external view returns (Batch memory) {
        return _batches[_batchId];
    }

    /// @inheritdoc ISettlement
    function hashResultLeaf(ResultLeaf calldata _leaf) external pure returns (bytes32) {
        return LibResultMerkle.hashLeaf(_leaf);
    }

    /// @notice The EIP-712 digest a worker signs for a result leaf (primary type `Result`); reveal
    ///         accepts a leaf only with its worker's signature of this digest.
    /// @param _leaf The leaf's six fields.
    function resultDigest(ResultLeaf calldata _leaf) external view returns (bytes32) {
        return _hashTypedData(LibResultMerkle.hashStruct(_leaf));
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
        if (msg.value > type(uint128).max) revert Settlement_FeeTooHigh(msg.value);
        _checkInputCommitment(_inputCommitment, _input, _mode);
        if (_callbackGasLimit > MAX_CALLBACK_GAS_LIMIT) {
            revert Settlement_CallbackGasLimitTooHigh(_callbackGasLimit, MAX_CALLBACK_GAS_LIMIT);
        }
        // INVARIANT: request ids are unique: chain, contract and a nonce that only increases.
        requestId_ = keccak256(abi.encode(block.chainid, address(this), requestNonce++));
        Request storage request = _requests[requestId_];
        request.modelCommitment = _modelCommitment;
        request.inputCommitment = _inputCommitment;
        request.status = RequestStatus.Open;
        request.mode = _mode;
        request.callback = _callback;
        request.callbackGasLimit = _callbackGasLimit;
        if (_mode == MODE_ZK) request.zkCircuitCount = modelRegistry.zkCircuitCount(_modelCommitment);
        // Both fit: msg.value <= type(uint128).max, and gasFee <= msg.value.
        request.fee = uint128(msg.value);
        if (_mode == MODE_OPTIMISTIC) request.gasFee = uint128(gasFee);
        request.requester = msg.sender;
        emit InferenceRequested(
            requestId_, msg.sender, _modelCommitment, _inputCommitment, _input, _mode, _callback, _callbackGasLimit, msg.value
        );
    }

    /// @dev The service's gas for one request at feeGasPrice (outputs as registered for the model).
    function _gasFee(bytes32 _modelCommitment, uint32 _callbackGasLimit) private view returns (uint256) {
        uint256 outputs = modelRegistry.modelOf(_modelCommitment).outputLength;
        return (SERVICE_GAS_PER_REQUEST + SERVICE_GAS_PER_OUTPUT * outputs + _callbackGasLimit) * feeGasPrice;
    }

    /// @dev Optimistic mode: an inline input must match its tensor-root commitment. Zk mode: the
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

    /// @dev Makes an open zk request final with a proven output; returns its fee (paid into the
    ///      Escrow by the caller, once for the whole batch).
    function _finalizeZkRequest(
        ZkBatch calldata _batch,
        bytes32 _requestId,
        bytes32 _inputCommitment,
        int256[] calldata _output
    ) private returns (uint256 fee_) {
        Request storage request = _requests[_requestId];
        // INVARIANT: only an open request becomes final, and only once (the fee is paid once and
        // the consumer called once); a request named twice in one batch reverts here.
        if (request.status != RequestStatus.Open) revert Settlement_NotOpen(_requestId, request.status);
        if (request.mode != MODE_ZK) revert Settlement_NotZkRequest(_requestId);
        // INVARIANT: a proof settles a request only for the model and the input it names.
        if (request.modelCommitment != _batch.modelCommitment || request.inputCommitment != _inputCommitment) {
            revert Settlement_ZkRequestMismatch(_requestId);
        }
        // INVARIANT: a request is settled only by a circuit its model had when it was requested:
        // a circuit added later (for another batch size) cannot settle it.
        if (_batch.circuitOrdinal > request.zkCircuitCount) revert Settlement_ZkCircuitTooNew(_requestId, _batch.batchSize);
        // INVARIANT: a request that pinned a proving key is settled only by a proof under it.
        bytes32 pinned = zkeyPinOf[_requestId];
        if (pinned != bytes32(0) && pinned != _batch.zkeyHash) {
            revert Settlement_ZkeyNotPinned(_requestId, pinned, _batch.zkeyHash);
        }
        request.status = RequestStatus.Final;
        address beneficiary = _batch.beneficiary;
        request.worker = beneficiary;
        _results[_requestId].output = _output;
        fee_ = request.fee;
        emit ResultFinalized(_requestId, beneficiary, fee_);
    }

    /// @dev Deposits a final optimistic result's fee in the Escrow: `_workerFee` for its worker and
    ///      `_committerFee` (the gas part) for the committer, in one call.
    function _payOut(address _worker, uint256 _workerFee, uint256 _committerFee) private {
        if (_committerFee == 0) {
            if (_workerFee != 0) escrow.depositFor{value: _workerFee}(_worker);
            return;
        }
        address[] memory accounts = new address[](2);
        uint256[] memory amounts = new uint256[](2);
        (accounts[0], amounts[0]) = (_worker, _workerFee);
        (accounts[1], amounts[1]) = (committer, _committerFee);
        escrow.depositForEach{value: _workerFee + _committerFee}(accounts, amounts);
    }

    /// @dev Calls a final request's consumer back with its gas limit (a contract; an account
    ///      without code is not called).
    function _callBack(bytes32 _requestId, address _callback, uint32 _gasLimit, int256[] memory _output) private {
        bool success;
        if (_callback.code.length != 0) {
            bytes memory data = abi.encodeCall(IVerityConsumer.onVerityResult, (_requestId, _output));
            bool enoughGas;
            (enoughGas, success) = _callConsumer(_callback, _gasLimit, data);
            // INVARIANT: the consumer gets its whole gas limit; a finalizer cannot starve the
            // callback (EIP-150 forwards at most 63/64) and still finalize.
            if (!enoughGas) revert Settlement_InsufficientGasForCallback(_requestId, _gasLimit);
        }
        // INVARIANT: the consumer's revert or out-of-gas never undoes finalization.
        emit ConsumerCalled(_requestId, _callback, success);
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
