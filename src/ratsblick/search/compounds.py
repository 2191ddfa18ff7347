"""Splitting German compound nouns into the words a citizen searches for.

Tantivy's `split_compound` filter matches greedily and without backtracking,
and it leaves a word alone when the word itself is in the dictionary, so
"Sachstandsbericht" or "Radwegeplanung" stay whole with any real word list.
This splitter searches all segmentations instead (dynamic programming over
the word, with the linking elements -s-, -es-, -n-, -en-, -e-, -er- and a
dropped final -e as in "Schul|weg") and picks the one with the fewest parts,
then the longest parts. Its dictionary (`data/`, built by
`scripts/build_compound_parts.py` from the Wiktionary nouns of
`german-nouns` and the frequencies of `wordfreq`) holds simple nouns with
their forms, so a listed compound is still split, and the stems of verbs and
adjectives that may only start a compound ("Wohn|distanzen", "Nah|versorgung").

Parts are looked up folded (ä→a, ö→o, ü→u, ß→ss, and ae/oe/ue as the
Snowball stemmer reads them), so words whose umlauts were lost
("Prasentationsunterlagen", "Buergerbeteiligung") split as their clean
spelling does; the parts keep the word's own letters.

The result is indexed as the parts *and* every run of adjacent parts, so
"Radweg" finds "Radwegeplanung" (parts rad, weg, planung; runs radweg,
wegeplanung) without a query-time expansion.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

LINKS = ("", "s", "es", "n", "en", "e", "er", "ens")
"""Linking elements (Fugenelemente) allowed after a non-final part."""

ENDINGS = ("", "e", "en", "n", "s", "es", "er", "ern", "nen", "innen", "in")
"""Inflection allowed on the final part: "Radwegen", "Bürgermeisterinnen"."""

MIN_PART = 4
"""Shorter parts come only from the dictionary's short-word section."""

MIN_ZIPF = 2.5
"""Rarer words are no parts (unless long: `RARE_PART_LENGTH`): wordfreq's Zipf scale,
2.5 is about once in 3 million words."""
RARE_PART_LENGTH = 7
"""Parts this long are used however rare ("Felchen|fang", "Aushänge|schilder"):
the bogus parts the floor keeps out are short ("Parz|ellen")."""
KNOWN = 9.0
"""The frequency of a hand-kept word, which has none: always a part."""

CANDIDATE = re.compile(r"[A-ZÄÖÜ][a-zäöüß]{5,}(?:-[A-ZÄÖÜa-zäöüß][a-zäöüß]+)*")
"""Capitalised words of at least six letters: German compounds are nouns."""

_UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
_DIGRAPH = re.compile(r"(?<=[ao])e|(?<![aeiouyq]u)(?<=u)e")


def fold(word: str) -> str:
    """`word` as the stemmer compares it: "Präsentation", "Praesentation" and
    "Prasentation" are one; "Bauer" and "Quelle" keep their "ue" (a u between
    vowels or after q is no umlaut, as in Snowball's German stemmer)."""
    folded = word.lower()
    if not folded.isascii():
        folded = folded.translate(_UMLAUTS)
    if "ae" in folded or "oe" in folded or "ue" in folded:
        return _DIGRAPH.sub("", folded)
    return folded


Lexicon = Mapping[str, float] | Iterable[str]
"""Words, or words with their frequency (Zipf scale: log10 per billion words)."""


def _frequencies(words: Lexicon, min_length: int, known: float = 0.0) -> dict[str, float]:
    pairs = words.items() if isinstance(words, Mapping) else ((w, known) for w in words)
    return {_swiss(w.lower()): zipf for w, zipf in pairs if len(w) >= min_length}


def _swiss(word: str) -> str:
    """Clean text may spell ß as ss (Swiss German: "Gefässe")."""
    return word.replace("ß", "ss")


