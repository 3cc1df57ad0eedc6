"""What the framework recipes (flask_app.py, django_app.py, fastapi_app.py) do with each
delivery of a callback: verify the raw body, parse it, process its event once, and name the
HTTP status to answer. A recipe only hands over its framework's raw body and headers.
"""

import os
from typing import Mapping

import alphapo
from orders import process_once  # your business logic: examples/python/frameworks/orders.py

API_KEY = os.environ.get("ALPHAPO_KEY", "sandbox-key")
signer = alphapo.Signer(os.environ.get("ALPHAPO_SECRET", "sandbox-secret"))  # keyed once


def answer_callback(body: bytes, headers: Mapping[str, str]) -> int:
    """The status to answer: 401 when the signature or the key header does not match, 400
    when the verified body is not a JSON object, 200 once the event is processed. Blocking
    (``process_once`` writes to the shop's database). An exception of ``process_once``
    propagates: the framework answers 500 and the service delivers the callback again."""
    try:
        callback = signer.parse_callback(
            body,  # the raw body bytes exactly as received, never parsed and re-encoded
            headers.get("X-Processing-Signature"),
            key_header=headers.get("X-Processing-Key"),
            expected_key=API_KEY,
        )
    except alphapo.SignatureMismatchError:
        return 401
    except alphapo.DecodeError:
        return 400
    process_once(callback)
    return 200
