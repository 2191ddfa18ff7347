"""Extraction benchmark: prints measured figures, asserts nothing.

    .venv/bin/python bench/extract.py

Per document class (the Aachen paper born-digital, two-column, scanned at
300/200 dpi and hard, mixed): character and word error rate against the
ground truth, share of umlaut/ß words kept, share of line-break hyphens
repaired, CPU seconds per page, and the same for the baselines a user would
pick instead, `pdftotext` and `ocrmypdf` + `pdftotext`, in the same run.
Ratsblick runs in this process with one OCR engine (CPU time measured
with `time.process_time`); baselines are child processes (their CPU time
from `RUSAGE_CHILDREN`). Whitespace is folded before comparing: layout is
judged by the tests, characters here.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
from rapidfuzz.distance import Levenshtein

from ratsblick.extract import OcrEngine, extract
from ratsblick.extract.decide import german_words
from ratsblick.replay.sample import SAMPLE_FILES

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "pdf" / "aachen"
CASES = (
    ("born-digital", "born.pdf", "born.txt"),
    ("two columns", "twocol.pdf", "twocol.txt"),
    ("scan 300 dpi", "scan300.pdf", "scan.txt"),
    ("scan 200 dpi", "scan200.pdf", "scan.txt"),
    ("scan 300 dpi, hard", "scan300_hard.pdf", "scan.txt"),
    ("mixed (6 kinds of page)", "mixed.pdf", "mixed.txt"),
)


def find(name: str) -> Path | None:
    for folder in (SAMPLE_FILES, SHARED):
        if (folder / name).is_file():
            return folder / name
    return None


def words(text: str) -> list[str]:
    return text.split()


def umlaut_share(got: str, truth: str) -> float:
    wanted = [w for w in words(truth) if set(w) & set("äöüÄÖÜß")]
    have = set(words(got))
    return sum(w in have for w in wanted) / len(wanted) if wanted else 1.0


def hyphen_share(got: str) -> float | None:
    pairs = json.loads((SAMPLE_FILES / "hyphenations.json").read_text())
    good = 0
    for before, after, _how in pairs:
        first, second = before.rstrip("-\u00ad"), after.rstrip(",.")
        joined = f"{first}-{second}" if second[0].isupper() else first + second
        good += joined in got
    return good / len(pairs)


def ours(path: Path, ocr: OcrEngine) -> str:
    result = extract(path.read_bytes(), ocr)
    return "\n".join(page.full for page in result.pages)


def pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()


def ocrmypdf(path: Path) -> str:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out.pdf"
        subprocess.run(
            ["ocrmypdf", "-q", "-l", "deu", "--skip-text", "--jobs", "1", str(path), str(out)],
            capture_output=True,
            check=True,
            env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
        )
        return pdftotext(out)


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(read: Callable[[Path], str], path: Path, truth: str, in_process: bool) -> str:
    start = time.process_time() if in_process else child_cpu()
    try:
        got = read(path)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        return f"failed: {exc}"
    cpu = (time.process_time() if in_process else child_cpu()) - start
    pages = len(pdfium.PdfDocument(path))
    folded, truth_folded = " ".join(got.split()), " ".join(truth.split())
    cer = Levenshtein.distance(folded, truth_folded) / len(truth_folded)
    wer = Levenshtein.distance(words(got), words(truth)) / len(words(truth))
    hyphens = hyphen_share(folded) if path.name == "born.pdf" else None
    cells = [
        f"{cer:7.2%}",
        f"{wer:7.2%}",
        f"{umlaut_share(got, truth):8.1%}",
        f"{hyphens:8.0%}" if hyphens is not None else f"{'':>8}",
        f"{cpu / pages:8.3f}",
        f"{pages / cpu if cpu else float('inf'):8.1f}",
    ]
    return " ".join(cells)


def throughput(ocr: OcrEngine) -> None:
    """Born-digital pages per CPU second on a real 48-page protocol (no truth)."""
    path = SAMPLE_FILES / "tg_20230816.pdf"
    start = time.process_time()
    pages = len(extract(path.read_bytes(), ocr).pages)
    ours_cpu = time.process_time() - start
    start = child_cpu()
    pdftotext(path)
    theirs_cpu = child_cpu() - start
    print(f"\n48-page protocol (born-digital): ratsblick {pages / ours_cpu:.0f} pages/s, "
          f"pdftotext {pages / theirs_cpu:.0f} pages/s per core")  # fmt: skip


def main() -> None:
    ocr = OcrEngine()
    german_words()  # loaded once per worker process, not per file
    tools: list[tuple[str, Callable[[Path], str], bool]] = [
        ("ratsblick", lambda p: ours(p, ocr), True),
        ("pdftotext", pdftotext, False),
    ]
    if shutil.which("ocrmypdf"):
        tools.append(("ocrmypdf+pdftotext", ocrmypdf, False))
    else:
        print("ocrmypdf not installed: `apt-get install ocrmypdf` for that baseline\n")
    print(f"{'class':26} {'tool':20} {'CER':>7} {'WER':>7} {'umlauts':>8} "
          f"{'hyphens':>8} {'CPU s/p':>8} {'pages/s':>8}")  # fmt: skip
    for name, pdf, truth_name in CASES:
        path, truth_path = find(pdf), find(truth_name)
        if path is None or truth_path is None:
            print(f"{name:26} (file {pdf} not found)")
            continue
        truth = truth_path.read_text()
        for tool, read, in_process in tools:
            print(f"{name:26} {tool:20} {measure(read, path, truth, in_process)}", flush=True)
    throughput(ocr)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the Ratsblick process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
