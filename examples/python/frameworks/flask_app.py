"""Flask: an AlphaPo callback endpoint (POST /alphapo/callback).

    ALPHAPO_KEY=sandbox-key ALPHAPO_SECRET=sandbox-secret ALPHAPO_CALLBACK_PORT=8000 \\
        python3 examples/python/frameworks/flask_app.py

Flask's development server here; in production, any WSGI server (gunicorn app:app).
"""

import os

from flask import Flask, request

import alphapo
from orders import process_once  # your business logic: examples/python/frameworks/orders.py

API_KEY = os.environ.get("ALPHAPO_KEY", "sandbox-key")
signer = alphapo.Signer(os.environ.get("ALPHAPO_SECRET", "sandbox-secret"))  # keyed once

app = Flask(__name__)


@app.post("/alphapo/callback")
def alphapo_callback():
    try:
        callback = signer.parse_callback(
            request.get_data(),  # the raw body bytes; never request.json
            request.headers.get("X-Processing-Signature"),
            key_header=request.headers.get("X-Processing-Key"),
            expected_key=API_KEY,
        )
    except alphapo.SignatureMismatchError:
        return "", 401
    except alphapo.DecodeError:
        return "", 400
    process_once(callback)  # an exception answers 500: the service delivers it again
    return "", 200


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("ALPHAPO_CALLBACK_PORT", "8000")))
