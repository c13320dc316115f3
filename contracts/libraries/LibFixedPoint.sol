// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title LibFixedPoint
/// @notice The integer rules of docs/semantics.md sections 1 and 4 on int256. Every value of an
///         honest trace is below 2^52, so the products below cannot overflow int256; values outside
///         the static bounds (which only a dishonest trace can hold) may revert with a Panic.
/// @dev `>>` on a signed integer is an arithmetic shift that rounds toward minus infinity
///      (Solidity >= 0.5), i.e. exactly `a >> s = floor(a / 2^s)` of section 1; a test checks it.
library LibFixedPoint {
    /// @notice rescale(a, s) = floor((a + 2^(s-1)) / 2^s) (round half up), for s >= 1.
    function rescale(int256 _a, uint256 _s) internal pure returns (int256) {
        return (_a + int256(uint256(1) << (_s - 1))) >> _s;
    }

    /// @notice floor(a / 2^s).
    function floorShift(int256 _a, uint256 _s) internal pure returns (int256) {
        return _a >> _s;
    }

    /// @notice The piecewise-linear rule of section 4. `_ints[_at..]` = [loFixed, hiFixed, shiftBits,
    ///         belowValue, aboveValue]; `_table` = v_0..v_n.
    function pwl(int256 _x, int256[] memory _ints, uint256 _at, int256[] memory _table) internal pure returns (int256) {
        int256 lo = _ints[_at];
        if (_x < lo) return _ints[_at + 3];
        if (_x >= _ints[_at + 1]) return _ints[_at + 4];
        uint256 shift = uint256(_ints[_at + 2]);
        int256 u = _x - lo;
        uint256 idx = uint256(u >> shift);
        int256 t = u - int256(idx << shift);
        int256 low = _table[idx];
        return low + (((_table[idx + 1] - low) * t) >> shift);
    }
}
