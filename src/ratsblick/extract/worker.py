"""The sandboxed worker's loop: a path per input line, a JSON answer per output line."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from ratsblick.extract import OcrEngine, extract
from ratsblick.extract.confine import die_with_parent, limit_cpu, limit_memory
from ratsblick.extract.ocr import OcrUnavailable
from ratsblick.extract.result import ExtractionError
from ratsblick.extract.sandbox import WorkerSettings


def main() -> None:
    settings = WorkerSettings.from_json(sys.argv[1])
    if not die_with_parent(settings.parent):
        sys.exit(1)  # started by a process that is gone already
    limit_memory(settings.memory)
    try:
        ocr: OcrEngine | None = OcrEngine()
    except OcrUnavailable:
        ocr = None
    for line in sys.stdin:
        limit_cpu(settings.cpu_seconds)
        try:
            result = extract(Path(line.strip()).read_bytes(), ocr, settings.limits)
            answer = {"mime": result.mime, "pages": [asdict(page) for page in result.pages]}
        except ExtractionError as exc:
            answer = {"error": str(exc)}
        except MemoryError:
            answer = {"error": "Speicherlimit beim Auslesen überschritten"}
        except Exception as exc:  # a library's bug on a hostile file: report, go on
            answer = {"error": f"Auslesen fehlgeschlagen: {type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
