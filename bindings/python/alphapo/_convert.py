"""Native Python values <-> what the C ABI takes and gives.

Only type mapping happens here: no API rule is checked (the core checks every rule and
reports them per field), no wire body is built (the core serializes the body it signs).
"""

from __future__ import annotations

import ctypes
import json
import math
from decimal import Decimal
from typing import Any, Dict, Optional, Tuple, Union

AmountLike = Union[Decimal, int, str]
BytesLike = Union[str, bytes, bytearray, memoryview]

_FLOAT_MESSAGE = (
    "{name}: a float cannot hold most decimal amounts exactly (0.1 is stored as "
    "0.1000000000000000055511151231257827...), and money must never be rounded by "
    "accident; pass a str such as '0.1' or a decimal.Decimal"
)


def to_bytes(value: object, name: str) -> bytes:
    """A secret or a body: ``str`` (encoded UTF-8) or bytes-like."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, (dict, list, tuple)):
        raise TypeError(
            f"{name} must be the raw body (bytes or str) exactly as received, not a parsed "
            f"{type(value).__name__}: the signature covers the exact bytes, and re-encoding "
            f"parsed JSON changes them (spacing, key order, number formats). In Flask use "
            f"request.get_data(), in Django request.body."
        )
    raise TypeError(f"{name} must be bytes or str, not {type(value).__name__}")


def secret_arg(value: object, name: str = "secret") -> Tuple[Any, int]:
    """A secret as a ctypes argument and its length. A ``bytearray`` is lent to the library
    in place (no immutable copy that could not be wiped: the caller may zero it afterwards);
    ``bytes`` and ``str`` are immutable already (a ``str`` is encoded into one temporary
    ``bytes`` object, which Python frees but does not wipe)."""
    if isinstance(value, bytearray):
        if not value:
            return b"", 0
        return (ctypes.c_char * len(value)).from_buffer(value), len(value)
    data = to_bytes(value, name)
    return data, len(data)


def to_text(value: object, name: str) -> str:
    """A text argument such as an API key, a path or a signature header."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8")
    raise TypeError(f"{name} must be str, not {type(value).__name__}")


def amount_text(value: object, name: str) -> str:
    """An amount as the decimal text the core takes: ``Decimal``, ``int`` or ``str``.

    A ``Decimal`` is written with ``format(d, "f")``: all its digits, never an exponent.
    Floats and bools are refused with a ``TypeError``. The core checks the value itself
    (positive, a plain decimal) and reports a bad one as a ``ValidationError``.
    """
    if isinstance(value, bool):
        raise TypeError(f"{name}: a bool is not an amount; pass a str or a decimal.Decimal")
    if isinstance(value, float):
        raise TypeError(_FLOAT_MESSAGE.format(name=name))
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    raise TypeError(
        f"{name} must be a decimal.Decimal, an int or a str, not {type(value).__name__}"
    )


def request_json(fields: Dict[str, Any]) -> bytes:
    """The JSON object of an operation's fields for the core (``None`` values left out).
    Amounts were already turned into text by :func:`amount_text`."""
    present = {k: v for k, v in fields.items() if v is not None}
    return _dumps(present).encode("utf-8")


def _dumps(value: Any) -> str:
    """JSON for request objects. Like ``json.dumps`` but refuses floats anywhere (they
    would carry binary rounding into the request) and writes a ``Decimal`` as a JSON
    number with exactly its digits (no exponent)."""
    if value is None or isinstance(value, (bool, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        raise TypeError(_FLOAT_MESSAGE.format(name="request body"))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"request body: {value} is not a number JSON can carry")
        return format(value, "f")
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"request body: object keys must be str, not {type(k).__name__}")
            items.append(f"{json.dumps(k, ensure_ascii=False)}:{_dumps(v)}")
        return "{" + ",".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_dumps(v) for v in value) + "]"
    raise TypeError(
        f"request body: {type(value).__name__} is not JSON (use str, int, Decimal, "
        f"bool, None, dict, list)"
    )


def parse_json(text: str) -> Any:
    """Parses JSON from the core. Numbers with a fraction or exponent become ``Decimal``
    (never ``float``); amounts arrive as strings anyway."""
    return json.loads(text, parse_float=Decimal, parse_int=_int_or_text, parse_constant=_no_constant)


def _int_or_text(digits: str) -> Any:
    """An integer, or, past Python's conversion limit (4 300 digits by default), its text:
    a hostile reply's huge number is kept as the core keeps it, never a ValueError."""
    return int(digits) if len(digits) <= 4000 else digits


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def timeout_ms(value: Optional[float], name: str) -> int:
    """Seconds (int, float or Decimal) to whole milliseconds; None keeps the default (0)."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
    ms = max(1, math.ceil(seconds * 1000))
    if ms > 0xFFFFFFFF:
        raise ValueError(f"{name} is too large: {value!r} seconds")
    return ms
