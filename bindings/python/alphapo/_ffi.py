"""The C ABI of libalphapo (``include/alphapo.h``) as seen from ctypes.

This module finds and loads the shared library, checks its version, and declares
``argtypes``/``restype`` for every function of the header (a test parses the header and
fails when a function is missing here, or declared here but gone from the header, or
takes a different number or kind of arguments).

Conventions of the header, and how they map here:

* ``alphapo_status`` results are C ``int``.
* Borrowed ``const char *`` results (static, or living as long as their object) are
  ``c_char_p``: ctypes copies them into ``bytes`` and the pointer is not needed any more.
* Owned ``char *`` results (``alphapo_*_json``, ``alphapo_error_fields_json``) are
  ``c_void_p``: a ``c_char_p`` would copy the text and lose the pointer, leaking it.
  :func:`take_string` copies and frees them with ``alphapo_string_free``.
* Byte inputs (``const uint8_t *`` with a length) are passed as ``bytes`` through
  ``c_char_p``; byte outputs (``const uint8_t *`` results with a ``size_t *len``) are
  ``c_void_p`` read with :func:`ctypes.string_at` (they may contain NULs).
* Each opaque handle kind is its own empty ``Structure``, so ``POINTER(alphapo_client)``
  cannot be passed where an ``alphapo_response *`` is expected.

``ctypes.CDLL`` releases the GIL around every call, so several Python threads can be
inside the library at once; the header says which handles allow it (clients, signers and
every immutable result do).

Where the library comes from, in this order:

1. ``ALPHAPO_LIBRARY``: the path of the library file (or of the directory holding it).
   When it is set, it is the only candidate (a wrong explicit setting is an error, never silently replaced).
2. A copy inside the package (``alphapo/libalphapo.so``, put there by
   ``bindings/python/bundle-library.sh`` before a wheel is built).
3. ``target/release/`` of the libalphapo checkout the package lives in: found by walking
   up from this file to a directory holding ``Cargo.toml`` and ``include/alphapo.h``
   (works for the source tree and for ``pip install -e``).

Anything else raises one :class:`OSError` that names every place that was tried.
"""

from __future__ import annotations

import ctypes
import os
import sys
from ctypes import (
    POINTER,
    c_bool,
    c_char_p,
    c_int,
    c_size_t,
    c_uint16,
    c_uint64,
    c_uint32,
    c_void_p,
)
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ._version import __version__

ENV_VAR = "ALPHAPO_LIBRARY"

if sys.platform == "darwin":
    LIBRARY_NAME = "libalphapo.dylib"
elif sys.platform == "win32":
    LIBRARY_NAME = "alphapo.dll"
else:
    LIBRARY_NAME = "libalphapo.so"


# --- opaque handle types -------------------------------------------------------------


class alphapo_callback(ctypes.Structure):
    """Opaque: a verified, parsed callback."""


class alphapo_client(ctypes.Structure):
    """Opaque: a client (thread-safe)."""


class alphapo_client_builder(ctypes.Structure):
    """Opaque: client settings (one thread)."""


class alphapo_error(ctypes.Structure):
    """Opaque: the details of a failure."""


class alphapo_prepared(ctypes.Structure):
    """Opaque: a prepared request."""


class alphapo_request(ctypes.Structure):
    """Opaque: a request under construction, its fields set one by one."""


class alphapo_response(ctypes.Structure):
    """Opaque: a decoded reply."""


class alphapo_signer(ctypes.Structure):
    """Opaque: a pre-keyed signer (thread-safe)."""


OPAQUE_TYPES = {
    cls.__name__: cls
    for cls in (
        alphapo_callback,
        alphapo_client,
        alphapo_client_builder,
        alphapo_error,
        alphapo_prepared,
        alphapo_request,
        alphapo_response,
        alphapo_signer,
    )
}

CallbackP = POINTER(alphapo_callback)
ClientP = POINTER(alphapo_client)
BuilderP = POINTER(alphapo_client_builder)
ErrorP = POINTER(alphapo_error)
PreparedP = POINTER(alphapo_prepared)
RequestP = POINTER(alphapo_request)
ResponseP = POINTER(alphapo_response)
SignerP = POINTER(alphapo_signer)

