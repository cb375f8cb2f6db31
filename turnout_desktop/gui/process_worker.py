"""Heavy jobs in a child process, so their long C calls cannot hold the GUI's GIL.

pandas on object columns and the sqlite3 driver run long stretches of C code without releasing
the GIL; on a worker *thread* that freezes the event loop for hundreds of milliseconds with a
200k-row county. The task runner's single worker thread therefore hands heavy jobs to one child
process (spawned once, reused) and just waits, relaying progress and cancel. Jobs stay
serialised: the runner's thread waits for each one before taking the next.

Qt-free, yet it stays in gui/ (not services/): it is the desktop app's runtime plumbing, there only so
the GUI's event loop keeps running. It holds no application logic (the functions it runs are services'
and the task runner's jobs), the CLI needs no such child (its work runs in the foreground), and its
spawn-not-fork rule exists because the parent process runs Qt.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.synchronize import Event
from typing import Any

_POLL_SECONDS = 0.05
_pool: ProcessPoolExecutor | None = None
_progress_queue: Any = None
_cancel_event: Event | None = None
_lock = threading.Lock()

# Set in the child by _init_child.
_child_queue: Any = None
_child_cancel: Event | None = None


def _init_child(progress_queue: Any, cancel_event: Event) -> None:
    global _child_queue, _child_cancel
    _child_queue, _child_cancel = progress_queue, cancel_event


def _run_in_child(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    assert _child_queue is not None and _child_cancel is not None
    cancel_event, progress_queue = _child_cancel, _child_queue
    last = [-1]

    def progress(fraction: float, text: str = "") -> None:
        percent = round(max(0.0, min(1.0, float(fraction))) * 100)
        if percent != last[0]:  # throttled here too: the queue is not free
            last[0] = percent
            progress_queue.put((percent / 100, text))

    return fn(*args, progress=progress, cancelled=cancel_event.is_set, **kwargs)


def _executor() -> tuple[ProcessPoolExecutor, Any, Event]:
    global _pool, _progress_queue, _cancel_event
    with _lock:
        if _pool is None:
            context = multiprocessing.get_context("spawn")  # never fork a process that runs Qt
            _progress_queue = context.Queue()
            _cancel_event = context.Event()
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_init_child,
                                        initargs=(_progress_queue, _cancel_event))
        assert _cancel_event is not None
        return _pool, _progress_queue, _cancel_event


def run_isolated(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], *,
                 progress: Callable[[float, str], None], cancelled: Callable[[], bool]) -> Any:
    """Run ``fn`` in the child process; called on the runner's worker thread, blocks until done.

    ``fn`` must be a module-level function and its arguments and result picklable.
    """
    pool, progress_queue, cancel_event = _executor()
    while True:  # progress left over from an earlier job belongs to nobody
        try:
            progress_queue.get_nowait()
        except queue.Empty:
            break
    cancel_event.clear()
    future: Future[Any] = pool.submit(_run_in_child, fn, args, kwargs)
    while True:
        if cancelled():
            cancel_event.set()
        try:
            fraction, text = progress_queue.get(timeout=_POLL_SECONDS)
            progress(fraction, text)
            continue
        except queue.Empty:
            pass
        if future.done():
            break
    while True:  # the last updates may arrive after the result
        try:
            fraction, text = progress_queue.get_nowait()
        except queue.Empty:
            break
        progress(fraction, text)
    return future.result()


def shutdown_child() -> None:
    """Stop the child process (application exit)."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None
