// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Escrow} from "../../contracts/Escrow.sol";
import {RequestStatus} from "../../contracts/interfaces/IVerityResults.sol";
import {ResultLeaf} from "../../contracts/libraries/LibResultMerkle.sol";
import {LibTensorRoot} from "../../contracts/libraries/LibTensorRoot.sol";
import {Settlement} from "../../contracts/Settlement.sol";
import {WorkerRegistry} from "../../contracts/WorkerRegistry.sol";
import {ZkSettlement} from "../../contracts/ZkSettlement.sol";
import {DisputeGameStub} from "./utils/DisputeGameStub.sol";
import {SettlementFixture} from "./utils/SettlementFixture.sol";
import {Vm} from "./utils/Vm.sol";

/// @title SettlementHandler
/// @notice The only target of the invariant run: every party's move on a live Settlement in random
///         order (requests with any fee, commits and reveals by two workers, time, finalize, zk
///         requests and their settlement, disputes won by either side, claims by everyone). Moves the protocol refuses revert and
///         are skipped (fail_on_revert = false); the invariants are checked after every move.
contract SettlementHandler {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    struct Revealed {
        uint256 batchId;
        bytes32 leafHash;
        address worker;
    }

    Settlement public immutable settlement;
    Escrow public immutable escrow;
    ZkSettlement public immutable zk;
    WorkerRegistry public immutable workers;
    DisputeGameStub public immutable game;
    address public immutable committer;
    bytes32 public immutable model;
    bytes32 public immutable zkModel;
    uint256[2] internal _keys;
    address[] public accounts;
    bytes32[] public requestIds;
    mapping(bytes32 requestId => Revealed) public revealed;
    uint256 internal _nonce;

    constructor(
        Settlement _settlement,
        DisputeGameStub _game,
        bytes32 _model,
        bytes32 _zkModel,
        uint256[2] memory _workerKeys
    ) {
        settlement = _settlement;
        escrow = Escrow(address(_settlement.escrow()));
        zk = ZkSettlement(_settlement.zkSettlement());
        zkModel = _zkModel;
        workers = _settlement.workerRegistry();
        game = _game;
        committer = _settlement.committer();
        model = _model;
        _keys = _workerKeys;
        accounts.push(vm.addr(_workerKeys[0]));
        accounts.push(vm.addr(_workerKeys[1]));
        accounts.push(committer);
        accounts.push(address(0xC4A1));
        accounts.push(address(0xC4A2));
    }

    function accountCount() external view returns (uint256) {
        return accounts.length;
    }

    function requestCount() external view returns (uint256) {
        return requestIds.length;
    }

    function request(uint256 _fee) external {
        uint256 minimum = settlement.requiredFee(model, 0);
        uint256 fee = minimum + (_fee % (100 * minimum));
        vm.deal(address(this), fee);
        int256[] memory input = new int256[](1);
        requestIds.push(
            settlement.requestInference{value: fee}(model, LibTensorRoot.root(input), input, 2, address(0), 0)
        );
    }

    /// @dev A zk request on the fixture's zk model (batch-1 circuit, mock verifier that accepts).
    function requestZk(uint256 _fee) external {
        uint256 fee = settlement.minimumFee() + (_fee % 1 ether);
        vm.deal(address(this), fee);
        requestIds.push(
            settlement.requestInference{value: fee}(
                zkModel, bytes32(_nonce++), new int256[](0), 1, address(0), 0
            )
        );
    }

    /// @dev Settles a request (any: refused unless it is an open zk one) with a proof that pays
    ///      one of the accounts; every input gets the same output, so no proof conflicts.
    function settleZk(uint256 _request, uint256 _beneficiary) external {
        if (requestIds.length == 0) return;
        bytes32[] memory ids = new bytes32[](1);
        ids[0] = requestIds[_request % requestIds.length];
        uint256[] memory inputs = new uint256[](1);
        inputs[0] = uint256(settlement.requestOf(ids[0]).inputCommitment);
        uint256[] memory packed = new uint256[](1);
        packed[0] = 135 | (121 << 8);
        uint256[2] memory proof;
        uint256[2][2] memory proofB;
        zk.settleZk(zkModel, 1, ids, inputs, packed, accounts[_beneficiary % accounts.length], proof, proofB, proof);
    }

    function reveal(uint256 _request, uint256 _worker) external {
        if (requestIds.length == 0) return;
        bytes32 id = requestIds[_request % requestIds.length];
        uint256 key = _keys[_worker % 2];
        int256[] memory output = new int256[](2);
        output[0] = int256(_nonce);
        ResultLeaf memory leaf = ResultLeaf({
            requestId: id,
            modelCommitment: model,
            inputCommitment: LibTensorRoot.root(new int256[](1)),
            outputCommitment: LibTensorRoot.root(output),
            traceCommitment: keccak256(abi.encode(_nonce++)),
            worker: vm.addr(key)
        });
        bytes32 leafHash = settlement.hashResultLeaf(leaf);
        vm.prank(committer);
        uint256 batchId = settlement.commitBatch(leafHash, 1);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, settlement.resultDigest(leaf));
        settlement.reveal(batchId, leaf, output, new bytes32[](0), abi.encodePacked(r, s, v));
        revealed[id] = Revealed(batchId, leafHash, leaf.worker);
    }

    function restake(uint256 _worker, uint256 _amount) external {
        address worker = accounts[_worker % 2];
        uint256 amount = 1 + (_amount % 2 ether);
        vm.deal(worker, worker.balance + amount);
        vm.prank(worker);
        workers.register{value: amount}();
    }

    function warp(uint256 _seconds) external {
        vm.warp(block.timestamp + (_seconds % 300));
    }

    function finalize(uint256 _request) external {
        if (requestIds.length == 0) return;
        settlement.finalize(requestIds[_request % requestIds.length]);
    }

    function dispute(uint256 _request, bool _defenderWins, uint256 _challenger) external {
        if (requestIds.length == 0) return;
        bytes32 id = requestIds[_request % requestIds.length];
        Revealed memory result = revealed[id];
        if (result.worker == address(0) || settlement.statusOf(id) != RequestStatus.Pending) return;
        game.open(result.batchId, result.leafHash, id, result.worker);
        address challengerAccount = accounts[3 + (_challenger % 2)];
        game.resolve(result.batchId, result.leafHash, id, result.worker, _defenderWins, challengerAccount);
    }

    function claim(uint256 _account) external {
        vm.prank(accounts[_account % accounts.length]);
        escrow.claim();
    }
}

