"""A callback endpoint with the standard library's http.server.

Verifies each callback over the raw body bytes with libalphapo, answers 200 only once it
was verified and processed (anything else makes the service retry later), processes each
event once by its ``dedupe_key`` (the service may deliver an event twice; each instalment
of a partial-pay invoice is an event of its own), and fulfils an order only when the
callback is ``fully_paid``, never on ``status == "confirmed"`` alone.

    ALPHAPO_KEY=sandbox-key ALPHAPO_SECRET=sandbox-secret \\
        python3 examples/python/callback_server.py [--until-paid]

Listens on 127.0.0.1 (an ephemeral port unless ALPHAPO_CALLBACK_PORT is set) and prints
"listening on http://127.0.0.1:PORT/callback". With --until-paid it exits 0 after the
first verified callback that is fully paid. The X-Processing-Key header is checked when
the service sends it. In production it sits behind your web server (the service only
calls https URLs); the handler shows what to do with the bytes.
"""

import os
import sys
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import alphapo

KEY = os.environ.get("ALPHAPO_KEY", "sandbox-key")
SECRET = os.environ.get("ALPHAPO_SECRET", "sandbox-secret")
MAX_BODY = 1024 * 1024  # real callbacks are a few kilobytes

signer = alphapo.Signer(SECRET)  # one pre-keyed signer, shared by every handler thread
processed = set()  # a real shop keeps this in its database (a unique key on dedupe_key)
processed_lock = threading.Lock()
paid = threading.Event()


def process(callback: alphapo.Callback) -> None:
    """Your business logic. Raise to answer non-200 (the service will retry)."""
    with processed_lock:
        duplicate = callback.dedupe_key in processed
        processed.add(callback.dedupe_key)
    note = " (duplicate, already processed)" if duplicate else ""
    # Payment-request callbacks carry the amount asked for, and no root id.
    amount = callback.received_amount or callback.requested_amount
    received = (
        "-" if amount is None else format(amount, "f") if isinstance(amount, Decimal) else amount
    )
    fully = " (fully paid)" if callback.fully_paid else ""
    print(
        f"verified {callback.type} callback {callback.id or callback.payment_request_id}: "
        f"status {callback.status}, "
        f"foreign_id {callback.foreign_id or '-'}, "
        f"received {received} {callback.received_currency or callback.requested_currency or ''}, "
        f"key {callback.dedupe_key}{fully}{note}",
        flush=True,
    )
    if not duplicate and callback.fully_paid:
        pass  # Ship the order here (amounts are Decimal); store the event in any case.


class CallbackHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY:
            return self.answer(413 if length > MAX_BODY else 400)
        body = self.rfile.read(length)  # the raw bytes, exactly as received: never re-encode
        try:
            callback = signer.parse_callback(
                body,
                self.headers.get("X-Processing-Signature"),
                key_header=self.headers.get("X-Processing-Key"),
                expected_key=KEY,
            )
        except alphapo.SignatureMismatchError as e:
            print(f"refused: {e}", flush=True)
            return self.answer(401)
        except alphapo.DecodeError as e:
            print(f"verified but not understood: {e}", flush=True)
            return self.answer(400)
        try:
            process(callback)
        except Exception as e:  # noqa: BLE001 - any failure: let the service retry
            print(f"processing failed, the service will retry: {e!r}", flush=True)
            return self.answer(500)
        self.answer(200)
        if callback.fully_paid:
            paid.set()  # for --until-paid, once the 200 is on its way

    def answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass  # the lines printed above are the log


def main() -> int:
    until_paid = "--until-paid" in sys.argv[1:]
    port = int(os.environ.get("ALPHAPO_CALLBACK_PORT") or 0)
    server = ThreadingHTTPServer(("127.0.0.1", port), CallbackHandler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}/callback", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        if until_paid:
            paid.wait()
        else:
            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
        signer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
