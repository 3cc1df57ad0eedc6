"""What happened during a call: every attempt and the total time, as the core recorded it
(``alphapo_response_attempts_json`` / ``alphapo_error_attempts_json``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Optional, Tuple


@dataclass(frozen=True)
class Attempt:
    """One attempt of a call."""

    status: str
    """``"OK"`` for the attempt that got the reply, else the status of its failure
    (``"TRANSPORT"``, ``"SERVER"``, ...)."""
    http_status: Optional[int]
    """The HTTP status of its reply, ``None`` when there was none."""
    duration: float
    """Seconds from the start of the attempt to its reply or failure."""
    may_have_reached: bool
    """Whether the request may have reached the service (``False`` only when the
    connection was never established)."""


@dataclass(frozen=True)
class AttemptRecord:
    """Every attempt of one call, first to last, and the call's total time in seconds
    (backoff and ``Retry-After`` waits included). Iterable; ``len()`` is the number of
    attempts. Empty for a reply decoded with :func:`alphapo.parse_reply`."""

    attempts: Tuple[Attempt, ...] = ()
    total: float = 0.0

    def __iter__(self) -> Iterator[Attempt]:
        return iter(self.attempts)

    def __len__(self) -> int:
        return len(self.attempts)

    @property
    def retried(self) -> bool:
        """Whether the call took more than one attempt."""
        return len(self.attempts) > 1


def from_json(value: Any) -> AttemptRecord:
    """The record from the core's JSON (``{"total_us", "attempts": [...]}``)."""
    if not isinstance(value, dict):
        return AttemptRecord()
    attempts = tuple(
        Attempt(
            status=str(a.get("status")),
            http_status=a.get("http_status") or None,
            duration=int(a.get("duration_us") or 0) / 1e6,
            may_have_reached=bool(a.get("may_have_reached")),
        )
        for a in value.get("attempts") or ()
        if isinstance(a, dict)
    )
    return AttemptRecord(attempts=attempts, total=int(value.get("total_us") or 0) / 1e6)
