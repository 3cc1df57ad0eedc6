"""The client: one method per API operation, each a single call into the core.

Each method maps its keyword arguments (the API's own field names) to the JSON object the
C ABI takes; the core validates every field rule (reporting all failures at once as a
:class:`ValidationError`, with nothing sent), serializes the wire body once, signs those
bytes, sends them with its retry policy and decodes the reply tolerantly.
"""

from __future__ import annotations

import ctypes
import enum
import functools
import inspect
import os
import time
from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    Mapping,
    NoReturn,
    Optional,
    Tuple,
    TypeVar,
    Union,
)
from urllib.parse import urlsplit

from . import _ffi, _log, _models, _operations
from ._convert import (
    AmountLike,
    BytesLike,
    amount_text,
    parse_json,
    request_json,
    secret_arg,
    timeout_ms,
    to_bytes,
)
from ._errors import AlphaPoError, ErrorSlot, InvalidArgumentError, envelope_text
from ._handle import Handle
from ._signature import _cstr


class Environment(enum.IntEnum):
    """The known API hosts (``alphapo_environment``)."""

    ALPHAPO = 0
    """``https://app.alphapo.net/api/v2`` (the default)."""
    CRYPTOPROCESSING = 1
    """``https://app.cryptoprocessing.com/api/v2``."""
    CRYPTOPROCESSING_SANDBOX = 2
    """``https://app.sandbox.cryptoprocessing.com/api/v2``."""
    CRYPTOPROCESSING_LT = 3
    """``https://app.lt.cryptoprocessing.com/api/v2``."""
    COINSPAID = 4
    """``https://app.coinspaid.com/api/v2`` (legacy host)."""


class Operation(enum.IntEnum):
    """The operation numbers of ``alphapo_operation``."""

    PING = 1
    ACCOUNTS_LIST = 2
    CURRENCIES_LIST = 3
    CURRENCIES_PAIRS = 4
    CURRENCIES_RATES = 5
    ADDRESSES_TAKE = 6
    WITHDRAWAL_CRYPTO = 7
    EXCHANGE_CALCULATE = 8
    EXCHANGE_FIXED = 9
    EXCHANGE_NOW = 10
    INVOICES_CREATE = 11
    INVOICES_CANCEL = 12
    TRANSACTIONS_INFO = 13
    GENERIC = 14
    PAYMENT_REQUESTS_CREATE = 15


def _read_response(out: Any, operation: int) -> Any:
    """Reads and frees an ``alphapo_response *``, building the operation's result."""
    lib = _ffi.lib
    try:
        http_status = lib.alphapo_response_http_status(out)
        envelope = parse_json(
            envelope_text(_ffi.take_string(lib.alphapo_response_json(out)), "alphapo_response_json")
        )
        raw_body = _ffi.read_bytes(lib.alphapo_response_raw_body, out)
    finally:
        lib.alphapo_response_free(out)
    return _models.build(_operations.BY_CODE[operation].result, envelope, raw_body, http_status)


class _NativePrepared(Handle):
    _kind = "prepared request"

    def __init__(self, ptr: Any) -> None:
        self._adopt(ptr, _ffi.lib.alphapo_prepared_free)


@dataclass(frozen=True)
class PreparedRequest:
    """A signed request ready to send with your own HTTP client.

    Send exactly ``body`` (the signature in the headers covers these bytes) with
    ``method`` to ``url`` and ``headers``; then turn the reply into the operation's
    result (or exception) with :meth:`parse_reply`. Or let the library send it:
    :meth:`Client.send`.
    """

    method: str
    url: str
    body: bytes = field(repr=False)
    headers: Dict[str, str] = field(hash=False, repr=False)
    """``X-Processing-Key``, ``X-Processing-Signature`` and ``Content-Type``."""
    operation: int = field(repr=False)
    _native: Any = field(repr=False, compare=False, default=None)

    def __repr__(self) -> str:
        # The signature is a credential for this body: at most its first 8 characters.
        shown = {
            k: (v[:8] + "…" if k.lower() == "x-processing-signature" else v)
            for k, v in self.headers.items()
        }
        return f"PreparedRequest(method={self.method!r}, url={self.url!r}, headers={shown!r})"

    def parse_reply(self, http_status: int, body: BytesLike) -> Any:
        """Decodes the reply your HTTP client received: a 2xx body becomes the operation's
        result; any other status raises the matching :class:`AlphaPoError` (403 ->
        :class:`AuthenticationError`, taken foreign_id -> :class:`DuplicateForeignIdError`,
        ...)."""
        return parse_reply(self.operation, http_status, body)


