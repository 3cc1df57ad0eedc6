"""The core's operations table (``alphapo_operations_json``): what each operation is called,
its method, path, retry class and the typed result it returns. The client's methods, their
``prepare_`` twins, the log records and the result types are derived from it."""

from __future__ import annotations

import json
from typing import Dict, NamedTuple, Optional, Tuple

from . import _ffi


class OperationRow(NamedTuple):
    """One row of the core's operations table."""

    code: int
    """The ``alphapo_operation`` number (:class:`alphapo.Operation`)."""
    name: str
    """E.g. ``"invoices/create"``."""
    method_name: str
    """The client method, e.g. ``"create_invoice"``."""
    identifier: Optional[str]
    """The one field the method may take positionally, if any."""
    http_method: str
    base: str
    """The API ``path`` is below: ``v2`` (``/api/v2``) or ``payments`` (``/api/payments/v1``)."""
    path: str
    """Below ``base``; ``{field}`` marks a value taken from the request."""
    route: str
    """The path as logs show it: below the v2 base for v2 operations
    (``/invoices/create``), else below the host (``/api/payments/v1/requests``)."""
    retry_class: str
    """``read_only``, ``guarded`` or ``unguarded``."""
    result: str
    """The typed result: ``text``, ``json``, ``invoice``, ``accounts``, ..."""


def _load() -> Tuple[OperationRow, ...]:
    raw = _ffi.lib.alphapo_operations_json()
    return tuple(
        OperationRow(**{name: row[name] for name in OperationRow._fields})
        for row in json.loads(raw.decode("utf-8"))
    )


OPERATIONS: Tuple[OperationRow, ...] = _load()
BY_CODE: Dict[int, OperationRow] = {row.code: row for row in OPERATIONS}
BY_METHOD: Dict[str, OperationRow] = {row.method_name: row for row in OPERATIONS}