status_t = c_int  # alphapo_status (a C enum)
bytes_in = c_char_p  # const uint8_t * input, with its length beside it
owned_str = c_void_p  # char * result: copy, then alphapo_string_free
bytes_out = c_void_p  # const uint8_t * result, with its length in a size_t *


def _err_out() -> type:
    return POINTER(ErrorP)


# name -> (restype, argtypes); in header order.
FUNCTIONS: Dict[str, Tuple[object, List[object]]] = {
    "alphapo_version": (c_char_p, []),
    "alphapo_status_name": (c_char_p, [c_uint32]),
    "alphapo_test_panic": (status_t, [_err_out()]),
    # callbacks
    "alphapo_callback_verify": (
        status_t,
        [SignerP, bytes_in, c_size_t, c_char_p, c_size_t, c_char_p, c_char_p, _err_out()],
    ),
    "alphapo_callback_parse": (
        status_t,
        [
            SignerP,
            bytes_in,
            c_size_t,
            c_char_p,
            c_size_t,
            c_char_p,
            c_char_p,
            POINTER(CallbackP),
            _err_out(),
        ],
    ),
    "alphapo_callback_get": (c_char_p, [CallbackP, c_char_p]),
    "alphapo_callback_dedupe_key": (c_char_p, [CallbackP]),
    "alphapo_callback_is_fully_paid": (c_bool, [CallbackP]),
    "alphapo_callback_json": (owned_str, [CallbackP]),
    "alphapo_callback_free": (None, [CallbackP]),
    # client builder
    "alphapo_client_builder_new": (
        status_t,
        [c_char_p, bytes_in, c_size_t, POINTER(BuilderP), _err_out()],
    ),
    "alphapo_client_builder_set_environment": (status_t, [BuilderP, c_uint32, _err_out()]),
    "alphapo_client_builder_set_base_url": (
        status_t,
        [BuilderP, c_char_p, c_bool, _err_out()],
    ),
    "alphapo_client_builder_set_payments_base_url": (
        status_t,
        [BuilderP, c_char_p, c_bool, _err_out()],
    ),
    "alphapo_client_builder_set_timeouts": (
        status_t,
        [BuilderP, c_uint32, c_uint32, _err_out()],
    ),
    "alphapo_client_builder_set_app_info": (status_t, [BuilderP, c_char_p, _err_out()]),
    "alphapo_client_builder_set_ca_file": (status_t, [BuilderP, c_char_p, _err_out()]),
    "alphapo_client_builder_set_max_retries": (status_t, [BuilderP, c_uint32, _err_out()]),
    "alphapo_client_builder_set_proxy": (status_t, [BuilderP, c_char_p, _err_out()]),
    "alphapo_client_builder_set_proxy_from_environment": (status_t, [BuilderP, c_bool, _err_out()]),
    "alphapo_client_builder_build": (status_t, [BuilderP, POINTER(ClientP), _err_out()]),
    "alphapo_client_builder_free": (None, [BuilderP]),
    # client
    "alphapo_client_free": (None, [ClientP]),
    "alphapo_client_call": (
        status_t,
        [ClientP, c_uint32, c_char_p, POINTER(ResponseP), _err_out()],
    ),
    "alphapo_client_prepare": (
        status_t,
        [ClientP, c_uint32, c_char_p, POINTER(PreparedP), _err_out()],
    ),
    "alphapo_client_send": (
        status_t,
        [ClientP, PreparedP, POINTER(ResponseP), _err_out()],
    ),
    "alphapo_client_reconcile": (
        status_t,
        [ClientP, c_char_p, POINTER(ResponseP), _err_out()],
    ),
    "alphapo_client_call_request": (
        status_t,
        [ClientP, RequestP, POINTER(ResponseP), _err_out()],
    ),
    "alphapo_client_prepare_request": (
        status_t,
        [ClientP, RequestP, POINTER(PreparedP), _err_out()],
    ),
    "alphapo_decode_reply": (
        status_t,
        [c_uint32, c_uint16, bytes_in, c_size_t, POINTER(ResponseP), _err_out()],
    ),
    # errors
    "alphapo_error_status": (status_t, [ErrorP]),
    "alphapo_error_http_status": (c_uint16, [ErrorP]),
    "alphapo_error_message": (c_char_p, [ErrorP]),
    "alphapo_error_code": (c_char_p, [ErrorP]),
    "alphapo_error_field_count": (c_size_t, [ErrorP]),
    "alphapo_error_field_name": (c_char_p, [ErrorP, c_size_t]),
    "alphapo_error_field_message": (c_char_p, [ErrorP, c_size_t]),
    "alphapo_error_fields_json": (owned_str, [ErrorP]),
    "alphapo_error_attempts_json": (owned_str, [ErrorP]),
    "alphapo_error_raw_body": (bytes_out, [ErrorP, POINTER(c_size_t)]),
    "alphapo_error_retry_after": (c_uint64, [ErrorP]),
    "alphapo_error_cause": (status_t, [ErrorP]),
    "alphapo_error_foreign_id": (c_char_p, [ErrorP]),
    "alphapo_error_free": (None, [ErrorP]),
    # invoice request
    # prepared requests
    "alphapo_operations_json": (c_char_p, []),
    "alphapo_prepared_method": (c_char_p, [PreparedP]),
    "alphapo_prepared_url": (c_char_p, [PreparedP]),
    "alphapo_prepared_body": (bytes_out, [PreparedP, POINTER(c_size_t)]),
    "alphapo_prepared_header_count": (c_size_t, [PreparedP]),
    "alphapo_prepared_header_name": (c_char_p, [PreparedP, c_size_t]),
    "alphapo_prepared_header_value": (c_char_p, [PreparedP, c_size_t]),
    "alphapo_prepared_free": (None, [PreparedP]),
    "alphapo_request_new": (status_t, [c_uint32, POINTER(RequestP), _err_out()]),
    "alphapo_request_set": (status_t, [RequestP, c_char_p, c_char_p, _err_out()]),
    "alphapo_request_set_json": (status_t, [RequestP, c_char_p, c_char_p, _err_out()]),
    "alphapo_request_free": (None, [RequestP]),
    # responses
    "alphapo_response_http_status": (c_uint16, [ResponseP]),
    "alphapo_response_get": (c_char_p, [ResponseP, c_char_p]),
    "alphapo_response_json": (owned_str, [ResponseP]),
    "alphapo_response_attempts_json": (owned_str, [ResponseP]),
    "alphapo_response_result_json": (owned_str, [ResponseP]),
    "alphapo_response_summary_json": (c_char_p, [ResponseP, POINTER(c_size_t)]),
    "alphapo_response_raw_body": (bytes_out, [ResponseP, POINTER(c_size_t)]),
    "alphapo_response_malformed_count": (c_size_t, [ResponseP]),
    "alphapo_response_malformed": (c_char_p, [ResponseP, c_size_t]),
    "alphapo_response_free": (None, [ResponseP]),
    # signatures
    "alphapo_sign": (status_t, [bytes_in, c_size_t, bytes_in, c_size_t, c_char_p, c_size_t]),
    "alphapo_verify": (
        status_t,
        [bytes_in, c_size_t, bytes_in, c_size_t, c_char_p, c_size_t],
    ),
    "alphapo_signer_new": (status_t, [bytes_in, c_size_t, POINTER(SignerP)]),
    "alphapo_signer_sign": (status_t, [SignerP, bytes_in, c_size_t, c_char_p, c_size_t]),
    "alphapo_signer_sign_chars": (status_t, [SignerP, c_char_p, c_size_t, c_char_p, c_size_t]),
    "alphapo_signer_verify": (status_t, [SignerP, bytes_in, c_size_t, c_char_p, c_size_t]),
    "alphapo_signer_free": (None, [SignerP]),
    # strings
    "alphapo_string_free": (None, [c_void_p]),
}


