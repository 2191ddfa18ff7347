"""Rebuild the splitter's dictionary in `src/ratsblick/search/data/` from lexical sources.

    .venv/bin/python scripts/build_compound_parts.py

Needs the dev dependencies `german-nouns` (the nouns of the German
Wiktionary with all their forms) and `wordfreq` (word frequencies); the
runtime reads only the files this writes:

- `compound_parts.txt`: simple nouns with their forms. Each noun of
  german-nouns is taken shortest first; one that the splitter (with the
  simple nouns found so far) can split into parts that are, on average, at
  least as frequent as the noun itself is a compound and left out, so that
  it is split ("Krankenhaus"); otherwise it is simple ("Bestreben", not
  "best|reben") and its forms ("Häuser", "Rechts") join the list. After a
  verb or adjective stem or a particle the noun is compared with its head
  alone ("Fahrzeug", "Widerspruch" are simple), and the noun of a particle
  verb is simple ("Mitarbeit", "Hochrechnung"). Nouns german-nouns lacks
  are derived from verbs and nouns ("Qualifizierung", "Erziehende",
  "Geber", "Anwaltschaft") and judged as simple if their base is. The hand-kept
  `council_words.txt` is added whole, `not_parts.txt` never.
- `first_parts.txt`: stems that may start a compound but not end one: of
  verbs ("wohnen", "wohnt" → "wohn"; "richten", "richtet" → "richt") and
  adjectives ("nah", "nahe", "nahen", "naher", "nahes" → "nah") among
  wordfreq's most frequent German words, function words
  (`common_words.txt`) left out, and the particles (`PARTICLES`: "mit",
  "hinter", "neben", …).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import wordfreq

from ratsblick.search.compounds import (
    KNOWN,
    LINKS,
    MIN_PART,
    MIN_ZIPF,
    CompoundSplitter,
    frequency_list,
    word_list,
)

DATA = Path(__file__).resolve().parents[1] / "src" / "ratsblick" / "search" / "data"
MARGIN = -0.4
"""How much rarer than its parts a compound may be and still count as lexicalised
(kept whole): chosen on the four hand-split lists (-0.5: "Fak|tor" split)."""
STEM_MARGIN = -0.5
"""A noun of a verb or adjective stem and a head at least this near the head's
frequency is lexicalised ("Fahrzeug", "Stellvertreter", "Bestreben")."""
PARTICLES = ("mit", "hinter", "neben", "gegen", "zwischen", "über", "unter", "wider", "wieder")
PARTICLES += ("nieder", "rück", "durch")
"""Prepositions and verb particles that start compounds ("Mit|menschen",
"Hinter|kopf", "Neben|sache") as well as particle verbs' nouns ("Widerspruch",
"Rückzug"). With "vor" and "nach" precision on the hand-split lists fell
(their nouns are mostly the latter: "Vorteil", "Nachteil"); "ab", "an" are
shorter than a first part may be, "aus", "auf", "ein", "bei" were not tried."""
PARTICLE_MARGIN = -1.5
"""A noun of a particle and a head less than this much rarer than the head is
lexicalised: "Widerspruch" (4.3) beside "Spruch" (4.2), but "Nebensache" (3.2)
beside "Sache" (5.2). Their mean frequency says nothing: the particles are
among the most frequent words."""
TOP_WORDS = 150_000
"""How many of wordfreq's most frequent German words may give a stem."""
NOT_NOUNS = ("Toponym", "Vorname", "Nachname", "Eigenname", "Abkürzung", "Wortverbindung")
NOT_NOUNS += ("Gebundenes Lexem", "Affix", "Suffix", "Präfix")
FORM_COLUMNS_SKIP = ("lemma", "pos", "genus")


@dataclass(frozen=True)
class Noun:
    """A common noun, lower case, with its forms: of german-nouns, or derived
    (`base` is then the word it is derived from, see `derived_nouns`)."""

    lemma: str
    forms: frozenset[str]
    base: str = ""


@cache
def nouns() -> tuple[Noun, ...]:
    """German-nouns' common nouns (letters only)."""
    found = []
    table = resources.files("german_nouns") / "nouns.csv"
    with table.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lemma, pos = row["lemma"], row["pos"]
            if "Substantiv" not in pos or any(tag in pos for tag in NOT_NOUNS):
                continue
            if not lemma.isalpha() or len(lemma) < 3:
                continue
            forms = {
                value.lower()
                for key, value in row.items()
                if value and value.isalpha() and not key.startswith(FORM_COLUMNS_SKIP)
            }
            found.append(Noun(lemma.lower(), frozenset(forms | {lemma.lower()})))
    return tuple(found)


@cache
def noun_forms() -> frozenset[str]:
    """Every form of every noun."""
    return frozenset(form for noun in nouns() for form in noun.forms)


