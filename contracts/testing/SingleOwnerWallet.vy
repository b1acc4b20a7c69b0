# pragma version 0.4.3
"""
@title SingleOwnerWallet
@license MIT
@notice Test only: the smallest contract wallet (EIP-1271). It accepts a
        signature of a digest when its owner's key made it, so a membership
        it holds can sign pool requests through its owner.
@dev Never deployed in production; the pool's EIP-1271 path is tested with it.
"""

# @dev What isValidSignature returns for a signature it accepts (EIP-1271).
MAGIC_VALUE: constant(bytes4) = 0x1626ba7e
# @dev What it returns otherwise (any value but the magic one refuses).
REFUSED: constant(bytes4) = 0xffffffff

# @dev The one key whose signatures the wallet accepts.
owner: public(immutable(address))


@deploy
def __init__(wallet_owner: address):
    """
    @param wallet_owner The account whose signatures the wallet accepts.
    """
    owner = wallet_owner


@external
@view
def isValidSignature(digest: bytes32, signature: Bytes[65]) -> bytes4:
    """
    @notice EIP-1271: MAGIC_VALUE if `signature` (r || s || v) over `digest`
            was made by the owner's key, REFUSED otherwise.
    """
    if len(signature) != 65:
        return REFUSED
    r: uint256 = convert(slice(signature, 0, 32), uint256)
    s: uint256 = convert(slice(signature, 32, 32), uint256)
    v: uint256 = convert(convert(slice(signature, 64, 1), bytes1), uint256)
    if ecrecover(digest, v, r, s) == owner:
        return MAGIC_VALUE
    return REFUSED
