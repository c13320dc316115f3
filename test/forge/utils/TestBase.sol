// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Vm} from "./Vm.sol";

/// @title TestBase
/// @notice What every forge test here shares: the cheatcodes, a bound for fuzzed numbers and the
///         target list forge reads for invariant runs (the names forge-std's StdInvariant uses).
abstract contract TestBase {
    /// @dev forge's cheatcode address: address(uint160(uint256(keccak256("hevm cheat code")))).
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    address[] private _targetContracts;

    /// @notice Forge calls this before an invariant run: only these contracts receive random calls.
    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    function _targetContract(address _target) internal {
        _targetContracts.push(_target);
    }

    /// @dev Maps any fuzzed `_x` into [_min, _max] (inclusive), keeping small values as they are.
    function _bound(uint256 _x, uint256 _min, uint256 _max) internal pure returns (uint256) {
        require(_min <= _max, "TestBase: bound min > max");
        uint256 size = _max - _min;
        if (size == type(uint256).max) return _x;
        return _min + (_x % (size + 1));
    }
}
