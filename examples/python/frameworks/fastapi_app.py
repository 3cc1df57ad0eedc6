"""FastAPI: an AlphaPo callback endpoint (POST /alphapo/callback).

    ALPHAPO_KEY=sandbox-key ALPHAPO_SECRET=sandbox-secret ALPHAPO_CALLBACK_PORT=8000 \\
        python3 examples/python/frameworks/fastapi_app.py

uvicorn serves it here (uvicorn fastapi_app:app in production).
"""

import os

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool

from endpoint import answer_callback  # verify, parse, process once: endpoint.py

app = FastAPI()


@app.post("/alphapo/callback")
async def alphapo_callback(request: Request) -> Response:
    body = await request.body()  # the raw body bytes; never a pydantic model of it
    # Blocking work (a database) off the event loop; an exception answers 500.
    status = await run_in_threadpool(answer_callback, body, request.headers)
    return Response(status_code=status)


if __name__ == "__main__":
    port = int(os.environ.get("ALPHAPO_CALLBACK_PORT", "8000"))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
