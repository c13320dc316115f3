// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {LibSignature} from "../../contracts/libraries/LibSignature.sol";
import {LibSignatureHarness} from "../../contracts/test/LibSignatureHarness.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev Signs fuzzed digests with fuzzed keys (vm.sign) and reshapes the signatures.
contract LibSignature_Recover_Test is TestBase {
    /// @dev secp256k1's group order.
    uint256 internal constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    LibSignatureHarness internal harness;

    function setUp() public {
        harness = new LibSignatureHarness();
    }

    function _key(uint256 _seed) internal pure returns (uint256) {
        return _bound(_seed, 1, N - 1);
    }

    function testFuzz_recover_canonical_returnsSigner(uint256 _seed, bytes32 _digest) public view {
        uint256 key = _key(_seed);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, _digest);
        vm.assertLe(uint256(s), LibSignature.MAX_S, "forge signs low-s");
        vm.assertEq(harness.recover(_digest, abi.encodePacked(r, s, v)), vm.addr(key), "canonical accepted");
    }

    function testFuzz_recover_highSTwin_refused(uint256 _seed, bytes32 _digest) public view {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(_key(_seed), _digest);
        bytes32 highS = bytes32(N - uint256(s));
        uint8 flipped = v == 27 ? 28 : 27;
        // ecrecover itself accepts the twin (the malleability LibSignature closes) ...
        vm.assertEq(ecrecover(_digest, flipped, r, highS), vm.addr(_key(_seed)), "precompile accepts the twin");
        // ... LibSignature refuses it, and the high s with the same v.
        vm.assertEq(harness.recover(_digest, abi.encodePacked(r, highS, flipped)), address(0), "high-s twin");
        vm.assertEq(harness.recover(_digest, abi.encodePacked(r, highS, v)), address(0), "high s, same v");
    }

    function testFuzz_recover_anySAboveHalfOrder_refused(bytes32 _digest, bytes32 _r, uint256 _s, bool _odd) public view {
        _s = _bound(_s, LibSignature.MAX_S + 1, type(uint256).max);
        uint8 v = _odd ? 28 : 27;
        vm.assertEq(harness.recover(_digest, abi.encodePacked(_r, bytes32(_s), v)), address(0), "s > n/2");
    }

    function testFuzz_recover_vOutside27And28_refused(uint256 _seed, bytes32 _digest, uint8 _v) public view {
        vm.assume(_v != 27 && _v != 28);
        (, bytes32 r, bytes32 s) = vm.sign(_key(_seed), _digest);
        vm.assertEq(harness.recover(_digest, abi.encodePacked(r, s, _v)), address(0), "v outside {27, 28}");
    }

    function testFuzz_recover_yParityAsV_refused(uint256 _seed, bytes32 _digest) public view {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(_key(_seed), _digest);
        vm.assertEq(harness.recover(_digest, abi.encodePacked(r, s, v - 27)), address(0), "v in {0, 1}");
    }

    function testFuzz_recover_lengthOtherThan65_refused(uint256 _seed, bytes32 _digest, uint8 _extra) public view {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(_key(_seed), _digest);
        // EIP-2098 compact (64 bytes), truncated, padded.
        bytes32 compact = bytes32(uint256(s) | (uint256(v - 27) << 255));
        vm.assertEq(harness.recover(_digest, abi.encodePacked(r, compact)), address(0), "64-byte compact");
        vm.assertEq(harness.recover(_digest, abi.encodePacked(r, s)), address(0), "64 bytes");
        vm.assertEq(harness.recover(_digest, abi.encodePacked(r, s, v, _extra)), address(0), "66 bytes");
        vm.assertEq(harness.recover(_digest, ""), address(0), "empty");
    }

    function testFuzz_recover_otherDigest_returnsAnotherAddress(uint256 _seed, bytes32 _digest, bytes32 _other) public view {
        vm.assume(_digest != _other);
        uint256 key = _key(_seed);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, _digest);
        vm.assertTrue(harness.recover(_other, abi.encodePacked(r, s, v)) != vm.addr(key), "bound to its digest");
    }

    function test_recover_boundaryS_acceptsHalfOrderOnly() public view {
        // s = n/2 is canonical, s = n/2 + 1 is not (EIP-2), whatever r and v recover to.
        bytes32 digest = keccak256("boundary");
        bytes32 r = bytes32(uint256(1));
        vm.assertEq(
            harness.recover(digest, abi.encodePacked(r, bytes32(LibSignature.MAX_S), uint8(27))),
            ecrecover(digest, 27, r, bytes32(LibSignature.MAX_S)),
            "s = n/2 goes to ecrecover"
        );
        vm.assertEq(
            harness.recover(digest, abi.encodePacked(r, bytes32(LibSignature.MAX_S + 1), uint8(27))),
            address(0),
            "s = n/2 + 1 refused"
        );
    }
}
