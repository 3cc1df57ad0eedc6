"""Flask: an AlphaPo callback endpoint (POST /alphapo/callback).

    ALPHAPO_KEY=sandbox-key ALPHAPO_SECRET=sandbox-secret ALPHAPO_CALLBACK_PORT=8000 \\
        python3 examples/python/frameworks/flask_app.py

Flask's development server here; in production, any WSGI server (gunicorn app:app).
"""

import os

from flask import Flask, request

from endpoint import answer_callback  # verify, parse, process once: endpoint.py

app = Flask(__name__)


@app.post("/alphapo/callback")
def alphapo_callback():
    # The raw body bytes (never request.json); an exception answers 500.
    return "", answer_callback(request.get_data(), request.headers)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("ALPHAPO_CALLBACK_PORT", "8000")))
