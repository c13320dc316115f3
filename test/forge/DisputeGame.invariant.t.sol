// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {DisputeGame} from "../../contracts/dispute/DisputeGame.sol";
import {Dispute, DisputeOutcome, DisputePhase, DisputeSide} from "../../contracts/interfaces/IDisputeGame.sol";
import {DisputeHostMock} from "../../contracts/test/DisputeHostMock.sol";
import {DisputeGameFixture} from "./utils/DisputeGameFixture.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @title DisputeGameHandler
/// @notice The only target of the invariant run: every party's move on a live game in random order,
///         on three committed leaves (a correct one, one with a wrong value inside step 1, one
///         whose output commitment is not its trace's last tensor), by three challengers: opens,
///         the defender's moves (always the valid one), the challenger's picks at random positions
///         of the page and one-steps the executor decides either way, made-up moves by anyone,
///         timeouts, time and withdrawals. Moves the game refuses revert and are skipped (fail_on_revert = false).
///         After every move it records, once, each decided dispute's stored state and each
///         leaf's first refutation: the invariants check they never change.
contract DisputeGameHandler is DisputeGameFixture {
    uint256 internal constant MAX_DISPUTES = 6;
    Scenario[] internal _scenarios;
    address[3] internal _challengers;
    uint256[] internal _disputeIds;
    mapping(uint256 disputeId => uint256) internal _scenarioOf;
    /// @notice keccak256(abi.encode(disputeOf(id))) when the dispute was first seen decided.
    mapping(uint256 disputeId => bytes32) public resolvedHash;
    /// @notice refutingDisputeOf(leaf) when first seen non-zero.
    mapping(bytes32 leafHash => uint256) public firstRefutation;
    /// @notice Disputes seen decided.
    uint256 public decided;

    constructor() {
        setUp();
        _challengers = [challenger, outsider, worker];
        Scenario memory honest = _commit(_scenario());
        _scenarios.push(honest);
        Scenario memory wrongValue = _scenario();
        (wrongValue.corruptTensor, wrongValue.corruptElement, wrongValue.delta) = (2, 37, 5);
        _scenarios.push(_commit(wrongValue));
        Scenario memory wrongOutput = _scenario();
        wrongOutput.outputOverride = keccak256("another output");
        _scenarios.push(_commit(wrongOutput));
    }

    /// @dev The fixture's setUp deploys the game once; a later call (the fuzzer may make one) does nothing.
    function setUp() public override {
        if (address(game) == address(0)) super.setUp();
    }

    // ------------------------------------------------------------------ views for the invariants

    function disputeGame() external view returns (DisputeGame) {
        return game;
    }

    function disputeHost() external view returns (DisputeHostMock) {
        return host;
    }

    function disputeCount() external view returns (uint256) {
        return _disputeIds.length;
    }

    function disputeIdAt(uint256 _index) external view returns (uint256) {
        return _disputeIds[_index];
    }

    function leafCount() external view returns (uint256) {
        return _scenarios.length;
    }

    function leafHashAt(uint256 _index) external view returns (bytes32) {
        return _scenarios[_index].leafHash;
    }

    function accounts() external view returns (address[3] memory) {
        return _challengers;
    }

    function bond() external pure returns (uint256) {
        return BOND;
    }

    // ------------------------------------------------------------------ moves

    function open(uint256 _scenario, uint256 _challenger) external {
        // a few disputes per run, so that runs play them out rather than open more
        if (_disputeIds.length >= MAX_DISPUTES) revert("enough disputes");
        uint256 index = _scenario % _scenarios.length;
        Scenario memory sc = _scenarios[index];
        uint256 id = _openAs(sc, _challengers[_challenger % 3]);
        _disputeIds.push(id);
        _scenarioOf[id] = index;
        _record();
    }

    /// @dev The defender's (valid) move on the first dispute from `_which` that awaits one.
    function defend(uint256 _which) external {
        (uint256 id, Scenario memory sc, Dispute memory d) = _awaiting(_which, DisputeSide.Defender);
        if (d.phase == DisputePhase.AwaitTracePage) _revealTracePage(sc, id);
        else if (d.phase == DisputePhase.AwaitChunkPage) _revealChunkPage(sc, id);
        else _revealChunkValues(sc, id);
        _record();
    }

    /// @dev The challenger's move on the first dispute from `_which` that awaits one: a pick at a
    ///      random position of the page, or a one-step the executor decides for `_agree`'s side.
    function challenge(uint256 _which, uint256 _position, bool _agree) external {
        (uint256 id, Scenario memory sc, Dispute memory d) = _awaiting(_which, DisputeSide.Challenger);
        challenger = d.challenger;
        uint256 position = _position % (uint256(1) << _pageLevels(d));
        if (d.phase == DisputePhase.AwaitTracePick) {
            _pickTrace(sc, id, position);
        } else if (d.phase == DisputePhase.AwaitChunkPick) {
            _pickChunk(sc, id, position);
        } else {
            uint8 offset = uint8(_position % 16);
            int256 claimed = _chunkValues(sc, id)[offset];
            _oneStep(sc, id, offset, _agree ? claimed : claimed + 1);
        }
        _record();
    }

    /// @dev A move of any kind with made-up data, or a timeout, by anyone, on any dispute.
    function garbage(uint256 _which, uint256 _move, bytes32 _junk, address _caller) external {
        (uint256 id,) = _target(_which);
        bytes32[] memory nodes = new bytes32[](uint256(1) << (_move % 5));
        for (uint256 i; i < nodes.length; ++i) nodes[i] = keccak256(abi.encode(_junk, i));
        int256[16] memory values;
        values[_move % 16] = int256(uint256(_junk));
        vm.deal(_caller, BOND);
        vm.prank(_caller);
        uint256 kind = (_move >> 8) % 7;
        if (kind == 0) game.revealTracePage(id, nodes);
        else if (kind == 1) game.pickTraceNode(id, _move % 4, _junk, nodes, "", nodes);
        else if (kind == 2) game.revealChunkPage(id, nodes);
        else if (kind == 3) game.pickChunkNode(id, _move % 8, _junk, nodes);
        else if (kind == 4) game.revealChunkValues(id, values);
        else if (kind == 5) game.oneStep(id, uint8(_move % 16), values, abi.encode(_junk));
        else game.claimTimeout(id); // on any dispute, decided or not, whatever its clocks
        _record();
    }

    /// @dev Anyone ends the first dispute from `_which` whose side to move is out of time.
    function claimTimeout(uint256 _which, address _caller) external {
        for (uint256 k; k < _disputeIds.length; ++k) {
            uint256 id = _disputeIds[(_which + k) % _disputeIds.length];
            DisputeSide side = game.turnOf(id);
            if (side == DisputeSide.None || game.clockRemaining(id, side) != 0) continue;
            vm.prank(_caller);
            game.claimTimeout(id);
            _record();
            return;
        }
        revert("no clock ran out");
    }

    function warp(uint256 _seconds) external {
        vm.warp(_now() + (_seconds % 400));
        _record();
    }

    function withdraw(uint256 _account) external {
        address account = _challengers[_account % 3];
        vm.prank(account);
        game.withdraw();
    }

    function _target(uint256 _seed) internal view returns (uint256 id_, Scenario memory sc_) {
        if (_disputeIds.length == 0) revert("no dispute yet");
        id_ = _disputeIds[_seed % _disputeIds.length];
        sc_ = _scenarios[_scenarioOf[id_]];
    }

    /// @dev The first undecided dispute from `_seed` on whose `_side` it is to move (else reverts).
    function _awaiting(uint256 _seed, DisputeSide _side)
        internal
        view
        returns (uint256 id_, Scenario memory sc_, Dispute memory d_)
    {
        for (uint256 k; k < _disputeIds.length; ++k) {
            id_ = _disputeIds[(_seed + k) % _disputeIds.length];
            if (game.turnOf(id_) != _side) continue;
            return (id_, _scenarios[_scenarioOf[id_]], _dispute(id_));
        }
        revert("no dispute awaits this side");
    }

    function _record() internal {
        for (uint256 i; i < _disputeIds.length; ++i) {
            uint256 id = _disputeIds[i];
            if (resolvedHash[id] != 0) continue;
            Dispute memory d = _dispute(id);
            if (d.outcome == DisputeOutcome.Undecided) continue;
            resolvedHash[id] = keccak256(abi.encode(d));
            ++decided;
        }
        for (uint256 i; i < _scenarios.length; ++i) {
            bytes32 leaf = _scenarios[i].leafHash;
            uint256 refuting = game.refutingDisputeOf(leaf);
            if (firstRefutation[leaf] == 0 && refuting != 0) firstRefutation[leaf] = refuting;
        }
    }
}