def _folded(words: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for word, zipf in words.items():
        key = fold(word)
        out[key] = max(zipf, out.get(key, 0.0))
    return out


@dataclass(frozen=True)
class _Reading:
    """The lexicons one word's parts are looked up in, and how a part is keyed."""

    words: dict[str, float]
    first_parts: dict[str, float]
    key: Callable[[str], str] | None
    min_zipf: float

    def _lookup(self, lexicon: dict[str, float], part: str) -> float | None:
        found = lexicon.get(part if self.key is None else self.key(part))
        if found is None:
            return None
        return found if found >= self.min_zipf or len(part) >= RARE_PART_LENGTH else None

    def part(self, part: str) -> float | None:
        """How frequent `part` is as a non-final part, or None if it is none."""
        found = self._lookup(self.words, part)
        if found is None:
            found = self._lookup(self.first_parts, part)
        if found is None and len(part) >= MIN_PART:
            found = self._lookup(self.words, part + "e")
        return found

    def head(self, tail: str) -> float | None:
        """How frequent `tail` (maybe inflected) is as the final part, or None."""
        for ending in ENDINGS:
            if tail.endswith(ending):
                found = self._lookup(self.words, tail[: len(tail) - len(ending)])
                if found is not None:
                    return found
        return None


class CompoundSplitter:
    """Splits with a lexicon of simple words and one of first parts.

    A word with an umlaut or ß is clean text: its parts are looked up as
    spelled (ß also as ss), so that "Länder" is no "Land". One without may have lost them:
    its parts are looked up folded. A part rarer than `min_zipf` is none
    (it would make "Parz|ellen" of "Parzellen") unless it is long; words without a frequency
    (`known`, as the hand-kept lists) count as common.
    """

    def __init__(
        self,
        words: Lexicon,
        short_words: Iterable[str] = (),
        first_parts: Lexicon = (),
        min_zipf: float = 0.0,
    ) -> None:
        self.min_zipf = min_zipf
        self.words = _frequencies(words, MIN_PART, KNOWN) | _frequencies(short_words, 0, KNOWN)
        self.first_parts = _frequencies(first_parts, MIN_PART - 1, KNOWN)
        self._folded_words = _folded(self.words)
        self._folded_first = _folded(self.first_parts)
        self._split = lru_cache(maxsize=200_000)(self._split_uncached)

    def add(self, word: str, zipf: float = 0.0) -> None:
        self.words[_swiss(word)] = zipf
        key = fold(word)
        self._folded_words[key] = max(zipf, self._folded_words.get(key, 0.0))

    @contextmanager
    def without(self, words: Iterable[str]) -> Iterator[None]:
        """The splitter as if `words` were not listed (to check a build word by word)."""
        keys = {_swiss(w) for w in words} & self.words.keys()
        folds = {fold(w) for w in keys} & self._folded_words.keys()
        saved = {w: self.words.pop(w) for w in keys}
        saved_folds = {f: self._folded_words.pop(f) for f in folds}
        try:
            yield
        finally:
            self.words.update(saved)
            self._folded_words.update(saved_folds)

    def split(self, word: str) -> tuple[str, ...]:
        """The parts of a compound in lower case, or () for a simple word."""
        return self._split(word.lower())

    def _reading(self, word: str) -> _Reading:
        """How the parts of `word` are looked up: as spelled or folded (see the class)."""
        if word.isascii():
            digraphs = "ae" in word or "oe" in word or "ue" in word
            return _Reading(
                self._folded_words, self._folded_first, fold if digraphs else None, self.min_zipf
            )
        key = _swiss if "ß" in word else None
        return _Reading(self.words, self.first_parts, key, self.min_zipf)

    def _split_uncached(self, word: str) -> tuple[str, ...]:
        if "-" in word:
            pieces = [p for p in word.split("-") if p]
            parts = [q for p in pieces for q in (self._split(p) or (p,))]
            return tuple(parts) if len(parts) > 1 else ()
        if self._reading(word).head(word) is not None or len(word) < 2 * 3:
            return ()
        best = self.segment(word)
        return best if len(best) > 1 else ()

    def segment(self, word: str) -> tuple[str, ...]:
        """Best segmentation of `word`: fewest parts, then the most frequent parts
        (Koehn and Knight's geometric mean), then the longest."""
        reading = self._reading(word)
        n = len(word)
        # best[i]: (parts, -sum of frequencies, -sum of squared lengths, segments) for word[i:]
        best: list[tuple[int, float, int, tuple[str, ...]] | None] = [None] * (n + 1)
        for start in range(n - 3, -1, -1):
            candidates: list[tuple[int, float, int, tuple[str, ...]]] = []
            head = reading.head(word[start:])
            if head is not None:
                candidates.append((1, -head, -((n - start) ** 2), (word[start:],)))
            for end in range(start + 3, n - 2):
                part = word[start:end]
                zipf = reading.part(part)
                if zipf is None:
                    continue
                for link in LINKS:
                    rest = best[end + len(link)] if word.startswith(link, end) else None
                    if rest is not None:
                        count, frequency, weight, segments = rest
                        candidates.append(
                            (
                                count + 1,
                                frequency - zipf,
                                weight - len(part) ** 2,
                                (part + link, *segments),
                            )
                        )
            best[start] = min(candidates) if candidates else None
        found = best[0]
        return found[3] if found else ()


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
    """The splitter with the project's dictionary (`data/`)."""
    return CompoundSplitter(
        frequency_list("compound_parts.txt"),
        word_list("short_parts.txt"),
        frequency_list("first_parts.txt"),
        MIN_ZIPF,
    )


def _lines(name: str) -> list[str]:
    text = (resources.files("ratsblick.search") / "data" / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def word_list(name: str) -> list[str]:
    """A word list from `data/`: one word a line, `#` starts a comment line."""
    return [line.lower() for line in _lines(name)]


def frequency_list(name: str) -> dict[str, float]:
    """A generated list from `data/`: a word and its Zipf frequency a line."""
    return {word: float(zipf) for word, zipf in (line.split() for line in _lines(name))}


def compound_runs(text: str, splitter: CompoundSplitter | None = None) -> str:
    """The parts and runs of every compound in `text`, as one string to index."""
    splitter = splitter or default_splitter()
    seen = set(CANDIDATE.findall(text))
    return " ".join(run for word in seen for run in runs(splitter.split(word)))
