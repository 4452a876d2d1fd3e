"""What words the corpus uses: a question's key term that occurs nowhere in the sources
means the sources cannot answer it (hourly pay, billing codes, another state's hours).
Misspellings close to a corpus word count as that word and are corrected for retrieval."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .text import FILLER, STOPWORDS, stem, words

_FUZZY_MIN_LEN = 5
_FUZZY_CUTOFF = 0.85


@dataclass(frozen=True)
class Vocabulary:
    words: frozenset[str]
    stems: frozenset[str]

    @classmethod
    def from_texts(cls, texts: list[str]) -> "Vocabulary":
        ws = frozenset(w for t in texts for w in words(t))
        return cls(words=ws, stems=frozenset(stem(w) for w in ws))

    def known(self, word: str) -> bool:
        return word in self.words or stem(word) in self.stems or self.correction(word) is not None

    def correction(self, word: str) -> str | None:
        if len(word) < _FUZZY_MIN_LEN or word.isdigit():
            return None
        close = difflib.get_close_matches(word, self._long_words, n=1, cutoff=_FUZZY_CUTOFF)
        if close:
            return close[0]
        # A clipped word: "cert" for certification, "reimb" for reimbursement.
        if len(word) >= 4:
            for candidate in self._long_words:
                if candidate.startswith(word):
                    return candidate
        return None

    @property
    def _long_words(self) -> list[str]:
        cached = self.__dict__.get("_long")
        if cached is None:
            cached = sorted(w for w in self.words if len(w) >= 4 and not w.isdigit())
            object.__setattr__(self, "_long", cached)
        return cached

    def subject_words(self, text: str) -> list[str]:
        return [w for w in words(text) if w not in STOPWORDS and w not in FILLER and (len(w) > 1 or w.isdigit())]

    def unknown_terms(self, text: str) -> list[str]:
        return [w for w in self.subject_words(text) if not self.known(w)]

    def correct(self, text: str) -> str:
        """Replace misspelled subject words with the corpus word they are closest to."""
        def fix(match: re.Match) -> str:
            word = match.group(0)
            low = word.lower()
            if low in self.words or low in STOPWORDS or low in FILLER or stem(low) in self.stems:
                return word
            return self.correction(low) or word
        return re.sub(r"[A-Za-z]+", fix, text)
