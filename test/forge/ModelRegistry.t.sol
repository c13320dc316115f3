// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ModelRegistry} from "../../contracts/ModelRegistry.sol";
import {Groth16VerifierMock} from "../../contracts/test/Groth16VerifierMock.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev A registry whose registrar is this test contract, one optimistic model owned by `owner`
///      and a verifier with code.
abstract contract ModelRegistry_TestInit is TestBase {
    bytes32 internal constant MODEL = keccak256("model");
    ModelRegistry internal registry;
    address internal owner = address(0x0A);
    address internal stranger = address(0xBAD);
    address internal verifier;

    function setUp() public virtual {
        vm.warp(1_000_000);
        registry = new ModelRegistry(address(this));
        registry.register(MODEL, registry.MODE_OPTIMISTIC(), owner, 10);
        verifier = address(new Groth16VerifierMock());
    }

    function _circuit(uint32 _batchSize) internal view returns (ModelRegistry.ZkCircuit memory) {
        return ModelRegistry.ZkCircuit({
            verifier: verifier,
            batchSize: _batchSize,
            outputLength: 10,
            outputBits: 8,
            outputOffset: 128,
            circuitHash: keccak256("circuit"),
            zkeyHash: keccak256(abi.encode("zkey", _batchSize))
        });
    }
}

contract ModelRegistry_Constructor_Test is TestBase {
    function test_constructor_zeroRegistrar_reverts() public {
        vm.expectRevert(ModelRegistry.ModelRegistry_ZeroAddress.selector);
        new ModelRegistry(address(0));
    }
}

contract ModelRegistry_Register_Test is ModelRegistry_TestInit {
    function test_register_byStranger_reverts() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistry_NotRegistrar.selector, stranger));
        registry.register(keccak256("other"), 2, stranger, 10);
    }

    function test_register_zeroOwner_reverts() public {
        vm.expectRevert(ModelRegistry.ModelRegistry_ZeroAddress.selector);
        registry.register(keccak256("other"), 2, address(0), 10);
    }

    function test_register_zeroOutputLength_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistry_InvalidOutputLength.selector, uint32(0)));
        registry.register(keccak256("other"), 2, owner, 0);
    }

    function test_register_twice_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistry_AlreadyRegistered.selector, MODEL));
        registry.register(MODEL, 2, owner, 10);
    }

    function testFuzz_register_zkModeWithoutCircuit_reverts(uint8 _modes) public {
        _modes |= 1;
        bytes32 model = keccak256("other");
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistry_ZkModeNeedsCircuit.selector, model));
        registry.register(model, _modes, owner, 10);
    }

    function testFuzz_register_unknownModeBits_reverts(uint8 _modes) public {
        _modes = (_modes & ~uint8(3)) | 4;
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistry_InvalidModes.selector, _modes));
        registry.register(keccak256("other"), _modes, owner, 10);
    }

    function test_register_byRegistrar_recordsModel() public {
        bytes32 model = keccak256("other");
        vm.expectEmit(address(registry));
        emit ModelRegistry.ModelRegistered(model, owner, 0);
        registry.register(model, 0, owner, 7);
        ModelRegistry.Model memory recorded = registry.modelOf(model);
        vm.assertEq(recorded.owner, owner, "owner");
        vm.assertEq(uint256(recorded.modes), 0, "zk-only model has no mode until a circuit comes");
        vm.assertEq(uint256(recorded.registeredAt), block.timestamp, "registeredAt");
        vm.assertEq(uint256(recorded.outputLength), 7, "outputLength");
        vm.assertFalse(registry.allows(model, 1), "zk not allowed");
        vm.assertFalse(registry.allows(model, 2), "optimistic not allowed");
    }
}

