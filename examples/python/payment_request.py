"""Creates a payment request and prints its payment link.

Payment requests (``POST /api/payments/v1/requests``) ask for an amount in a currency and a
lifetime; the payer chooses how to pay on the hosted page and the merchant receives exactly
what was asked. The outcome arrives by callback (``type == "payment_request"``): ship the
order on the one whose ``fully_paid`` is true.

Runs against the local sandbox by default:
    cargo run --release --example sandbox -- --listen 127.0.0.1:8080 &
    python3 examples/python/payment_request.py
ALPHAPO_FOREIGN_ID sets the request's foreign_id (default: order-<unix time>).
"""

import os
import sys
import time
from decimal import Decimal

import alphapo

base_url = os.environ.get("ALPHAPO_BASE_URL", "http://127.0.0.1:8080/api/v2") or None
key = os.environ.get("ALPHAPO_KEY", "sandbox-key")
secret = os.environ.get("ALPHAPO_SECRET", "sandbox-secret")
foreign_id = os.environ.get("ALPHAPO_FOREIGN_ID") or f"order-{int(time.time())}"

# The payments base (<host>/api/payments/v1) follows base_url; payments_base_url= sets it.
with alphapo.Client(key, secret, base_url=base_url) as client:
    try:
        request = client.create_payment_request(
            amount=Decimal("100.00"),  # Decimal, int or str; never a float
            currency={"iso": "EUR"},
            life_time_duration=3600,  # or life_time_datetime (Unix seconds)
            foreign_id=foreign_id,
            description="Order 1001",
            url_store="https://shop.example.com/cart",
        )
    except alphapo.OutcomeUnknownError as e:
        # It may have been created: never send it again blindly; wait for its callback.
        sys.exit(f"outcome unknown for {e.foreign_id}: {e}")
    print(
        f"payment request {request.id} ({request.status}): {request.amount} {request.currency}"
        f" until {request.life_time}, pay at {request.payment_link}"
    )
