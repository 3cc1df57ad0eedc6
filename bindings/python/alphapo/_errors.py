"""Status codes and exceptions.

Every failure of the library arrives as an ``alphapo_status`` number plus, for most
functions, an ``alphapo_error`` object. :func:`raise_error` turns both into one exception
of the class that mirrors the status, carrying everything the error object knows.
"""

from __future__ import annotations

import builtins
import ctypes
import enum
import json
from typing import Any, Dict, Mapping, Optional, Tuple, Type

from . import _ffi
from ._attempts import AttemptRecord
from ._attempts import from_json as attempts_from_json


class Status(enum.IntEnum):
    """The stable status numbers of ``alphapo_status`` (``ALPHAPO_STATUS_<name>``)."""

    OK = 0
    NULL_ARGUMENT = 1
    INVALID_ARGUMENT = 2
    BUFFER_TOO_SMALL = 3
    VALIDATION = 4
    SIGNATURE_MISMATCH = 5
    AUTH = 10
    API = 11
    DUPLICATE_FOREIGN_ID = 12
    RATE_LIMITED = 13
    SERVER = 14
    TRANSPORT = 20
    TIMEOUT = 21
    TLS = 22
    DECODE = 23
    OUTCOME_UNKNOWN = 24
    PANIC = 99


def status_name(status: int) -> str:
    """The library's name of a status number, e.g. ``"ALPHAPO_STATUS_TIMEOUT"``."""
    return _ffi.text(_ffi.lib.alphapo_status_name(int(status))) or "ALPHAPO_STATUS_UNKNOWN"


_CLASSES: Dict[int, Type["AlphaPoError"]] = {}
"""The exception class of each status number (filled by the class statements below)."""


class AlphaPoError(Exception):
    """Any failure reported by libalphapo.

    Attributes:
        status: the status number (a :class:`Status` member, or a plain ``int`` for a
            number this package does not know).
        http_status: the HTTP status of the reply, or ``None`` when no reply arrived.
        code: the API's machine code (``"bad_header_signature"``, ...) or ``None``.
        message: a human-readable message (never contains the secret).
        fields: per-field errors, ``{"title": "is required", ...}``: from the library's
            own validation (nothing was sent) or from the API's ``errors`` object.
        raw_body: the reply body exactly as received (may be HTML or text); ``b""``
            when there was no reply.
        retry_after: for a 429, the seconds the reply's ``Retry-After`` asked to wait,
            else ``None``.
        cause: for :class:`OutcomeUnknownError` (and a :class:`DuplicateForeignIdError`
            met by a repeat), the status of the last attempt's own failure
            (``Status.TIMEOUT``, ``Status.RATE_LIMITED``, ...), whose ``http_status``,
            ``code`` and ``raw_body`` the exception carries; else ``None``.
        foreign_id: the ``foreign_id`` of the money-moving request that failed, when it
            had one: the key for :meth:`Client.reconcile`.
        attempts: what happened during the call (:class:`AttemptRecord`: each attempt's
            status, HTTP status, duration, whether it may have reached the service), or
            ``None`` when nothing was sent.
    """

    status_code: int = -1
    """The status a subclass stands for: ``class XError(AlphaPoError, status=...)``."""

    def __init_subclass__(
        cls, *, status: Optional[int] = None, also: Tuple[int, ...] = (), **kwargs: Any
    ) -> None:
        # Each status's exception class is named once, in its class statement; a subclass
        # made without ``status`` (an application's own) keeps its base's.
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status_code = status
            for number in (status, *also):
                _CLASSES[number] = cls

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        http_status: Optional[int] = None,
        code: Optional[str] = None,
        fields: Optional[Mapping[str, str]] = None,
        raw_body: bytes = b"",
        retry_after: Optional[int] = None,
        cause: Optional[int] = None,
        foreign_id: Optional[str] = None,
        attempts: Optional[AttemptRecord] = None,
    ) -> None:
        super().__init__(message)
        if status is None:
            status = self.status_code
        try:
            status = Status(status)
        except ValueError:
            pass
        self.status: int = status
        self.message: str = message
        self.http_status: Optional[int] = http_status
        self.code: Optional[str] = code
        self.fields: Dict[str, str] = dict(fields or {})
        self.raw_body: bytes = raw_body
        self.retry_after: Optional[int] = retry_after
        if cause is not None:
            try:
                cause = Status(cause)
            except ValueError:
                pass
        self.cause: Optional[int] = cause
        self.foreign_id: Optional[str] = foreign_id
        self.attempts: Optional[AttemptRecord] = attempts

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        parts = [repr(self.message)]
        if self.http_status is not None:
            parts.append(f"http_status={self.http_status}")
        if self.code is not None:
            parts.append(f"code={self.code!r}")
        if self.fields:
            parts.append(f"fields={self.fields!r}")
        if self.cause is not None:
            parts.append(f"cause={getattr(self.cause, 'name', self.cause)}")
        if self.foreign_id is not None:
            parts.append(f"foreign_id={self.foreign_id!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Keeps the keyword-only details when pickled (e.g. across process pools).
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))


def _rebuild(cls: Type[AlphaPoError], message: str, state: Dict[str, object]) -> AlphaPoError:
    error = cls.__new__(cls)
    AlphaPoError.__init__(error, message)
    error.__dict__.update(state)
    return error


class InvalidArgumentError(
    AlphaPoError,
    ValueError,
    status=Status.INVALID_ARGUMENT,
    also=(Status.NULL_ARGUMENT, Status.BUFFER_TOO_SMALL),
):
    """A bad argument: bad UTF-8 or JSON, a bad configuration value, a NULL pointer or a
    too small buffer (statuses ``INVALID_ARGUMENT``, ``NULL_ARGUMENT``,
    ``BUFFER_TOO_SMALL``). A bug in the calling code, not in the data."""


