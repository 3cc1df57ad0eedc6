"""Records on the ``alphapo`` logger.

One DEBUG record per client call (operation, method, path template, HTTP status or error
status, milliseconds) and a WARNING when a call ends with ``OUTCOME_UNKNOWN``. The logger
carries a :class:`logging.NullHandler`, so nothing is printed unless the application
configures logging. What goes into a record is chosen here and nowhere else: the operation's
name, the method, the path without its query, statuses, timing and the ``foreign_id``;
never a secret, a signature, an API key, a body or personal data.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Tuple

from . import _operations
from ._attempts import AttemptRecord

logger = logging.getLogger("alphapo")
logger.addHandler(logging.NullHandler())

def route(code: int) -> Optional[Tuple[str, str]]:
    """(method, path template) of an operation, from the core's operations table; None for
    the generic call (its path is the caller's) and unknown numbers."""
    row = _operations.BY_CODE.get(code)
    if row is None or row.path.startswith("{"):
        return None
    return (row.http_method, row.route)


def bare_path(path: Any) -> str:
    """A caller-given path without its query or fragment (they may carry data)."""
    text = path if isinstance(path, str) else "?"
    return text.split("?", 1)[0].split("#", 1)[0]


def call_done(
    operation: str,
    method: str,
    path: str,
    elapsed_ms: float,
    http_status: Optional[int],
    attempts: Optional[AttemptRecord] = None,
    error: Optional[BaseException] = None,
) -> None:
    """Records the end of one call: DEBUG always (with the number of attempts), WARNING
    too for a call that was retried and for an unknown outcome."""
    if error is None:
        status = "OK"
    else:
        raw = getattr(error, "status", None)
        status = getattr(raw, "name", None) or str(raw if raw is not None else type(error).__name__)
    elapsed = round(elapsed_ms, 3)
    fields: Dict[str, Any] = {
        "operation": operation,
        "method": method,
        "path": path,
        "http_status": http_status,
        "status": status,
        "elapsed_ms": elapsed,
        "attempts": len(attempts) if attempts is not None else 0,
    }
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s %s %s -> %s in %.1f ms, %d attempt(s)",
            operation,
            method,
            path,
            http_status if http_status else status,
            elapsed,
            fields["attempts"],
            extra=fields,
        )
    if attempts is not None and attempts.retried:
        logger.warning(
            "%s %s %s: retried: %s",
            operation,
            method,
            path,
            ", ".join(
                f"{a.status}{f' {a.http_status}' if a.http_status else ''} in "
                f"{a.duration * 1000:.1f} ms"
                for a in attempts
            ),
            extra=fields,
        )
    if status == "OUTCOME_UNKNOWN":
        cause = getattr(error, "cause", None)
        cause_name = getattr(cause, "name", None) or (None if cause is None else str(cause))
        foreign_id = getattr(error, "foreign_id", None)
        logger.warning(
            "%s %s %s: outcome unknown (cause %s) for foreign_id %s; do not repeat it "
            "with a new foreign_id: wait for its callback or reconcile(foreign_id)",
            operation,
            method,
            path,
            cause_name,
            foreign_id,
            extra={**fields, "cause": cause_name, "foreign_id": foreign_id},
        )
