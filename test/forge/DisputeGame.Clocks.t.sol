// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {DisputeGame} from "../../contracts/dispute/DisputeGame.sol";
import {
    Dispute,
    DisputeOutcome,
    DisputePhase,
    DisputeReason,
    DisputeSide,
    IDisputeGame,
    ModelParts
} from "../../contracts/interfaces/IDisputeGame.sol";
import {ResultLeaf} from "../../contracts/libraries/LibResultMerkle.sol";
import {DisputeGameFixture} from "./utils/DisputeGameFixture.sol";

/// @dev A challenger contract that cannot receive ETH: its credited bond cannot be paid out.
contract EthRefusingChallenger {
    DisputeGame internal immutable _game;

    constructor(DisputeGame _disputeGame) {
        _game = _disputeGame;
    }

    function open(uint256 _batchId, ResultLeaf calldata _leaf, bytes32[] calldata _proof, ModelParts calldata _parts, bytes calldata _signature)
        external
        payable
        returns (uint256)
    {
        return _game.open{value: msg.value}(_batchId, _leaf, _proof, _parts, _signature);
    }

    function withdraw() external {
        _game.withdraw();
    }
}

contract DisputeGame_ClaimTimeout_Test is DisputeGameFixture {
    function testFuzz_claimTimeout_defenderOutOfTime_challengerWins(uint64 _clock, uint256 _late, address _caller) public {
        _deploy(uint64(_bound(_clock, 1, 365 days)));
        Scenario memory sc = _commit(_scenario());
        uint256 id = _open(sc);
        vm.warp(_now() + maxClock + _bound(_late, 0, 365 days));
        vm.assertEq(game.clockRemaining(id, DisputeSide.Defender), 0, "no time left");
        vm.expectEmit(address(game));
        emit IDisputeGame.DisputeResolved(id, false, DisputeReason.Timeout);
        vm.prank(_caller);
        game.claimTimeout(id);
        Dispute memory d = _dispute(id);
        vm.assertEq(uint256(d.outcome), uint256(DisputeOutcome.ChallengerWon), "challenger won");
        vm.assertEq(uint256(d.reason), uint256(DisputeReason.Timeout), "on time");
        vm.assertEq(uint256(d.defenderClockUsed), maxClock, "defender clock used up, not more");
        vm.assertEq(uint256(d.challengerClockUsed), 0, "challenger spent nothing");
        vm.assertEq(game.claimable(challenger), BOND, "bond back");
    }

    function testFuzz_claimTimeout_defenderTimeLeft_reverts(uint64 _clock, uint256 _elapsed) public {
        _deploy(uint64(_bound(_clock, 1, 365 days)));
        _elapsed = _bound(_elapsed, 0, maxClock - 1);
        Scenario memory sc = _commit(_scenario());
        uint256 id = _open(sc);
        vm.warp(_now() + _elapsed);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeGame_ClockNotExpired.selector, id, DisputeSide.Defender, maxClock - _elapsed
            )
        );
        game.claimTimeout(id);
    }

    function testFuzz_claimTimeout_challengerOutOfTime_defenderWins(uint64 _clock, uint256 _defenderTime, uint256 _late)
        public
    {
        _deploy(uint64(_bound(_clock, 1, 365 days)));
        _defenderTime = _bound(_defenderTime, 0, maxClock - 1);
        Scenario memory sc = _commit(_scenario());
        uint256 id = _open(sc);
        vm.warp(_now() + _defenderTime);
        _revealTracePage(sc, id);
        vm.warp(_now() + maxClock + _bound(_late, 0, 365 days));
        vm.expectEmit(address(game));
        emit IDisputeGame.DisputeResolved(id, true, DisputeReason.Timeout);
        game.claimTimeout(id);
        Dispute memory d = _dispute(id);
        vm.assertEq(uint256(d.outcome), uint256(DisputeOutcome.DefenderWon), "defender won");
        vm.assertEq(uint256(d.challengerClockUsed), maxClock, "challenger clock used up, not more");
        vm.assertEq(uint256(d.defenderClockUsed), _defenderTime, "defender charged its own time only");
        vm.assertEq(game.claimable(worker), BOND, "bond to the worker");
    }

    function testFuzz_claimTimeout_challengerTimeLeft_reverts(uint256 _elapsed) public {
        _elapsed = _bound(_elapsed, 0, MAX_CLOCK - 1);
        Scenario memory sc = _commit(_scenario());
        uint256 id = _open(sc);
        _revealTracePage(sc, id);
        vm.warp(_now() + _elapsed);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeGame_ClockNotExpired.selector, id, DisputeSide.Challenger, MAX_CLOCK - _elapsed
            )
        );
        game.claimTimeout(id);
    }

    function test_claimTimeout_challengerSilentAtTheOneStep_defenderWins() public {
        Scenario memory sc = _commit(_scenario());
        uint256 id = _open(sc);
        _playToOneStep(sc, id, 1, 2);
        vm.warp(_now() + MAX_CLOCK);
        game.claimTimeout(id);
        vm.assertEq(uint256(_dispute(id).outcome), uint256(DisputeOutcome.DefenderWon), "defender won");
        vm.assertEq(uint256(_dispute(id).phase), uint256(DisputePhase.Resolved), "resolved");
    }

    function test_claimTimeout_unknownDispute_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_UnknownDispute.selector, 1));
        game.claimTimeout(1);
    }

    function test_claimTimeout_decidedDispute_reverts() public {
        Scenario memory sc = _commit(_scenario());
        uint256 id = _refute(sc);
        vm.warp(_now() + 10 * MAX_CLOCK);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_NotInProgress.selector, id, DisputeOutcome.ChallengerWon)
        );
        game.claimTimeout(id);
    }
}

