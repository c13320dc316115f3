// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Groth16VerifierMock
/// @notice Test stand-in for a generated snarkjs Groth16 verifier with any number of public
///         signals: answers `verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[N])` (through
///         its fallback, since N varies) with a configured bool. Like the real verifier it returns
///         false, and does not revert, when it is given less gas than it needs. It can also insist
///         on an expected selector and public signals, answering false otherwise, so a test sees
///         exactly what the caller encoded (it runs under staticcall and cannot record anything).
contract Groth16VerifierMock {
    /// @notice What a well-formed call returns.
    bool public accept;
    /// @notice Gas a call consumes; with less left it returns false, as snarkjs's verifier does.
    uint256 public gasNeeded;
    /// @notice When non-zero: the selector a call must have (otherwise it returns false).
    bytes4 public expectedSelector;
    /// @notice When non-zero: keccak256(abi.encodePacked(uint256[] signals)) a call must carry.
    bytes32 public expectedSignalsHash;

    event Configured(bool accept, uint256 gasNeeded, bytes4 expectedSelector, bytes32 expectedSignalsHash);

    /// @notice Sets the answer, the gas a call needs and (non-zero) the expected selector and signals.
    function configure(bool _accept, uint256 _gasNeeded, bytes4 _expectedSelector, bytes32 _expectedSignalsHash)
        external
    {
        accept = _accept;
        gasNeeded = _gasNeeded;
        expectedSelector = _expectedSelector;
        expectedSignalsHash = _expectedSignalsHash;
        emit Configured(_accept, _gasNeeded, _expectedSelector, _expectedSignalsHash);
    }

    /// @notice verifyProof(a, b, c, signals) with any number of signals; returns abi.encode(bool).
    fallback(bytes calldata _data) external returns (bytes memory) {
        uint256 start = gasleft();
        if (start < gasNeeded + 5_000) return abi.encode(false);
        // 4 selector bytes, 8 proof words, then at least one signal word.
        bool ok = accept && _data.length >= 4 + 9 * 32 && (_data.length - 4) % 32 == 0;
        if (ok && expectedSelector != bytes4(0)) ok = bytes4(_data[:4]) == expectedSelector;
        if (ok && expectedSignalsHash != bytes32(0)) ok = keccak256(_data[4 + 8 * 32:]) == expectedSignalsHash;
        while (start - gasleft() < gasNeeded) {}
        return abi.encode(ok);
    }
}