DERIVATIONS = (("ung", ("", "en")), ("ende", ("", "n", "r")), ("er", ("", "n", "s", "in", "innen")))
"""Suffixes that make nouns of verbs, with the endings of their forms:
"Qualifizierung", "Betrauung"; the participles "Erziehende",
"Kulturschaffende"; agent nouns, "Arbeit|geber", "Gesetz|geber". german-nouns
lacks many such nouns (and "-schaft" nouns of nouns, "Anwaltschaft"), and
without them their compounds stay whole ("Bundes|anwaltschaft") or are
listed whole ("Arbeitgeber": no "Geber" to split it into)."""
NOUN_DERIVATION = ("schaft", ("", "en"))
DERIVED_MARGIN = -3.0
"""A derived noun far rarer than the word it is made of lives only after a
particle or prefix ("Bekannt|machung", "Unter|bringung": "machung" is 4.6
rarer than "machen") and is not made; "Erziehende" is 1.1 rarer than
"erziehen", "Kulturschaffende" 2.7."""


@cache
def derived_nouns() -> tuple[Noun, ...]:
    """Nouns german-nouns lacks, made with `DERIVATIONS` of `verbs` and with
    `NOUN_DERIVATION` of nouns; each must be in wordfreq and not much rarer
    than its source word (`DERIVED_MARGIN`). One is simple if its base is
    (`is_simple`)."""
    forms = noun_forms()
    made = [(suffix, endings, verbs()) for suffix, endings in DERIVATIONS]
    made.append((*NOUN_DERIVATION, {form: form for form in forms}))
    found = []
    for suffix, endings, sources in made:
        for base, source in sorted(sources.items()):
            lemma = base + suffix
            if len(base) < 3 or lemma in forms:
                continue
            if zipf(lemma) > 0 and zipf(lemma) >= zipf(source) + DERIVED_MARGIN:
                variants = frozenset(lemma + ending for ending in endings)
                found.append(Noun(lemma, variants, base))
    return tuple(found)


@cache
def all_nouns() -> tuple[Noun, ...]:
    """german-nouns' nouns and the derived ones, shortest first."""
    return tuple(sorted(nouns() + derived_nouns(), key=lambda noun: (len(noun.lemma), noun.lemma)))


@cache
def frequent_words() -> frozenset[str]:
    return frozenset(w for w in wordfreq.top_n_list("de", TOP_WORDS) if w.isalpha())


@cache
def first_parts() -> dict[str, float]:
    """Verb stems (an infinitive and its -t form) and adjectives (with -e, -en,
    -er, -es), each as frequent as the most frequent word it was found as,
    and the particles."""
    words = frequent_words()
    found: dict[str, float] = {}

    def add(stem: str, source: str) -> None:
        found[stem] = max(found.get(stem, 0.0), round(zipf(source), 1))

    for stem, verb in verbs().items():
        if len(verb) >= 6:
            add(stem, verb)
    for word in words:
        if len(word) >= 3 and all(word + e in words for e in ("e", "en", "er", "es")):
            add(word, word)
    unwanted = set(word_list("common_words.txt")) | set(word_list("not_parts.txt"))
    stems = {stem: frequency for stem, frequency in found.items() if stem not in unwanted}
    return stems | {particle: round(zipf(particle), 1) for particle in PARTICLES}


@cache
def verbs() -> dict[str, str]:
    """Verb stems among the frequent words, with their infinitive: one in -en
    with its -t form ("wohnen", "wohnt" → "wohn"; "richten", "richtet" →
    "richt"), or in -rn, -ln with -t ("wandern", "wandert" → "wander"); of
    two, the more frequent ("mindern", not "minderen")."""
    words = frequent_words()
    found: dict[str, str] = {}
    for word in words:
        if word.endswith("en") and word[:-2] + third_person(word[:-2]) in words:
            stem = word[:-2]
        elif word.endswith(("rn", "ln")) and word[:-1] + "t" in words:
            stem = word[:-1]
        else:
            continue
        if stem not in found or zipf(word) > zipf(found[stem]):
            found[stem] = word
    return found


def third_person(stem: str) -> str:
    """The ending of the verb's -t form: "-et" after d, t and after m or n that
    follow another consonant ("richtet", "rechnet", "atmet"), else "-t"."""
    if stem.endswith(("d", "t", "chn", "chm")) or (
        stem[-1:] in "mn" and stem[-2:-1] not in "aeiouäöüylrmnh"
    ):
        return "et"
    return "t"


@cache
def frequencies() -> dict[str, float]:
    return wordfreq.get_frequency_dict("de")


def zipf(word: str) -> float:
    """wordfreq's Zipf scale: log10 of occurrences per billion words (0 if unseen)."""
    frequency = frequencies().get(word.replace("ß", "ss"), 0.0)  # wordfreq's spelling
    return math.log10(frequency) + 9 if frequency > 0 else 0.0


