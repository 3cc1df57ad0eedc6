"""Ownership of a native handle shared between threads.

The library lets many threads use one client or signer at once (ctypes releases the GIL
during each call), but freeing a handle while another thread is inside a call on it would
be a use after free. :class:`Handle` counts the calls in flight; :meth:`Handle.close`
refuses new calls, waits for the ones in flight, then frees. The lock only guards that
counter; it is never held during a library call, so calls still run in parallel.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Optional, TypeVar

H = TypeVar("H", bound="Handle")


class Handle:
    """Owns one native pointer and its ``_free`` function."""

    _kind = "handle"

    def _adopt(self, ptr: Any, free: Callable[[Any], None]) -> None:
        self._free_fn = free  # kept on the instance: usable during interpreter shutdown
        self._cond = threading.Condition(threading.Lock())
        self._busy = 0
        self._ptr: Optional[Any] = ptr

    def _acquire(self) -> Any:
        """Marks a call in flight and returns the pointer. Pair with :meth:`_release`."""
        cond = self._cond
        with cond:
            ptr = self._ptr
            if ptr is None:
                raise ValueError(f"the {self._kind} is closed")
            self._busy += 1
        return ptr

    def _release(self) -> None:
        cond = self._cond
        with cond:
            self._busy -= 1
            if self._busy == 0 and self._ptr is None:
                cond.notify_all()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return getattr(self, "_ptr", None) is None

    def close(self) -> None:
        """Frees the native handle. Waits for calls running in other threads to return;
        later calls raise ``ValueError``. Calling it again does nothing."""
        cond = getattr(self, "_cond", None)
        if cond is None:  # __init__ failed before the handle existed
            return
        with cond:
            ptr = self._ptr
            if ptr is None:
                return
            self._ptr = None
            while self._busy:
                cond.wait()
        self._free_fn(ptr)

    def __enter__(self: H) -> H:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        # No thread can be inside a call any more (each call holds a reference), so no
        # waiting and no lock; only instance attributes are used, as module globals may
        # already be gone at interpreter shutdown.
        ptr = self.__dict__.get("_ptr")
        if ptr is not None:
            self._ptr = None
            try:
                self._free_fn(ptr)
            except Exception:  # noqa: BLE001 - nothing sensible to do in a finalizer
                pass