/// @notice What must hold whatever the parties do: a decided dispute never changes (outcome,
///         reason, winner, clocks, roots: its whole stored state), a refuted leaf stays refuted by
///         the same dispute, no clock goes past its cap, the host's counts are the game's, and the
///         game holds exactly the bonds of undecided disputes plus what is credited. Runs are
///         longer than the default so that most runs play several disputes to their end.
/// forge-config: default.invariant.runs = 32
/// forge-config: default.invariant.depth = 64
contract DisputeGame_Invariant is TestBase {
    /// @dev The shape forge reads from targetSelectors() (forge-std's StdInvariant.FuzzSelector).
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    DisputeGameHandler internal handler;
    DisputeGame internal game;
    DisputeHostMock internal host;

    /// @notice Forge calls only the handler's moves (not its inherited setUp).
    function targetSelectors() public view returns (FuzzSelector[] memory targets_) {
        bytes4[] memory moves = new bytes4[](7);
        moves[0] = DisputeGameHandler.open.selector;
        moves[1] = DisputeGameHandler.defend.selector;
        moves[2] = DisputeGameHandler.challenge.selector;
        moves[3] = DisputeGameHandler.garbage.selector;
        moves[4] = DisputeGameHandler.claimTimeout.selector;
        moves[5] = DisputeGameHandler.warp.selector;
        moves[6] = DisputeGameHandler.withdraw.selector;
        targets_ = new FuzzSelector[](1);
        targets_[0] = FuzzSelector(address(handler), moves);
    }

    function setUp() public {
        handler = new DisputeGameHandler();
        game = handler.disputeGame();
        host = handler.disputeHost();
        _targetContract(address(handler));
    }

    function invariant_resolvedDisputeNeverChanges() public view {
        for (uint256 i; i < handler.disputeCount(); ++i) {
            uint256 id = handler.disputeIdAt(i);
            bytes32 recorded = handler.resolvedHash(id);
            if (recorded == 0) continue;
            Dispute memory d = game.disputeOf(id);
            vm.assertEq(keccak256(abi.encode(d)), recorded, "a decided dispute's stored state is final");
            vm.assertEq(uint256(d.phase), uint256(DisputePhase.Resolved), "resolved");
            vm.assertEq(uint256(game.turnOf(id)), uint256(DisputeSide.None), "nobody to move");
        }
    }

    function invariant_refutationIsForever() public view {
        for (uint256 i; i < handler.leafCount(); ++i) {
            bytes32 leaf = handler.leafHashAt(i);
            uint256 first = handler.firstRefutation(leaf);
            if (first == 0) continue;
            vm.assertEq(game.refutingDisputeOf(leaf), first, "refuted by the same dispute");
            vm.assertTrue(host.discarded(leaf), "the host discarded it");
        }
    }

    function invariant_clocksNeverPassTheirCap() public view {
        uint256 cap = game.maxClockSeconds();
        uint256 now_ = vm.getBlockTimestamp();
        for (uint256 i; i < handler.disputeCount(); ++i) {
            uint256 id = handler.disputeIdAt(i);
            Dispute memory d = game.disputeOf(id);
            vm.assertLe(d.challengerClockUsed, cap, "challenger clock within its cap");
            vm.assertLe(d.defenderClockUsed, cap, "defender clock within its cap");
            vm.assertLe(d.turnStartedAt, now_, "no turn starts in the future");
            vm.assertLe(game.clockRemaining(id, DisputeSide.Challenger), cap, "challenger remaining");
            vm.assertLe(game.clockRemaining(id, DisputeSide.Defender), cap, "defender remaining");
            if (d.outcome == DisputeOutcome.Undecided) {
                // a move needs time left on the mover's clock: stored use stays below the cap
                vm.assertTrue(d.challengerClockUsed < cap && d.defenderClockUsed < cap, "undecided: both below the cap");
                DisputeSide waiting =
                    game.turnOf(id) == DisputeSide.Defender ? DisputeSide.Challenger : DisputeSide.Defender;
                uint256 used = waiting == DisputeSide.Defender ? d.defenderClockUsed : d.challengerClockUsed;
                vm.assertEq(game.clockRemaining(id, waiting), cap - used, "the waiting side's clock is stopped");
            }
        }
    }

    function invariant_hostCountsAreTheGames() public view {
        for (uint256 i; i < handler.leafCount(); ++i) {
            bytes32 leaf = handler.leafHashAt(i);
            uint256 open = game.openDisputesOf(leaf);
            vm.assertEq(host.openDisputes(leaf), open, "open disputes");
            vm.assertEq(host.openedCount(leaf), game.disputeCountOf(leaf), "one open callback per dispute");
            vm.assertEq(host.resolvedCount(leaf), game.disputeCountOf(leaf) - open, "one resolve callback per decided");
        }
        vm.assertEq(host.resolvedCalls(), handler.decided(), "resolve callbacks = decided disputes");
    }

    function invariant_balanceIsOpenBondsPlusCredits() public view {
        uint256 undecided;
        for (uint256 i; i < handler.disputeCount(); ++i) {
            if (game.disputeOf(handler.disputeIdAt(i)).outcome == DisputeOutcome.Undecided) ++undecided;
        }
        address[3] memory accounts = handler.accounts();
        uint256 credited;
        for (uint256 i; i < 3; ++i) credited += game.claimable(accounts[i]);
        vm.assertEq(address(game).balance, undecided * handler.bond() + credited, "no wei created or lost");
    }
}
