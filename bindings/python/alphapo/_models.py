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
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import (
    Any,
    Callable,
    Dict,
    Generic,
    Iterator,
    Mapping,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
)

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


class _Reader:
    """Typed reads from one object of the normalized data, aware of malformed paths."""

    __slots__ = ("data", "prefix", "malformed")

    def __init__(self, data: Any, prefix: str, malformed: "frozenset[str]") -> None:
        self.data = data if isinstance(data, dict) else {}
        self.prefix = prefix
        self.malformed = malformed

    def sub(self, key: str) -> "_Reader":
        return _Reader(self.data.get(key), f"{self.prefix}{key}.", self.malformed)

    def _get(self, key: str) -> Tuple[Any, bool]:
        return self.data.get(key), f"{self.prefix}{key}" in self.malformed

    def amount(self, key: str) -> Optional[Amount]:
        value, bad = self._get(key)
        if value is None or bad:
            return value  # type: ignore[no-any-return]  # as received
        if isinstance(value, Decimal):
            return value
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            try:
                return Decimal(value)
            except (InvalidOperation, ValueError):
                return str(value)
        return value  # type: ignore[no-any-return]  # as received

    def int(self, key: str) -> Any:
        value, _ = self._get(key)
        return value

    def text(self, key: str) -> Any:
        value, bad = self._get(key)
        if value is None or bad or isinstance(value, str):
            return value
        return str(value)


@_keyword_only
@dataclass(frozen=True)
class _Item:
    raw: Any = field(default=None, repr=False)
    """The normalized JSON of this object (unknown fields included)."""


@_keyword_only
@dataclass(frozen=True)
class Result(_Item):
    """What every reply carries besides its typed fields."""

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
    dedupe_key: str = ""
    fully_paid: bool = False
    """Invoice ``confirmed`` with nothing remaining, or payment request ``paid``."""


# --- builders: (data, envelope) -> result ----------------------------------------------


def _common(envelope: Mapping[str, Any], raw_body: bytes, http_status: int) -> Dict[str, Any]:
    return {
        "raw": envelope.get("data"),
        "raw_body": raw_body,
        "http_status": http_status,
        "malformed": tuple(envelope.get("malformed") or ()),
    }


def _reader(envelope: Mapping[str, Any], prefix: str = "") -> _Reader:
    return _Reader(envelope.get("data"), prefix, frozenset(envelope.get("malformed") or ()))


def response(envelope: Mapping[str, Any], raw_body: bytes, http_status: int) -> Response:
    return Response(**_common(envelope, raw_body, http_status))


def invoice(envelope: Mapping[str, Any], raw_body: bytes, http_status: int) -> Invoice:
    r = _reader(envelope)
    return Invoice(
        **_common(envelope, raw_body, http_status),
        id=r.int("id"),
        url=r.text("url"),
        foreign_id=r.text("foreign_id"),
        end_user_reference=r.text("end_user_reference"),
        address=r.text("address"),
        title=r.text("title") if r.data.get("title") is not None else r.text("name"),
        status=r.text("status"),
        currency=r.text("currency"),
        amount=r.amount("amount"),
        sender_currency=r.text("sender_currency"),
        sender_amount=r.amount("sender_amount"),
        fixed_at=r.int("fixed_at"),
        release_at=r.int("release_at"),
        seconds_left=r.int("seconds_left"),
    )


def address(envelope: Mapping[str, Any], raw_body: bytes, http_status: int) -> Address:
    r = _reader(envelope)
    return Address(
        **_common(envelope, raw_body, http_status),
        id=r.int("id"),
        currency=r.text("currency"),
        convert_to=r.text("convert_to"),
        address=r.text("address"),
        tag=r.text("tag"),
        foreign_id=r.text("foreign_id"),
        end_user_reference=r.text("end_user_reference"),
    )


def withdrawal(envelope: Mapping[str, Any], raw_body: bytes, http_status: int) -> Withdrawal:
    r = _reader(envelope)
    return Withdrawal(
        **_common(envelope, raw_body, http_status),
        id=r.int("id"),
        foreign_id=r.text("foreign_id"),
        type=r.text("type"),
        status=r.text("status"),
        amount=r.amount("amount"),
        sender_currency=r.text("sender_currency"),
        sender_amount=r.amount("sender_amount"),
        receiver_currency=r.text("receiver_currency"),
        receiver_amount=r.amount("receiver_amount"),
    )


