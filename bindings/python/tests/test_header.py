"""_ffi.py and the Python constants against include/alphapo.h (the contract)."""

from __future__ import annotations

import ctypes
import re
from typing import Dict, List, Tuple

import pytest

import alphapo
from alphapo import _ffi
from alphapo._client import Environment, Operation

from alphapo_test_support import HEADER

# Every test here reads the checkout's include/alphapo.h.
pytestmark = pytest.mark.checkout

_FUNCTION = re.compile(
    r"^(?P<ret>[A-Za-z_][\w\s\*]*?[\s\*])(?P<name>alphapo_\w+)\((?P<args>[^)]*)\);$"
)


def header_text() -> str:
    # Comments removed, so documentation text can never look like a declaration.
    text = HEADER.read_text()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def header_functions() -> Dict[str, Tuple[str, List[str]]]:
    """name -> (return type, [parameter types]) of every function the header declares."""
    functions: Dict[str, Tuple[str, List[str]]] = {}
    # Join declarations that span several lines.
    flat = re.sub(r"\s*\n\s*", " ", header_text())
    for decl in re.findall(r"[^;{}#]*?\balphapo_\w+\s*\([^)]*\)\s*;", flat):
        m = _FUNCTION.match(decl.strip())
        if not m:
            continue
        args = m.group("args").strip()
        params = [] if args in ("", "void") else [a.strip() for a in args.split(",")]
        types = [re.sub(r"\s*\b\w+$", "", p) if not p.endswith("*") else p for p in params]
        functions[m.group("name")] = (" ".join(m.group("ret").split()), [_norm(t) for t in types])
    return functions


def _norm(c_type: str) -> str:
    c_type = c_type.replace("*", " * ")
    return " ".join(c_type.split())


def header_enum(name: str) -> Dict[str, int]:
    text = header_text()
    m = re.search(r"typedef enum \{(?P<body>[^}]*)\}\s*" + name + r"\s*;", text)
    assert m, f"enum {name} not in the header"
    return {k: int(v) for k, v in re.findall(r"(\w+)\s*=\s*(-?\d+)", m.group("body"))}


def test_header_parses_into_many_functions():
    functions = header_functions()
    assert len(functions) > 60
    # Every identifier called like a function in the header was understood by the parser.
    assert set(functions) == set(re.findall(r"\b(alphapo_\w+)\s*\(", header_text()))
    assert functions["alphapo_sign"] == (
        "alphapo_status",
        ["const uint8_t *", "size_t", "const uint8_t *", "size_t", "char *", "size_t"],
    )
    assert functions["alphapo_version"] == ("const char *", [])


def test_every_header_function_is_declared_and_nothing_else():
    in_header = set(header_functions())
    declared = set(_ffi.FUNCTIONS)
    assert not in_header - declared, f"declare these in _ffi.py: {sorted(in_header - declared)}"
    assert not declared - in_header, f"not in the header any more: {sorted(declared - in_header)}"


def test_argument_counts_match():
    for name, (_, params) in header_functions().items():
        _, argtypes = _ffi.FUNCTIONS[name]
        assert len(argtypes) == len(params), f"{name}: header {params}, _ffi {argtypes}"


_SCALARS = {
    "size_t": ctypes.c_size_t,
    "uint32_t": ctypes.c_uint32,
    "uint16_t": ctypes.c_uint16,
    "uint64_t": ctypes.c_uint64,
    "bool": ctypes.c_bool,
    "alphapo_status": ctypes.c_int,
}


def _expected_param(c_type: str) -> Tuple[object, ...]:
    """The ctypes types acceptable for a parameter type of the header."""
    if c_type in _SCALARS:
        return (_SCALARS[c_type],)
    if c_type == "const uint8_t *":
        return (ctypes.c_char_p,)  # bytes in, with a length beside
    if c_type == "const char *":
        return (ctypes.c_char_p,)
    if c_type == "char *":
        return (ctypes.c_char_p, ctypes.c_void_p)  # an output buffer, or an owned string to free
    if c_type == "size_t *":
        return (ctypes.POINTER(ctypes.c_size_t),)
    m = re.fullmatch(r"(const )?(alphapo_\w+) \*( \*)?", c_type)
    if m:
        opaque = _ffi.OPAQUE_TYPES[m.group(2)]
        ptr = ctypes.POINTER(opaque)
        return (ctypes.POINTER(ptr),) if m.group(3) else (ptr,)
    raise AssertionError(f"no mapping for the C type {c_type!r}: extend the test and _ffi.py")


