r"""RFC 8785, the JSON Canonicalization Scheme: one byte string per JSON value.

:func:`jcs_dumps` writes object members sorted by the UTF-16 code units of
their names, no insignificant white space, strings escaped as ECMAScript's
``JSON.stringify`` does (only ``"``, ``\`` and control characters,
everything else as raw UTF-8), floating-point numbers in ECMAScript's
shortest round-trip form, all encoded as UTF-8.  The one deliberate
departure: integers are written exactly, where RFC 8785 would first round
them to an IEEE double (they differ only beyond 2**53, which no STIX
integer property reaches).

It is the last step of a bundle's canonical JSON
(:func:`sharing.standards.stix_parse.canonical_json`); the pool's feed
export (:mod:`sharing.pool.store`) is written with it too.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from sharing.errors import InputError

__all__ = ["jcs_dumps"]


def _es6_number(value: float) -> str:
    """Format a finite float as ECMAScript ``Number.prototype.toString`` does (RFC 8785 3.2.2.3)."""
    if not math.isfinite(value):
        raise InputError(f"canonical JSON cannot represent {value!r}")
    if value == 0:
        return "0"  # also for -0.0
    sign = "-" if value < 0 else ""
    # repr gives the shortest decimal that round-trips, like ECMAScript.
    mantissa, _, exp_text = repr(abs(value)).partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    digits = (int_part + frac_part).lstrip("0")
    # Value = 0.<int_part><frac_part> * 10**point, with leading zeros stripped.
    point = len(int_part) + (int(exp_text) if exp_text else 0)
    point -= len(int_part + frac_part) - len((int_part + frac_part).lstrip("0"))
    digits = digits.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        exponent = n - 1
        exp_sign = "+" if exponent >= 0 else "-"
        head = digits[0] + ("." + digits[1:] if k > 1 else "")
        text = f"{head}e{exp_sign}{abs(exponent)}"
    return sign + text


def _jcs_parts(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(_es6_number(value))
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Mapping):
        out.append("{")
        keys = sorted(value, key=lambda k: str(k).encode("utf-16-be", "surrogatepass"))
        for i, key in enumerate(keys):
            if not isinstance(key, str):
                raise InputError(f"canonical JSON needs string keys, got {key!r}")
            if i:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _jcs_parts(value[key], out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _jcs_parts(item, out)
        out.append("]")
    else:
        raise InputError(f"canonical JSON cannot represent a {type(value).__name__}")


def jcs_dumps(value: Any) -> bytes:
    """Serialise a JSON value with the JSON Canonicalization Scheme (RFC 8785), UTF-8.

    Parameters
    ----------
    value : Any
        ``dict`` (string keys), ``list``/``tuple``, ``str``, ``int``,
        ``float`` (finite), ``bool`` or ``None``, nested.

    Returns
    -------
    bytes
        The canonical UTF-8 bytes.

    Raises
    ------
    InputError
        For a non-finite float, a non-string key, a lone surrogate or a
        non-JSON type.

    Examples
    --------
    >>> jcs_dumps({"b": [1, 2.5, 1e21], "a": "é"}).decode()
    '{"a":"é","b":[1,2.5,1e+21]}'
    """
    parts: list[str] = []
    _jcs_parts(value, parts)
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError as error:
        raise InputError("canonical JSON cannot encode a lone surrogate") from error