def exchange(envelope: Mapping[str, Any], raw_body: bytes, http_status: int) -> Exchange:
    r = _reader(envelope)
    return Exchange(
        **_common(envelope, raw_body, http_status),
        id=r.int("id"),
        foreign_id=r.text("foreign_id"),
        sender_currency=r.text("sender_currency"),
        sender_amount=r.amount("sender_amount"),
        receiver_currency=r.text("receiver_currency"),
        receiver_amount=r.amount("receiver_amount"),
        fee_currency=r.text("fee_currency"),
        fee_amount=r.amount("fee_amount"),
        price=r.amount("price"),
        ts_fixed=r.int("ts_fixed"),
        ts_release=r.int("ts_release"),
        status=r.text("status"),
    )


def _transaction_fields(r: _Reader) -> Dict[str, Any]:
    sent = r.sub("currency_sent")
    received = r.sub("currency_received")
    error = r.text("error")
    return {
        "id": r.int("id"),
        "type": r.text("type"),
        "status": r.text("status"),
        "foreign_id": r.text("foreign_id"),
        "end_user_reference": r.text("end_user_reference"),
        "sent_currency": sent.text("currency"),
        "sent_amount": sent.amount("amount"),
        "received_currency": received.text("currency"),
        "received_amount": received.amount("amount"),
        "error": error or None,
    }


def transaction(envelope: Mapping[str, Any], raw_body: bytes, http_status: int) -> Transaction:
    return Transaction(
        **_common(envelope, raw_body, http_status), **_transaction_fields(_reader(envelope))
    )


def callback(envelope: Mapping[str, Any], raw_body: bytes) -> Callback:
    r = _reader(envelope)
    sent = r.sub("currency_sent")
    received = r.sub("currency_received")
    fields = _transaction_fields(r)
    fields["foreign_id"] = envelope.get("foreign_id")  # deposits: the address's
    return Callback(
        **_common(envelope, raw_body, 0),
        **fields,
        payment_request_id=envelope.get("payment_request_id"),
        fully_paid=bool(envelope.get("fully_paid")),
        received_amount_minus_fee=received.amount("amount_minus_fee"),
        remaining_amount=sent.amount("remaining_amount"),
        fixed_at=r.int("fixed_at"),
        expires_at=r.int("expires_at"),
        dedupe_key=str(envelope.get("dedupe_key") or ""),
    )


def _items(envelope: Mapping[str, Any]) -> Iterator[Tuple[Any, _Reader]]:
    data = envelope.get("data")
    malformed = frozenset(envelope.get("malformed") or ())
    for i, item in enumerate(data if isinstance(data, list) else ()):
        yield item, _Reader(item, f"{i}.", malformed)


def accounts(envelope: Mapping[str, Any], raw_body: bytes, http_status: int) -> ResultList[Account]:
    items = tuple(
        Account(
            raw=item, currency=r.text("currency"), type=r.text("type"), balance=r.amount("balance")
        )
        for item, r in _items(envelope)
    )
    return ResultList(**_common(envelope, raw_body, http_status), items=items)


def currencies(
    envelope: Mapping[str, Any], raw_body: bytes, http_status: int
) -> ResultList[Currency]:
    items = tuple(
        Currency(
            raw=item,
            id=r.int("id"),
            type=r.text("type"),
            currency=r.text("currency"),
            minimum_amount=r.amount("minimum_amount"),
            deposit_fee_percent=r.amount("deposit_fee_percent"),
            withdrawal_fee_percent=r.amount("withdrawal_fee_percent"),
            precision=r.int("precision"),
        )
        for item, r in _items(envelope)
    )
    return ResultList(**_common(envelope, raw_body, http_status), items=items)


def pairs(
    envelope: Mapping[str, Any], raw_body: bytes, http_status: int
) -> ResultList[CurrencyPair]:
    items = tuple(
        CurrencyPair(
            raw=item,
            currency_from=r.sub("currency_from").text("currency"),
            currency_to=r.sub("currency_to").text("currency"),
            min_amount=r.sub("currency_from").amount("min_amount"),
            rate_from=r.amount("rate_from"),
            rate_to=r.amount("rate_to"),
        )
        for item, r in _items(envelope)
    )
    return ResultList(**_common(envelope, raw_body, http_status), items=items)