def _expected_return(c_type: str) -> Tuple[object, ...]:
    if c_type == "void":
        return (None,)
    if c_type in _SCALARS:
        return (_SCALARS[c_type],)
    if c_type == "const char *":
        return (ctypes.c_char_p,)  # borrowed or static: a copy is all we need
    if c_type == "char *":
        return (ctypes.c_void_p,)  # owned: must keep the pointer to free it
    if c_type == "const uint8_t *":
        return (ctypes.c_void_p,)  # bytes with a separate length, may contain NUL
    raise AssertionError(f"no mapping for the C return type {c_type!r}")


def test_types_match_the_header():
    for name, (ret, params) in header_functions().items():
        restype, argtypes = _ffi.FUNCTIONS[name]
        assert restype in _expected_return(ret), f"{name}: returns {ret}, declared {restype}"
        for i, (c_type, declared) in enumerate(zip(params, argtypes)):
            assert declared in _expected_param(
                c_type
            ), f"{name} argument {i}: header {c_type!r}, declared {declared}"


def test_owned_strings_are_c_void_p_and_every_pointer_result_has_a_restype():
    for name, (ret, _) in header_functions().items():
        fn = getattr(_ffi.lib, name)
        if ret == "char *":
            assert fn.restype is ctypes.c_void_p, name
        if "*" in ret:
            assert fn.restype is not ctypes.c_int, f"{name} would truncate its pointer"


def test_declarations_are_applied_to_the_loaded_library():
    for name, (restype, argtypes) in _ffi.FUNCTIONS.items():
        fn = getattr(_ffi.lib, name)
        assert fn.restype is restype, name
        assert list(fn.argtypes) == list(argtypes), name


def test_status_constants_match_the_header_and_the_library():
    in_header = header_enum("alphapo_status")
    mirrored = {f"ALPHAPO_STATUS_{s.name}": int(s) for s in alphapo.Status}
    assert mirrored == in_header
    for s in alphapo.Status:
        assert alphapo.status_name(s) == f"ALPHAPO_STATUS_{s.name}"
    assert alphapo.status_name(12345) == "ALPHAPO_STATUS_UNKNOWN"


def test_every_status_has_its_exception_class():
    expected = {
        "OK": None,
        "NULL_ARGUMENT": alphapo.InvalidArgumentError,
        "INVALID_ARGUMENT": alphapo.InvalidArgumentError,
        "BUFFER_TOO_SMALL": alphapo.InvalidArgumentError,
        "VALIDATION": alphapo.ValidationError,
        "SIGNATURE_MISMATCH": alphapo.SignatureMismatchError,
        "AUTH": alphapo.AuthenticationError,
        "API": alphapo.ApiError,
        "DUPLICATE_FOREIGN_ID": alphapo.DuplicateForeignIdError,
        "RATE_LIMITED": alphapo.RateLimitError,
        "SERVER": alphapo.ServerError,
        "TRANSPORT": alphapo.ConnectionError,
        "TIMEOUT": alphapo.TimeoutError,
        "TLS": alphapo.TLSError,
        "DECODE": alphapo.DecodeError,
        "OUTCOME_UNKNOWN": alphapo.OutcomeUnknownError,
        "PANIC": alphapo.PanicError,
    }
    from alphapo._errors import error_class

    assert set(expected) == {s.name for s in alphapo.Status}
    for name, cls in expected.items():
        if cls is not None:
            assert error_class(alphapo.Status[name]) is cls
            assert issubclass(cls, alphapo.AlphaPoError)
    assert error_class(4242) is alphapo.AlphaPoError


def test_environment_and_operation_constants_match_the_header():
    assert {f"ALPHAPO_ENVIRONMENT_{e.name}": int(e) for e in Environment} == header_enum(
        "alphapo_environment"
    )
    assert {f"ALPHAPO_OPERATION_{o.name}": int(o) for o in Operation} == header_enum(
        "alphapo_operation"
    )


def test_version_macros_runtime_and_package_agree():
    text = HEADER.read_text()
    macro = re.search(r'#define ALPHAPO_VERSION "([^"]+)"', text).group(1)
    major = int(re.search(r"#define ALPHAPO_VERSION_MAJOR (\d+)", text).group(1))
    minor = int(re.search(r"#define ALPHAPO_VERSION_MINOR (\d+)", text).group(1))
    assert alphapo.library_version() == macro
    assert alphapo.__version__.split(".")[:2] == [str(major), str(minor)]


def test_incompatible_versions_are_refused():
    _ffi.check_version(alphapo.__version__)
    major, minor = alphapo.__version__.split(".")[:2]
    _ffi.check_version(f"{major}.{minor}.99")
    for other in (f"{major}.{int(minor) + 1}.0", f"{int(major) + 1}.{minor}.0", "garbage"):
        with pytest.raises(OSError, match="needs libalphapo"):
            _ffi.check_version(other, "libtest.so")
