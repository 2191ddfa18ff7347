"""Extraction of untrusted files in a separate process with limits.

A worker process reads one request per line (a file path) and answers one
JSON line. It keeps its OCR engine between files. It runs with an address
space limit and a CPU-time limit per file, dies with the process that started
it (`confine`), and the parent gives each file a wall-clock limit: a file
that makes the worker run out of memory, crash or hang ends as a readable
error and a fresh worker takes the next file.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ratsblick.extract.result import Extraction, ExtractionError, Limits, Page


@dataclass(frozen=True)
class WorkerSettings:
    """What a worker is told on its command line."""

    parent: int  # the pid that starts it
    memory: int  # bytes of address space
    cpu_seconds: float  # per file
    limits: Limits

    def command(self) -> list[str]:
        return [sys.executable, "-m", "ratsblick.extract.worker", json.dumps(asdict(self))]

    @classmethod
    def from_json(cls, text: str) -> WorkerSettings:
        values = json.loads(text)
        return cls(**{**values, "limits": Limits(**values["limits"])})


class SandboxedExtractor:
    """One worker process; not thread-safe (use one per thread).

    The worker dies with the thread that started it (see `confine`): use an
    extractor from threads that outlive it, as a thread pool's do.
    """

    def __init__(
        self, *, timeout: float = 300.0, memory: int = 2 << 30, limits: Limits | None = None
    ) -> None:
        self.timeout = timeout
        self.memory = memory
        self.limits = limits or Limits()
        self._process: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        settings = WorkerSettings(os.getpid(), self.memory, self.timeout, self.limits)
        return subprocess.Popen(
            settings.command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )

    def close(self) -> int | None:
        """End the worker; its exit status (negative: the signal that ended it)."""
        if self._process is None:
            return None
        self._process.kill()  # nothing happens to one that has ended already
        status = self._process.wait()
        self._process = None
        return status

    def __enter__(self) -> SandboxedExtractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def extract(self, path: Path) -> Extraction:
        """Extract the file at `path`; raises `ExtractionError` for every failure."""
        if self._process is None or self._process.poll() is not None:
            self._process = self._start()
        process = self._process
        assert process.stdin is not None
        assert process.stdout is not None
        try:
            process.stdin.write(str(path) + "\n")
            process.stdin.flush()
        except BrokenPipeError as exc:
            self.close()
            raise ExtractionError("Auslesen abgebrochen (Arbeitsprozess beendet)") from exc
        line = self._read_line(process)
        if not line:
            # A worker that hit its CPU limit says so, even when the wall clock ran out
            # too: a stopped parent (Ctrl-Z) sees both at once when it resumes.
            if self.close() == -signal.SIGXCPU:
                raise ExtractionError(f"Auslesen brauchte mehr als {self.timeout:.0f} s Rechenzeit")
            if line is None:
                raise ExtractionError(f"Auslesen dauerte länger als {self.timeout:.0f} s")
            raise ExtractionError("Auslesen abgebrochen (Speicherlimit oder Absturz)")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise ExtractionError(answer["error"])
        return Extraction(answer["mime"], [Page(**page) for page in answer["pages"]])

    def _read_line(self, process: subprocess.Popen[str]) -> str | None:
        """The next line, "" when the worker died, None on timeout."""
        assert process.stdout is not None
        deadline = time.monotonic() + self.timeout
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                if selector.select(timeout=left):
                    return process.stdout.readline()
