"""Assertions shared by every test that talks to a contract."""

import re

import pytest

from sharing.errors import RevertError


def reverts(reason: str):
    """Expect a contract call to revert with exactly this reason string."""
    return pytest.raises(RevertError, match=re.escape(reason))
