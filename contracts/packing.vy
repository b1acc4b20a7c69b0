# pragma version 0.4.3
"""
@title Bit masks of packed storage words
@license GNU Affero General Public License v3.0 only
@notice The contracts pack several fields into one storage word, so that the
        calls members make most touch as few slots as possible. A field is
        read as `(word >> SHIFT) & MASK<width>`; each contract names its
        shifts next to its storage, and the masks live here, once.
"""

MASK8: constant(uint256) = 2**8 - 1
MASK9: constant(uint256) = 2**9 - 1
MASK16: constant(uint256) = 2**16 - 1
MASK24: constant(uint256) = 2**24 - 1
MASK32: constant(uint256) = 2**32 - 1
MASK40: constant(uint256) = 2**40 - 1
MASK64: constant(uint256) = 2**64 - 1
MASK128: constant(uint256) = 2**128 - 1
MASK144: constant(uint256) = 2**144 - 1
MASK160: constant(uint256) = 2**160 - 1
