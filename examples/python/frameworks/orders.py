"""The shop's side of the framework recipes (flask_app.py, django_app.py, fastapi_app.py):
process each verified callback event once, by its ``dedupe_key``.

A shop does this in its database, in the transaction that updates the order (a unique key on
``dedupe_key``). This stand-in appends one JSON line per new event to the file named by
``ALPHAPO_CALLBACK_LOG`` (default: ``alphapo-callbacks.jsonl`` in the temp directory).
"""

import fcntl
import json
import os
import tempfile

import alphapo

LOG = os.environ.get("ALPHAPO_CALLBACK_LOG") or os.path.join(
    tempfile.gettempdir(), "alphapo-callbacks.jsonl"
)


def process_once(callback: alphapo.Callback) -> bool:
    """Processes a verified callback unless its event was processed before; returns whether
    it was new. Raises on failure: the endpoint then answers 500 and the service retries."""
    with open(LOG, "a+", encoding="utf-8") as store:
        fcntl.flock(store, fcntl.LOCK_EX)  # one event at a time, across processes
        store.seek(0)
        if any(json.loads(line)["dedupe_key"] == callback.dedupe_key for line in store):
            return False  # a repeated delivery: already processed
        if callback.fully_paid:
            pass  # ship the order callback.foreign_id here; never on status "confirmed" alone
        amount = callback.received_amount  # a Decimal
        record = {
            "dedupe_key": callback.dedupe_key,
            "id": callback.id,
            "type": callback.type,
            "status": callback.status,
            "foreign_id": callback.foreign_id,
            "fully_paid": callback.fully_paid,
            "received_amount": None if amount is None else str(amount),
        }
        store.write(json.dumps(record) + "\n")
        return True