def parse_reply(operation: int, http_status: int, body: BytesLike) -> Any:
    """Decodes a reply of ``operation`` (an :class:`Operation`) received by your own HTTP
    client; see :meth:`PreparedRequest.parse_reply`."""
    data = to_bytes(body, "body")
    try:
        operation = Operation(operation)  # ctypes would truncate 2**32 + 7 to 7 silently
    except ValueError:
        raise InvalidArgumentError(f"operation {operation!r} is not an alphapo.Operation") from None
    if isinstance(http_status, bool) or not isinstance(http_status, int):
        raise TypeError("http_status must be an int")
    if not 0 <= http_status <= 0xFFFF:
        raise ValueError(f"http_status {http_status} is not an HTTP status")
    out = _ffi.ResponseP()
    slot = ErrorSlot()
    slot.check(
        _ffi.lib.alphapo_decode_reply(
            int(operation), http_status, data, len(data), ctypes.byref(out), slot.ref
        )
    )
    return _read_response(out, int(operation))


def _read_prepared(out: Any, operation: int) -> PreparedRequest:
    lib = _ffi.lib
    native = _NativePrepared(out)
    headers = {}
    for i in range(lib.alphapo_prepared_header_count(out)):
        name = _ffi.text(lib.alphapo_prepared_header_name(out, i))
        if name is not None:
            headers[name] = _ffi.text(lib.alphapo_prepared_header_value(out, i)) or ""
    return PreparedRequest(
        method=_ffi.text(lib.alphapo_prepared_method(out)) or "",
        url=_ffi.text(lib.alphapo_prepared_url(out)) or "",
        body=_ffi.read_bytes(lib.alphapo_prepared_body, out),
        headers=headers,
        operation=operation,
        _native=native,
    )


def _amount(value: Optional[AmountLike], name: str) -> Optional[str]:
    return None if value is None else amount_text(value, name)


def _mapping(value: Optional[Mapping[str, str]], name: str) -> Optional[Dict[str, str]]:
    return None if value is None else dict(value)


def _as_is(value: Any, name: str) -> Any:
    return value


R = TypeVar("R")
# A method mapping its arguments to an operation's fields. Its exact parameters stay visible
# at run time (``__signature__`` below); typing.ParamSpec, which would carry them statically,
# needs Python 3.10.
FieldsMethod = Callable[..., Dict[str, Any]]


def _result_annotation(code: Operation) -> Any:
    result = _operations.BY_CODE[code].result
    cls = _models.RESULT_TYPES[result]
    return _models.ResultList[cls] if result in _models.LISTS else cls  # type: ignore[valid-type]


def _operation(code: Operation) -> Callable[[FieldsMethod], Callable[..., Any]]:
    """Turns a method that maps its arguments to the operation's fields into the method
    that runs the operation (its typed result named by the core's operations table), and
    records what its ``prepare_`` twin needs."""

    def decorate(fields_fn: FieldsMethod) -> Callable[..., Any]:
        assert _operations.BY_CODE[code].method_name == fields_fn.__name__, fields_fn.__name__

        @functools.wraps(fields_fn)
        def run(self: "Client", *args: Any, **kwargs: Any) -> Any:
            return self._call(fields_fn.__name__, code, fields_fn(self, *args, **kwargs))

        result = _result_annotation(code)
        run.__signature__ = inspect.signature(fields_fn).replace(  # type: ignore[attr-defined]
            return_annotation=result
        )
        run.__annotations__ = {**fields_fn.__annotations__, "return": result}
        run._alphapo = (code, fields_fn)  # type: ignore[attr-defined]
        return run

    return decorate


