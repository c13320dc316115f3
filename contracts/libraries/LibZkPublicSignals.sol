// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title LibZkPublicSignals
/// @notice The public signals of a Verity batch circuit (src/zk/circuit-layout.ts) and the call to
///         its snarkjs Groth16 verifier. For a batch of N inferences of L outputs each:
///         inputCommitment[0..N-1], outputPacked[0..M-1], beneficiary, where output y_i (the N
///         outputs concatenated, sample-major) is stored as y_i + offset in `bits` bits at position
///         i % k of field i / k, k = floor(252 / bits), M = ceil(N * L / k), the last field zero-padded.
library LibZkPublicSignals {
    /// @notice The BN254 scalar field: every public signal is an element of it.
    uint256 internal constant BN254_SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice Bits one packed field may hold and stay injective (below the field's 254 bits).
    uint256 internal constant PACKED_FIELD_BITS = 252;

    /// @notice k: how many `_bits`-bit outputs share one field element (`_bits` in [1, 252]).
    function outputsPerField(uint256 _bits) internal pure returns (uint256) {
        return PACKED_FIELD_BITS / _bits;
    }

    /// @notice M: packed fields of a batch of `_batchSize` inferences of `_outputLength` outputs.
    function outputFieldCount(uint256 _batchSize, uint256 _outputLength, uint256 _bits) internal pure returns (uint256) {
        uint256 k = outputsPerField(_bits);
        return (_batchSize * _outputLength + k - 1) / k;
    }

    /// @notice Whether a packed field holds only its k values: below 2^(k * bits).
    function isCanonicalPackedField(uint256 _field, uint256 _bits) internal pure returns (bool) {
        return _field >> (outputsPerField(_bits) * _bits) == 0;
    }

    /// @notice The selector of `verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[N])`,
    ///         the function a snarkjs Groth16 verifier with N public signals exposes.
    function verifyProofSelector(uint256 _signalCount) internal pure returns (bytes4) {
        return bytes4(
            keccak256(
                abi.encodePacked(
                    "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[", _toDecimal(_signalCount), "])"
                )
            )
        );
    }

    /// @notice The public signals in circuit order: input commitments, packed outputs, beneficiary.
    function publicSignals(uint256[] calldata _inputCommitments, uint256[] calldata _outputPacked, address _beneficiary)
        internal
        pure
        returns (uint256[] memory signals_)
    {
        uint256 inputs = _inputCommitments.length;
        uint256 fields = _outputPacked.length;
        signals_ = new uint256[](inputs + fields + 1);
        for (uint256 i = 0; i < inputs; ++i) signals_[i] = _inputCommitments[i];
        for (uint256 m = 0; m < fields; ++m) signals_[inputs + m] = _outputPacked[m];
        signals_[inputs + fields] = uint256(uint160(_beneficiary));
    }

    /// @notice The calldata of verifyProof(_a, _b, _c, _signals): every argument is static, so the
    ///         selector is followed by the 8 proof words and the signals, inline, without a length.
    function encodeVerifyProof(
        uint256[2] calldata _a,
        uint256[2][2] calldata _b,
        uint256[2] calldata _c,
        uint256[] memory _signals
    ) internal pure returns (bytes memory data_) {
        uint256 count = _signals.length;
        bytes4 selector = verifyProofSelector(count);
        data_ = new bytes(4 + 32 * (8 + count));
        assembly ("memory-safe") {
            let head := add(data_, 0x20)
            mstore(head, selector)
            calldatacopy(add(head, 0x04), _a, 0x40)
            calldatacopy(add(head, 0x44), _b, 0x80)
            calldatacopy(add(head, 0xc4), _c, 0x40)
            let to := add(head, 0x104)
            let from := add(_signals, 0x20)
            for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                mstore(add(to, shl(5, i)), mload(add(from, shl(5, i))))
            }
        }
    }

    /// @notice The signed outputs of sample `_sample`: value - `_offset` for each of its
    ///         `_outputLength` values. The fields must be canonical (isCanonicalPackedField).
    function unpackSample(
        uint256[] calldata _outputPacked,
        uint256 _sample,
        uint256 _outputLength,
        uint256 _bits,
        uint256 _offset
    ) internal pure returns (int256[] memory output_) {
        uint256 k = outputsPerField(_bits);
        uint256 mask = (uint256(1) << _bits) - 1;
        // offset < 2^bits <= 2^252 and every value < 2^bits: both fit in int256.
        int256 offset = int256(_offset);
        output_ = new int256[](_outputLength);
        uint256 first = _sample * _outputLength;
        for (uint256 j = 0; j < _outputLength; ++j) {
            uint256 i = first + j;
            uint256 value = (_outputPacked[i / k] >> ((i % k) * _bits)) & mask;
            output_[j] = int256(value) - offset;
        }
    }

    function _toDecimal(uint256 _value) private pure returns (bytes memory digits_) {
        if (_value == 0) return "0";
        uint256 length;
        for (uint256 v = _value; v != 0; v /= 10) ++length;
        digits_ = new bytes(length);
        for (uint256 v = _value; v != 0; v /= 10) digits_[--length] = bytes1(uint8(48 + v % 10));
    }
}
