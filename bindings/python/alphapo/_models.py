"""Results: frozen dataclasses read from the core's normalized JSON.

The core has already decoded every reply tolerantly: amounts arrive as decimal strings
(whatever the API sent, string or number), ids and timestamps as integers, references as
strings, unknown fields kept. Here amounts become :class:`decimal.Decimal`. A value the
core could not understand is listed in ``malformed`` (dotted paths such as ``"amount"``
or ``"0.balance"``) and is kept exactly as received: for an amount that is the ``str``
the API sent (e.g. the documentation's own ``"0.106.75000000"``), never a guess.

Every result has ``raw`` (the whole normalized data, unknown fields included; JSON
numbers with a fraction are ``Decimal``, never ``float``), ``raw_body`` (the reply bytes
exactly as received), ``http_status`` and ``malformed``.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    Generic,
    Iterator,
    Mapping,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
    get_type_hints,
)

from ._attempts import AttemptRecord
from ._attempts import from_json as attempts_from_json

Amount = Union[Decimal, str]
"""A decoded amount: a ``Decimal``, or the ``str`` received when listed in ``malformed``."""


C = TypeVar("C")


def _keyword_only(cls: Type[C]) -> Type[C]:
    """Makes a dataclass's ``__init__`` take keyword arguments only: ``kw_only=True``, which
    Python 3.9 lacks. A positional call would be a trap: the fields run base class first
    (``raw``, ``http_status``, ...)."""
    init: Callable[..., None] = cls.__init__  # type: ignore[misc]

    @functools.wraps(init)
    def __init__(self: Any, **fields: Any) -> None:
        init(self, **fields)

    signature = inspect.signature(init)
    self_param, *params = signature.parameters.values()
    __init__.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[self_param, *(p.replace(kind=p.KEYWORD_ONLY) for p in params)]
    )
    cls.__init__ = __init__  # type: ignore[misc]
    return cls


@_keyword_only
@dataclass(frozen=True)
class _Item:
    raw: Any = field(default=None, repr=False)
    """The normalized JSON of this object (unknown fields included)."""


@_keyword_only
@dataclass(frozen=True)
class Result(_Item):
    """What every reply carries besides its typed fields."""

    attempts: AttemptRecord = field(default=AttemptRecord(), repr=False)
    """What happened during the call: each attempt and the total time."""

    http_status: int = 0
    """The HTTP status of the reply (200, 201, ...)."""
    raw_body: bytes = field(default=b"", repr=False)
    """The reply body exactly as received."""
    malformed: Tuple[str, ...] = ()
    """Dotted paths of values kept as received because they could not be understood."""


@_keyword_only
@dataclass(frozen=True)
class Response(Result):
    """A reply without a typed shape: ``ping`` and ``request``."""

    @property
    def data(self) -> Any:
        """The normalized ``data`` (for ping the text ``"OK"``). Same as ``raw``."""
        return self.raw

    def __repr__(self) -> str:
        data = repr(self.raw)
        if len(data) > 200:
            data = data[:200] + "..."
        return f"Response(http_status={self.http_status}, data={data}, malformed={self.malformed})"


@_keyword_only
@dataclass(frozen=True)
class Invoice(Result):
    """An invoice (``invoices/create``, ``invoices/{foreign_id}/cancel/``)."""

    id: Optional[int] = None
    url: Optional[str] = None
    """The hosted payment page."""
    foreign_id: Optional[str] = None
    end_user_reference: Optional[str] = None
    address: Optional[str] = None
    title: Optional[str] = None
    status: Optional[str] = None
    """``created``, ``pending``, ``processing``, ``confirmed``, ``failed``, or a new value."""
    currency: Optional[str] = None
    amount: Optional[Amount] = None
    sender_currency: Optional[str] = None
    sender_amount: Optional[Amount] = None
    fixed_at: Optional[int] = None
    release_at: Optional[int] = None
    seconds_left: Optional[int] = None


@_keyword_only
@dataclass(frozen=True)
class Address(Result):
    """A deposit address (``addresses/take``). Show ``tag`` too when it is set."""

    id: Optional[int] = None
    currency: Optional[str] = None
    convert_to: Optional[str] = None
    address: Optional[str] = None
    tag: Optional[str] = None
    foreign_id: Optional[str] = None
    end_user_reference: Optional[str] = None


@_keyword_only
@dataclass(frozen=True)
class Withdrawal(Result):
    """An accepted withdrawal (``withdrawal/crypto``); its outcome arrives by callback."""

    id: Optional[int] = None
    foreign_id: Optional[str] = None
    type: Optional[str] = None
    status: Optional[str] = None
    amount: Optional[Amount] = None
    sender_currency: Optional[str] = None
    sender_amount: Optional[Amount] = None
    receiver_currency: Optional[str] = None
    receiver_amount: Optional[Amount] = None


@_keyword_only
@dataclass(frozen=True)
class Exchange(Result):
    """A quote (``exchange/calculate``) or an accepted exchange (``exchange/fixed``,
    ``exchange/now``)."""

    id: Optional[int] = None
    foreign_id: Optional[str] = None
    sender_currency: Optional[str] = None
    sender_amount: Optional[Amount] = None
    receiver_currency: Optional[str] = None
    receiver_amount: Optional[Amount] = None
    fee_currency: Optional[str] = None
    fee_amount: Optional[Amount] = None
    price: Optional[Amount] = None
    ts_fixed: Optional[int] = None
    ts_release: Optional[int] = None
    status: Optional[str] = None


@_keyword_only
@dataclass(frozen=True)
class Transaction(Result):
    """A transaction (``transactions/info``)."""

    id: Optional[int] = None
    type: Optional[str] = None
    status: Optional[str] = None
    foreign_id: Optional[str] = None
    end_user_reference: Optional[str] = None
    sent_currency: Optional[str] = None
    sent_amount: Optional[Amount] = None
    received_currency: Optional[str] = None
    received_amount: Optional[Amount] = None
    error: Optional[str] = None
    """Why a transaction failed; ``None`` when empty."""


@_keyword_only
@dataclass(frozen=True)
class PaymentRequest(Result):
    """A created payment request (``payment_requests/create``); its outcome arrives by
    callback (``type == "payment_request"``, ``payment_request_id == id``)."""

    id: Optional[str] = None
    """The request's id (a UUID)."""
    payment_link: Optional[str] = None
    """The hosted payment page: opaque, redirect the payer to it as it is."""
    status: Optional[str] = None
    """``created``, then ``processing``, ``paid``, ``failed``, ``expired``, or a new value."""
    amount: Optional[Amount] = None
    currency: Optional[str] = None
    currency_network_name: Optional[str] = None
    life_time: Optional[int] = None
    """When the request expires (Unix seconds)."""
    foreign_id: Optional[str] = None
    end_user_reference: Optional[str] = None
    end_user_email: Optional[str] = None
    description: Optional[str] = None
    url_store: Optional[str] = None