# --- finding and loading the library --------------------------------------------------


def _is_checkout(directory: Path) -> bool:
    return (directory / "Cargo.toml").is_file() and (directory / "include" / "alphapo.h").is_file()


def _checkouts(start: Path) -> List[Path]:
    """The libalphapo checkouts at or above ``start``, nearest first."""
    return [d for d in (start, *start.parents) if _is_checkout(d)]


def candidates() -> Tuple[List[Tuple[str, Path]], List[str]]:
    """The library paths to try, in order, and notes on places that offered none."""
    notes: List[str] = []
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env)
        if path.is_dir():
            path = path / LIBRARY_NAME
        return [(f"${ENV_VAR}", path)], notes
    notes.append(f"${ENV_VAR}: not set")
    found: List[Tuple[str, Path]] = []
    here = Path(__file__).resolve().parent
    bundled = here / LIBRARY_NAME
    if bundled.is_file():
        found.append(("package copy", bundled))
    else:
        notes.append(f"package copy {bundled}: no such file")
    roots = _checkouts(here)
    if not roots:
        notes.append(
            f"repository target/release: no libalphapo checkout (Cargo.toml and "
            f"include/alphapo.h) at or above {here}"
        )
    for root in roots:
        built = root / "target" / "release" / LIBRARY_NAME
        if built.is_file():
            found.append(("repository target/release", built))
        else:
            notes.append(
                f"repository target/release {built}: no such file (run `cargo build --release`)"
            )
    return found, notes


