"""Sentence splitting and term extraction shared by chunking, retrieval and answering."""

from __future__ import annotations

import os
import re
from functools import lru_cache

import Stemmer

_stemmer = Stemmer.Stemmer("english")

# Sentence ends: . ! ? followed by space and an upper-case letter, digit, quote or bracket.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(\[A-Z0-9$])")
# A sentence that only continues the one before it ("And thus ...", "Which means ...").
_CONTINUATION = re.compile(r"^(And|Which|Or)\b")
# A short subordinate clause that the source printed as its own line ("In order for ... .").
_LEADING_CLAUSE = re.compile(r"^(?:Generally, )?(?:[Ii]n order for|[Ww]hen|[Ii]f|[Bb]ecause|[Ww]hile)\b")
_WORD = re.compile(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*")

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during
    each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers
    herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more
    most mustn't my myself no nor not of off on once only or other ought our ours ourselves out over own same
    shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs them
    themselves then there there's these they they'd they'll they're they've this those through to too under
    until up very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's which
    while who who's whom why why's will with won't would wouldn't you you'd you'll you're you've your yours
    yourself yourselves toward towards upon onto via among amongst across vs versus""".split()
)

# Words people add to a question that carry no subject: greetings, hedges, chat abbreviations.
FILLER = frozenset(
    """hi hey hello hiya thanks thank thx ty please pls plz ok okay yes yeah yep lol um uh hmm so well just really
    actually basically like kinda sorta maybe wondering wonder question questions ask asking tell know knows
    want wanna gonna gotta need needs get gets got getting go going thing things stuff anyone someone anybody
    somebody everyone guys guy folks u ur im ive id dont doesnt cant wont isnt arent whats hows wheres thats
    theres does do did make makes made say says said told tell heard hear read saw see seen sure true false
    right wrong real actually exactly mean means meant think thought help me anything something everything
    one ones way kind sort lot lots much many good great bad best better also still even already quite
    currently now today yet ever never always often sometimes usually generally possible possibly able
    would could should might may must shall will can cant idk tbh btw imo pretty""".split()
)


# People type contractions without the apostrophe ("if i dont have a prescription").
# A word that means "not needed" denies as "not" does: "is a prescription optional?" is "is a prescription
# not needed?", and the "Yes." of "Does insurance need a prescription?" does not answer it.
_NEGATION = re.compile(r"\b(not|no|never|none|neither|nor|cannot|without|optional|unnecessary|needless|unneeded|"
                       r"voluntary|elective|dispensable|non-?essential|"
                       r"(?:do|does|did|is|are|was|were|ca|wo|should|would|could|have|has|had|need)nt)\b|n['’]t\b",
                       re.IGNORECASE)


# "..., or not?" and "whether or not" ask whether; they deny nothing.
_WHETHER_OR_NOT = re.compile(r"\bor\s+not\b(?=\s*[?.!]*\s*$)|\bwhether\s+or\s+not\b", re.IGNORECASE)


def negated(text: str) -> bool:
    """Word overlap cannot tell "X is required" from "X is not required": polarity must match too."""
    return bool(_NEGATION.search(_WHETHER_OR_NOT.sub(" ", text)))


_TYPED_END = re.compile(r"(?<=[.!?;])(?<!\.\.)[\"”’)]?\s+")  # an ellipsis pauses ("billing code... is it 97124?")
_ABBREVIATION = re.compile(r"(?:\b[A-Za-z]|\b(?:dr|mr|mrs|ms|st|vs|etc|e\.g|i\.e))\.$", re.IGNORECASE)


def typed_sentences(text: str) -> list[str]:
    """A message as a person types it, in sentences, whatever case each starts in ("i work at a spa.
    how is medical massage different?"); an abbreviation ("Dr.", "U.S.") or an ellipsis ends none."""
    sentences: list[str] = []
    for piece in _TYPED_END.split(" ".join(text.split())):
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        elif piece:
            sentences.append(piece)
    return sentences


def typed_pattern(phrase: str) -> str:
    """A regular expression for a word or run of words as a person may have typed it, whatever separates
    the words ("ontario canada" matches "Ontario, Canada")."""
    return r"\W+".join(re.escape(part) for part in phrase.split())


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences, joining lines the source printed as separate fragments."""
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        if paragraph:
            pieces.extend(s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip())
    merged: list[str] = []
    for sentence in pieces:
        if merged and len(merged[-1].split()) <= 2:  # "No." / "Yes." lead into the sentence that explains them
            merged[-1] = f"{merged[-1]} {sentence}"
        elif merged and _CONTINUATION.match(sentence):
            merged[-1] = f"{merged[-1]} {sentence}"
        elif merged and _LEADING_CLAUSE.match(merged[-1]) and len(merged[-1].split()) <= 16 and "," not in merged[-1].split(" ", 2)[-1]:
            merged[-1] = f"{merged[-1]} {sentence}"
        else:
            merged.append(sentence)
    return merged


def split_units(text: str) -> list[str]:
    """Answerable units of a passage: sentences, with a bullet list kept whole and joined
    to the sentence that introduces it."""
    units: list[str] = []
    prose: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        block = block.strip()
        if not block:
            continue
        if block.startswith(("- ", "* ")):
            if prose:
                units.extend(split_sentences(" ".join(prose)))
                prose.clear()
            if units and units[-1].endswith(":"):
                units[-1] = f"{units[-1]}\n\n{block}"
            else:
                units.append(block)
        else:
            prose.append(block)
    if prose:
        units.extend(split_sentences(" ".join(prose)))
    return units


_BULLET = re.compile(r"^\s*[-*•]\s+(.+)$", re.M)


def list_items(text: str) -> list[str]:
    """The items of a list: its bullets, or an enumeration written out in a sentence ("can treat
    carpal tunnel syndrome, sciatica, rotator cuff injuries and ..."): three or more short parts
    between commas. Empty when the text lists nothing. Two things joined by "and" and a clause
    after one comma ("pay for complementary and alternative treatments, because ...") list nothing."""
    bullets = _BULLET.findall(text)
    if bullets:
        return bullets
    if text.count(",") < 2:
        return []
    parts = [p.strip() for p in re.split(r",\s*(?:and\s+|or\s+)?|\s+and\s+", text) if p.strip()]
    short = [p for p in parts[1:] if len(p.split()) <= 8]
    if len(short) < 3:
        return []
    # The first item ends the clause that introduces the list: "can generally treat *carpal tunnel syndrome*, ...".
    return [" ".join(parts[0].split()[-3:]), *short]


# Numbers people write as words count as the digits the sources may use ("three levels", "3 levels").
_NUMBER_WORDS = {w: str(n) for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split()) if n != 1}  # "one" is far more often a pronoun
_NUMBER_WORDS.update({w: str(10 * n) for n, w in enumerate("thirty forty fifty sixty seventy eighty ninety".split(), 3)})


_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)


def normalize_numbers(text: str) -> str:
    """Number words as digits: "three levels" reads as "3 levels" to a pattern that looks for a figure."""
    return _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m.group(1).lower()], text)


# Words a message may open with before it asks anything: "and", "so", "ok", "hey", "um".
OPENING = r"^\W*(?:(?:and|but|so|also|ok|okay|then|well|hey|hi|hello|hiya|um|uh|oh|yo|please|pls)\b\W*)*"
# A sentence that opens with one of these asks something.
INTERROGATIVE = re.compile(r"^(how|what|which|who|whom|whose|when|where|why|is|are|am|was|were|do|does|did|can|could|"
                           r"should|shall|will|would|may|might|must|have|has|had)\b", re.I)


def words(text: str) -> list[str]:
    """Lower-case words, possessives dropped ("MMPA's" is "mmpa") and numbers as digits."""
    out = []
    for word in _WORD.findall(text.lower().replace("’", "'")):
        if word.endswith("'s"):
            word = word[:-2]
        out.append(_NUMBER_WORDS.get(word, word))
    return out


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def content_terms(text: str, *, keep_filler: bool = False) -> list[str]:
    """Stemmed words that carry meaning, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in words(text):
        if word in STOPWORDS or (not keep_filler and word in FILLER):
            continue
        if len(word) < 2 and not word.isdigit():
            continue
        seen.setdefault(stem(word), None)
    return list(seen)


def same_family(a: str, b: str) -> bool:
    """Two stems of one word family: "certifi" (certified) and "certif" (certification); not
    "special" and "specif" (specific)."""
    shared = len(os.path.commonprefix([a, b]))
    return shared >= 5 and shared >= 0.75 * max(len(a), len(b))


@lru_cache(maxsize=200_000)
def has_family(term: str, terms: frozenset[str]) -> bool:
    """``term`` is among ``terms``, or a word of its family is."""
    return term in terms or any(same_family(term, other) for other in terms)


def overlap(a: set[str], b: set[str]) -> float:
    """How much of the shorter text the longer one says (the overlap coefficient of their terms): a
    sentence whose terms another already has ("... treat carpal tunnel syndrome, sciatica ..." after
    the full list) adds nothing."""
    return len(a & b) / max(min(len(a), len(b)), 1)


def word_count(text: str) -> int:
    return len(text.split())


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("’", "")).strip("-")
