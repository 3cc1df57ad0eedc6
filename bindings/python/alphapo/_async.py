"""``AsyncClient``: the client's methods as coroutines, for asyncio applications.

Each method of :class:`Client` that talks to the core (every operation, its ``prepare_``
twin, ``request``, ``send``, ``reconcile``) is wrapped here by name, so that the two
classes cannot drift apart: the coroutine runs the blocking method on a bounded thread pool
over ONE shared native client (ctypes releases the GIL, so the calls run in parallel on the
client's connection pool).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import inspect
import json
import threading
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Mapping, Optional, Set, Tuple, TypeVar

from ._client import Client, PreparedRequest
from ._log import logger

A = TypeVar("A", bound="AsyncClient")

DEFAULT_MAX_WORKERS = 8

# Client's public names that are not calls: the lifecycle, replaced by aclose/async with.
_NOT_WRAPPED = frozenset({"close", "closed"})


def _wrapped_names() -> Tuple[str, ...]:
    """The public methods of :class:`Client` that AsyncClient offers as coroutines."""
    return tuple(
        name
        for name, value in inspect.getmembers(Client, inspect.isfunction)
        if not name.startswith("_") and name not in _NOT_WRAPPED
    )


def _foreign_id(name: str, args: Tuple[Any, ...], kwargs: Mapping[str, Any]) -> Optional[str]:
    """The foreign_id of a call, for the record of a cancelled one (None if it has none)."""
    value = kwargs.get("foreign_id")
    if name == "reconcile" and args:
        value = args[0]
    elif name == "send" and args and isinstance(args[0], PreparedRequest):
        try:
            value = json.loads(args[0].body or b"null").get("foreign_id")
        except (ValueError, AttributeError):
            value = None
    elif name == "request":
        body = args[1] if len(args) > 1 else kwargs.get("body")
        if isinstance(body, Mapping):
            value = body.get("foreign_id")
    return None if value is None else str(value)


def _report_cancelled(operation: str, foreign_id: Optional[str], future: Any) -> None:
    """Done-callback of a call whose awaiting task was cancelled while it ran."""
    error = future.exception()
    if error is None:
        outcome = "completed"
        status = "OK"
    else:
        status = getattr(getattr(error, "status", None), "name", None) or type(error).__name__
        outcome = f"failed ({status})"
    logger.warning(
        "%s was cancelled by its caller but %s in the background; foreign_id %s",
        operation,
        outcome,
        foreign_id,
        extra={
            "operation": operation,
            "status": status,
            "foreign_id": foreign_id,
            "cancelled": True,
        },
    )


def _coroutine_twin(name: str) -> Callable[..., Any]:
    sync = getattr(Client, name)

    @functools.wraps(sync)
    async def method(self: "AsyncClient", *args: Any, **kwargs: Any) -> Any:
        return await self._submit(name, sync, args, kwargs)

    method.__qualname__ = f"AsyncClient.{name}"
    method.__signature__ = inspect.signature(sync)  # type: ignore[attr-defined]
    method.__doc__ = f"The coroutine of :meth:`Client.{name}`.\n\n{sync.__doc__ or ''}"
    return method


class AsyncClient:
    """:class:`Client` for asyncio: the same constructor arguments plus ``max_workers``
    (default 8), and every method of :class:`Client` as a coroutine.

    The blocking calls run on a ``ThreadPoolExecutor(max_workers)`` over one shared
    native client. Use ``async with`` or ``await client.aclose()``, which waits for the
    calls in flight, then closes the client and the pool.

    Cancellation: cancelling the task that awaits a call does not stop a call already
    running in the pool. A money-moving call (``withdraw``, ``exchange_now``, ...) may
    still complete. The library then logs a WARNING on the ``alphapo`` logger with the
    operation, its outcome and its ``foreign_id``; look it up with ``reconcile`` before
    sending it again. A call still queued (not yet started) is dropped and never sent.
    """

    def __init__(
        self, *args: Any, max_workers: int = DEFAULT_MAX_WORKERS, **kwargs: Any
    ) -> None:
        if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
            raise ValueError(f"max_workers must be an int >= 1, not {max_workers!r}")
        self._client = Client(*args, **kwargs)
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=max_workers, thread_name_prefix="alphapo"
        )
        self._lock = threading.Lock()
        self._pending: Set["concurrent.futures.Future[Any]"] = set()
        self._closing = False

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called."""
        return self._closing

    def __repr__(self) -> str:
        return repr(self._client).replace("alphapo.Client", "alphapo.AsyncClient", 1)

    async def _submit(
        self, name: str, sync: Callable[..., Any], args: Tuple[Any, ...], kwargs: Any
    ) -> Any:
        with self._lock:
            if self._closing:
                raise ValueError("the client is closed")
            future = self._pool.submit(sync, self._client, *args, **kwargs)
            self._pending.add(future)
        future.add_done_callback(self._forget)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            # wrap_future cancelled the pool's future: that only works while it is queued.
            if not future.cancelled():
                future.add_done_callback(
                    functools.partial(_report_cancelled, name, _foreign_id(name, args, kwargs))
                )
            raise

    def _forget(self, future: "concurrent.futures.Future[Any]") -> None:
        with self._lock:
            self._pending.discard(future)

    async def aclose(self) -> None:
        """Refuses new calls, waits for the calls in flight (also those whose awaiting task
        was cancelled), then closes the client and the pool. Calling it again does
        nothing."""
        with self._lock:
            self._closing = True
            pending = list(self._pending)
        if pending:
            # Their outcomes belong to their own callers (or to the cancellation record).
            await asyncio.gather(
                *(asyncio.wrap_future(f) for f in pending), return_exceptions=True
            )
        self._pool.shutdown(wait=True)
        self._client.close()

    if TYPE_CHECKING:
        # The coroutines are attached at import (below), which static checkers do not see;
        # without ParamSpec (Python 3.10) their parameters cannot be carried over
        # statically, so a checker sees each as a coroutine function of any arguments.
        # inspect.signature() gives the exact ones at run time.
        def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]: ...

    async def __aenter__(self: A) -> A:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


for _name in _wrapped_names():
    setattr(AsyncClient, _name, _coroutine_twin(_name))
del _name

_init_params = list(inspect.signature(Client.__init__).parameters.values())
AsyncClient.__init__.__signature__ = inspect.signature(  # type: ignore[attr-defined]
    Client.__init__
).replace(
    parameters=[
        *_init_params,
        inspect.Parameter(
            "max_workers", inspect.Parameter.KEYWORD_ONLY, default=DEFAULT_MAX_WORKERS,
            annotation="int",
        ),
    ]
)
del _init_params
