"""The build hooks' worker processes (prerender.py, search_worker.py): when
they may fork one, and how a worker is stopped whatever happens to it.

Not a hook itself: the two hooks import it, each with its own switch.

A worker can never hold the build up:

- It is a daemon process, killed (then joined, for at most ``STOP_S``) when
  the build is done with it, when the build fails (``on_build_error``), when
  MkDocs shuts down, and at interpreter exit, before multiprocessing's own
  exit handler would wait on it. Its queues' feeder threads are not waited
  for: a queue whose reader was killed cannot be flushed, and waiting for it
  was how a failed build used to hang after "Aborted with a BuildError!".
- The build reads what a worker sends on a thread of its own, so a wait has
  a bound: ``receive`` gives up when the process is gone (killed, or dead in
  the middle of a message), has sent what cannot be read, or has sent nothing
  for ``STALL_S`` seconds.
- The worker ends itself when the build process is gone.
"""

from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.util  # registers its exit handler first, so that ours runs before it
import os
import queue
import sys
import threading
import time

POLL_S = 0.5  # how often a wait checks that the worker is alive
STALL_S = 60.0  # a live worker that sends nothing for this long is stuck
STOP_S = 5.0  # the longest wait for a killed worker to be reaped


def forking_enabled(env: str, command: str | None) -> bool:
    """On ``mkdocs build`` with two cores or more: by default on Linux, where
    forking a process is safe; elsewhere (macOS) only when ``env`` is "1"."""
    wanted = os.environ.get(env, "1" if sys.platform.startswith("linux") else "0")
    if wanted == "0" or command != "build":
        return False
    return (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()


class WorkerGone(Exception):
    """The worker will send nothing more: it ended, was killed or is stuck."""


class _Unreadable:
    """What the reading thread passes on for a message the build cannot unpickle."""

    def __init__(self, error: Exception):
        self.error = error


def _child(parent: int, target, args) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)  # the build is gone: nobody will read what this process sends

    threading.Thread(target=watch, name="papernotes-watch-parent", daemon=True).start()
    target(*args)


class Worker:
    """A forked daemon process with an outbox (and an inbox, if asked):
    ``target(*args, [inbox,] outbox)`` runs in it."""

    def __init__(self, name: str, target, args: tuple, *, inbox: bool = False):
        context = multiprocessing.get_context("fork")
        self.name = name
        self.inbox = context.Queue() if inbox else None
        self.outbox = context.Queue()
        queues = (self.inbox, self.outbox) if inbox else (self.outbox,)
        self.process = context.Process(target=_child, args=(os.getpid(), target, (*args, *queues)),
                                       name=name, daemon=True)
        self.process.start()
        self._received: queue.SimpleQueue | None = None
        self._stopped = False
        _live.append(self)

    def _read(self) -> None:
        while True:
            # A worker that dies sends no EOF (this process holds the queue's write end
            # too): receive() sees it gone with is_alive(). What fails here is a
            # message this process cannot unpickle; nothing after it can be trusted.
            try:
                item = self.outbox.get()
            except Exception as error:
                self._received.put(_Unreadable(error))
                return
            self._received.put(item)
            if item is None:
                return

    def receive(self):
        """The next item the worker sent; WorkerGone when none will come."""
        if self._stopped:
            raise WorkerGone("stopped")
        if self._received is None:
            # Started on the first wait, after the build's last fork: a fork
            # copies no thread of ours.
            self._received = queue.SimpleQueue()
            threading.Thread(target=self._read, name=f"{self.name}-reader", daemon=True).start()
        quiet = 0.0
        while True:
            try:
                item = self._received.get(timeout=POLL_S)
            except queue.Empty:
                if not self.process.is_alive():
                    try:  # what it sent just before it ended may still be on its way
                        item = self._received.get(timeout=POLL_S)
                    except queue.Empty:
                        raise WorkerGone(f"stopped (exit code {self.process.exitcode})") from None
                else:
                    quiet += POLL_S
                    if quiet >= STALL_S:
                        raise WorkerGone(f"sent nothing for {STALL_S:.0f} s") from None
                    continue
            if isinstance(item, _Unreadable):
                raise WorkerGone(f"sent what cannot be read ({type(item.error).__name__}: {item.error})")
            return item

    def stop(self) -> None:
        """Kill the worker (if it still runs) and reap it, within ``STOP_S``."""
        if self._stopped:
            return
        self._stopped = True
        if self.process.is_alive():
            self.process.kill()
        self.process.join(STOP_S)
        for box in (self.inbox, self.outbox):
            if box is not None:
                box.cancel_join_thread()  # its feeder may be stuck on a pipe nobody reads
        if self in _live:
            _live.remove(self)


_live: list[Worker] = []


def stop_all() -> None:
    """Stop every worker this process started."""
    for worker in list(_live):
        worker.stop()


atexit.register(stop_all)