def is_derived(noun: Noun, first: str) -> bool:
    """A noun made of a particle verb: "Hochrechnung" of "hochrechnen", and
    "Mitarbeit" of "mitarbeiten" when the first part is a particle. One word."""
    lemma = noun.lemma
    if lemma.endswith("ung") and len(lemma) - 3 > len(first):
        verb = lemma[: len(lemma) - 3]
    elif first in PARTICLES:
        verb = lemma
    else:
        return False
    words = frequent_words()
    return any(verb + e in words and verb + e not in noun.forms for e in ("en", "n"))


def is_stem(first: str) -> bool:
    """Whether a first part (with its linking element) is no noun: a verb or adjective stem."""
    forms = noun_forms()
    return not any(
        first.endswith(link) and first[: len(first) - len(link)] in forms for link in LINKS
    )


def is_compound(noun: Noun, parts: tuple[str, ...]) -> bool:
    """Split parts at least as frequent (geometric mean) as the whole word: a
    lexicalised word is more frequent than its parts suggest (Koehn and
    Knight, 2003). After a stem or a particle the head alone is the measure
    (`STEM_MARGIN`, `PARTICLE_MARGIN`)."""
    lemma = noun.lemma
    if len(parts) < 2 or is_derived(noun, parts[0]):
        return False
    if parts[0] in PARTICLES:
        return zipf(lemma) < zipf(parts[-1]) + PARTICLE_MARGIN
    if is_stem(parts[0]) and zipf(lemma) >= zipf(parts[-1]) + STEM_MARGIN:
        return False
    return math.fsum(zipf(p) for p in parts) / len(parts) >= zipf(lemma) + MARGIN


def is_simple(noun: Noun, splitter: CompoundSplitter) -> bool:
    """Whether the build lists `noun` (with its forms) as a simple word: a
    derived noun if its base is simple ("Anwalt|schaft" is no compound, but
    "Staatsanwalt|schaft" is one of "Staatsanwalt"), any other if it is short
    or `is_compound` says no to its best segmentation."""
    if noun.base:
        return len(splitter.segment(noun.base)) < 2
    return len(noun.lemma) < 2 * 3 or not is_compound(noun, splitter.segment(noun.lemma))


def build() -> tuple[list[str], list[str]]:
    """The lines of both files: the simple nouns with their forms, and the first
    parts, each with its Zipf frequency (one decimal)."""
    blocked = set(word_list("not_parts.txt"))
    whole = set(word_list("council_words.txt"))
    first = first_parts()
    simple = dict.fromkeys(whole, KNOWN)
    splitter = CompoundSplitter(simple, word_list("short_parts.txt"), first, MIN_ZIPF)
    for noun in all_nouns():
        lemma, forms = noun.lemma, noun.forms
        if lemma in blocked or lemma in whole:
            continue
        if is_simple(noun, splitter):
            for form in forms - blocked:
                if len(form) >= MIN_PART:
                    simple[form] = round(zipf(form), 1)
                    splitter.add(form, simple[form])
    return _lines(simple), _lines(first)


def verify(every: int) -> list[str]:
    """What differs between the committed files and a build, checked on every
    `every`-th noun (a full build takes a minute): "first_parts.txt" if that
    file differs, and each sampled noun whose decision or lines differ.

    A noun's decision depends only on shorter words, so the committed list,
    without the noun's own forms, stands in for the list the build had when
    it came to the noun.
    """
    committed = frequency_list("compound_parts.txt")
    first = first_parts()
    same = _lines(first) == _lines(frequency_list("first_parts.txt"))
    wrong = [] if same else ["first_parts.txt"]
    blocked = set(word_list("not_parts.txt"))
    whole = set(word_list("council_words.txt"))
    splitter = CompoundSplitter(committed, word_list("short_parts.txt"), first, MIN_ZIPF)
    for noun in all_nouns()[::every]:
        lemma, forms = noun.lemma, noun.forms
        if lemma in blocked or lemma in whole:
            continue
        with splitter.without(forms):
            simple = is_simple(noun, splitter)
        expected = {f: round(zipf(f), 1) for f in forms - blocked if len(f) >= MIN_PART}
        listed = all(committed.get(f) == z for f, z in expected.items())
        if (simple and not listed) or (not simple and lemma in committed):
            wrong.append(lemma)
    return wrong


def _lines(words: dict[str, float]) -> list[str]:
    return [f"{word} {zipf:.1f}" for word, zipf in sorted(words.items())]


def write(name: str, lines: list[str]) -> None:
    header = "# Generated by scripts/build_compound_parts.py; do not edit. Word, Zipf frequency.\n"
    (DATA / name).write_text(header + "\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    simple, first = build()
    write("compound_parts.txt", simple)
    write("first_parts.txt", first)
    print(f"{len(simple)} simple words and forms, {len(first)} first parts")


if __name__ == "__main__":
    main()
