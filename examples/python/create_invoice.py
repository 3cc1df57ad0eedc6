"""Creates an invoice and prints its payment URL.

Runs against the local sandbox by default:
    cargo run --release --example sandbox -- --listen 127.0.0.1:8080 &
    python3 examples/python/create_invoice.py
For production set ALPHAPO_BASE_URL (or leave it empty for AlphaPo), ALPHAPO_KEY and ALPHAPO_SECRET.
ALPHAPO_FOREIGN_ID sets the invoice's foreign_id (default: order-<unix time>).
"""

import os
import time
from decimal import Decimal

import alphapo

base_url = os.environ.get("ALPHAPO_BASE_URL", "http://127.0.0.1:8080/api/v2") or None
key = os.environ.get("ALPHAPO_KEY", "sandbox-key")
secret = os.environ.get("ALPHAPO_SECRET", "sandbox-secret")

with alphapo.Client(
    key, secret, base_url=base_url, app_info="create_invoice-example/1.0"
) as client:
    invoice = client.create_invoice(
        title="Order 1001",
        currency="EUR",
        amount=Decimal("106.75"),  # Decimal, int or str; never a float
        foreign_id=os.environ.get("ALPHAPO_FOREIGN_ID") or f"order-{int(time.time())}",
        end_user_reference="customer-42",
        url_success="https://shop.example.com/paid",
        url_failed="https://shop.example.com/failed",
    )
    print(
        f"invoice {invoice.id} ({invoice.status}): pay {invoice.amount} {invoice.currency} at {invoice.url}"
    )