@_keyword_only
@dataclass(frozen=True)
class Account(_Item):
    """One balance of ``accounts/list``."""

    currency: Optional[str] = None
    type: Optional[str] = None
    balance: Optional[Amount] = None


@_keyword_only
@dataclass(frozen=True)
class Currency(_Item):
    """One currency of ``currencies/list``."""

    id: Optional[int] = None
    type: Optional[str] = None
    currency: Optional[str] = None
    minimum_amount: Optional[Amount] = None
    deposit_fee_percent: Optional[Amount] = None
    withdrawal_fee_percent: Optional[Amount] = None
    precision: Optional[int] = None


@_keyword_only
@dataclass(frozen=True)
class CurrencyPair(_Item):
    """One pair of ``currencies/pairs`` or ``currencies/rates``."""

    currency_from: Optional[str] = None
    currency_to: Optional[str] = None
    min_amount: Optional[Amount] = None
    """The minimum amount of ``currency_from`` to exchange."""
    rate_from: Optional[Amount] = None
    rate_to: Optional[Amount] = None


T = TypeVar("T", bound=_Item)


@_keyword_only
@dataclass(frozen=True)
class ResultList(Result, Generic[T]):
    """A list reply: iterate it, index it, or read ``items``."""

    items: Tuple[T, ...] = ()

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> T:
        return self.items[index]


@_keyword_only
@dataclass(frozen=True)
class CallbackTransaction(_Item):
    """One blockchain transaction of a callback (``Callback.transactions``)."""

    id: Optional[int] = None
    txid: Optional[str] = None
    currency: Optional[str] = None
    amount: Optional[Amount] = None
    confirmations: Optional[int] = None
    type: Optional[str] = None


