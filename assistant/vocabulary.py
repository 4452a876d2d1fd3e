"""What words the corpus uses, and how a question's words map onto them: misspellings
close to a corpus word count as that word, a plural or possessive of a corpus word
("CEUs", "MMPA's") as the word itself, and the domain glossary (``lexicon/glossary.toml``,
which a maintainer edits) adds the corpus's term beside a user's (doctor, physician).

Whether a word the corpus never uses matters to the question is not decided here: that
is the decision's job, by meaning (``decision.py``)."""

from __future__ import annotations

import difflib
from collections import Counter
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .embeddings import model_words
from .text import FILLER, STOPWORDS, stem, words

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"
_FUZZY_MIN_LEN = 5
_FUZZY_CUTOFF = 0.85
_FUZZY_NAME_CUTOFF = 0.9
_PREFIX_MIN_LEN = 4


@lru_cache(maxsize=1)
def glossary() -> dict[str, str]:
    data = tomllib.loads((LEXICON_DIR / "glossary.toml").read_text(encoding="utf-8"))
    return {k.lower(): str(v) for k, v in data.items()}


def glossary_term(word: str) -> str | None:
    """The corpus's word for a glossary word, its plural too ("masseuses" is "masseuse")."""
    terms = glossary()
    for form in (word, word[:-1] if word.endswith("s") else None):
        if form and form in terms:
            return terms[form]
    return None


def _names(texts: list[str]) -> frozenset[str]:
    capitalized: dict[str, int] = {}
    lowercase: set[str] = set()
    for text in texts:
        for match in re.finditer(r"(?<![.!?:\n]\s)(?<!^)\b([A-Za-z][A-Za-z]+)\b", text):
            word = match.group(1)
            if word[0].isupper():
                capitalized[word.lower()] = capitalized.get(word.lower(), 0) + 1
            else:
                lowercase.add(word)
    return frozenset(w for w in capitalized if w not in lowercase and w not in STOPWORDS)


def _runs(texts: list[str], longest: int = 3) -> frozenset[tuple[str, ...]]:
    """Every run of two or three stemmed words the texts write one after the other, within a sentence."""
    found = set()
    for text in texts:
        for sentence in re.split(r"[.!?:;\n]+", text):
            stems = [stem(w) for w in words(sentence)]
            for size in range(2, longest + 1):
                found.update(tuple(stems[i:i + size]) for i in range(len(stems) - size + 1))
    return frozenset(found)


_MINOR = {"of", "for", "and", "the", "in", "on", "to", "a", "an", "&"}


def _acronyms(texts: list[str]) -> dict[str, tuple[str, ...]]:
    """Acronyms the corpus spells out as "Full Name (ACRONYM)": mmpa -> (medical, massage,
    practitioners, america). A question may use either; both name the same thing."""
    found: dict[str, tuple[str, ...]] = {}
    for text in texts:
        for match in re.finditer(r"((?:[A-Z][A-Za-z]+[ -]+(?:(?:of|for|and|the|in|on|to|&)[ -]+)?)+)\(([A-Z]{2,})s?\)", text):
            names = match.group(1).split()
            acronym = match.group(2)
            initials = [w for w in names if w.lower() not in _MINOR]
            # the last len(acronym) capitalized words whose initials spell it
            tail = initials[-len(acronym):]
            if len(tail) == len(acronym) and "".join(w[0] for w in tail).upper() == acronym:
                found.setdefault(acronym.lower(), tuple(w.lower() for w in tail))
    return found


def _initialisms(texts: list[str]) -> dict[str, tuple[str, ...]]:
    """What a user's acronym may stand for when the corpus writes the name out in title case
    but never abbreviates it: "Registered Massage Practitioners" is what "RMP" means. Only
    names of three or more words (two-letter initials are mostly noise)."""
    found: dict[str, tuple[str, ...]] = {}
    for text in texts:
        for match in re.finditer(r"\b[A-Z][a-z]+(?:[ -]+(?:(?:of|for|and|the|in|on|to|&)[ -]+)?[A-Z][a-z]+){2,5}\b", text):
            names = [w for w in re.split(r"[ -]+", match.group(0)) if w.lower() not in _MINOR]
            for size in range(3, len(names) + 1):  # every run of three words or more within the name
                for start in range(len(names) - size + 1):
                    run = names[start:start + size]
                    found.setdefault("".join(w[0] for w in run).lower(), tuple(w.lower() for w in run))
    return found