/// @notice The escrow rule, for the deployed system: whatever the parties do, the Escrow's balance
///         covers every amount anyone can claim (fees and rewards) and is exactly that, while the
///         Settlement holds exactly the fees of the requests not yet final (no wei created or lost).
contract Settlement_Escrow_Invariant is SettlementFixture {
    SettlementHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new SettlementHandler(settlement, game, MODEL, ZK_MODEL, [WORKER_A_KEY, WORKER_B_KEY]);
        _targetContract(address(handler));
    }

    function _claimable() internal view returns (uint256 total_) {
        for (uint256 i; i < handler.accountCount(); ++i) {
            address account = handler.accounts(i);
            total_ += escrow.claimableOf(account);
        }
    }

    function invariant_balanceCoversEveryClaimableAmount() public view {
        vm.assertGe(address(escrow).balance, _claimable(), "balance covers fees and rewards");
    }

    function invariant_escrowHoldsExactlyWhatIsClaimable() public view {
        vm.assertEq(address(escrow).balance, _claimable(), "every wei paid out is claimable");
    }

    function invariant_settlementHoldsTheFeesNotFinalYet() public view {
        uint256 unsettled;
        for (uint256 i; i < handler.requestCount(); ++i) {
            bytes32 id = handler.requestIds(i);
            if (settlement.statusOf(id) != RequestStatus.Final) unsettled += settlement.requestOf(id).fee;
        }
        vm.assertEq(address(settlement).balance, unsettled, "the settlement holds the fees not final yet");
    }
}