# The kinds of request field: a method's annotation of the argument, and how its value becomes
# the JSON the core takes (None stays None: the field is left out).
_KINDS: Dict[str, Tuple[str, Callable[[Any, str], Any]]] = {
    "str": ("Optional[str]", _as_is),
    "int": ("Optional[int]", _as_is),
    "bool": ("Optional[bool]", _as_is),
    "amount": ("Optional[AmountLike]", _amount),
    "map": ("Optional[Mapping[str, str]]", _mapping),
}


def _fields_method(code: Operation, spec: str, doc: str) -> FieldsMethod:
    """The method mapping its arguments to the operation's fields, made from ``spec``: the
    request fields, space-separated, each ``name`` (a str) or ``name:kind`` (see _KINDS).
    Every argument is keyword-only and defaults to None, but for the identifying field of
    the operations table's row, which comes first and may be given positionally."""
    row = _operations.BY_CODE[code]
    fields = [(name, kind or "str") for name, _, kind in (f.partition(":") for f in spec.split())]
    positional = tuple(name for name, _ in fields[:1] if name == row.identifier)
    assert row.identifier in (None, *positional), row.method_name
    names = frozenset(name for name, _ in fields)
    converters = [(name, _KINDS[kind][1]) for name, kind in fields]
    signature = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [
            inspect.Parameter(
                name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD
                if name in positional
                else inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=_KINDS[kind][0],
            )
            for name, kind in fields
        ],
        return_annotation="Dict[str, Any]",
    )

    def fields_fn(self: "Client", *args: Any, **kwargs: Any) -> Dict[str, Any]:
        values = dict(zip(positional, args))
        if len(args) > len(positional) or not kwargs.keys() <= names or values.keys() & kwargs:
            _wrong_call(row.method_name, positional, names, args, kwargs)
        values.update(kwargs)
        return {name: convert(values.get(name), name) for name, convert in converters}

    fields_fn.__name__ = row.method_name
    fields_fn.__qualname__ = f"Client.{row.method_name}"
    fields_fn.__doc__ = doc
    fields_fn.__signature__ = signature  # type: ignore[attr-defined]
    fields_fn.__annotations__ = {
        **{p.name: p.annotation for p in list(signature.parameters.values())[1:]},
        "return": signature.return_annotation,
    }
    return fields_fn


def _wrong_call(
    method: str,
    positional: Tuple[str, ...],
    names: FrozenSet[str],
    args: Tuple[Any, ...],
    kwargs: Mapping[str, Any],
) -> NoReturn:
    """Raises the TypeError Python raises for a call that does not fit the parameters."""
    if len(args) > len(positional):
        most, given = 1 + len(positional), 1 + len(args)
        takes = f"from 1 to {most} positional arguments" if positional else "1 positional argument"
        raise TypeError(f"Client.{method}() takes {takes} but {given} were given")
    for name in kwargs:
        if name not in names:
            raise TypeError(f"Client.{method}() got an unexpected keyword argument {name!r}")
        if name in positional[: len(args)]:
            raise TypeError(f"Client.{method}() got multiple values for argument {name!r}")
    raise AssertionError("not a wrong call")


def _table_operation(code: Operation, spec: str, doc: str) -> Callable[..., Any]:
    """The client method of an operation whose request fields are plain values (see
    :func:`_fields_method`)."""
    return _operation(code)(_fields_method(code, spec, doc))


def _prepare_twin(method: Callable[..., Any]) -> Callable[..., PreparedRequest]:
    code, fields_fn = method._alphapo  # type: ignore[attr-defined]

    @functools.wraps(fields_fn)
    def prepare(self: "Client", *args: Any, **kwargs: Any) -> PreparedRequest:
        return self._prepare(code, fields_fn(self, *args, **kwargs))

    prepare.__name__ = f"prepare_{method.__name__}"
    prepare.__qualname__ = f"Client.prepare_{method.__name__}"
    prepare.__doc__ = (
        f"Like :meth:`{method.__name__}`, but stops before sending: returns the signed "
        f":class:`PreparedRequest` (method, URL, exact body bytes, headers). No network access."
    )
    prepare.__signature__ = inspect.signature(fields_fn).replace(  # type: ignore[attr-defined]
        return_annotation="PreparedRequest"
    )
    prepare.__annotations__ = {**fields_fn.__annotations__, "return": "PreparedRequest"}
    return prepare


