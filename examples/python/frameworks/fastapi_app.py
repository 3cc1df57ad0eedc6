"""FastAPI: an AlphaPo callback endpoint (POST /alphapo/callback).

    ALPHAPO_KEY=sandbox-key ALPHAPO_SECRET=sandbox-secret ALPHAPO_CALLBACK_PORT=8000 \\
        python3 examples/python/frameworks/fastapi_app.py

uvicorn serves it here (uvicorn fastapi_app:app in production).
"""

import os

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool

import alphapo
from orders import process_once  # your business logic: examples/python/frameworks/orders.py

API_KEY = os.environ.get("ALPHAPO_KEY", "sandbox-key")
signer = alphapo.Signer(os.environ.get("ALPHAPO_SECRET", "sandbox-secret"))  # keyed once

app = FastAPI()


@app.post("/alphapo/callback")
async def alphapo_callback(request: Request) -> Response:
    try:
        callback = signer.parse_callback(
            await request.body(),  # the raw body bytes; never a pydantic model of it
            request.headers.get("X-Processing-Signature"),
            key_header=request.headers.get("X-Processing-Key"),
            expected_key=API_KEY,
        )
    except alphapo.SignatureMismatchError:
        return Response(status_code=401)
    except alphapo.DecodeError:
        return Response(status_code=400)
    # Blocking work (a database) off the event loop; an exception answers 500.
    await run_in_threadpool(process_once, callback)
    return Response(status_code=200)


if __name__ == "__main__":
    port = int(os.environ.get("ALPHAPO_CALLBACK_PORT", "8000"))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