/// @notice The chess clock: only the side to move spends time, from the block of the previous move;
///         a move needs time left, claimTimeout needs none left.
contract DisputeGame_Clocks_Test is DisputeGameFixture {
    function _assertClocks(uint256 _id, uint256 _defenderUsed, uint256 _challengerUsed, string memory _when) internal view {
        Dispute memory d = _dispute(_id);
        vm.assertEq(uint256(d.defenderClockUsed), _defenderUsed, string.concat(_when, ": defender used"));
        vm.assertEq(uint256(d.challengerClockUsed), _challengerUsed, string.concat(_when, ": challenger used"));
        vm.assertLe(uint256(d.defenderClockUsed), maxClock, string.concat(_when, ": defender within its cap"));
        vm.assertLe(uint256(d.challengerClockUsed), maxClock, string.concat(_when, ": challenger within its cap"));
    }

    function testFuzz_clocks_onlyTheSideToMoveSpends(uint64 _clock, uint256[6] memory _delays) public {
        _deploy(uint64(_bound(_clock, 3, 365 days)));
        for (uint256 i; i < 6; ++i) _delays[i] = _bound(_delays[i], 0, (maxClock - 1) / 3);
        Scenario memory sc = _commit(_scenario());
        uint256 id = _open(sc);
        uint256 defender;
        uint256 challengerUsed;

        vm.warp(_now() + _delays[0]);
        vm.assertEq(game.clockRemaining(id, DisputeSide.Defender), maxClock - _delays[0], "defender clock runs");
        vm.assertEq(game.clockRemaining(id, DisputeSide.Challenger), maxClock, "challenger clock stopped");
        _revealTracePage(sc, id);
        defender += _delays[0];
        _assertClocks(id, defender, challengerUsed, "trace page");

        vm.warp(_now() + _delays[1]);
        vm.assertEq(game.clockRemaining(id, DisputeSide.Defender), maxClock - defender, "defender clock stopped");
        _pickTrace(sc, id, 2);
        challengerUsed += _delays[1];
        _assertClocks(id, defender, challengerUsed, "trace pick");

        vm.warp(_now() + _delays[2]);
        _revealChunkPage(sc, id);
        defender += _delays[2];
        _assertClocks(id, defender, challengerUsed, "chunk page");

        vm.warp(_now() + _delays[3]);
        _pickChunk(sc, id, 1);
        challengerUsed += _delays[3];
        _assertClocks(id, defender, challengerUsed, "chunk pick");

        vm.warp(_now() + _delays[4]);
        _revealChunkValues(sc, id);
        defender += _delays[4];
        _assertClocks(id, defender, challengerUsed, "values");

        vm.warp(_now() + _delays[5]);
        vm.assertEq(
            game.clockRemaining(id, DisputeSide.Challenger), maxClock - challengerUsed - _delays[5], "challenger runs"
        );
        _oneStep(sc, id, 0, _chunkValues(sc, id)[0]);
        challengerUsed += _delays[5];
        _assertClocks(id, defender, challengerUsed, "one-step");
        vm.warp(_now() + 365 days);
        vm.assertEq(game.clockRemaining(id, DisputeSide.Defender), maxClock - defender, "frozen once decided");
        vm.assertEq(game.clockRemaining(id, DisputeSide.Challenger), maxClock - challengerUsed, "frozen once decided");
    }

    /// @dev The defender spends `_spent` on its first move; then, `_elapsed` into its second turn,
    ///      exactly one of its move and claimTimeout is possible.
    function testFuzz_clocks_moveOrTimeoutNeverBoth(uint64 _clock, uint256 _spent, uint256 _elapsed) public {
        _deploy(uint64(_bound(_clock, 1, 365 days)));
        _spent = _bound(_spent, 0, maxClock - 1);
        _elapsed = _bound(_elapsed, 0, 2 * uint256(maxClock));
        Scenario memory sc = _commit(_scenario());
        uint256 id = _open(sc);
        vm.warp(_now() + _spent);
        _revealTracePage(sc, id);
        _pickTrace(sc, id, 2);
        bytes32[] memory nodes = _chunkPage(sc, id);
        vm.warp(_now() + _elapsed);
        if (_spent + _elapsed < maxClock) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IDisputeGame.DisputeGame_ClockNotExpired.selector,
                    id,
                    DisputeSide.Defender,
                    maxClock - _spent - _elapsed
                )
            );
            game.claimTimeout(id);
            game.revealChunkPage(id, nodes);
            vm.assertEq(uint256(_dispute(id).defenderClockUsed), _spent + _elapsed, "charged both turns");
        } else {
            vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_ClockExpired.selector, id, DisputeSide.Defender));
            game.revealChunkPage(id, nodes);
            game.claimTimeout(id);
            vm.assertEq(uint256(_dispute(id).outcome), uint256(DisputeOutcome.ChallengerWon), "defender lost on time");
            vm.assertEq(uint256(_dispute(id).defenderClockUsed), maxClock, "capped at the clock");
        }
    }

    function testFuzz_clocks_lastSecond_moveStillAccepted(uint64 _clock) public {
        _deploy(uint64(_bound(_clock, 1, 365 days)));
        Scenario memory sc = _commit(_scenario());
        uint256 id = _open(sc);
        vm.warp(_now() + maxClock - 1);
        _revealTracePage(sc, id);
        vm.assertEq(uint256(_dispute(id).defenderClockUsed), maxClock - 1, "one second left");
        vm.assertEq(game.clockRemaining(id, DisputeSide.Defender), 1, "while stopped");
    }
}