contract ModelRegistry_AddZkCircuit_Test is ModelRegistry_TestInit {
    function test_addZkCircuit_byStranger_reverts() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistry_NotOwner.selector, MODEL, stranger));
        registry.addZkCircuit(MODEL, _circuit(1));
    }

    function test_addZkCircuit_unknownModel_reverts() public {
        bytes32 unknown = keccak256("unknown");
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistry_UnknownModel.selector, unknown));
        registry.addZkCircuit(unknown, _circuit(1));
    }

    function test_addZkCircuit_byOwnerOrRegistrar_enablesZkModeInOrder() public {
        vm.expectEmit(address(registry));
        ModelRegistry.ZkCircuit memory first = _circuit(2);
        emit ModelRegistry.ZkCircuitAdded(
            MODEL, 2, verifier, 1, 10, 8, 128, first.circuitHash, first.zkeyHash
        );
        vm.prank(owner);
        registry.addZkCircuit(MODEL, first);
        registry.addZkCircuit(MODEL, _circuit(1));
        vm.assertTrue(registry.allows(MODEL, 1), "zk allowed");
        vm.assertTrue(registry.allows(MODEL, 3), "both allowed");
        vm.assertEq(uint256(registry.zkCircuitCount(MODEL)), 2, "two circuits");
        (ModelRegistry.ZkCircuit memory found, uint32 ordinal) = registry.findZkCircuit(MODEL, 1);
        vm.assertEq(uint256(ordinal), 2, "second circuit added");
        vm.assertEq(found.zkeyHash, _circuit(1).zkeyHash, "zkeyHash");
        vm.assertEq(uint256(registry.zkeyOrdinal(MODEL, first.zkeyHash)), 1, "zkey ordinal");
        vm.assertEq(registry.zkCircuitOf(MODEL, 2).verifier, verifier, "zkCircuitOf");
    }

    function test_addZkCircuit_sameBatchSizeTwice_reverts() public {
        registry.addZkCircuit(MODEL, _circuit(2));
        ModelRegistry.ZkCircuit memory replacement = _circuit(2);
        replacement.verifier = address(new Groth16VerifierMock());
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistry_ZkCircuitExists.selector, MODEL, uint32(2)));
        registry.addZkCircuit(MODEL, replacement);
    }

    function test_addZkCircuit_verifierWithoutCode_reverts() public {
        ModelRegistry.ZkCircuit memory circuit = _circuit(1);
        circuit.verifier = address(0xC0DE);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistry_VerifierHasNoCode.selector, address(0xC0DE)));
        registry.addZkCircuit(MODEL, circuit);
    }

    function test_addZkCircuit_zeroBatchSizeOrOutputLength_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistry_InvalidBatchSize.selector, uint32(0)));
        registry.addZkCircuit(MODEL, _circuit(0));
        ModelRegistry.ZkCircuit memory circuit = _circuit(1);
        circuit.outputLength = 0;
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistry_InvalidOutputLength.selector, uint32(0)));
        registry.addZkCircuit(MODEL, circuit);
    }

    function testFuzz_addZkCircuit_outputBitsOutOfRange_reverts(uint16 _bits) public {
        if (_bits != 0) _bits = uint16(_bound(_bits, 253, type(uint16).max));
        ModelRegistry.ZkCircuit memory circuit = _circuit(1);
        circuit.outputBits = _bits;
        circuit.outputOffset = 0;
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistry_InvalidOutputBits.selector, _bits));
        registry.addZkCircuit(MODEL, circuit);
    }

    function testFuzz_addZkCircuit_offset(uint16 _bits, uint256 _offset) public {
        _bits = uint16(_bound(_bits, 1, 252));
        ModelRegistry.ZkCircuit memory circuit = _circuit(1);
        circuit.outputBits = _bits;
        circuit.outputOffset = _offset;
        if (_offset >> _bits != 0) {
            vm.expectRevert(
                abi.encodeWithSelector(ModelRegistry.ModelRegistry_OutputOffsetTooLarge.selector, _offset, _bits)
            );
        }
        registry.addZkCircuit(MODEL, circuit);
    }
}

contract ModelRegistry_Views_Test is ModelRegistry_TestInit {
    function test_modelOf_unknown_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistry_UnknownModel.selector, bytes32(0)));
        registry.modelOf(bytes32(0));
    }

    function test_zkCircuitOf_unknown_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistry_UnknownZkCircuit.selector, MODEL, uint32(4)));
        registry.zkCircuitOf(MODEL, 4);
    }

    function test_findZkCircuit_unknown_returnsOrdinalZero() public view {
        (ModelRegistry.ZkCircuit memory circuit, uint32 ordinal) = registry.findZkCircuit(MODEL, 4);
        vm.assertEq(uint256(ordinal), 0, "no ordinal");
        vm.assertEq(circuit.verifier, address(0), "empty circuit");
    }

    function test_allows_modeZero_isFalse() public view {
        vm.assertFalse(registry.allows(MODEL, 0), "mode 0 is never allowed");
        vm.assertTrue(registry.allows(MODEL, 2), "optimistic allowed");
    }
}