EnvironmentLike = Union[Environment, str, int]


def _environment(value: EnvironmentLike) -> int:
    if isinstance(value, Environment):
        return int(value)
    if isinstance(value, str):
        try:
            return int(Environment[value.strip().upper().replace("-", "_")])
        except KeyError:
            names = ", ".join(e.name.lower() for e in Environment)
            raise ValueError(f"unknown environment {value!r}; known: {names}") from None
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return int(Environment(value))  # ctypes would truncate an out-of-range number
        except ValueError:
            raise InvalidArgumentError(f"unknown environment {value!r}") from None
    raise TypeError(f"environment must be an Environment, str or int, not {type(value).__name__}")


class Client(Handle):
    """A client of the merchant API v2.

    ``api_key`` is the ``X-Processing-Key``; ``secret`` (``str`` or ``bytes``) signs every
    request: it is handed to the library (which zeroizes it when the client is freed)
    and not kept by this object. Choose the host with ``environment`` (an
    :class:`Environment`, its name, e.g. ``"cryptoprocessing_sandbox"``; default AlphaPo
    production) or ``base_url`` (including ``/api/v2``; ``http://`` only for a loopback
    host unless ``allow_insecure_http``). Payment requests go to the same host's
    ``/api/payments/v1``, or to ``payments_base_url`` when given. ``timeout`` (send and receive) and
    ``connect_timeout`` are in seconds (defaults 30 and 10); ``max_retries`` (default 2)
    applies only where a retry is safe; ``app_info`` (e.g. ``"MyShop/1.4"``) is appended
    to the User-Agent; ``ca_file`` trusts exactly the PEM certificates of that file.
    ``proxy`` (``"http://[user:pass@]host:port"``) sends every call through that HTTP
    proxy (HTTPS through a CONNECT tunnel, TLS verified end to end); the environment's
    proxy variables are read only with ``proxy_from_environment=True`` (``HTTPS_PROXY``
    for an https API, ``HTTP_PROXY`` for plain http but never under CGI, ``NO_PROXY``,
    never for a loopback host).

    One client per process is enough: it is thread-safe (ctypes releases the GIL, so calls
    from several threads run in parallel on its connection pool) and keeps connections
    alive. After ``os.fork()`` the child's first call opens its own connections (the
    parent's are never used or closed by the child). Use it as a context manager or call
    :meth:`close`.

    Every field argument is optional in the signature: the library reports every missing
    or invalid field at once as a :class:`ValidationError` (``.fields``), before anything
    is sent. Amounts take ``Decimal``, ``int`` or ``str``, never ``float``.
    """

    _kind = "client"

    def __init__(
        self,
        api_key: str,
        secret: BytesLike,
        *,
        environment: Optional[EnvironmentLike] = None,
        base_url: Optional[str] = None,
        payments_base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        app_info: Optional[str] = None,
        ca_file: Optional[Union[str, "os.PathLike[str]"]] = None,
        allow_insecure_http: bool = False,
        proxy: Optional[str] = None,
        proxy_from_environment: bool = False,
    ) -> None:
        if environment is not None and base_url is not None:
            raise ValueError("give environment or base_url, not both")
        lib = _ffi.lib
        key = _cstr(api_key, "api_key") if isinstance(api_key, str) else None
        if key is None:
            raise TypeError(f"api_key must be str, not {type(api_key).__name__}")
        sec, sec_len = secret_arg(secret)
        connect_ms = timeout_ms(connect_timeout, "connect_timeout")
        total_ms = timeout_ms(timeout, "timeout")
        if max_retries is not None and (
            isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0
        ):
            raise ValueError(f"max_retries must be an int >= 0, not {max_retries!r}")
        builder = _ffi.BuilderP()
        slot = ErrorSlot()
        slot.check(
            lib.alphapo_client_builder_new(key, sec, sec_len, ctypes.byref(builder), slot.ref)
        )
        try:
            if environment is not None:
                slot.check(
                    lib.alphapo_client_builder_set_environment(
                        builder, _environment(environment), slot.ref
                    )
                )
            if base_url is not None:
                slot.check(
                    lib.alphapo_client_builder_set_base_url(
                        builder, _cstr(base_url, "base_url"), bool(allow_insecure_http), slot.ref
                    )
                )
            if payments_base_url is not None:
                slot.check(
                    lib.alphapo_client_builder_set_payments_base_url(
                        builder,
                        _cstr(payments_base_url, "payments_base_url"),
                        bool(allow_insecure_http),
                        slot.ref,
                    )
                )
            if connect_ms or total_ms:
                slot.check(
                    lib.alphapo_client_builder_set_timeouts(builder, connect_ms, total_ms, slot.ref)
                )
            if max_retries is not None:
                slot.check(
                    lib.alphapo_client_builder_set_max_retries(
                        builder, min(max_retries, 0xFFFFFFFF), slot.ref
                    )
                )
            if app_info is not None:
                slot.check(
                    lib.alphapo_client_builder_set_app_info(
                        builder, _cstr(app_info, "app_info"), slot.ref
                    )
                )
            if ca_file is not None:
                slot.check(
                    lib.alphapo_client_builder_set_ca_file(
                        builder, _cstr(os.fspath(ca_file), "ca_file"), slot.ref
                    )
                )
            if proxy is not None:
                slot.check(
                    lib.alphapo_client_builder_set_proxy(builder, _cstr(proxy, "proxy"), slot.ref)
                )
            if proxy_from_environment:
                slot.check(
                    lib.alphapo_client_builder_set_proxy_from_environment(builder, True, slot.ref)
                )
        except BaseException:
            lib.alphapo_client_builder_free(builder)
            raise
        client = _ffi.ClientP()
        # Consumes the builder, also when it fails.
        slot.check(lib.alphapo_client_builder_build(builder, ctypes.byref(client), slot.ref))
        self._adopt(client, lib.alphapo_client_free)
        if base_url is not None:
            self._target = base_url
        elif environment is not None:
            self._target = Environment(_environment(environment)).name.lower()
        else:
            self._target = Environment.ALPHAPO.name.lower()

    def __repr__(self) -> str:
        state = " closed" if self.closed else ""
        return f"<alphapo.Client {self._target}{state}>"

    # --- plumbing ----------------------------------------------------------------------

    def _run(
        self,
        operation: str,
        code: int,
        route: Tuple[str, str],
        invoke: Callable[[Any, Any, Any], int],
    ) -> Any:
        """The single path of every call that reaches the network: runs
        ``invoke(client_ptr, response_out, error_out)``, reads its result (``None`` for an
        empty ``response_out``, which only reconcile's 404 leaves) and records the call
        on the ``alphapo`` logger (see ``_log``)."""
        start = time.monotonic()
        out = _ffi.ResponseP()
        slot = ErrorSlot()
        try:
            ptr = self._acquire()
            try:
                status = invoke(ptr, ctypes.byref(out), slot.ref)
            finally:
                self._release()
            slot.check(status)
            if not out:
                result, http_status = None, 404
            else:
                result = _read_response(out, code)
                http_status = getattr(result, "http_status", None)
        except AlphaPoError as error:
            elapsed = (time.monotonic() - start) * 1000.0
            _log.call_done(
                operation, route[0], route[1], elapsed, error.http_status, error.attempts, error
            )
            raise
        elapsed = (time.monotonic() - start) * 1000.0
        attempts = getattr(result, "attempts", None)
        _log.call_done(operation, route[0], route[1], elapsed, http_status, attempts)
        return result

    def _call(self, operation: str, code: int, fields: Dict[str, Any]) -> Any:
        payload = request_json(fields)
        if code == Operation.GENERIC:
            route = (str(fields.get("method") or "POST").upper(), _log.bare_path(fields.get("path")))
        else:
            route = _log.route(code) or ("?", "?")
        return self._run(
            operation,
            code,
            route,
            lambda ptr, out, err: _ffi.lib.alphapo_client_call(ptr, code, payload, out, err),
        )

    def reconcile(self, foreign_id: str) -> Optional[_models.Transaction]:
        """Looks a money-moving operation up by its ``foreign_id`` (``transactions/info``):
        the answer to :class:`OutcomeUnknownError` (``error.foreign_id``) and to a
        :class:`DuplicateForeignIdError` that "may already have happened".

        Returns the :class:`Transaction` (read its ``status``) or ``None`` when the service
        answers 404: no such transaction (yet: a withdrawal may still be in flight, so wait
        for its callback before sending it again with a new ``foreign_id``). Any other
        failure raises. Read-only, so it is retried like any lookup."""
        if not isinstance(foreign_id, str):
            raise TypeError(f"foreign_id must be str, not {type(foreign_id).__name__}")
        text = _cstr(foreign_id, "foreign_id")
        return self._run(  # type: ignore[no-any-return]
            "reconcile",
            Operation.TRANSACTIONS_INFO,
            _log.route(Operation.TRANSACTIONS_INFO) or ("GET", "?"),
            lambda ptr, out, err: _ffi.lib.alphapo_client_reconcile(ptr, text, out, err),
        )

    def _prepare(self, code: int, fields: Dict[str, Any]) -> PreparedRequest:
        payload = request_json(fields)
        out = _ffi.PreparedP()
        slot = ErrorSlot()
        ptr = self._acquire()
        try:
            status = _ffi.lib.alphapo_client_prepare(
                ptr, code, payload, ctypes.byref(out), slot.ref
            )
        finally:
            self._release()
        slot.check(status)
        return _read_prepared(out, code)

    def send(self, prepared: PreparedRequest) -> Any:
        """Sends a :class:`PreparedRequest` (the same bytes on every retry) and returns the
        operation's result."""
        native = prepared._native
        if not isinstance(native, _NativePrepared):
            raise TypeError("send() takes a PreparedRequest made by a prepare_... method")
        code = prepared.operation
        route = _log.route(code) or (prepared.method, urlsplit(prepared.url).path)

        def invoke(ptr: Any, out: Any, err: Any) -> int:
            prepared_ptr = native._acquire()
            try:
                return int(_ffi.lib.alphapo_client_send(ptr, prepared_ptr, out, err))
            finally:
                native._release()

        return self._run("send", code, route, invoke)

    # --- operations --------------------------------------------------------------------
    # Each one's request fields (see _fields_method), by the API's own names: the core
    # validates them, serializes the body and signs it.

    ping = _table_operation(
        Operation.PING, "", """``GET /ping``: whether the API answers (``.data == "OK"``)."""
    )

    list_accounts = _table_operation(
        Operation.ACCOUNTS_LIST,
        "",
        """``POST /accounts/list``: every balance (:class:`Account` items).""",
    )

    list_currencies = _table_operation(
        Operation.CURRENCIES_LIST,
        "visible:bool",
        """``POST /currencies/list``: the currencies (:class:`Currency` items); ``visible``
        ``True`` for enabled ones, ``False`` for disabled ones.""",
    )

    currency_pairs = _table_operation(
        Operation.CURRENCIES_PAIRS,
        "currency_from currency_to",
        """``POST /currencies/pairs``: exchangeable pairs, optionally filtered.""",
    )

    currency_rates = _table_operation(
        Operation.CURRENCIES_RATES,
        "currency_from currency_to",
        """``POST /currencies/rates``: the rate of one pair (both currencies required).""",
    )

    take_address = _table_operation(
        Operation.ADDRESSES_TAKE,
        "currency foreign_id convert_to end_user_reference sender_type sender_data:map",
        """``POST /addresses/take``: a permanent deposit address for the customer
        ``foreign_id`` (required, with ``currency``).""",
    )

    withdraw = _table_operation(
        Operation.WITHDRAWAL_CRYPTO,
        "currency address foreign_id amount:amount amount_to:amount convert_to tag "
        "end_user_reference sender_type sender_data:map receiver_type receiver_data:map",
        """``POST /withdrawal/crypto``: a payout of ``amount`` (or ``amount_to`` in
        ``convert_to``) to ``address``. ``foreign_id`` must be unique: if the call fails
        with :class:`DuplicateForeignIdError`, the withdrawal may already exist.""",
    )

    calculate_exchange = _table_operation(
        Operation.EXCHANGE_CALCULATE,
        "sender_currency receiver_currency sender_amount:amount receiver_amount:amount",
        """``POST /exchange/calculate``: a quote valid for 60 s (give ``sender_amount`` or
        ``receiver_amount``).""",
    )

    exchange_fixed = _table_operation(
        Operation.EXCHANGE_FIXED,
        "sender_currency receiver_currency sender_amount:amount receiver_amount:amount "
        "foreign_id price:amount",
        """``POST /exchange/fixed``: executes a quote at its ``price`` before it expires.""",
    )

    exchange_now = _table_operation(
        Operation.EXCHANGE_NOW,
        "sender_currency receiver_currency sender_amount:amount receiver_amount:amount "
        "foreign_id",
        """``POST /exchange/now``: exchanges at the market rate.""",
    )

    create_invoice = _table_operation(
        Operation.INVOICES_CREATE,
        "title currency amount:amount foreign_id description sender_currency "
        "end_user_reference url_success url_failed email_user type timer:bool sender_type "
        "sender_data:map",
        """``POST /invoices/create``: an invoice with a hosted payment page (``.url``).

        Required: ``title`` (1-50 characters), ``currency``, ``amount`` and a unique
        ``foreign_id``. ``type`` is ``"fill_or_kill"`` (default) or
        ``"good_until_expired"``; ``timer=True`` makes it expire after 15 minutes.
        """,
    )

    create_payment_request = _table_operation(
        Operation.PAYMENT_REQUESTS_CREATE,
        "amount:amount currency:map life_time_duration:int life_time_datetime:int "
        "payment_currency:map end_user_email end_user_reference description foreign_id "
        "url_store url_success url_failed sender_type sender_data:map",
        """``POST /api/payments/v1/requests``: a payment request with a hosted payment link
        (``.payment_link``, opaque) and a lifetime.

        Required: ``amount`` (what you receive), ``currency`` (``{"iso": "EUR"}``, optionally
        with ``"network_name"``) and one of ``life_time_duration`` (seconds) and
        ``life_time_datetime`` (Unix seconds). Money moves: a lost reply raises
        :class:`OutcomeUnknownError`; never repeat it blindly.
        """,
    )

    cancel_invoice = _table_operation(
        Operation.INVOICES_CANCEL,
        "foreign_id",
        """``POST /invoices/{foreign_id}/cancel/``: moves an unpaid invoice to ``failed``.

        The documentation shows the text ``OK`` as the reply: then every typed field is
        ``None`` and ``.raw == "OK"``; when the service answers the invoice, its fields
        are filled.""",
    )

    transaction_info = _table_operation(
        Operation.TRANSACTIONS_INFO,
        "id:int foreign_id txid",
        """``GET /transactions/info``: one transaction, by exactly one of ``id``,
        ``foreign_id`` and ``txid``.""",
    )

    @_operation(Operation.GENERIC)
    def request(
        self, path: str, body: Optional[Mapping[str, Any]] = None, method: str = "POST"
    ) -> Dict[str, Any]:
        """A signed call to any endpoint below the base URL (e.g. one newer than this
        package): ``path`` such as ``"/accounts/list"``, ``body`` a JSON-able mapping
        (amounts as ``Decimal`` or ``str``; floats are refused), ``method`` ``"POST"`` or
        ``"GET"``. Only retried when nothing reached the server."""
        return {"method": method, "path": path, "body": None if body is None else dict(body)}


# Every operation's ``prepare_`` twin, derived from the operations table.
for _row in _operations.OPERATIONS:
    setattr(Client, f"prepare_{_row.method_name}", _prepare_twin(getattr(Client, _row.method_name)))
del _row
