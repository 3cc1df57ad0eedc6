"""Signatures (HMAC-SHA512 over the exact body bytes) and callbacks, computed by the core."""

from __future__ import annotations

import ctypes
import threading
import time
from typing import List, Optional, Tuple, Union

from . import _ffi, _models
from ._convert import BytesLike, parse_json, secret_arg, to_bytes
from ._errors import ErrorSlot, Status, envelope_text, raise_status
from ._handle import Handle

_HEX_LEN = 128

SignatureLike = Union[str, bytes, None]

# Signer.sign's fast path. A ctypes call costs far more than the hashing it wraps when each
# argument goes through its `argtypes` converter, so this is a second function object for
# the same symbol without `argtypes`: the handle goes as a ready `c_void_p`, the body as
# `bytes` (passed as its buffer), the output as a ready `char[129]`, and the lengths as
# Python ints, which ctypes passes as C `int`, widened by libffi to the register that holds
# the `size_t` (sign-extended, so exact for 0 <= n < 2**31; larger bodies take the declared
# function). `alphapo_signer_sign_chars` is the `const char*` twin of `alphapo_signer_sign`.
_sign_fast = _ffi.lib["alphapo_signer_sign_chars"]
_sign_fast.restype = ctypes.c_int
_FAST_MAX = 2**31 - 1
_Out = ctypes.c_char * (_HEX_LEN + 1)
# One output buffer per thread, made on its first signature: sign() never re-enters itself
# and copies the result out before returning, and other threads have their own buffer.
_buffers = threading.local()


def _signature_bytes(signature: SignatureLike) -> Optional[bytes]:
    """A signature header value; ``None`` (header missing) gives ``None``."""
    if signature is None:
        return None
    return to_bytes(signature, "signature")


def _cstr(value: Optional[str], name: str, *, untrusted: bool = False) -> Optional[bytes]:
    """A NUL-terminated UTF-8 argument. C strings cannot hold NUL: in an untrusted header
    value it becomes U+FFFD (so it can never equal a configured key, as in the core);
    in a configured value it is refused."""
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", "replace")
    if not isinstance(value, str):
        raise TypeError(f"{name} must be str, not {type(value).__name__}")
    if "\x00" in value:
        if not untrusted:
            raise ValueError(f"{name} must not contain NUL characters")
        value = value.replace("\x00", "\ufffd")
    return value.encode("utf-8")


def sign(secret: BytesLike, body: BytesLike) -> str:
    """The ``X-Processing-Signature`` of ``body``: 128 lowercase hex characters.

    ``secret`` and ``body`` are ``bytes`` or ``str`` (encoded UTF-8). Sign exactly the bytes
    you send. For many signatures with one secret, :class:`Signer` is faster.
    """
    key, key_len = secret_arg(secret)
    data = to_bytes(body, "body")
    out = ctypes.create_string_buffer(_HEX_LEN + 1)
    raise_status(
        _ffi.lib.alphapo_sign(key, key_len, data, len(data), out, len(out)), "alphapo_sign"
    )
    return out.value.decode("ascii")


def verify(secret: BytesLike, body: BytesLike, signature: SignatureLike) -> bool:
    """Whether ``signature`` (hex, either case) is the signature of ``body``, compared in
    constant time. ``None`` (a missing header), a wrong length or non-hex give ``False``."""
    key, key_len = secret_arg(secret)
    data = to_bytes(body, "body")
    sig = _signature_bytes(signature)
    if sig is None:
        return False
    status = _ffi.lib.alphapo_verify(key, key_len, data, len(data), sig, len(sig))
    if status == Status.SIGNATURE_MISMATCH:
        return False
    raise_status(status, "alphapo_verify")
    return True


def sign_callback(secret: BytesLike, body: BytesLike) -> str:
    """For merchants' tests: the ``X-Processing-Signature`` header value the service would
    send with the callback ``body`` (use the exact bytes you then post to your handler)."""
    return sign(secret, body)