@dataclass(frozen=True)
class Vocabulary:
    words: frozenset[str]
    stems: frozenset[str]
    names: frozenset[str] = frozenset()
    _long: tuple[str, ...] = field(default=(), repr=False)
    acronyms: dict = field(default_factory=dict, compare=False)  # mmpa -> (medical, massage, practitioners, america)
    initialisms: dict = field(default_factory=dict, compare=False)  # rmp -> (registered, massage, practitioners)
    runs: frozenset = field(default=frozenset(), repr=False, compare=False)  # stemmed word runs the corpus writes (2-3 words)

    @classmethod
    def from_texts(cls, texts: list[str]) -> "Vocabulary":
        counts = Counter(w for t in texts for w in words(t))
        ws = frozenset(counts)
        # Most used first: a clipped word ("cert") stands for the corpus's usual word, not the first in the alphabet.
        long_words = tuple(sorted((w for w in ws if len(w) >= _PREFIX_MIN_LEN and not w.isdigit()),
                                  key=lambda w: (-counts[w], w)))
        return cls(words=ws, stems=frozenset(stem(w) for w in ws), names=_names(texts), _long=long_words,
                   acronyms=_acronyms(texts), initialisms=_initialisms(texts), runs=_runs(texts))

    def says_run(self, typed: list[str]) -> bool:
        """Whether the corpus writes these words one after the other, in any of their forms ("physical
        maladies" for "physical malady"); each corpus form of a word counts (a misspelling's, a glossary term's)."""
        forms = [{stem(word)} | {stem(w) for w in (self.corpus_form(word) or "").split()[-1:]} for word in typed]
        runs = [()]
        for options in forms:
            runs = [run + (option,) for run in runs for option in options]
        return any(run in self.runs for run in runs)

    def names_in(self, text: str) -> list[str]:
        """The corpus names a text names, an organization spelled out counted as its acronym:
        "Medical Massage Practitioners of America" is "mmpa"."""
        present = self.subject_words(text)
        out: list[str] = []
        spelled: set[str] = set()
        for acronym, expansion in self.acronyms.items():
            if all(w in present for w in expansion):
                out.append(acronym)
                spelled.update(expansion)
        out += [w for w in present if self.is_name(w) and w not in spelled and w not in out]
        return out

    def mentions(self, text: str, name: str) -> bool:
        """Whether a text names ``name``, by the name itself or, for an acronym, spelled out."""
        present = words(text)
        return name in present or (name in self.acronyms and all(w in present for w in self.acronyms[name]))

    def is_name(self, word: str) -> bool:
        """A word the corpus always writes capitalized inside a sentence: Maryland, MMPA, AMTA."""
        return word.lower() in self.names

    def in_corpus(self, word: str) -> bool:
        return word in self.words or stem(word) in self.stems

    def corpus_form(self, word: str) -> str | None:
        """The corpus word this word is, or stands for: itself, its singular ("ceus"), the
        glossary's term, or the corpus word a misspelling is close to. None when there is none."""
        cache = self.__dict__.setdefault("_forms", {})
        if word not in cache:
            if len(cache) > 50_000:
                cache.clear()
            cache[word] = self._corpus_form(word)
        return cache[word]

    def _corpus_form(self, word: str) -> str | None:
        if self.in_corpus(word):
            return word
        if word.endswith("s") and len(word) > 3 and self.in_corpus(word[:-1]):
            return word[:-1]
        if term := glossary_term(word):
            return term
        for form in (word, word[:-1] if word.endswith("s") else None):  # "RMPs" too
            if form in self.initialisms:  # an acronym stands for the words the corpus writes out
                return " ".join(self.initialisms[form])
        return self.correction(word)

    def correction(self, word: str) -> str | None:
        """The corpus word a misspelled or clipped word stands for, if any."""
        if word.isdigit() or len(word) < _PREFIX_MIN_LEN or not word.isalpha():
            return None
        # Candidates share the first letter: typos rarely hit it, and it keeps a big vocabulary fast.
        bucket = self._by_initial().get(word[0], ())
        if len(word) >= _FUZZY_MIN_LEN:
            near = [w for w in bucket if abs(len(w) - len(word)) <= 2]
            close = difflib.get_close_matches(word, near, n=1, cutoff=_FUZZY_CUTOFF)
            # An everyday word is not a misspelt name: "spring" is not "Sparring", "marylnd" is "Maryland".
            if close and (not self.is_name(close[0])
                          or difflib.SequenceMatcher(None, word, close[0]).ratio() >= _FUZZY_NAME_CUTOFF):
                return close[0]
        for candidate in bucket:  # "cert" for certification, "reimb" for reimbursement
            if candidate.startswith(word) and len(candidate) > len(word):
                return candidate
        return None

    def _by_initial(self) -> dict[str, tuple[str, ...]]:
        cached = self.__dict__.get("_initial_index")
        if cached is None:
            groups: dict[str, list[str]] = {}
            for w in self._long:
                groups.setdefault(w[0], []).append(w)
            cached = {k: tuple(v) for k, v in groups.items()}
            object.__setattr__(self, "_initial_index", cached)
        return cached

    def subject_words(self, text: str) -> list[str]:
        return [w for w in words(text) if w not in STOPWORDS and w not in FILLER and (len(w) > 1 or w.isdigit())]

    def correct(self, text: str) -> str:
        """The question in the corpus's words: misspellings fixed, plurals of corpus acronyms
        made singular, glossary terms added beside the user's word, and the acronym of an
        organization the user spelled out ("... Practitioners of America (MMPA)")."""
        def fix(match: re.Match) -> str:
            word = match.group(0)
            low = word.lower()
            if term := glossary_term(low):
                return f"{word} {term}"
            # "RMP (registered massage practitioners)"; "NCBTMB (national certification board ...)" too,
            # which the corpus uses but never puts beside the name it writes out, typed in capitals or not.
            if (word.isupper() or self.is_name(low)) and low in self.initialisms and low not in self.acronyms \
                    and low not in STOPWORDS:
                return f"{word} ({' '.join(self.initialisms[low])})"
            if low in STOPWORDS or low in FILLER or self.in_corpus(low):
                return word
            # A word the language model knows whole is a word, not initials, unless typed in capitals:
            # "man, is it hard?" is no "Mary Ann Ninaus"; "rmp" is "registered massage practitioners".
            if (low in self.initialisms or low.rstrip("s") in self.initialisms) and not word.rstrip("s").isupper() \
                    and low in model_words():
                return word
            return self.corpus_form(low) or word
        fixed = re.sub(r"[A-Za-z]+", fix, text)
        # An organization spelled out is also named by the acronym the corpus mostly uses.
        spelled = [a.upper() for a in self.names_in(fixed) if a in self.acronyms and a not in words(fixed)]
        return f"{fixed} ({', '.join(spelled)})" if spelled else fixed