def check_version(version: str, path: object = "libalphapo") -> None:
    """Refuses a library whose major.minor differs from this package's."""
    want = __version__.split(".")[:2]
    got = version.split(".")[:2]
    if got != want:
        raise OSError(
            f"{path} is libalphapo {version}, but the alphapo Python package "
            f"{__version__} needs libalphapo {'.'.join(want)}.x; install matching versions "
            f"(or point ${ENV_VAR} at a matching build)"
        )


def declare(lib: ctypes.CDLL, path: object = "libalphapo") -> None:
    """Sets restype/argtypes of every function; a missing symbol is an OSError."""
    for name, (restype, argtypes) in FUNCTIONS.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            raise OSError(
                f"{path} has no function {name}: the library is older or newer than the "
                f"alphapo Python package {__version__}"
            ) from None
        fn.restype = restype
        fn.argtypes = argtypes


def _open(origin: str, path: Path) -> Tuple[ctypes.CDLL, str]:
    try:
        lib = ctypes.CDLL(str(path))
    except OSError as e:
        raise OSError(f"cannot load libalphapo from {path} ({origin}): {e}") from None
    try:
        version_fn = lib.alphapo_version
    except AttributeError:
        raise OSError(f"{path} ({origin}) is not libalphapo: it has no alphapo_version") from None
    version_fn.restype = c_char_p
    version_fn.argtypes = []
    raw = version_fn()
    version = raw.decode("ascii", "replace") if raw else "(unknown)"
    check_version(version, path)
    declare(lib, path)
    return lib, version


def load() -> Tuple[ctypes.CDLL, Path, str]:
    """Finds, loads, checks and declares the library: (library, path, version)."""
    found, notes = candidates()
    if not found:
        raise OSError(
            "libalphapo not found; tried, in order:\n  - "
            + "\n  - ".join(notes)
            + f"\nBuild it with `cargo build --release` in the libalphapo checkout, install a "
            f"wheel that bundles it, or set ${ENV_VAR} to the path of {LIBRARY_NAME}."
        )
    origin, path = found[0]
    lib, version = _open(origin, path)
    return lib, path, version


lib, LIBRARY_PATH, LIBRARY_VERSION = load()


# --- small helpers every module uses ---------------------------------------------------


def take_string(ptr: Optional[int]) -> Optional[str]:
    """Copies an owned ``char *`` result into ``str`` and frees it. NULL gives None."""
    if not ptr:
        return None
    try:
        return ctypes.string_at(ptr).decode("utf-8")
    finally:
        lib.alphapo_string_free(ptr)


def text(raw: Optional[bytes]) -> Optional[str]:
    """A borrowed ``const char *`` result (already copied by ctypes) as ``str``."""
    return None if raw is None else raw.decode("utf-8", "replace")


def read_bytes(fn: object, handle: object) -> bytes:
    """Copies a borrowed ``(const uint8_t *, size_t *len)`` result."""
    length = c_size_t(0)
    ptr = fn(handle, ctypes.byref(length))  # type: ignore[operator]
    if not ptr or not length.value:
        return b""
    return ctypes.string_at(ptr, length.value)