contract DisputeGame_Withdraw_Test is DisputeGameFixture {
    function testFuzz_withdraw_nothingCredited_reverts(address _caller) public {
        vm.prank(_caller);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_NothingToWithdraw.selector, _caller));
        game.withdraw();
    }

    function test_withdraw_paysEveryCreditedBondOnce() public {
        Scenario memory sc = _commit(_scenario());
        _uphold(sc);
        _uphold(sc);
        vm.assertEq(game.claimable(worker), 2 * BOND, "two bonds credited");
        uint256 before = worker.balance;
        vm.expectEmit(address(game));
        emit IDisputeGame.Withdrawn(worker, 2 * BOND);
        vm.prank(worker);
        game.withdraw();
        vm.assertEq(worker.balance, before + 2 * BOND, "paid");
        vm.assertEq(game.claimable(worker), 0, "nothing left");
        vm.assertEq(address(game).balance, 0, "game holds nothing");
        vm.prank(worker);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_NothingToWithdraw.selector, worker));
        game.withdraw();
    }

    function test_withdraw_accountRefusingEth_revertsAndKeepsTheCredit() public {
        Scenario memory sc = _commit(_scenario());
        EthRefusingChallenger refusing = new EthRefusingChallenger(game);
        uint256 id = refusing.open{value: BOND}(sc.batchId, sc.leaf, sc.leafProof, sc.parts, sc.signature);
        vm.warp(_now() + MAX_CLOCK);
        game.claimTimeout(id);
        vm.assertEq(game.claimable(address(refusing)), BOND, "credited: the refusal did not block the resolution");
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeGame_TransferFailed.selector, address(refusing), BOND)
        );
        refusing.withdraw();
        vm.assertEq(game.claimable(address(refusing)), BOND, "still credited");
    }

    function test_withdraw_balanceIsOpenBondsPlusCredits() public {
        Scenario memory sc = _commit(_scenario());
        _open(sc);
        _refute(_commit(_scenario()));
        _uphold(_commit(_scenario()));
        vm.assertEq(address(game).balance, 3 * BOND, "three bonds");
        vm.assertEq(game.claimable(challenger) + game.claimable(worker) + BOND, 3 * BOND, "one open, two credited");
    }
}

contract DisputeGame_Views_Test is DisputeGameFixture {
    function test_turnOf_unknownOrDecided_isNone() public {
        vm.assertEq(uint256(game.turnOf(42)), uint256(DisputeSide.None), "unknown");
        uint256 id = _refute(_commit(_scenario()));
        vm.assertEq(uint256(game.turnOf(id)), uint256(DisputeSide.None), "decided");
    }

    function test_clockRemaining_unknownDispute_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeGame_UnknownDispute.selector, 42));
        game.clockRemaining(42, DisputeSide.Defender);
    }

    function test_clockRemaining_sideNone_isZero() public {
        uint256 id = _open(_commit(_scenario()));
        vm.assertEq(game.clockRemaining(id, DisputeSide.None), 0, "nobody's clock");
    }

    function test_disputeOf_unknown_isEmpty() public view {
        Dispute memory d = _dispute(42);
        vm.assertEq(uint256(d.phase), uint256(DisputePhase.None), "no phase");
        vm.assertEq(d.challenger, address(0), "no challenger");
    }
}
