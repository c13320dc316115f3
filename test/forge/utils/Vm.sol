// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Vm
/// @notice The forge cheatcodes these tests use, at forge's cheatcode address. forge-std is not on
///         the registry in a usable version (see NOTES-stack.md), and cheatcodes do not need it:
///         forge answers any call to this address with these signatures.
interface Vm {
    // time, accounts, balances
    function warp(uint256 _timestamp) external;
    /// @dev The time set by warp (block.timestamp may be cached by the via-IR optimizer within a function).
    function getBlockTimestamp() external view returns (uint256);
    function chainId(uint256 _chainId) external;
    function deal(address _account, uint256 _balance) external;
    function prank(address _sender) external;
    function startPrank(address _sender) external;
    function stopPrank() external;
    function addr(uint256 _privateKey) external pure returns (address);
    function sign(uint256 _privateKey, bytes32 _digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function label(address _account, string calldata _name) external;

    // expectations
    function expectRevert() external;
    function expectRevert(bytes4 _selector) external;
    function expectRevert(bytes calldata _revertData) external;
    function expectEmit() external;
    function expectEmit(address _emitter) external;
    function expectCall(address _callee, bytes calldata _data) external;
    function expectCall(address _callee, bytes calldata _data, uint64 _count) external;
    function assume(bool _condition) external pure;

    // assertions (revert with both values on failure)
    function assertTrue(bool _condition, string calldata _error) external pure;
    function assertFalse(bool _condition, string calldata _error) external pure;
    function assertEq(bool _left, bool _right, string calldata _error) external pure;
    function assertEq(uint256 _left, uint256 _right, string calldata _error) external pure;
    function assertEq(int256 _left, int256 _right, string calldata _error) external pure;
    function assertEq(address _left, address _right, string calldata _error) external pure;
    function assertEq(bytes32 _left, bytes32 _right, string calldata _error) external pure;
    function assertEq(int256[] calldata _left, int256[] calldata _right, string calldata _error) external pure;
    function assertNotEq(bytes32 _left, bytes32 _right, string calldata _error) external pure;
    function assertGe(uint256 _left, uint256 _right, string calldata _error) external pure;
    function assertLe(uint256 _left, uint256 _right, string calldata _error) external pure;

    // files and JSON (the fixtures of scripts/forge-fixtures.ts; read access in foundry.toml)
    function projectRoot() external view returns (string memory);
    function readFile(string calldata _path) external view returns (string memory);
    function parseJsonUint(string calldata _json, string calldata _key) external pure returns (uint256);
    function parseJsonInt(string calldata _json, string calldata _key) external pure returns (int256);
    function parseJsonBytes(string calldata _json, string calldata _key) external pure returns (bytes memory);
    function parseJsonBytes32(string calldata _json, string calldata _key) external pure returns (bytes32);
    function parseJsonBytes32Array(string calldata _json, string calldata _key) external pure returns (bytes32[] memory);
    function parseJsonIntArray(string calldata _json, string calldata _key) external pure returns (int256[] memory);
    /// @dev The JSON array at `_key`, each element ABI-encoded as `_typeDescription` (e.g.
    ///      "Case(uint256 step,bytes witness)", fields matched by name), as one array.
    function parseJsonTypeArray(string calldata _json, string calldata _key, string calldata _typeDescription)
        external
        pure
        returns (bytes memory);
    function toString(uint256 _value) external pure returns (string memory);
}