class ValidationError(AlphaPoError, ValueError, status=Status.VALIDATION):
    """A documented field rule failed; nothing was sent. ``fields`` lists every failed
    field with its message."""


class SignatureMismatchError(AlphaPoError, status=Status.SIGNATURE_MISMATCH):
    """A signature (or the ``X-Processing-Key`` header of a callback) does not match."""


class AuthenticationError(AlphaPoError, status=Status.AUTH):
    """The API refused the key or the signature (HTTP 403); see ``code``."""


class ApiError(AlphaPoError, status=Status.API):
    """The API refused the request (HTTP 400 ``errors``, other 4xx); see ``fields``."""


class DuplicateForeignIdError(AlphaPoError, status=Status.DUPLICATE_FOREIGN_ID):
    """The ``foreign_id`` is already taken: the operation may already have happened.
    Look it up (:meth:`Client.reconcile`) before doing anything else. When a repeat of
    ``create_invoice`` met it, ``cause`` is set and the first attempt probably created it."""


class RateLimitError(AlphaPoError, status=Status.RATE_LIMITED):
    """HTTP 429."""


class ServerError(AlphaPoError, status=Status.SERVER):
    """HTTP 5xx."""


class ConnectionError(AlphaPoError, builtins.ConnectionError, status=Status.TRANSPORT):
    """Connecting failed, the connection was reset, or the name did not resolve. Also a
    :class:`builtins.ConnectionError`."""


class TimeoutError(AlphaPoError, builtins.TimeoutError, status=Status.TIMEOUT):
    """A connect or read timeout expired. Also a :class:`builtins.TimeoutError`."""


class TLSError(AlphaPoError, status=Status.TLS):
    """The TLS handshake or the certificate verification failed."""


class DecodeError(AlphaPoError, status=Status.DECODE):
    """The reply (or a verified callback body) was not understood; see ``raw_body``."""


class OutcomeUnknownError(AlphaPoError, status=Status.OUTCOME_UNKNOWN):
    """A money-moving request may have reached the service and its result is unknown (a
    lost reply, a timeout, a 5xx, or a later refusal after such an attempt). Do not send it
    again with a new ``foreign_id``: wait for its callback, or look it up with
    ``client.reconcile(error.foreign_id)``. ``cause`` is the last attempt's own failure."""


class PanicError(AlphaPoError, status=Status.PANIC):
    """A bug inside libalphapo (a caught panic). Please report it."""


def error_class(status: int) -> Type[AlphaPoError]:
    """The exception class for a status number (:class:`AlphaPoError` for unknown ones)."""
    return _CLASSES.get(status, AlphaPoError)


def _fields(err: object) -> Dict[str, str]:
    """The core's field errors (a field's messages already joined by the core)."""
    text = _ffi.take_string(_ffi.lib.alphapo_error_fields_json(err))
    fields = json.loads(text) if text else {}
    return {str(k): str(v) for k, v in fields.items()} if isinstance(fields, dict) else {}


def from_error_object(status: int, err: object) -> AlphaPoError:
    """Builds the exception for ``status`` from an ``alphapo_error *`` (may be NULL),
    reading every accessor. Does not free ``err``."""
    lib = _ffi.lib
    if not err:
        return error_class(status)(f"{status_name(status)} (no details)", status=status)
    status = lib.alphapo_error_status(err) or status
    http = lib.alphapo_error_http_status(err)
    cause = lib.alphapo_error_cause(err)
    return error_class(status)(
        _ffi.text(lib.alphapo_error_message(err)) or status_name(status),
        status=status,
        http_status=http or None,
        code=_ffi.text(lib.alphapo_error_code(err)),
        fields=_fields(err),
        raw_body=_ffi.read_bytes(lib.alphapo_error_raw_body, err),
        retry_after=lib.alphapo_error_retry_after(err) or None,
        cause=cause if cause != status else None,
        foreign_id=_ffi.text(lib.alphapo_error_foreign_id(err)),
        attempts=_attempts(err),
    )


def _attempts(err: object) -> Optional[AttemptRecord]:
    """The core's record of the failed call's attempts; None when nothing was sent."""
    text = _ffi.take_string(_ffi.lib.alphapo_error_attempts_json(err))
    return None if text is None else attempts_from_json(json.loads(text))


class ErrorSlot:
    """An ``alphapo_error *`` out-parameter: pass ``slot.ref`` to a call, then
    :meth:`check` its status (which frees the error object in every case)."""

    __slots__ = ("ptr",)

    def __init__(self) -> None:
        self.ptr = _ffi.ErrorP()

    @property
    def ref(self) -> object:
        return ctypes.byref(self.ptr)

    def check(self, status: int) -> None:
        """Returns on ``OK``; otherwise raises the matching exception."""
        try:
            if status != Status.OK:
                raise from_error_object(status, self.ptr)
        finally:
            if self.ptr:
                _ffi.lib.alphapo_error_free(self.ptr)
                self.ptr = _ffi.ErrorP()


def envelope_text(text: Optional[str], what: str) -> str:
    """The JSON text of an ``alphapo_*_json`` result; NULL there means a caught panic."""
    if text is None:
        raise PanicError(f"{what} returned NULL (a bug in libalphapo)", status=Status.PANIC)
    return text


def raise_status(status: int, what: str) -> None:
    """For the functions without an error object (signing): raises for a non-OK status."""
    if status != Status.OK:
        raise error_class(status)(f"{what}: {status_name(status)}", status=status)
