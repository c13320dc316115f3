// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Eip712Base
/// @notice The EIP-712 domain of a contract (name, version, chain id, the contract's address) and
///         the digest of a typed struct in it. src/chain/typed-data.ts builds the same domain.
/// @dev The separator is computed once at deployment and rebuilt when the chain id changes (a
///      fork) or the code runs at another address (delegatecall), so a signature made for one
///      chain or one deployment never verifies on another.
abstract contract Eip712Base {
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    bytes32 private immutable _nameHash;
    bytes32 private immutable _versionHash;
    bytes32 private immutable _cachedDomainSeparator;
    uint256 private immutable _cachedChainId;
    address private immutable _cachedThis;

    /// @param _name The domain's name.
    /// @param _version The domain's version.
    constructor(string memory _name, string memory _version) {
        _nameHash = keccak256(bytes(_name));
        _versionHash = keccak256(bytes(_version));
        _cachedChainId = block.chainid;
        _cachedThis = address(this);
        _cachedDomainSeparator = _buildDomainSeparator();
    }

    /// @notice The EIP-712 domain separator of this deployment on the current chain.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparator();
    }

    /// @dev The digest a signer signs for a struct whose EIP-712 hashStruct is `_structHash`.
    function _hashTypedData(bytes32 _structHash) internal view returns (bytes32) {
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(), _structHash));
    }

    function _domainSeparator() private view returns (bytes32) {
        if (block.chainid == _cachedChainId && address(this) == _cachedThis) return _cachedDomainSeparator;
        return _buildDomainSeparator();
    }

    function _buildDomainSeparator() private view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, _nameHash, _versionHash, block.chainid, address(this)));
    }
}
