"""Splitting German compound nouns into the words a citizen searches for.

Tantivy's `split_compound` filter matches greedily and without backtracking,
and it leaves a word alone when the word itself is in the dictionary, so
"Sachstandsbericht" or "Radwegeplanung" stay whole with any real word list.
This splitter searches all segmentations instead (dynamic programming over
the word, with the linking elements -s-, -es-, -n-, -en-, -e-, -er- and a
dropped final -e as in "Schul|weg") and picks the one with the fewest parts,
then the longest parts. Its dictionary holds simple words only (see
`data/README.md`), so a listed compound is still split.

The result is indexed as the parts *and* every run of adjacent parts, so
"Radweg" finds "Radwegeplanung" (parts rad, weg, planung; runs radweg,
wegeplanung) without a query-time expansion.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources

LINKS = ("", "s", "es", "n", "en", "e", "er", "ens")
"""Linking elements (Fugenelemente) allowed after a non-final part."""

ENDINGS = ("", "e", "en", "n", "s", "es", "er", "ern", "nen", "innen", "in")
"""Inflection allowed on the final part: "Radwegen", "Bürgermeisterinnen"."""

MIN_PART = 4
"""Shorter parts come only from the dictionary's short-word section."""

CANDIDATE = re.compile(r"[A-ZÄÖÜ][a-zäöüß]{5,}(?:-[A-ZÄÖÜa-zäöüß][a-zäöüß]+)*")
"""Capitalised words of at least six letters: German compounds are nouns."""


class CompoundSplitter:
    def __init__(self, words: Iterable[str], short_words: Iterable[str] = ()) -> None:
        self.words = {w.lower() for w in words if len(w) >= MIN_PART}
        self.words |= {w.lower() for w in short_words}
        self._split = lru_cache(maxsize=200_000)(self._split_uncached)

    def split(self, word: str) -> tuple[str, ...]:
        """The parts of a compound in lower case, or () for a simple word."""
        return self._split(word.lower())

    def _is_part(self, part: str) -> bool:
        return part in self.words or (len(part) >= MIN_PART and part + "e" in self.words)

    def _is_head(self, tail: str) -> bool:
        return any(
            tail.endswith(ending) and tail[: len(tail) - len(ending)] in self.words
            for ending in ENDINGS
        )

    def _split_uncached(self, word: str) -> tuple[str, ...]:
        if "-" in word:
            pieces = [p for p in word.split("-") if p]
            parts = [q for p in pieces for q in (self._split(p) or (p,))]
            return tuple(parts) if len(parts) > 1 else ()
        if self._is_head(word) or len(word) < 2 * 3:
            return ()
        best = self.segment(word)
        return best if len(best) > 1 else ()

    def segment(self, word: str) -> tuple[str, ...]:
        """Best segmentation of `word`: fewest parts, then longest parts."""
        n = len(word)
        # best[i]: (parts, -sum of squared lengths, segments) for word[i:]
        best: list[tuple[int, int, tuple[str, ...]] | None] = [None] * (n + 1)
        for start in range(n - 3, -1, -1):
            candidates: list[tuple[int, int, tuple[str, ...]]] = []
            if self._is_head(word[start:]):
                candidates.append((1, -((n - start) ** 2), (word[start:],)))
            for end in range(start + 3, n - 2):
                part = word[start:end]
                if not self._is_part(part):
                    continue
                for link in LINKS:
                    rest = best[end + len(link)] if word.startswith(link, end) else None
                    if rest is not None:
                        count, weight, segments = rest
                        candidates.append(
                            (count + 1, weight - len(part) ** 2, (part + link, *segments))
                        )
            best[start] = min(candidates) if candidates else None
        found = best[0]
        return found[2] if found else ()


def runs(segments: tuple[str, ...]) -> list[str]:
    """Every part and every run of adjacent parts short of the whole word.

    A linking element stays inside a run ("sachstands|bericht" gives
    "sachstands", stemmed like "Sachstand") and is harmless at the end of a
    single part for the same reason.
    """
    n = len(segments)
    return ["".join(segments[i:j]) for i in range(n) for j in range(i + 1, n + 1) if j - i < n]


@cache
def default_splitter() -> CompoundSplitter:
    """The splitter with the project's curated dictionary (`data/`)."""
    return CompoundSplitter(word_list("compound_parts.txt"), word_list("short_parts.txt"))


def word_list(name: str) -> list[str]:
    """A word list from `data/`: one word a line, `#` starts a comment line."""
    text = (resources.files("ratsblick.search") / "data" / name).read_text(encoding="utf-8")
    return [w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#")]


def compound_runs(text: str, splitter: CompoundSplitter | None = None) -> str:
    """The parts and runs of every compound in `text`, as one string to index."""
    splitter = splitter or default_splitter()
    seen = set(CANDIDATE.findall(text))
    return " ".join(run for word in seen for run in runs(splitter.split(word)))
