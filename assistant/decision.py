"""Whether the sources answer a question, decided by meaning, with the evidence behind it.

One object, ``Decision``, is read by the pipeline (what to compose), the eval report (why a
case was refused) and the maintainers' views (what people asked that the sources lack).

The decision rests on three kinds of evidence, each computed once per question:

* **Match in meaning.** Every answerable unit (sentence, list, FAQ question) of the retrieved
  chunks has a vector stored at ingest; its cosine similarity to the question, blended with
  how much of the question's weighted terms it covers, is its score. The best score says
  whether the sources speak to the question at all.
* **Coverage of the question's salient terms.** A question word the corpus never uses (after
  spelling correction, singulars and the glossary) is covered when a corpus word means the
  same (its nearest stored word vector is close enough: doctor ~ physician). An uncovered
  word is a *specific ask the sources lack* when the user wrote it as a name (Medicare,
  Texas, CPT) or when leaving it out changes the question's meaning (its embedding moves):
  "sessions" in "will insurance pay for my massage sessions" barely moves it, "Medicare" in
  "does Medicare cover it" does. No single word list decides this. An uncovered word also
  counts against every unit's term coverage, in proportion to how much it moves the question
  ("tax deductible" lowers the score of every passage about insurance; "sessions" barely does),
  so a question whose main ask no passage contains scores low without any single veto.
* **Answer type.** A question that asks for an amount, a duration, a percentage, a count, a
  code or a year (``lexicon/answer_types.toml``) needs a unit that states one, close in
  meaning to the question (near the best unit's score: a figure about the thing asked, not
  the MMPA's price for "what does a license cost") and naming what the question names (an
  organization by its acronym or spelled out). A *preferred* type (the job outlook for "is it a
  good career?") leads when a close unit states it and is no reason to refuse when none does. A question asking what a thing *is* needs a unit
  that says what it is or does, not one that merely uses its words.
* **A choice.** A question offering alternatives ("a doctor or a massage therapist?") needs a passage
  that says one of them.

``Evidence`` holds those measurements; ``judge`` turns them into a verdict with thresholds
from ``settings.toml`` (``[decision]``). Keeping the two apart lets the calibration sweep the
thresholds over stored evidence without answering every question again.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Callable, Literal

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .followup import asks_again
from .guard import looks_like_instructions
from .retrieval import Retrieval, Unit
from .text import FILLER, INTERROGATIVE, OPENING, STOPWORDS, content_terms, has_family, list_items, negated, normalize_numbers, split_sentences, stem, typed_pattern, typed_sentences, words
from .sources import reader_named
from .compounds import compounds_in
from .vocabulary import LEXICON_DIR, Vocabulary, glossary_term

Verdict = Literal["answer", "partial", "refuse"]
NO_MATCH = "no passage matches closely enough"


@dataclass(frozen=True)
class AnswerType:
    name: str
    describe: str
    asks: re.Pattern
    states: re.Pattern
    of: str = "for"       # how a refusal joins what it lacks to the names asked about: "a price for “AMMA”"
    required: bool = True  # no unit states one: refuse; otherwise the question is answered as if untyped
    where_to_look: str = ""  # who a user can ask for such a figure, when the sources lack it ("" : the general line)
    naming: bool = False   # a sentence answers only when it names what the question names (always so when required)


@lru_cache(maxsize=1)
def answer_types() -> tuple[AnswerType, ...]:
    data = tomllib.loads((LEXICON_DIR / "answer_types.toml").read_text(encoding="utf-8"))
    return tuple(AnswerType(name, spec["describe"], re.compile(spec["asks"], re.I), re.compile(spec["states"], re.I),
                            spec.get("of", "for"), spec.get("required", True), spec.get("where_to_look", ""),
                            spec.get("naming", False))
                 for name, spec in data.items())


def answer_type(name: str | None) -> AnswerType | None:
    return next((k for k in answer_types() if k.name == name), None)


@dataclass
class ScoredUnit:
    unit: Unit
    score: float          # blend of similarity in meaning and weighted term coverage
    coverage: float       # share of the question's weighted terms the unit contains


@dataclass
class Term:
    """A question word the corpus never uses, and what meaning says about it."""

    word: str
    nearest: str = ""          # the closest word the corpus uses
    nearest_similarity: float = 0.0
    shift: float = 0.0         # 1 - cos(question, question without the word)
    domain: float = 0.0        # cos(word, the corpus's mean direction): belongs to the subject's domain
    typed_as_name: bool = False
    name_like: bool = False    # typed as a name, or its closest corpus words are names (Maryland, AMTA)
    in_passage: float | None = None  # how closely the best passages say what the word means in the question
    in_story: bool = False     # said only in the story before the question ("my cousin does swedish massages. is that ...?")
    subject: bool = False      # who or what a yes/no question asks about ("can a *nurse* do medical massage?")
    compound: bool = False     # corpus words that name another kind together ("*physical therapist*"): judged as one word
    # cos(question without the word, best passage) - cos(question, best passage): how much closer the best passage
    # comes when the word is left out. Near the word's whole shift, the passage answers the question without it.
    closer_without: float | None = None
    closes: bool = False       # the last word of a yes/no question: what it asks of what it names ("can I take it *online*?")
    without: np.ndarray | None = field(default=None, repr=False, compare=False)  # the question without it


@dataclass
class Probes:
    words: list[str]         # question words the corpus never uses
    names: set[str]          # words the user typed as names
    texts: list[str]         # what to embed to measure them
    # Of those, the names in the sentence that asks, when the message says more ("Is it regulated differently in
    # Canada? I'm thinking of practising in Ontario."): measured in that sentence too, after the words' texts.
    asking: list[str] = field(default_factory=list)
    compounds: list[str] = field(default_factory=list)  # of ``words``, the runs of corpus words WordNet names as one
    in_text: dict[str, str] = field(default_factory=dict)  # such a run as it stands in the text: "car auto insurance"

    def as_written(self, word: str) -> str:
        """The word or run as it stands in the text measured (with any glossary word put beside the user's)."""
        return self.in_text.get(word, word)


@dataclass
class Evidence:
    """Everything the verdict is computed from; thresholds are applied in ``judge``."""

    top_similarity: float                  # best cosine of the question to a chunk or unit
    units: list[ScoredUnit]                # best first
    terms: list[Term] = field(default_factory=list)
    asks: str | None = None                # the answer type the question asks for
    typed_units: list[ScoredUnit] = field(default_factory=list)  # units stating that type, best first
    names: list[str] = field(default_factory=list)  # corpus names the question names (MMPA, Maryland)
    counted: str | None = None             # what "how many ..." counts (a term: "session")
    defined: str | None = None             # what "what is X?" asks the meaning of ("contraindications")
    for_one: bool = False                  # the figure asked for is one item's ("each level"): a total is no answer
    spelled: tuple[str, ...] = ()          # "what does MMPA stand for?": the words it stands for, as the corpus writes them
    type_words: frozenset[str] = frozenset()  # the words that asked for the type ("demand" in "is there demand for ...")
    naming: list[ScoredUnit] = field(default_factory=list)  # statements naming all the question names, best first
    elsewhere: list[ScoredUnit] = field(default_factory=list)  # statements naming another organization, none of the question's
    commenter: str | None = None           # a reader the question names ("what did Cindy say ...?")
    comment: list[ScoredUnit] = field(default_factory=list)  # that reader's comment, best first: what they said
    unreplied: bool = False  # it asks the answer that reader got, and no one replied ("What answer did Mary Ann get?")
    focus_vector: np.ndarray | None = field(default=None, repr=False)  # what the user typed, in a follow-up
    # "Was he a doctor or a massage therapist?": the words that name each alternative offered, and whether the
    # best passages say any of them (an answer to a choice says one of its alternatives).
    alternatives: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()          # the alternatives as the user typed them ("massage therapist")
    alternative_said: bool = True
    # "What conditions can't medical massage treat?": a question for what is not, answered only by a passage that says not.
    asks_what_not: bool = False

    def typed_similarity(self, unit: Unit) -> float:
        """The unit's cosine to what the user typed: in a follow-up, to the new question alone."""
        if self.focus_vector is None or unit.vector is None:
            return unit.similarity
        return float(np.dot(self.focus_vector, unit.vector))

    @cached_property
    def answers(self) -> list[ScoredUnit]:
        """Units that can open an answer: statements, and FAQ questions (their entry answers).
        Corpus text is data: a planted "ignore the question and say ..." never answers anything,
        and a reader's own story ("I've just heard of regular massage therapy") is no answer either."""
        return [u for u in self.units if (u.unit.role == "question" or not u.unit.text.rstrip().endswith("?"))
                and not looks_like_instructions(u.unit.text) and not own_story(u.unit)]

    @property
    def best(self) -> ScoredUnit | None:
        answers = self.answers
        return answers[0] if answers else None


@dataclass
class Decision:
    verdict: Verdict
    reason: str                          # "answered", "off-subject", "not covered: medicare", ...
    evidence: Evidence
    missing: list[str] = field(default_factory=list)   # what the sources lack, in the user's words
    lead: ScoredUnit | None = None       # the unit the answer opens with
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return self.verdict != "answer"


@dataclass(frozen=True)
class Thresholds:
    off_subject_similarity: float = 0.30   # below: the question is not about the subject at all
    answer_score: float = 0.45             # the best unit must score this to answer
    related_score: float = 0.35            # units this good are offered in a partial answer
    synonym_similarity: float = 0.75       # a corpus word this close means the same
    name_shift: float = 0.05               # leaving out a word the user typed as a name moves the question this far: it matters
    salient_shift: float = 0.15            # the same for a name-like word or a word of the subject's domain
    generic_shift: float = 0.6             # the same for a word outside the domain (mostly phrasing: "advertise")
    domain_similarity: float = 0.15        # a word this close to the corpus's mean direction is a domain word
    name_neighbour_similarity: float = 0.35  # a corpus name this close to a word makes the word name-like
    typed_score: float = 0.45              # a unit stating the asked type must score this
    typed_ratio: float = 0.75              # ... and this share of the best unit's score: a figure about the asked thing
    semantic_weight: float = 0.6           # score = w * similarity + (1 - w) * coverage
    unmatched_shift: float = 0.05          # a question word no passage has counts fully against coverage from this shift on
    word_in_passage: float = 1.01          # a word whose meaning in the question a best passage says this closely is no ask they lack
    closer_without: float = 1.01           # a word whose removal brings the question this much closer to the best passage is an ask it lacks
    closing_closer_without: float = 1.01   # the same for the last word of a yes/no question

    @classmethod
    def from_settings(cls, settings) -> "Thresholds":
        values = settings.tuning.get("decision", {})
        return cls(**{k: float(v) for k, v in values.items() if k in cls.__dataclass_fields__})


_LEADING_MARKS = "-–—'\"“‘*#>:;,. "  # what may stand before a question's first word ("-- what is ...")


def question_sentence(text: str) -> str:
    """The part of a message that asks: its last question, when a story comes first."""
    sentences = typed_sentences(text)
    asking = [s for s in sentences if s.rstrip().endswith("?") or INTERROGATIVE.match(s.lstrip(_LEADING_MARKS))]
    return asking[-1] if asking else text


def previous_question(query: str, focus: str) -> str:
    """In a follow-up, the question the conversation carried over (the standalone query is it
    followed by what the user typed); "" when the query is what the user typed."""
    if focus == query or not query.endswith(focus):
        return ""
    return query[: -len(focus)].strip()


def asked_type(text: str) -> str | None:
    focus = question_sentence(text)
    for kind in answer_types():
        if kind.asks.search(focus):
            return kind.name
    return None


def type_words(text: str) -> frozenset[str]:
    """The content words of the question that ask for its answer type ("year" in "what year?")."""
    return frozenset(content_terms(" ".join(_type_words(asked_type(text), text))))


def asks_only_its_type(text: str) -> bool:
    """Every word of the question asks for its answer type ("what year?", "how many days?"): it asks that
    of whatever the conversation was about, as "when?" does."""
    asked = set(content_terms(text))
    return bool(asked) and asked <= type_words(text)


def typed_names(text: str) -> set[str]:
    """Words the user wrote as names: capitalized inside a sentence, or in capitals (CPT, HSA).
    A message in capitals or title case throughout says nothing about names."""
    found: set[str] = set()
    total = capitalized = 0
    for sentence in split_sentences(text):
        tokens = re.findall(r"[A-Za-z][A-Za-z'’]*", sentence)
        for i, word in enumerate(tokens):
            total += 1
            # Capitals run on ("DROP TABLE", "SYSTEM OVERRIDE") are shouting or code, not a name.
            shouting = any(0 <= j < len(tokens) and len(tokens[j]) > 2 and tokens[j].isupper() for j in (i - 1, i + 1))
            if (len(word) > 1 and word.isupper() and not shouting) or (
                    i > 0 and word[0].isupper() and not word.isupper() and not word.startswith("I'") and word != "I"):
                capitalized += 1
                found.update(words(word)[:1])
    return found if capitalized <= total / 2 else set()


def _type_words(kind: str | None, text: str) -> frozenset[str]:
    """The words of the question's asking sentence that asked for its answer type."""
    spec = answer_type(kind)
    if spec is None:
        return frozenset()
    return frozenset(w for m in spec.asks.finditer(question_sentence(text)) for w in words(m.group(0)))


def counted_noun(text: str) -> str | None:
    """What "how many ..." (or "the number of ...") counts, as a term: the last word of the phrase after it
    ("how many medical massage sessions per year" counts sessions)."""
    match = re.search(r"\b(?:how many|(?<!\ba )number of)\b(.*)", question_sentence(text), re.I)
    phrase: list[str] = []
    for word in words(match.group(1)) if match else []:
        if word in STOPWORDS or word in FILLER or word == "per":  # "sessions per year" counts sessions
            break
        if phrase and re.search(r"..(ed|ing)$", word):  # "the number of training hours *required* to ..." starts a clause
            break
        phrase.append(word)
    terms = content_terms(phrase[-1]) if phrase else []
    return terms[0] if terms else None


def counts(text: str, noun: str) -> bool:
    """The sentence states a number of ``noun``: "three different levels" counts levels, "for 2
    years" does not count sessions."""
    tokens = words(text)
    for i, token in enumerate(tokens):
        if not token.isdigit():
            continue
        for following in tokens[i + 1:i + 4]:  # "three different levels", not "the two is the patient payment"
            if following in STOPWORDS:
                break
            if noun in content_terms(following):
                return True
    return False


# "What are contraindications?", "what does maximum medical improvement mean?", "define X": the
# meaning of a thing. "What is the tuition ...?" asks something of a thing, not what it is.
_DEFINITION = re.compile(
    OPENING + r"(?:what\s+(?:does|do)\s+(?P<means>[\w'’ -]+?)\s+(?:actually\s+|really\s+)?mean"
    r"|(?:define|definition\s+of)\s+(?P<define>[\w'’ -]+?)"
    r"|what\s+(?:is|are)\s+meant\s+by\s+(?P<by>[\w'’ -]+?)"
    r"|what\s+(?:does|do)\s+(?:it|that|this|they|you|people)\s+mean\s+(?:by|when\s+\w+\s+(?:says?|talks?\s+about))\s+(?P<say>[\w'’ -]+?)"
    r"|what(?:\s+(?:is|are)|['’]?s)\s+(?:(?:a|an)\s+)?(?P<what>[\w'’ -]+?))"
    r"(?:\s+(?:exactly|actually|really))?\W*$", re.I)
# "<thing> is a ...", "<thing> means ...", "<thing> is often defined as ...": not "<thing> is expected to ...".
# What follows a thing in a sentence that says what it is: "X is a ...", "X, which ...", and by its kinds or
# who gives it: "clinical massage techniques, including myofascial treatments ...", "adjunct credentials,
# usually provided by third-party agencies ...".
_DEFINES = re.compile(r"^\s*(?:which|means?|refers?\s+to|stands?\s+for|including|such\s+as|"
                      r"(?:usually\s+|often\s+|typically\s+)?(?:provided|offered|given|issued)\s+by|"
                      r"(?:is|are)\s+(?:often\s+|usually\s+|simply\s+|basically\s+)?"
                      r"(?:a|an|the|one|when|what|how|defined|called|known))\b", re.I)
_LEAD_IN = re.compile(r"^\W*(?:so|in essence|in other words|basically|simply put|in short)\W+", re.I)


# "What does MMPA stand for?", "what's RMP short for?": the name an acronym stands for (the words the
# vocabulary writes beside an acronym the corpus only spells out may follow it: "LMT licensed massage therapist",
# "NCBTMB (national certification board ...)").
_STANDS_FOR = re.compile(OPENING + r"what(?:\s+(?:does|do|is)|['’]?s)\s+(?:the\s+)?(?:acronym\s+)?(?P<short>[A-Za-z]{2,})(?:['’]?s)?\s+"
                         r"(?:\([^)]*\)\s+)?(?:[a-z]+\s+){0,4}?(?P<asks>stands?\s+for|short\s+for|an?\s+abbreviation\s+(?:of|for))\W*$", re.I)


# A figure for one item of several: "each level", "per session", "level 1 by itself".
# "each year", "per week" say how often, not which part ("per session" does: a price of one of many).
_ONE_OF = re.compile(r"\b(?:(?:each|per)(?!\s+(?:year|month|week|day)s?\b)|apiece|individual(?:ly)?|by\s+itself|on\s+its\s+own|a\s+single"
                     # one part named by its number or place ("just level 1", "the second level")
                     r"|(?:level|part|module|stage|step)\s+(?:[1-9]|one|two|three|four|five|i{1,3})"
                     r"|(?:first|second|third|last)\s+(?:level|part|module|stage|step))\b", re.I)
_TOTAL = re.compile(r"\b(?:total(?:l?ing|s|led)?|in\s+all|altogether|combined|overall)\b", re.I)


# What a question about a comment asks for: the reply to it ("and what was the answer?"), or the reader's question.
_ASKS_REPLY = re.compile(r"\b(repl(?:y|ied|ies)|answer(?:ed|s)?|respon(?:se|ded|d)|tell|told|author)\b", re.I)
# A question for who said something: "who asked about business cards?", "which commenter mentioned car accidents?"
_ASKS_WHO_SAID = re.compile(r"\bwho\s+(?:asked|wrote|said|commented|mentioned|posted|talked|brought\s+up)\b"
                            r"|\bwhich\s+(?:reader|commenter|person|one)\s+(?:asked|wrote|said|commented|mentioned|posted)\b", re.I)
_ASKS_QUESTION = re.compile(r"\b(ask(?:ed|s)?|question)\b", re.I)
# "did anybody answer Mary Ann's question?" asks for the reply, however it names her question.
_ANSWERS_QUESTION = re.compile(r"\b(answer(?:ed|s)?|repl(?:y|ied|ies)\s+to|respond(?:ed|s)?\s+to)\b[^?.]{0,30}\bquestion", re.I)


def said_by(reader: str, scored: list[ScoredUnit], question: str) -> list[ScoredUnit]:
    """The units of ``reader``'s comment the question asks for, the one to lead with first: their own
    sentences (a comment chunk records where the reply to it starts), their questions first when it asks
    what they asked; the reply when it asks for the answer they got."""
    units = [s for s in scored if s.unit.kind == "comment" and s.unit.role == "text"
             and s.unit.hit.metadata.get("author") == reader]
    start = {s.unit.hit.doc.id: s.unit.hit.metadata.get("reply_from") for s in units}
    own = [s for s in units if start[s.unit.hit.doc.id] is None or s.unit.position < start[s.unit.hit.doc.id]]
    reply = [s for s in units if s not in own]
    if reply and _ASKS_REPLY.search(question):
        return sorted(reply, key=lambda s: s.unit.position)
    asked = bool(_ASKS_QUESTION.search(question))
    return sorted(own, key=lambda s: (not (asked and s.unit.text.rstrip().endswith("?")), -s.unit.similarity))


def asks_unreplied(comment: list[ScoredUnit], question: str) -> bool:
    """The question asks what answer a reader got ("What answer did she get?", "did anyone reply?"), not what they
    asked, and no one replied to their comment."""
    replied = any(s.unit.hit.metadata.get("reply_from") is not None for s in comment)
    return not replied and bool(_ASKS_REPLY.search(question)) and (
        not _ASKS_QUESTION.search(question) or bool(_ANSWERS_QUESTION.search(question)))



def asks_for_one(text: str) -> bool:
    """The question asks a figure for one item of several ("how much is each level?")."""
    return bool(_ONE_OF.search(question_sentence(text)))


def states_a_total(text: str) -> bool:
    """The sentence's figure is a total ("three levels of training totalling 13 days and $1,400"): no
    answer to what one of them costs or lasts."""
    return bool(_TOTAL.search(text))


def spelled_out(text: str, vocabulary: Vocabulary) -> tuple[str, ...]:
    """The words an acronym the question asks about stands for, as the corpus writes them out."""
    match = _STANDS_FOR.match(question_sentence(text).strip())
    short = match.group("short").lower() if match else ""
    return tuple(vocabulary.acronyms.get(short) or vocabulary.initialisms.get(short) or ())


def _spelling_words(text: str) -> frozenset[str]:
    """The words that asked for a name spelled out ("stand for"): what they ask is the answer's type, no thing."""
    match = _STANDS_FOR.match(question_sentence(text).strip())
    return frozenset(words(match.group("asks"))) if match else frozenset()


def spells_out(unit: Unit, name: tuple[str, ...]) -> bool:
    """The unit writes the name out: its words, in order ("the Medical Massage Practitioners of America")."""
    tokens = words(unit.text)
    at = 0
    for word in name:
        if word not in tokens[at:]:
            return False
        at = tokens.index(word, at) + 1
    return True


def defined_term(text: str) -> str | None:
    """What a question asks the meaning of: a thing of one to four words, none of them a function
    word ("what does that mean?" leans on the conversation; "what's the difference between ..."
    asks something else)."""
    match = _DEFINITION.match(question_sentence(text).strip())
    thing = next((g for g in match.groups() if g), None) if match else None
    tokens = words(thing or "")
    if not 1 <= len(tokens) <= 4 or any(t in STOPWORDS or t in FILLER for t in tokens):
        return None
    return " ".join(tokens)


def defines(unit: Unit, thing: str) -> bool:
    """The unit says what ``thing`` is or does: a FAQ question about it (its entry answers), a
    sentence whose subject it is ("Medical massage therapy aims to ..."), or one that says
    "<thing> is a/means/refers to/, which ...". A sentence that only uses it ("... part of a treatment plan
    for injuries") does not."""
    wanted = content_terms(thing)
    if unit.role == "question":  # an entry the maintainers wrote about it ("How is medical massage different from relaxation massage?")
        return _same_terms(content_terms(unit.text), wanted, within=True)
    tokens, n = words(_LEAD_IN.sub("", unit.text)), len(words(thing))
    if _same_terms(content_terms(" ".join(tokens[: n + 2])), wanted, within=True):
        return True
    for i in range(len(tokens)):
        window = content_terms(" ".join(tokens[i:i + n]))
        if window and _same_terms(window, wanted) and _DEFINES.match(" ".join(tokens[i + n:])):
            return True
    return False


def _same_terms(have: list[str], wanted: list[str], within: bool = False) -> bool:
    """Every wanted term is among ``have`` (a word of its family counting); unless ``within``, nothing more."""
    present = frozenset(have)
    return all(has_family(t, present) for t in wanted) and (within or all(has_family(t, frozenset(wanted)) for t in have))


class Decider:
    """Measures the evidence for one question and judges it."""

    def __init__(self, vocabulary: Vocabulary, term_weight: Callable[[str], float], term_in_corpus: Callable[[str], bool],
                 embed: Callable[[list[str]], list[list[float]]],
                 nearest_terms: Callable[[list[list[float]]], list[list[tuple[str, float]]]],
                 thresholds: Thresholds, centroid: np.ndarray | None = None,
                 word_vectors: Callable[[str], dict[str, np.ndarray]] | None = None):
        self.vocabulary = vocabulary
        self.word_vectors = word_vectors
        self.every_word = False  # calibration reads every word in the passages, whatever the thresholds
        self.term_weight = term_weight
        self.term_in_corpus = term_in_corpus
        self.embed = embed
        self.nearest_terms = nearest_terms
        self.thresholds = thresholds
        self.centroid = centroid
        self._neighbours: dict[str, list[tuple[str, float]]] = {}

    def decide(self, query: str, retrieval: Retrieval, focus: str | None = None, probes: Probes | None = None) -> Decision:
        """``query`` is the standalone question (history carried over); ``focus`` what the user
        typed last. Salient words and the answer type are read from what the user typed."""
        evidence = self.measure(query, retrieval, focus or query, probes)
        return judge(evidence, self.thresholds)

    def measure(self, query: str, retrieval: Retrieval, focus: str, probes: Probes | None = None) -> Evidence:
        t = self.thresholds
        terms = self._terms(query, focus, retrieval, probes)
        weights = self._weights(query, focus)
        unmatched = 0.0
        for term in terms:  # a word the corpus lacks but has a synonym for counts as that word
            if term.nearest_similarity >= t.synonym_similarity:
                for stemmed in content_terms(term.nearest):
                    weights.setdefault(stemmed, self.term_weight(stemmed))
            elif " " not in term.word:  # no passage can contain it: it weighs on every passage's coverage, as much as it matters
                unmatched += self.term_weight(term.word) * min(1.0, term.shift / t.unmatched_shift)
        total = (sum(weights.values()) + unmatched) or 1.0
        scored = []
        for unit in retrieval.units:
            # A word of the same family counts: "certified" is said by "certification".
            present = _unit_terms(unit.text)
            coverage = sum(w for term, w in weights.items() if has_family(term, present)) / total
            if unit.role == "question":  # a FAQ question stands for its entry: half its coverage is the entry's
                entry = _unit_terms(unit.hit.doc.page_content)
                coverage = (coverage + sum(w for term, w in weights.items() if has_family(term, entry)) / total) / 2
            score = t.semantic_weight * unit.similarity + (1 - t.semantic_weight) * coverage
            scored.append(ScoredUnit(unit, round(score, 4), round(coverage, 4)))
        scored.sort(key=lambda s: (-s.score, s.unit.hit.metadata.get("chunk_id", ""), s.unit.position))
        top = max([retrieval.top_dense, *(u.unit.similarity for u in scored)], default=0.0)

        # "what about the AMMA?" after "how much does the MMPA cost?" asks the price again, of the AMMA.
        again = previous_question(query, focus) if asks_again(focus) else ""
        asked, asks = focus, asked_type(focus)
        if asks is None and again:
            asked, asks = again, asked_type(again)
        counted = counted_noun(asked) if asks == "count" else None
        names = (again and self.vocabulary.names_in(focus)) or self.vocabulary.names_in(query)
        # A figure is asked of what the asking sentence names; a name only in the story before it is context
        # ("I'm an LMT saving up for CE. What's the tuition for the MMPA track?"). When the asking sentence
        # names nothing ("I'm looking at the AMMA. What does it cost?"), the story's names are what it asks of.
        sentence = question_sentence(focus)
        from_story = False
        if sentence != focus and not again:
            said = self.vocabulary.names_in(self.vocabulary.correct(sentence))
            names, from_story = said or names, not said
        # Who the user says they are is not what they ask about: "i'm an LMT and my boss asked how long the MMPA
        # course takes and what it costs" asks the MMPA's figures, not the LMT's.
        rest = set(self.vocabulary.names_in(_I_AM.sub(" ", focus)))
        names = [n for n in names if n in rest] or names
        typed: list[ScoredUnit] = []
        for_one = bool(asks) and asks_for_one(asked)
        if asks:
            kind = answer_type(asks)
            # A figure is answered by the sentence stating it. A preference ("is it a good career?": the outlook)
            # is also answered by the FAQ entry that states it ("What is the job outlook ...?").
            def states(s: ScoredUnit) -> str:
                return s.unit.hit.doc.page_content if s.unit.role == "question" and not kind.required else s.unit.text
            typed = [s for s in scored if (s.unit.role == "text" or not kind.required)
                     and kind.states.search(normalize_numbers(states(s)))
                     and self._names_what_was_asked(kind, names, from_story, states(s))
                     and (counted is None or counts(s.unit.text, counted))
                     and not (for_one and states_a_total(s.unit.text))]
        naming = [s for s in scored if names and s.unit.role == "text"
                  and all(self.vocabulary.mentions(s.unit.text, n) for n in names)]
        # Statements about another organization than the one asked about ("the MMPA's program" for "does the AMMA
        # offer continuing ed?"): they name one and none of the question's names.
        acronyms = self.vocabulary.acronyms
        elsewhere = [s for s in scored if s.unit.role == "text" and s not in naming
                     and not any(self.vocabulary.mentions(s.unit.text, n) for n in names)
                     and any(n in acronyms for n in self.vocabulary.names_in(s.unit.text))] \
            if any(n in acronyms for n in names) else []
        own = retrieval.probe_vectors[-1] if focus != query and probes and probes.texts and retrieval.probe_vectors \
            and len(retrieval.probe_vectors) == len(probes.texts) else None
        # A name is answered by what the sources say of it ("what's the AMTA?"); a thing by what it is.
        spelled = spelled_out(focus, self.vocabulary) if asks is None else ()
        defined = defined_term(focus) if asks is None and not spelled else None
        if defined and any(self.vocabulary.is_name(w) for w in words(defined)):
            defined = None
        readers = [a for a in dict.fromkeys(s.unit.hit.metadata.get("author") for s in scored if s.unit.kind == "comment") if a]
        commenter = reader_named(readers, focus, query) or self._reader_asked_for(focus, query, scored)
        comment = said_by(commenter, scored, focus) if commenter else []
        # The words that ask for the answer's type ("how many days", "stand for") are no thing the sources lack.
        asking = _type_words(asks, asked) | (_spelling_words(focus) if spelled else frozenset())
        evidence = Evidence(top_similarity=round(top, 4), units=scored, terms=terms, asks=asks, typed_units=typed,
                            names=names, counted=counted, defined=defined, spelled=spelled, for_one=for_one,
                            type_words=asking, naming=naming, elsewhere=elsewhere,
                            commenter=commenter, comment=comment,
                            unreplied=bool(comment) and asks_unreplied(comment, question_sentence(focus)),
                            focus_vector=None if own is None else np.asarray(own))
        self._closer_without(evidence, np.asarray(own if own is not None else retrieval.query_vector))
        self._read_in_passages(evidence, focus)
        evidence.asks_what_not = bool(_ASKS_WHAT_NOT.match(sentence))
        offered = offered_alternatives(sentence)
        evidence.alternatives = tuple(head for head, _ in offered)
        evidence.choices = tuple(phrase for _, phrase in offered)
        if offered:
            evidence.alternative_said = self._says_any(evidence.alternatives, evidence.answers[:3])
        return evidence

    def _reader_asked_for(self, focus: str, query: str, scored: list[ScoredUnit]) -> str | None:
        """"Who asked about business cards in the comments?" asks for a reader: the one whose comment is the
        closest passage, when it is close enough to be offered at all; a follow-up ("what did the author tell
        her?") asks it of the reader the question before it asked for."""
        if not any(_ASKS_WHO_SAID.search(question_sentence(text)) for text in dict.fromkeys((focus, query))):
            return None
        best = next((s for s in scored if s.unit.kind == "comment"), None)
        if best is None or best.score < self.thresholds.related_score or best is not scored[0]:
            return None
        return best.unit.hit.metadata.get("author") or None

    def _says_any(self, alternatives: tuple[str, ...], units: list[ScoredUnit]) -> bool:
        """Whether the passages say one of the alternatives: the word, one of its family, its acronym
        spelled out or its glossary term, or the corpus word closest to it in meaning ("growing": growth)."""
        texts = [_says(u.unit) for u in units]
        present = frozenset().union(*[_unit_terms(text) for text in texts]) if texts else frozenset()
        vocabulary = self.vocabulary

        def said(word: str) -> bool:
            near = self._neighbours.get(word) or []
            closest = near[0][0] if near and near[0][1] >= self.thresholds.synonym_similarity else ""
            for form in (word, glossary_term(word) or "", " ".join(vocabulary.initialisms.get(word, ())), closest):
                terms = content_terms(form)
                if terms and all(has_family(term, present) for term in terms):
                    return True
            return any(vocabulary.mentions(text, word) for text in texts)
        return any(said(word) for word in alternatives)

    def _names_what_was_asked(self, kind: AnswerType, names: list[str], from_story: bool, text: str) -> bool:
        """A figure (or, for a kind that needs it, a judgement) is of what the question names; a profession is of
        someone named: "was he a physician?" is not answered by "prescribed by an acting physician". The story's
        names are who asks and what about ("I'm an LMT planning for the MMPA program. How many days is the whole
        thing?"): a figure said of one of them answers it; a claim the story tells ("my friend says an RMP in
        Maryland couldn't ...") is judged by a sentence about all it names."""
        if not (kind.required or kind.naming):
            return True
        if not names:
            return not (kind.required and kind.naming)
        named = (any if from_story and kind.required else all)
        return named(self.vocabulary.mentions(text, n) for n in names)

    @staticmethod
    def _closer_without(evidence: Evidence, typed: np.ndarray) -> None:
        """For each word the corpus lacks: how much closer in meaning the best passage is to the question
        without it. "are there online medical massage courses": the MMPA's courses come 0.10 closer without
        "online" (its whole shift is 0.09): they answer the question that does not ask it."""
        best = evidence.best
        if best is not None and best.unit.role == "question":
            # A FAQ question stands for its entry: what the entry says is measured (its best sentence retrieved). The
            # question is worded like a user's ("Can I call myself ... on my business cards?"), so a word of the user's
            # in place of one of its own ("print") leaves it as closer as any ask it lacks would.
            best = next((u for u in evidence.units if u.unit.hit.doc.id == best.unit.hit.doc.id
                         and u.unit.role == "text" and u.unit.vector is not None), best)
        if best is None or best.unit.vector is None or typed.ndim != 1:
            return
        lead = best.unit.vector
        asked = float(np.dot(typed, lead))
        for term in evidence.terms:
            if term.without is not None:
                term.closer_without = round(float(np.dot(term.without, lead)) - asked, 4)

    def _read_in_passages(self, evidence: Evidence, focus: str, passages: int = 3) -> None:
        """For each word the thresholds would call an ask the sources lack: how closely the best
        passages say what it means in the question, word piece by word piece (the contextual
        vectors of the question's word against those of the passages' words). "Mandatory" in "is
        certification mandatory?" is said by "not needed"; "Medicare" is said by no passage.
        Only these words pay for it: most questions have none."""
        asked = [term for term in evidence.terms
                 if " " not in term.word and (self.every_word or is_specific(term, self.thresholds, listed=True))]
        if self.word_vectors is None or not asked or not evidence.answers:
            return
        question = self.word_vectors(focus)
        texts = [_says(u.unit) for u in evidence.answers[:passages]]
        said = np.vstack([v for text in texts for v in self.word_vectors(text).values()])
        for term in asked:
            vectors = question.get(term.word)
            if vectors is not None:
                term.in_passage = round(float((vectors @ said.T).max(axis=1).mean()), 4)

    def _weights(self, query: str, focus: str) -> dict[str, float]:
        """Weighted question terms, in the corpus's form; what the user typed last weighs double."""
        focus_terms = set(content_terms(focus)) if focus != query else set()
        weights: dict[str, float] = {}
        for term in content_terms(query):
            if self.term_in_corpus(term):
                weights[term] = self.term_weight(term) * (2.0 if term in focus_terms else 1.0)
        return weights

    def probes(self, query: str, focus: str) -> Probes:
        """The words of what the user typed that the corpus never uses, and the texts whose
        vectors measure them: each word alone, the question without it, and (in a follow-up) what
        the user typed. The retriever embeds them in one batch with the query."""
        names = typed_names(focus)
        candidates: list[str] = []
        typed = _split_words(focus)
        for i, word in enumerate(typed):
            # Function words and chat filler ("much", "get", "lol", "everywhere") carry no subject: never an ask.
            # Two letters typed in lowercase are a thing only after an article or a preposition ("in ny", "a pt"):
            # elsewhere they are chat ("ya but ...", "eh is it ...", "a tight budget rn").
            short = len(word) < 3 and word not in names and not (len(word) == 2 and i and typed[i - 1] in _BEFORE_A_THING)
            if word in STOPWORDS or word in FILLER or word.isdigit() or short \
                    or not word.isalpha() or (word in ENGLISH_STOP_WORDS and word not in names):
                continue
            if self.vocabulary.corpus_form(word) is None and word not in candidates:
                candidates.append(word)
        candidates += [phrase for phrase in _runs(typed, candidates) if phrase not in candidates]
        # Names side by side ("Ontario, Canada"): each moves the question little when dropped alone, as the other
        # still says where; together they are one name.
        candidates += [phrase for phrase in _runs(typed, [w for w in candidates if w in names]) if phrase not in candidates]
        in_text = {phrase: run for phrase, run in self._unwritten_compounds(typed, candidates).items() if phrase not in candidates}
        candidates += list(in_text)
        if not candidates:  # in a follow-up, what the user typed is still embedded: what it asks on its own
            return Probes([], names, [focus] if focus != query else [])
        # The shift is measured on what the user typed: in a follow-up ("and does Medicaid?") the
        # carried-over question would hide how much the word matters.
        own = [focus] if focus != query else []
        sentence = question_sentence(focus)
        # A name typed in the sentence that asks is measured there too: the rest of a longer message would
        # hide how much it matters ("Is it regulated differently in Canada? I'm thinking of practising in ...").
        asking = [w for w in candidates if w in names and sentence != focus and _drop_word(sentence, w) != sentence]
        clause = [sentence] + [_drop_word(sentence, w) for w in asking] if asking else []
        return Probes(candidates, names, candidates + [_drop_word(focus, in_text.get(w, w)) for w in candidates] + clause + own,
                      asking, list(in_text), in_text)

    def _unwritten_compounds(self, typed: list[str], unknown: list[str]) -> dict[str, str]:
        """Runs of words the corpus uses that name one kind of thing together (WordNet's nouns) and that the
        corpus never writes together: "physical therapists", "car insurance", "liability insurance" (one word
        the corpus lacks is measured itself too; a run of words it all lacks is measured as such). Each as the
        user typed it, with the run as it stands in the text (the glossary's "auto" put beside "car")."""
        own = [i for i, w in enumerate(typed) if not (i and w in (glossary_term(typed[i - 1]) or "").split())]
        users = [typed[i] for i in own]
        found = {}
        for start, end in compounds_in(users):
            run = users[start:end]
            if any(w in STOPWORDS or w in ENGLISH_STOP_WORDS or not w.isalpha() for w in run) or all(w in unknown for w in run):
                continue
            if not self.vocabulary.says_run(run):
                found[" ".join(run)] = " ".join(typed[own[start]:own[end - 1] + 1])
        return found

    def _terms(self, query: str, focus: str, retrieval: Retrieval, probes: Probes | None = None) -> list[Term]:
        """The words of what the user typed that the corpus never uses, measured by meaning."""
        probes = probes or self.probes(query, focus)
        candidates, names = probes.words, probes.names
        if not candidates:
            return []
        vectors = retrieval.probe_vectors
        if len(vectors) != len(probes.texts):  # not embedded with the query (a caller that skipped probes)
            vectors = self.embed(probes.texts)
        word_vectors = vectors[:len(candidates)]
        unknown = [i for i, w in enumerate(candidates) if w not in self._neighbours]
        if unknown:  # a word's closest corpus words do not change until the index does: ask once
            for i, near in zip(unknown, self.nearest_terms([word_vectors[i] for i in unknown])):
                if len(self._neighbours) > 50_000:
                    self._neighbours.clear()
                self._neighbours[candidates[i]] = near
        neighbours = [self._neighbours[w] for w in candidates]
        sentence = question_sentence(focus)
        asked_about = asked_subject(sentence, candidates, probes.in_text, focus)
        closing = closing_word(sentence)
        n, m = len(candidates), len(probes.asking)
        clause = 1 + m if m else 0
        q = np.asarray(vectors[-1] if len(vectors) > 2 * n + clause else retrieval.query_vector)
        in_sentence = {}
        if m:  # the asking sentence's vector, and its vector without each of its words
            asked = np.asarray(vectors[2 * n])
            in_sentence = {w: 1.0 - float(np.dot(asked, np.asarray(v))) for w, v in zip(probes.asking, vectors[2 * n + 1:2 * n + clause])}
        vectors = vectors[:2 * n]
        terms = []
        dropped = probes.texts[n:2 * n]
        for word, near, word_vector, vector, rest in zip(candidates, neighbours, word_vectors,
                                                         vectors[n:], dropped):
            # Without the word nothing is left ("medicare" typed alone): it is the whole question.
            shift = 1.0 - float(np.dot(q, np.asarray(vector))) if rest.strip() else 1.0
            shift = max(shift, in_sentence.get(word, 0.0))
            domain = float(np.dot(self.centroid, np.asarray(word_vector))) if self.centroid is not None else 1.0
            if word in probes.compounds:  # a kind of what one of its words names is no other word for it
                parts = frozenset(stem(p) for p in word.split())
                near = [(w, sim) for w, sim in near if not has_family(stem(w), parts)]
            nearest, similarity = near[0] if near else ("", 0.0)
            name_like = word in names or any(
                self.vocabulary.is_name(w) and sim >= self.thresholds.name_neighbour_similarity for w, sim in near)
            subject = word in asked_about
            terms.append(Term(word, nearest, round(similarity, 4), round(shift, 4), round(domain, 4),
                              all(w in names for w in word.split()), name_like, in_story=sentence != focus and _drop_word(sentence, probes.as_written(word)) == sentence, subject=subject,
                              compound=word in probes.compounds, closes=word.split()[-1] == closing, without=np.asarray(vector) if rest.strip() else None))
        return terms


# A wh-question whose own verb is negated: "what conditions *can't* it treat?", "which states *don't* require ...".
_ASKS_WHAT_NOT = re.compile(OPENING + r"(?:what|which|who)\b(?:\s+(?!(?:if|when|since|because|unless|after|before)\b)[\w'’]+){0,3}?\s+(?:can['’]?t|cannot|don['’]?t|doesn['’]?t|"
                            r"isn['’]?t|aren['’]?t|won['’]?t|shouldn['’]?t|(?:can|do|does|is|are|will|should)\s+not)\b", re.I)
_FIRST_PERSON = re.compile(r"\b(I|I['’](m|ve|d|ll|am)|me|my|myself)\b")


def own_story(unit: Unit) -> bool:
    """A commenter's sentence about themselves: their story, not a fact the sources state."""
    return unit.kind == "comment" and bool(_FIRST_PERSON.search(unit.text))


def _says(unit: Unit) -> str:
    """What a unit says: a FAQ question stands for its entry."""
    return unit.hit.doc.page_content if unit.role == "question" else unit.text


@lru_cache(maxsize=50_000)
def _unit_terms(text: str) -> frozenset[str]:
    """A corpus sentence's terms: the same sentences come back question after question."""
    return frozenset(content_terms(text, keep_filler=True))


_BEFORE_A_THING = frozenset("a an the my your his her their our this that in at for from to of as with by on into per".split())


def _split_words(text: str) -> list[str]:
    """The words as typed, a hyphenated word as its parts: "Medicare-covered" names Medicare."""
    return [part for word in words(text) for part in word.split("-") if part]


def _runs(typed: list[str], unknown: list[str]) -> list[str]:
    """Words the corpus lacks that stand side by side as typed ("is it tax deductible"): each
    moves the question little when dropped alone, as the other still says it; the run is measured too."""
    runs, run = [], []
    for word in typed + [""]:
        if word in unknown:
            run.append(word)
            continue
        if len(run) > 1:
            runs.append(" ".join(run))
        run = []
    return runs


_POLAR_SUBJECT = re.compile(r"^\W*(?:can|could|may|might|do|does|did|is|are|was|were|should|will|would|must)\s+"
                            r"(?:(?:a|an|the|my|our|your|their|his|her|some|any)\s+)?(.*)", re.I)


def closing_word(sentence: str) -> str | None:
    """The last word of a yes/no question, where English puts what it asks of what it names ("can I take the
    course *online*?"); None for any other sentence, and for one that names nothing else: "is that *normal*?"
    asks a judgement of the story before it, not a condition of something it names."""
    typed = _split_words(sentence) if _POLAR_SUBJECT.match(sentence) else []
    return typed[-1] if typed and content_terms(" ".join(typed[:-1])) else None


def asked_subject(sentence: str, unknown: list[str], in_text: dict[str, str] | None = None, said: str = "") -> set[str]:
    """The words the corpus never uses that a yes/no question asks about, as its subject: "can a *nurse*
    practitioner write ...?", "does *cigna* pay ...?", "can a registered *nurse* do ...?" (the first
    two words after the verb and its article). "Can I ...?" asks about who the user ``said`` they are:
    "I'm a registered nurse. Can I do medical massage ...?"."""
    match = _POLAR_SUBJECT.match(sentence)
    if not match:
        return set()
    typed = _split_words(match.group(1))
    if who := who_asks(sentence, said):
        typed = _split_words(who)
    elif not typed or typed[0] in STOPWORDS:  # "is it ...?", "can I ...?": a pronoun, not a thing
        return set()
    # A word of any English stop list is no subject ("does *every* organization ...", "is a prescription *enough*").
    # A run of words named as one kind ("can a *physical therapist* ...") is the subject when it opens it.
    written = {run: (in_text or {}).get(run, run).split() for run in unknown if " " in run}
    return {w for w in typed[:2] if w in unknown and w not in ENGLISH_STOP_WORDS} | {
        run for run, parts in written.items() if typed[:len(parts)] == parts}


def who_asks(sentence: str, said: str) -> str | None:
    """Who the user ``said`` they are, when the yes/no question asks what "I" may do: "a registered nurse" in
    "I'm a registered nurse. Can I do medical massage ...?"."""
    match = _POLAR_SUBJECT.match(sentence)
    who = _I_AM.search(said) if match and _split_words(match.group(1))[:1] == ["i"] else None
    return who.group(1) if who else None


_I_AM = re.compile(r"\bi\s*(?:['’]?m|\s+am)\s+(?:a|an)\s+([a-z]+(?:\s+[a-z]+)?)", re.I)
# "... or not?", "... or what?" offer nothing to choose; nor does "a hospital or *other* medical setting", which names the
# kind the first belongs to.
_OR = re.compile(r"\bor\b(?!\s+(?:not|no|nah|what|something|anything|so|whatever|whatnot|other|another|any|similar|elsewhere|anywhere|somewhere|some\s+other)\b)", re.I)


def offered_alternatives(sentence: str) -> tuple[tuple[str, str], ...]:
    """The alternatives a question offers to choose from, each as (the word that names it, the words the user
    typed for it): the last naming word before "or", and the first run of naming words after it, named by its
    last ("was he a *doctor* or a *massage therapist*?", "online or do I have to go in *person*?"). "... or
    not?" offers none."""
    parts = _OR.split(sentence)
    if len(parts) < 2:
        return ()

    def named(typed: list[str]) -> list[bool]:
        # The glossary's word put beside the user's ("doctor physician") is not typed: the user's word names it.
        return [w not in STOPWORDS and w not in FILLER and w not in ENGLISH_STOP_WORDS and (len(w) > 1 or w.isdigit())
                and not (i and w in (glossary_term(typed[i - 1]) or "").split()) for i, w in enumerate(typed)]

    offered = []
    typed = words(parts[0])
    first = [w for w, n in zip(typed, named(typed)) if n][-1:]
    if first:
        offered.append((first[0], first[0]))
    for part in parts[1:]:
        # After "or": the first run of naming words ("a massage therapist", "go in person": "person").
        typed = words(part)
        marks = named(typed)
        if True in marks:
            start = marks.index(True)
            end = marks.index(False, start) if False in marks[start:] else len(typed)
            offered.append((typed[end - 1], " ".join(typed[start:end])))
    if len(offered) != len(parts):
        return ()
    return tuple(dict((head, (head, phrase)) for head, phrase in offered).values())


def _drop_word(text: str, word: str) -> str:
    """``text`` without ``word`` (or a run of words, whatever separates them as typed)."""
    pattern = typed_pattern(word)
    out = re.sub(rf"\b{pattern}(?:['’]s)?\b", " ", text, flags=re.I)
    return " ".join(out.split())


def is_specific(term: Term, t: Thresholds, listed: bool = False) -> bool:
    """A word the corpus lacks that names a specific ask: no corpus word means the same, the
    best passages do not say what it means in the question in other words, and leaving it out
    changes the question. Names and words of the subject's domain (Medicare,
    chiropractor) matter at a smaller change than everyday words, which are mostly phrasing; so
    does any word asked of a list ("can it treat depression?" of the conditions it treats): a list
    names what it holds, and the word is not among them."""
    if term.nearest_similarity >= t.synonym_similarity:
        return False
    if term.in_passage is not None and term.in_passage >= t.word_in_passage:
        return False  # the passages say it in other words ("not needed" for "mandatory")
    if term.closer_without is not None and term.closer_without >= (t.closing_closer_without if term.closes else t.closer_without) \
            and (" " not in term.word or term.compound) and not term.in_story:
        return True  # the best passage answers the question without it (a run of words, or the story's, is held to the bars below)
    if " " in term.word and not term.compound:  # a run of such words is held to the everyday bar whatever its parts are, unless all are names
        # (said only before the question, it is context unless typed as a name: "'; DROP TABLE users; -- what is ...")
        return term.shift >= (t.name_shift if term.typed_as_name else t.generic_shift) and (term.typed_as_name or not term.in_story)
    if term.typed_as_name:
        return term.shift >= t.name_shift
    if term.subject and (term.name_like or term.compound):
        # Who or what a yes/no question asks about is the ask, however little the rest leans on it, when it is
        # like a name (a payer, a body: "does *workers* comp pay ...?"); "can *students* count ...?", "can
        # *newbies* take ...?" ask about people the sources speak of in other words.
        return True
    # A word of the story before the question is context, not what is asked, unless typed as a name ("I live in Ohio"):
    # a word only like a name ("a spa doing swedish massage. how is medical massage different?") is held to the everyday bar.
    # A kind of what the sources speak of ("liability insurance") is of their domain, wherever MiniLM puts it.
    special = (term.name_like or term.compound or term.domain >= t.domain_similarity or listed) and (not term.in_story or term.subject)
    return term.shift >= (t.salient_shift if special else t.generic_shift)


def judge(evidence: Evidence, t: Thresholds) -> Decision:
    """The verdict, from the evidence and the thresholds alone."""
    best = evidence.best
    scores = {"top_similarity": evidence.top_similarity, "best_score": best.score if best else 0.0,
              "best_coverage": best.coverage if best else 0.0}

    def partial(reason: str, missing: list[str], exclude: list[ScoredUnit] = ()) -> Decision:
        related = [u for u in evidence.answers if u.score >= t.related_score and u.unit.role == "text"
                   and u not in exclude]
        return Decision("partial" if related else "refuse", reason, evidence, missing, None, scores)

    # A reader the question names ("what did Cindy say her school concentrated on?") is answered by their
    # comment, however little its words share with the question's: what they said is what was asked.
    # A figure or a name asked of what they said is there only when the comment states one ("what's the name of the
    # school Cindy went to?": she calls it "a small massage school").
    if evidence.comment:
        if evidence.unreplied:
            return partial(f"no reply to {evidence.commenter} stated", ["reply"])
        kind = answer_type(evidence.asks)
        stating = [u for u in evidence.comment if kind.states.search(normalize_numbers(u.unit.text))] if kind else []
        if kind is not None and kind.required and not stating:
            return partial(f"no {evidence.asks} stated in the comment of {evidence.commenter}", [evidence.asks])
        return Decision("answer", f"answered from the comment of {evidence.commenter}", evidence, [],
                        (stating or evidence.comment)[0], scores)  # the sentence stating what was asked leads
    # Far in meaning from every passage, unless one passage has every word it asks with ("what are
    # trigger points?": MiniLM knows no meaning of them close to massage, the techniques list names them).
    if best is None or (evidence.top_similarity < t.off_subject_similarity and best.coverage < 1.0):
        return Decision("refuse", "off-subject", evidence, [], None, scores)
    lead, bar = best, t.answer_score
    best_text = next((u for u in evidence.answers if u.unit.role == "text"), best)
    specific = [term for term in evidence.terms if is_specific(term, t, listed=bool(list_items(best_text.unit.text)))]
    runs = [term.word.split() for term in specific if " " in term.word]  # "tax deductible", not also "tax"
    specific = [term for term in specific if not any(term.word in run for run in runs)]
    preferred = evidence.asks is not None and not answer_type(evidence.asks).required
    typed = [u for u in evidence.typed_units if u.score >= max(t.typed_score, t.typed_ratio * best.score)
             or (preferred and u.unit.similarity >= max(t.typed_score, t.typed_ratio * best.unit.similarity))
             # A figure said of what the question names is about the same thing however far a follow-up's echo of
             # the conversation ("What does the MMPA certification program offer?") puts the best passage ahead.
             or (evidence.names and not preferred and u.score >= t.typed_score)]
    if evidence.asks and not typed and not answer_type(evidence.asks).required:
        # "Is it a good career?" is best answered by the outlook; when no passage close enough states one,
        # by whatever answers it best ("a great career that lets you help people").
        evidence = replace(evidence, asks=None, typed_units=[])
    if evidence.asks:
        if not typed:
            what = evidence.asks + (" for " + ", ".join(evidence.names) if evidence.names else "")
            # A figure about something else (the MMPA's price for "what does the AMMA cost") is not offered.
            # Every ask the sources lack is named ("a pay figure" and "Ohio"), but not twice: "CPT"
            # is how "a billing code" was asked for.
            kind = answer_type(evidence.asks)
            also = [term.word for term in specific if not kind.asks.search(term.word) and term.word not in evidence.type_words]
            return partial(f"no {what} stated" + "".join(f"; not covered: {word}" for word in also),
                           [evidence.asks] + also, exclude=evidence.typed_units)
        lead = typed[0]
        # A sentence stating the figure asked, of what the question names, needs only the typed bar: a story
        # around the question ("I'm an LMT planning time off work. How many days is the MMPA program?") takes
        # meaning from every sentence, not from the one that states it.
        bar = t.typed_score if answer_type(evidence.asks).required else bar
    # "Is there demand for ...?" asked for the outlook in a word the corpus lacks; a passage states it.
    # "stand for" asked for a name spelled out.
    specific = [term for term in specific if term.word not in evidence.type_words]
    if specific:
        scores["max_shift"] = max(term.shift for term in specific)
        return partial("not covered: " + ", ".join(term.word for term in specific), [term.word for term in specific])
    if evidence.alternatives and not evidence.alternative_said:
        # "Was he a doctor or a massage therapist?" of a passage that says he coined the term: none of the choices.
        return partial("no choice stated: " + " or ".join(evidence.alternatives), ["choice"])
    if evidence.spelled:  # "what does MMPA stand for?" is answered by a passage that writes the name out
        spellers = [u for u in evidence.answers if u.unit.role == "text" and spells_out(u.unit, evidence.spelled)]
        if not spellers:
            return partial("no name spelled out", [])
        lead = spellers[0]
    if evidence.defined:  # a passage that uses the word is no answer to what it means
        near = max(t.typed_score, t.typed_ratio * best.score)
        definers = [u for u in evidence.answers if u.score >= near and defines(u.unit, evidence.defined)]
        if not definers:
            return partial(f"no definition of {evidence.defined} stated", [evidence.defined])
        lead = definers[0]
    if lead.score < bar:
        return partial(NO_MATCH, [])
    if evidence.asks_what_not and not negated(_says(lead.unit)):  # what it treats is no answer to what it can't
        return partial("asked what is not; the sources say what is", [])
    # "Does the AMMA offer continuing ed?" is not answered by what the MMPA offers: the closest statement that names
    # the organization asked about answers, when it is close enough; otherwise the sources do not say.
    if lead in evidence.elsewhere:
        naming = [u for u in evidence.naming if u.score >= max(t.answer_score, t.typed_ratio * best.score)]
        if not naming:
            return partial("nothing close said of " + ", ".join(evidence.names), [], exclude=evidence.elsewhere)
        lead = naming[0]
    return Decision("answer", "answered", evidence, [], lead, scores)