@_keyword_only
@dataclass(frozen=True)
class Callback(Result):
    """A verified, parsed callback.

    Process each ``dedupe_key`` once: the service may deliver the same event more than
    once, and one transaction produces several different events (``not_confirmed`` then
    ``confirmed``; one ``confirmed`` per instalment of a partial-pay invoice), each with its
    own key (``<type>:<id>:<status>:<transaction ids>:<remaining>:<received>``, computed
    by libalphapo). Fulfil an order when ``fully_paid`` is true, never on ``status ==
    "confirmed"`` alone. ``http_status`` is 0 (a callback is a request, not a reply).
    """

    id: Optional[int] = None
    type: Optional[str] = None
    """``deposit``, ``invoice``, ``withdrawal``, ... or a type this package does not know."""
    status: Optional[str] = None
    foreign_id: Optional[str] = None
    end_user_reference: Optional[str] = None
    sent_currency: Optional[str] = None
    sent_amount: Optional[Amount] = None
    received_currency: Optional[str] = None
    received_amount: Optional[Amount] = None
    received_amount_minus_fee: Optional[Amount] = None
    """Deposits: what was credited to the merchant."""
    remaining_amount: Optional[Amount] = None
    """Invoices: what is still due, in the payer's currency."""
    fixed_at: Optional[int] = None
    expires_at: Optional[int] = None
    error: Optional[str] = None
    """Why it failed; ``None`` when empty."""
    payment_request_id: Optional[str] = None
    """Payment-request callbacks: the request's id (they carry no root ``id``)."""
    requested_amount: Optional[Amount] = None
    """Payment requests: the amount asked for (``payment_request_amount.amount``)."""
    requested_currency: Optional[str] = None
    """Payment requests: its currency."""
    expected_amount: Optional[Amount] = None
    """Payment requests: what the payer must send at the locked rate, in ``sent_currency``
    (``sent_amount`` is what they have sent so far)."""
    transactions: Tuple[CallbackTransaction, ...] = ()
    """The blockchain transactions the callback reports (deposits, instalments, payments)."""
    dedupe_key: str = ""
    fully_paid: bool = False
    """Invoice ``confirmed`` with nothing remaining, or payment request ``paid``."""


# --- building results from the core's typed JSON ---------------------------------------
#
# The core has built the typed result (``envelope["result"]``): the API's quirks are handled
# there, once. Here a field is read by its name; amounts become ``Decimal`` unless the core
# lists them in ``malformed_fields`` (kept as the ``str`` received).


_BASE_FIELDS = frozenset(f.name for f in fields(Result))


@functools.lru_cache(maxsize=None)
def _amount_fields(cls: type) -> FrozenSet[str]:
    hints = get_type_hints(cls, globalns=globals())  # public classes say __module__ "alphapo"
    return frozenset(name for name, hint in hints.items() if hint == Optional[Amount])


def result_fields(cls: type) -> Tuple[str, ...]:
    """The typed fields of a result class (what the core's result JSON must hold)."""
    return tuple(f.name for f in fields(cls) if f.name not in _BASE_FIELDS)


def _typed(cls: Type[C], obj: Any, **common: Any) -> C:
    obj = obj if isinstance(obj, dict) else {}
    amounts = _amount_fields(cls)
    malformed = frozenset(obj.get("malformed_fields") or ())
    values: Dict[str, Any] = {}
    for name in result_fields(cls):
        value = obj.get(name)
        if name in amounts and isinstance(value, str) and name not in malformed:
            value = Decimal(value)
        values[name] = value
    return cls(**common, **values)  # type: ignore[call-arg]


_SINGLE: Dict[str, type] = {
    "invoice": Invoice,
    "address": Address,
    "withdrawal": Withdrawal,
    "exchange": Exchange,
    "transaction": Transaction,
    "payment_request": PaymentRequest,
}
LISTS: Dict[str, type] = {"accounts": Account, "currencies": Currency, "pairs": CurrencyPair}
"""The item class of each list result of the operations table."""
RESULT_TYPES: Dict[str, type] = {**_SINGLE, **LISTS, "text": Response, "json": Response}
"""The class (or list item class) of each result name of the operations table."""


def build(result: str, envelope: Mapping[str, Any], raw_body: bytes, http_status: int) -> Any:
    """The typed result named ``result`` (a row's ``result``) of a reply envelope."""
    common = {
        "raw": envelope.get("data"),
        "raw_body": raw_body,
        "http_status": http_status,
        "malformed": tuple(envelope.get("malformed") or ()),
        "attempts": attempts_from_json(envelope.get("attempts")),
    }
    typed = envelope.get("result")
    if result in _SINGLE:
        return _typed(_SINGLE[result], typed, **common)
    if result in LISTS:
        raw_items = common["raw"] if isinstance(common["raw"], list) else []
        items = tuple(
            _typed(LISTS[result], item, raw=raw)
            for item, raw in zip(typed if isinstance(typed, list) else (), raw_items)
        )
        return ResultList(**common, items=items)
    return Response(**common)


def callback(envelope: Mapping[str, Any], raw_body: bytes) -> Callback:
    """A verified callback's typed fields, from the core's result JSON."""
    typed = dict(envelope.get("result") or {})
    typed["dedupe_key"] = str(typed.get("dedupe_key") or "")
    typed["fully_paid"] = bool(typed.get("fully_paid"))
    typed["transactions"] = tuple(
        _typed(CallbackTransaction, item, raw=item)
        for item in typed.get("transactions") or ()
        if isinstance(item, dict)
    )
    return _typed(
        Callback,
        typed,
        raw=envelope.get("data"),
        raw_body=raw_body,
        http_status=0,
        malformed=tuple(envelope.get("malformed") or ()),
    )
