// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Escrow} from "../../../contracts/Escrow.sol";
import {ModelRegistry} from "../../../contracts/ModelRegistry.sol";
import {Settlement} from "../../../contracts/Settlement.sol";
import {WorkerRegistry} from "../../../contracts/WorkerRegistry.sol";
import {ZkSettlement} from "../../../contracts/ZkSettlement.sol";
import {IDisputeHost} from "../../../contracts/interfaces/IDisputeHost.sol";
import {IZkSettlementHost} from "../../../contracts/interfaces/IZkSettlementHost.sol";
import {ResultLeaf} from "../../../contracts/libraries/LibResultMerkle.sol";
import {LibTensorRoot} from "../../../contracts/libraries/LibTensorRoot.sol";
import {Groth16VerifierMock} from "../../../contracts/test/Groth16VerifierMock.sol";
import {DisputeGameStub} from "./DisputeGameStub.sol";
import {TestBase} from "./TestBase.sol";

/// @title SettlementFixture
/// @notice A deployment as src/chain/deployments.ts wires it (registries, Escrow, Settlement as
///         slasher, a dispute game, ZkSettlement), with the integration specs' test parameters: an
///         optimistic model (2 outputs), a zk-only model with a batch-1 circuit (mock verifier),
///         two staked workers with known keys, and helpers to request, commit, sign and reveal.
abstract contract SettlementFixture is TestBase {
    uint256 internal constant MIN_STAKE = 1 ether;
    uint64 internal constant DELAY = 250;
    uint64 internal constant WINDOW = 100;
    uint256 internal constant MIN_FEE = 1e15;
    uint256 internal constant SLASH = 0.4 ether;
    uint8 internal constant MODE_ZK = 1;
    uint8 internal constant MODE_OPTIMISTIC = 2;
    bytes32 internal constant MODEL = keccak256("model");
    bytes32 internal constant ZK_MODEL = keccak256("zk-model");
    bytes32 internal constant ZKEY = keccak256("zkey");
    uint256 internal constant WORKER_A_KEY = 0xA11CE;
    uint256 internal constant WORKER_B_KEY = 0xB0B;
    uint256 internal constant OUTSIDER_KEY = 0x0DD;

    ModelRegistry internal models;
    WorkerRegistry internal workers;
    Escrow internal escrow;
    Settlement internal settlement;
    ZkSettlement internal zk;
    DisputeGameStub internal game;
    Groth16VerifierMock internal verifier;
    address internal committer = address(0xC0FFEE);
    address internal requester = address(0x5EED);
    address internal challenger = address(0xC4A1);
    address internal workerA;
    address internal workerB;
    address internal outsider;

    function setUp() public virtual {
        vm.warp(1_000_000);
        workerA = vm.addr(WORKER_A_KEY);
        workerB = vm.addr(WORKER_B_KEY);
        outsider = vm.addr(OUTSIDER_KEY);
        models = new ModelRegistry(address(this));
        escrow = new Escrow();
        workers = new WorkerRegistry(MIN_STAKE, DELAY, escrow);
        settlement = new Settlement(models, workers, WINDOW, MIN_FEE, committer, SLASH, _feeGasPrice());
        workers.setSlasher(address(settlement));
        game = new DisputeGameStub(IDisputeHost(address(settlement)));
        settlement.setDisputeGame(address(game));
        zk = new ZkSettlement(IZkSettlementHost(address(settlement)));
        settlement.setZkSettlement(address(zk));
        models.register(MODEL, MODE_OPTIMISTIC, address(this), 2);
        models.register(ZK_MODEL, 0, address(this), 2);
        verifier = new Groth16VerifierMock();
        verifier.configure(true, 0, bytes4(0), bytes32(0));
        models.addZkCircuit(ZK_MODEL, _zkCircuit(1, ZKEY));
        vm.deal(requester, 1_000 ether);
        _stake(workerA, MIN_STAKE);
        _stake(workerB, MIN_STAKE);
    }

    /// @dev Wei per gas of the fee's gas part; 0 (fee = minimumFee) unless a test overrides it.
    function _feeGasPrice() internal pure virtual returns (uint256) {
        return 0;
    }

    function _zkCircuit(uint32 _batchSize, bytes32 _zkey) internal view returns (ModelRegistry.ZkCircuit memory) {
        return ModelRegistry.ZkCircuit({
            verifier: address(verifier),
            batchSize: _batchSize,
            outputLength: 2,
            outputBits: 8,
            outputOffset: 128,
            circuitHash: keccak256("circuit"),
            zkeyHash: _zkey
        });
    }

    function _stake(address _worker, uint256 _amount) internal {
        vm.deal(_worker, _worker.balance + _amount);
        vm.prank(_worker);
        workers.register{value: _amount}();
    }

    function _input() internal pure returns (int256[] memory input_) {
        input_ = new int256[](3);
        (input_[0], input_[1], input_[2]) = (1, -2, 3);
    }

    function _output() internal pure returns (int256[] memory output_) {
        output_ = new int256[](2);
        (output_[0], output_[1]) = (7, -7);
    }

    function _inputCommitment() internal pure returns (bytes32) {
        return LibTensorRoot.root(_input());
    }

    /// @dev An optimistic request for MODEL with the minimum fee and no callback.
    function _request() internal returns (bytes32) {
        return _request(address(0), 0);
    }

    function _request(address _callback, uint32 _gasLimit) internal returns (bytes32 requestId_) {
        uint256 fee = settlement.requiredFee(MODEL, _gasLimit);
        vm.prank(requester);
        requestId_ =
            settlement.requestInference{value: fee}(MODEL, _inputCommitment(), _input(), MODE_OPTIMISTIC, _callback, _gasLimit);
    }

    function _leaf(bytes32 _requestId, address _worker) internal pure returns (ResultLeaf memory) {
        return ResultLeaf({
            requestId: _requestId,
            modelCommitment: MODEL,
            inputCommitment: _inputCommitment(),
            outputCommitment: LibTensorRoot.root(_output()),
            traceCommitment: keccak256(abi.encode("trace", _requestId)),
            worker: _worker
        });
    }

    /// @dev The committer commits `_leaf` alone in a batch (root = leaf hash, empty proof).
    function _commit(ResultLeaf memory _leafFields) internal returns (uint256 batchId_) {
        bytes32 root = settlement.hashResultLeaf(_leafFields);
        vm.prank(committer);
        batchId_ = settlement.commitBatch(root, 1);
    }

    /// @dev `_key`'s 65-byte signature of the leaf's EIP-712 digest in this deployment's domain.
    function _sign(uint256 _key, ResultLeaf memory _leafFields) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(_key, settlement.resultDigest(_leafFields));
        return abi.encodePacked(r, s, v);
    }

    function _reveal(uint256 _batchId, ResultLeaf memory _leafFields, uint256 _key) internal {
        vm.prank(outsider);
        settlement.reveal(_batchId, _leafFields, _output(), new bytes32[](0), _sign(_key, _leafFields));
    }

    /// @dev Requests, commits alone in a batch and reveals a result of the worker with `_key`.
    function _requestAndReveal(uint256 _key)
        internal
        returns (bytes32 requestId_, ResultLeaf memory leaf_, uint256 batchId_)
    {
        requestId_ = _request();
        leaf_ = _leaf(requestId_, vm.addr(_key));
        batchId_ = _commit(leaf_);
        _reveal(batchId_, leaf_, _key);
    }

    function _status(bytes32 _requestId) internal view returns (uint256) {
        return uint256(settlement.statusOf(_requestId));
    }
}