class Signer(Handle):
    """A pre-keyed HMAC-SHA512 signer: each signature costs only the hashing of the body.

    Thread-safe: one signer may be used from many threads at once. Use it as a context
    manager or call :meth:`close`; the keyed state is zeroized when freed.
    """

    _kind = "signer"

    def __init__(self, secret: BytesLike) -> None:
        key, key_len = secret_arg(secret)
        ptr = _ffi.SignerP()
        raise_status(
            _ffi.lib.alphapo_signer_new(key, key_len, ctypes.byref(ptr)), "alphapo_signer_new"
        )
        self._adopt(ptr, _ffi.lib.alphapo_signer_free)
        # For sign(): the handle as a ready argument (None once closing), and the calls in
        # flight. list.append and list.pop are atomic under the GIL, so marking a call costs
        # two list operations instead of two lock round trips; close() first clears
        # `_address`, then waits until `_signing` is empty (see close()).
        self._address: Optional[ctypes.c_void_p] = ctypes.c_void_p(
            ctypes.cast(ptr, ctypes.c_void_p).value
        )
        self._signing: List[None] = []

    def __repr__(self) -> str:
        return f"<alphapo.Signer{' closed' if self.closed else ''}>"

    def sign(self, body: BytesLike) -> str:
        """The signature of ``body`` (128 lowercase hex characters)."""
        data = body if type(body) is bytes else to_bytes(body, "body")
        out: "ctypes.Array[ctypes.c_char]"
        try:
            out = _buffers.out
        except AttributeError:
            out = _buffers.out = _Out()
        signing = self._signing
        signing.append(None)  # in flight before the address is read: close() waits for it
        try:
            address = self._address
            if address is None:
                raise ValueError(f"the {self._kind} is closed")
            n = len(data)
            if n <= _FAST_MAX:
                status = _sign_fast(address, data, n, out, _HEX_LEN + 1)
            else:
                status = _ffi.lib.alphapo_signer_sign_chars(
                    ctypes.cast(address, _ffi.SignerP), data, n, out, _HEX_LEN + 1
                )
        finally:
            signing.pop()
        if status:
            raise_status(status, "alphapo_signer_sign_chars")
        return out.value.decode("ascii")

    def close(self) -> None:
        """Frees the native signer. Waits for calls running in other threads to return;
        later calls raise ``ValueError``. Calling it again does nothing."""
        # No sign() starts after this line (it reads `_address` after marking itself in
        # flight), and every sign() that read the old address is in `_signing` until it
        # returns: wait for those, then free as Handle does for every other call.
        self._address = None
        signing = getattr(self, "_signing", None)
        while signing:
            time.sleep(0.0001)
        super().close()

    def verify(self, body: BytesLike, signature: SignatureLike) -> bool:
        """Like :func:`alphapo.verify`, with this signer's key."""
        data = to_bytes(body, "body")
        sig = _signature_bytes(signature)
        if sig is None:
            return False
        ptr = self._acquire()
        try:
            status = _ffi.lib.alphapo_signer_verify(ptr, data, len(data), sig, len(sig))
        finally:
            self._release()
        if status == Status.SIGNATURE_MISMATCH:
            return False
        raise_status(status, "alphapo_signer_verify")
        return True

    def _callback_args(
        self,
        body: BytesLike,
        signature: SignatureLike,
        key_header: Optional[str],
        expected_key: Optional[str],
    ) -> Tuple[bytes, int, bytes, int, Optional[bytes], Optional[bytes]]:
        data = to_bytes(body, "body")
        sig = _signature_bytes(signature) or b""
        return (
            data,
            len(data),
            sig,
            len(sig),
            _cstr(key_header, "key_header", untrusted=True),
            _cstr(expected_key, "expected_key"),
        )

    def verify_callback(
        self,
        body: BytesLike,
        signature: SignatureLike,
        *,
        key_header: Optional[str] = None,
        expected_key: Optional[str] = None,
    ) -> bool:
        """Whether a callback is authentic: ``signature`` (the ``X-Processing-Signature``
        header, ``None`` when missing) over the raw ``body`` exactly as received, and, when
        ``expected_key`` is given and the ``X-Processing-Key`` header is present
        (``key_header`` not ``None``), that header equal to it: the current documentation
        names only the signature header, so an absent key header is not a failure.
        ``body`` must be the raw bytes (or str), never a parsed dict."""
        args = self._callback_args(body, signature, key_header, expected_key)
        slot = ErrorSlot()
        ptr = self._acquire()
        try:
            status = _ffi.lib.alphapo_callback_verify(ptr, *args, slot.ref)
        finally:
            self._release()
        if status == Status.SIGNATURE_MISMATCH:
            slot.check(Status.OK)  # frees the error object
            return False
        slot.check(status)
        return True

    def parse_callback(
        self,
        body: BytesLike,
        signature: SignatureLike,
        *,
        key_header: Optional[str] = None,
        expected_key: Optional[str] = None,
    ) -> _models.Callback:
        """Verifies like :meth:`verify_callback`, then parses. Raises
        :class:`alphapo.SignatureMismatchError` when not authentic (nothing of the body is
        parsed then) and :class:`alphapo.DecodeError` when the verified body is not a JSON
        object."""
        args = self._callback_args(body, signature, key_header, expected_key)
        slot = ErrorSlot()
        out = _ffi.CallbackP()
        ptr = self._acquire()
        try:
            status = _ffi.lib.alphapo_callback_parse(ptr, *args, ctypes.byref(out), slot.ref)
        finally:
            self._release()
        slot.check(status)
        try:
            text = _ffi.take_string(_ffi.lib.alphapo_callback_json(out))
            envelope = parse_json(envelope_text(text, "alphapo_callback_json"))
        finally:
            _ffi.lib.alphapo_callback_free(out)
        return _models.callback(envelope, args[0])


def verify_callback(
    body: BytesLike,
    signature: SignatureLike,
    secret: BytesLike,
    *,
    key_header: Optional[str] = None,
    expected_key: Optional[str] = None,
) -> bool:
    """Whether a callback is authentic; see :meth:`Signer.verify_callback`. Keep a
    :class:`Signer` instead when handling many callbacks."""
    with Signer(secret) as signer:
        return signer.verify_callback(
            body, signature, key_header=key_header, expected_key=expected_key
        )


def parse_callback(
    body: BytesLike,
    signature: SignatureLike,
    secret: BytesLike,
    *,
    key_header: Optional[str] = None,
    expected_key: Optional[str] = None,
) -> _models.Callback:
    """Verifies, then parses a callback; see :meth:`Signer.parse_callback`.

    ``body`` is the raw request body exactly as received (Flask ``request.get_data()``,
    Django ``request.body``), ``signature`` the ``X-Processing-Signature`` header,
    ``key_header`` the ``X-Processing-Key`` header, ``None`` when absent (checked against
    ``expected_key`` when both are given). Answer HTTP 200 only after the callback was
    processed; fulfil the order only when ``callback.fully_paid``.
    """
    with Signer(secret) as signer:
        return signer.parse_callback(
            body, signature, key_header=key_header, expected_key=expected_key
        )
