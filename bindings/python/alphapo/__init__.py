"""AlphaPo / CoinsPaid / CryptoProcessing merchant API v2, over libalphapo.

A thin ctypes layer over the libalphapo C library: the library signs, validates, sends,
decodes and verifies; this package maps Python values to it and its results and errors
back to Python.

>>> import alphapo
>>> alphapo.sign("AbCdEfG123456", '{"currency":"BTC","foreign_id":"123456"}')[:16]
'03c25fcf7cd35e7d'

Create an invoice::

    from decimal import Decimal
    import alphapo

    with alphapo.Client("my-key", "my-secret") as client:
        invoice = client.create_invoice(
            title="Order 1001", currency="EUR", amount=Decimal("106.75"),
            foreign_id="order-1001",
        )
        print(invoice.url)

Verify and parse a callback from the raw request body::

    callback = alphapo.parse_callback(raw_body, headers["X-Processing-Signature"], secret)

Money is never a ``float``: amounts go in as ``Decimal``, ``int`` or ``str`` and come out
as ``Decimal``. The library is found through ``$ALPHAPO_LIBRARY``, a copy inside the
package, or the ``target/release`` of the checkout the package lives in (see
``alphapo._ffi``).
"""

from ._version import __version__
from . import _ffi
from ._errors import (
    AlphaPoError,
    ApiError,
    AuthenticationError,
    ConnectionError,
    DecodeError,
    DuplicateForeignIdError,
    InvalidArgumentError,
    OutcomeUnknownError,
    PanicError,
    RateLimitError,
    ServerError,
    SignatureMismatchError,
    Status,
    TimeoutError,
    TLSError,
    ValidationError,
    status_name,
)
from ._attempts import Attempt, AttemptRecord
from ._models import (
    Account,
    Address,
    Amount,
    Callback,
    CallbackTransaction,
    Currency,
    CurrencyPair,
    Exchange,
    Invoice,
    PaymentRequest,
    Response,
    Result,
    ResultList,
    Transaction,
    Withdrawal,
)
from ._signature import Signer, parse_callback, sign, sign_callback, verify, verify_callback
from ._client import Client, Environment, Operation, PreparedRequest, parse_reply
from ._async import AsyncClient

LIBRARY_PATH = _ffi.LIBRARY_PATH
"""The path of the loaded libalphapo."""


def library_version() -> str:
    """The version of the loaded libalphapo (``alphapo_version()``), e.g. ``"0.1.0"``."""
    return _ffi.LIBRARY_VERSION


__all__ = [
    "Account",
    "Address",
    "Attempt",
    "AttemptRecord",
    "AlphaPoError",
    "Amount",
    "ApiError",
    "AsyncClient",
    "AuthenticationError",
    "Callback",
    "CallbackTransaction",
    "Client",
    "ConnectionError",
    "Currency",
    "CurrencyPair",
    "DecodeError",
    "DuplicateForeignIdError",
    "Environment",
    "Exchange",
    "InvalidArgumentError",
    "Invoice",
    "PaymentRequest",
    "LIBRARY_PATH",
    "Operation",
    "OutcomeUnknownError",
    "PanicError",
    "PreparedRequest",
    "RateLimitError",
    "Response",
    "Result",
    "ResultList",
    "ServerError",
    "SignatureMismatchError",
    "Signer",
    "Status",
    "TLSError",
    "TimeoutError",
    "Transaction",
    "ValidationError",
    "Withdrawal",
    "__version__",
    "library_version",
    "parse_callback",
    "parse_reply",
    "sign",
    "sign_callback",
    "status_name",
    "verify",
    "verify_callback",
]

# Public classes show as alphapo.X in tracebacks and reprs, wherever they are defined.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = __name__
del _name, _obj
