"""Whether the answer to a yes/no question opens with "Yes." or "No.", and when it must not.

A yes/no question asks whether something holds of the things it names (the question's words,
or corpus words that mean the same; the subject every article shares goes without saying).

* A FAQ entry's own "Yes."/"No." answers the FAQ's question: it stays when the user asked that
  question, the same way round, in other words or in its words ("can I practise without a
  certification?" must not get the "No." of "do I need a certification?"; "is a treatment plan
  needed for reimbursement?" not the "No." of "do all insurers have the same requirements?"),
  and no other retrieved entry it may be asking answers the other way.
* A statement says yes when it names all the question names and the clause that names them is
  affirmative and plain (no "may", "sometimes", "if", "only", no "but"/"however"), no when that
  clause is negated.
* A list, or an enumeration written out, answers yes when it names what the question asks about
  ("does it help with migraines?").

Anything else gets no opener: a missing yes is a weaker answer, a wrong one is a false answer.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, NamedTuple

from .decision import Term, question_sentence
from .text import OPENING, STOPWORDS, content_terms, has_family, list_items, negated, normalize_numbers, stem, words

OPENER = re.compile(r"^(Yes|No)\b[.,:;]?\s+")
_WH_QUESTION = re.compile(OPENING +
                          r"(what|what's|whats|how|which|who|whom|whose|where|when|why)\b", re.I)
_AUXILIARY = r"(can|could|does|do|did|is|are|was|were|will|would|should|must|has|have|am)\b"
_POLAR = re.compile(OPENING + _AUXILIARY, re.I)


def opens_yes_no(text: str) -> bool:
    """A question that opens with an auxiliary ("Do ...?", "Is there ...?"): asked to be answered yes or no."""
    return bool(_POLAR.match(text))


# "will insurance pay me directly, or does the patient get the money?" offers two questions to choose
# from: neither "Yes." nor "No." answers it ("or not", "or a certification" still ask whether, and so does
# "..., or is that a myth?": the same question the other way round).
_OR_TAG = r"(?!\s+not\b)(?!\s+" + _AUXILIARY + r"\s+(?:that|it|this|they)\b)"
_OR_QUESTION = re.compile(r"\bor(?=\s+" + _AUXILIARY + ")" + _OR_TAG, re.I)
_OR_ALTERNATIVE = re.compile(r"\bor\b" + _OR_TAG, re.I)  # "does it help sciatica or migraines?" asks of each
_ADVICE = re.compile(OPENING + r"(should|shall|ought)\s+(i|we)\b", re.I)
# A hedged or conditional statement is not a plain yes or no: "Sometimes they may ...", "For
# insurance to cover it, ...", "Only Licensed Massage Therapists ...".
_QUALIFIED = re.compile(r"\b(may|might|sometimes|some|perhaps|possibly|somewhat|if|unless|only|except|whether)\b"
                        r"|^\W*(for|when)\b", re.I)
# Words that relate what a question names, where the passage may relate the same things otherwise.
_RELATION = re.compile(r"\b(before|after|until|till|than|instead|rather|except|besides|unless|during|while|"
                       r"same|similar|equal|identical|every|each|everywhere|always|nationwide|universally|all|"
                       r"enough|sufficient|alone|just|only|merely|simply)\b", re.I)
_ONLY_FOR = re.compile(r"\s(?:just|only|solely|exclusively)\s+for\b", re.I)
_OTHER = re.compile(r"\b(separate|separately|another|additional|extra|special|specific|specifically|distinct|dedicated|"
                    r"different|differently|(?:its|their) own)\b", re.I)
# Words for one relation: "is *every* insurer the *same*?" asks what "Do *all* insurance companies have the
# *same* requirements?" does.
_SAME_RELATION = {"every": "all", "each": "all", "equal": "same", "identical": "same", "till": "until",
                  "rather": "instead", "merely": "only", "simply": "only", "just": "only", "alone": "only",
                  "sufficient": "enough"}
_RELATION_WORD = re.compile(f"{_RELATION.pattern}|{_OTHER.pattern}", re.I)
_MEMBERSHIP = re.compile(r"\b(?:part\s+of|among|included\s+in|one\s+of)\b", re.I)  # asks whether a thing is in a list
_GIVEN = re.compile(r"\b(?:if|since|because|now that|given that|as long as)\b\s+((?:[\w'’-]+\s*){1,8})\W*$", re.I)  # a condition that ends the question
_WITHOUT = re.compile(r"\bwithout\s+((?:[\w'’-]+\s*){1,4})", re.I)  # what it is done without: the words after it
_CONTRAST = re.compile(r"\b(?:but|however|although|though|yet|while|whereas)\b", re.I)
_CLAUSE = re.compile(r"[,;:()]|\s[-–—]\s")
# A question whether something said is true ("is that legit?", "is what they said true?", "legit or not?").
_ASKS_TRUTH = re.compile(r"\b(?:is|was|are|were|isn['’]?t)\s+(?:that|it|this|what\s+\w+\s+(?:said|says|told\s+me)|that\s+claim|(?!there\b)\w+)\s+"
                         r"(?:really\s+|actually\s+)?(?:true|legit|legitimate|right|correct|accurate|real|so)\b"
                         r"|\b(?:legit|true|right|correct)\s+or\s+(?:not|nah|no)\b"
                         r"|^\W*(?:legit|true|accurate|correct|for real)\W*$", re.I)  # "... is required to practice. legit?"
_NEGATING_PREFIX = re.compile(r"^(?:un|non-?|in|dis)(\w{4,})$")
# A passage that calls it false says no to it.
_CALLS_FALSE = re.compile(r"\b(?:false|untrue|not\s+true|a\s+myth|incorrect)\b", re.I)


class Entry(NamedTuple):
    """A FAQ entry as a yes/no question meets it."""

    question: str
    answer: str
    similarity: float    # cosine of the entry's question to the question asked


class Polarity:
    """Reads yes/no questions against the passages that answer them."""

    def __init__(self, subject: str = "", synonym_similarity: float = 0.75, same_question: float = 0.75,
                 in_corpus: Callable[[str], bool] = lambda term: True, is_name: Callable[[str], bool] = lambda word: False,
                 matters_shift: float = 1.01, word_in_passage: float = 1.01):
        self.matters_shift = matters_shift
        self.word_in_passage = word_in_passage
        self.subject_terms = frozenset(content_terms(subject))
        self.in_corpus = in_corpus
        self.is_name = is_name
        self.synonym_similarity = synonym_similarity
        self.same_question = same_question

    def asks_yes_no(self, question: str) -> bool:
        """A question that asks whether, not what: it may be answered "Yes."/"No.". "Should I get
        certified anyway?" asks for advice: what the sources require ("a certification is not
        needed") is no "No." to it."""
        asked = question_sentence(question).strip()
        if _ADVICE.match(asking_clause(question)):
            return False
        # "my clinic bills insurance, what do I need from the patient?" asks what, after its comma.
        if not asked or _WH_QUESTION.match(asked) or _WH_QUESTION.match(asked.split(",")[-1]) or _requests(asked) \
                or _OR_QUESTION.search(asked):
            return False
        # It says it asks whether: an auxiliary first ("do I ...", "..., is it ..."), a question mark
        # ("certification needed?"), or "if"/"whether". "wht r the requirements" (a "what" misspelled) does not.
        return bool(_POLAR.match(asked) or _POLAR.match(asked.split(",")[-1]) or asked.endswith("?")
                    or re.search(r"\b(if|whether)\b", asked, re.I))

    def denies(self, question: str) -> bool:
        """The question says "not" (see ``text.negated``), or negates a word of the corpus by its prefix:
        "can *unlicensed* therapists do it?" asks about therapists without the license the corpus speaks of."""
        return negated(question) or any(
            (match := _NEGATING_PREFIX.match(word)) and not self.in_corpus(stem(word)) and self.in_corpus(stem(match.group(1)))
            for word in words(question))

    def named(self, question: str, terms: Iterable[Term] = ()) -> frozenset[str]:
        """The corpus terms the question names, beyond the subject every article shares. A word
        the corpus lacks counts as the corpus word that means the same (doctor: physician); one
        with no such word was judged phrasing by the decision ("mandatory"), or it would not answer."""
        unknown = {t: term for term in terms for t in content_terms(term.word)}
        named: set[str] = set()
        for t in content_terms(asking_clause(question)):
            term = unknown.get(t)
            if term is None:
                if self.in_corpus(t):  # else a form no passage is searched by ("CEUs"): it weighs on nothing
                    named.add(t)
            elif term.nearest_similarity >= self.synonym_similarity:
                named.update(content_terms(term.nearest))
        return frozenset(named - self.subject_terms)

    def keeps_faq_opener(self, question: str, entry: Entry, others: Iterable[Entry] = (), terms: Iterable[Term] = ()) -> bool:
        """A FAQ answer's "Yes."/"No." answers the FAQ's own question. It stays when the question
        asks that one (see ``asks``) and no other retrieved entry that it may be asking answers
        the other way; neither is said then, unless this entry asks about the same relations as the
        question and the other about more: "do I need some kind of license?" is "do medical massage
        therapists need a license?" (Yes), not "is there a *separate* license?" (No)."""
        said = OPENER.match(entry.answer)
        if said is None or not self.asks(question, entry, terms) or not states_figures(question_sentence(question), entry.answer):
            return False  # "is a prescription enough?" is not "does insurance need a prescription?"
        exact = self.same_relations(question, entry)
        return not any((m := OPENER.match(other.answer)) and m.group(1) != said.group(1) and self.asks(question, other, terms)
                       and (not exact or self.same_relations(question, other)) for other in others)

    def same_relations(self, question: str, entry: Entry) -> bool:
        """The entry's question relates what it names as the question does: both ask about "a separate
        license" (or "a medical massage license": a license of the subject's own), or neither does."""
        asked = question_sentence(question)
        return self._kind_relations(asked, entry.question) == self._kind_relations(entry.question, asked)

    def _kind_relations(self, text: str, other: str) -> set[str]:
        """The relations of ``text``, with "other" also when the subject's words name a kind of a
        thing that ``other`` names too: "a medical massage license" is a license of its own, as "a
        separate license" is; "my own medical massage practice" says nothing about the license asked for."""
        found = _relations(text)
        tokens, named = words(text), frozenset(content_terms(other))
        for word, following in zip(tokens, tokens[1:]):
            head = stem(following)
            if word not in STOPWORDS and has_family(stem(word), self.subject_terms) and following not in STOPWORDS \
                    and not has_family(head, self.subject_terms) and has_family(head, named):
                found.add("other")
        return found

    def asks(self, question: str, entry: Entry, terms: Iterable[Term] = ()) -> bool:
        """The question is the entry's yes/no question, asked the same way round ("can I practise
        without a certification?" is not "do I need one?") and about no relation the entry's
        question lacks ("a *separate* license" is not "a license"): in other words (the two
        questions are ``same_question`` close in meaning, and the entry says a thing the question
        names and what it asks to do without: "without being licensed" is not "without getting
        certified") or in its words (the entry names all the question names, in its question or its
        answer: "is a treatment plan needed for reimbursement?" is not "do all insurers have the
        same requirements for reimbursement?")."""
        if not self.asks_yes_no(question) or self.denies(question_sentence(question)) != negated(entry.question):
            return False
        asked = question_sentence(question)
        if _relations(asked) - _relations(entry.question):
            return False
        named = self.named(question, terms)
        said = content_terms(f"{entry.question} {entry.answer}", keep_filler=True)
        if entry.similarity >= self.same_question:  # close in meaning, and the entry says a thing it names
            # Relations were read above; "therapist" names the subject every entry shares.
            things = {t for t in named - {stem(m.group(0)) for m in _RELATION_WORD.finditer(asked)}
                      if not has_family(t, self.subject_terms)}
            condition = _WITHOUT.search(asked)
            without = set(content_terms(condition.group(1))) if condition else set()
            if condition and not _all_in(without & named, said):
                return False
            # What it asks to do, not only what it asks to do without: "can I call myself a medical massage
            # therapist on my website without a certificate?" is not "Can I take courses without getting certified?".
            # Nor what it says holds already: "do i need to go back to school if im already licensed?" is not
            # "Do medical massage therapists need a license?".
            given = _GIVEN.search(asked)
            main = things - without - {"without"} - (set(content_terms(given.group(1))) if given else set())
            return not things or any(_all_in({t}, said) for t in (main or things))
        # One word in common ("license") says what it is about, not what it asks; and a word it does not
        # say at all ("does *workers* comp pay for it?") is asked too.
        # A relation both questions ask ("do *all* insurers want the *same* thing?") counts as a thing named,
        # in whichever of its words ("*every* insurer", "*identical*").
        things = named - {stem(m.group(0)) for m in _RELATION.finditer(asked)}
        return len(things) + len(_relations(asked)) >= 2 and _all_in(things, said) and not self.unsaid(terms)

    def said_by_entry(self, question: str, entry: Entry, terms: Iterable[Term] = ()) -> int:
        """How many of the things the question names the entry says, in its question or its answer."""
        said = frozenset(content_terms(f"{entry.question} {entry.answer}", keep_filler=True))
        return sum(has_family(t, said) for t in self.named(question, terms))

    def listed(self, question: str, text: str, terms: Iterable[Term] = (), heading: str = "") -> str:
        """"Yes." for a yes/no question whose answer is a list (or an enumeration written out)
        that names what it asks about: "does it help with migraines?" of the conditions treated.
        Only an affirmative list that names all the question names, itself or in its ``heading`` (a FAQ
        entry's question: "is sciatica among the *conditions* it treats?" of "What conditions can it treat?")."""
        asked = question_sentence(question).strip()
        if not _asks_whether(asked) or _relations(asked) - _relations(text) or not states_figures(asked, text):
            return ""  # "the same as" is not "includes"
        items = list_items(text)
        # What asks whether it is in the list ("is pharmacology *part* of the training?") is no thing it must name.
        named = self.named(question, terms) - {stem(w) for m in _MEMBERSHIP.finditer(asked) for w in words(m.group(0))}
        # A list holds things: the question names one of them by its word, not by a word of its
        # family ("is it painful?" does not ask about "back and neck pain").
        listed = {_singular(w) for item in items for w in words(item)}
        in_list = any(_singular(w) in listed for w in words(asked) if stem(w) in named)
        return "Yes." if in_list and not negated(text) and _all_in(named, content_terms(f"{heading} {text}", keep_filler=True)) else ""

    def unsaid(self, terms: Iterable[Term]) -> list[str]:
        """Words of the question no passage has and no corpus word means, that matter to what it asks
        (leaving one out moves the question): "can I do the certification *online*?" is not answered yes by
        "The MMPA offers a certification program", whatever the rest of the question shares with it."""
        return [term.word for term in self._unmatched(terms)
                if term.shift >= self.matters_shift and (term.in_passage or 0.0) < self.word_in_passage]

    def _unmatched(self, terms: Iterable[Term]) -> list[Term]:
        """Single words the corpus never uses and no corpus word means."""
        return [term for term in terms if " " not in term.word and term.nearest_similarity < self.synonym_similarity]

    def unlisted(self, question: str, text: str, terms: Iterable[Term] = ()) -> list[str]:
        """What a yes/no question asks of a list that the list does not name: the question's words
        the corpus never uses and no corpus word means ("does it help with *anxiety*?" of the
        conditions treated). A list names what it holds; the answer says so rather than leave the
        reader to look for it."""
        asked = question_sentence(question).strip()
        if not _asks_whether(asked) or not list_items(text) or self.listed(question, text, terms):
            return []
        return [term.word for term in self._unmatched(terms)]

    def refutes(self, question: str, text: str) -> bool:
        """The question asks whether a claim is true and the text calls it false: "a school says I must have
        their certification. legit?" of "... However, according to the MMPA, this is categorically false."."""
        asked = question_sentence(question).strip()
        return bool(_ASKS_TRUTH.search(asked) and _CALLS_FALSE.search(text) and not negated(asked))

    def opener(self, question: str, text: str, terms: Iterable[Term] = ()) -> str:
        """"Yes." or "No." for a statement or list that answers a yes/no question; "" when it does not plainly."""
        asked = question_sentence(question).strip()
        if self.refutes(question, text):
            return "No."
        if not _asks_whether(asked) or not states_figures(asked, text):
            return ""
        if list_items(text):
            return self.listed(question, text, terms)
        named = self.named(question, terms)
        # One word in common says what a passage is about, not what it says of it; "can't I ...?" and
        # "can I ... without ...?" would misread a yes or no.
        if len(named) < 2 or self.denies(asked) or self.unsaid(terms):
            return ""
        # Names alone say whom it is about: "can an RMP do medical massage in Maryland?" asks what they
        # may do, which "Maryland distinguishes Registered Massage Practitioners from ..." does not say.
        if named <= {stem(w) for w in words(asked) if self.is_name(w)}:
            return ""
        if _relations(asked) - _relations(text):  # "before I'm licensed" vs "already need to be licensed"
            return ""
        # A passage that qualifies itself is neither a plain yes nor a plain no: "There is not an
        # official designation ..., but many therapists title themselves that way"; "There are
        # schools that market the certification as a requirement ... However, ... this is categorically false."
        if _CONTRAST.search(text) or not _all_in(named, content_terms(text, keep_filler=True)):
            return ""
        clauses = [c for c in _CLAUSE.split(text) if c and c.strip()]
        clause = max(clauses, key=lambda c: sum(_all_in({t}, content_terms(c, keep_filler=True)) for t in named))
        if _QUALIFIED.search(clause) or self._other_kind(asked, clause):
            return ""
        return "No." if negated(clause) else "Yes."

    def _other_kind(self, question: str, clause: str) -> bool:
        """The clause speaks of another kind of the subject than the question: "Traditional massage
        therapy does not attempt to diagnose" says nothing of whether medical massage does. No run
        of subject words in it has all of the question's, and a word the question does not use
        qualifies one."""
        asked = set(content_terms(question, keep_filler=True))
        kinds = [set(run) for run, _ in self._subject_runs(question)]
        runs = self._subject_runs(clause)
        if not kinds or any(_all_in(kind, run) for kind in kinds for run, _ in runs):
            return False  # it speaks of the kind asked about too ("... to attend a medical massage school")
        return any(before and before not in asked for _, before in runs)

    def _subject_runs(self, text: str) -> list[tuple[list[str], str]]:
        """Runs of the subject's words (stemmed) in ``text``, each with the content word just before it."""
        runs, run, before, previous = [], [], "", ""
        for word in words(text) + [""]:
            term = stem(word) if word else ""
            if term and word not in STOPWORDS and has_family(term, self.subject_terms):
                if not run:
                    before = previous
                run.append(term)
                continue
            if run:
                runs.append((run, before))
            run = []
            previous = term if word and word not in STOPWORDS else ""
        return runs


def _figures(text: str, typed: bool = False) -> set[str]:
    """The figures a text states, in digits or words; in what the user typed, a digit that stands for a word
    is none ("do i need 2 b certified", "is it worth it 4 u")."""
    found = {m.group(0).replace(",", "") for m in re.finditer(r"\d(?:[\d,.]*\d)?", text)
             if not (typed and re.match(r"\s+[a-z]\b", text[m.end():], re.I))}
    return found | set(re.findall(r"\d+", normalize_numbers(re.sub(r"\d", " ", text))))


def states_figures(asked: str, text: str) -> bool:
    """Every figure the question names is one the text states: "is job growth 50 percent?" gets no "Yes."
    from "about 23% growth", nor "is the MMPA program 10 days?" from "13 days"."""
    return _figures(asked, typed=True) <= _figures(text)


def _relations(text: str) -> set[str]:
    # "a license just for medical massage" is a license of its own, not "just a license".
    own = _ONLY_FOR.sub(" separate for", text)
    found = {_SAME_RELATION.get(w.lower(), w.lower()) for w in _RELATION.findall(own)}
    if _OTHER.search(own):
        found.add("other")
    return found


def asking_clause(question: str) -> str:
    """What a yes/no question asks about: "I'm already an LMT, do I have to go back to school?" asks
    about going back to school; the clause before the comma says who asks."""
    asked = question_sentence(question)
    clauses = asked.split(",")
    if len(clauses) > 1 and _POLAR.match(clauses[-1]) and not _POLAR.match(asked) and not _WH_QUESTION.match(asked):
        return clauses[-1]
    return asked


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _asks_whether(asked: str) -> bool:
    """A question that asks whether ("does it help?", "what about migraines, does it help?", or a statement
    asked back: "so it's a pretty new field then?"), with no alternatives offered ("... or ...", but "... or
    not?" asks whether too)."""
    last = asked.split(",")[-1]
    polar = _POLAR.match(last) or (_STATEMENT_ASKED.match(last) and asked.rstrip().endswith("?"))
    return bool(polar) and not _OR_ALTERNATIVE.search(asked) and not _requests(asked) \
        and not _ADVICE.match(last)


# A statement asked back for confirmation: a pronoun and its verb, then a question mark ("so it's new then?",
# "so i dont have to get certified?", "that means a license is enough?").
_STATEMENT_ASKED = re.compile(OPENING + r"(?:it|that|this|i|you|we|they|he|she|there)(?:['’](?:s|re|m|ll|ve|d)\b|\s+"
                              r"(?:is|are|am|was|were|do|does|did|don['’]?t|doesn['’]?t|can|can['’]?t|could|will|won['’]?t|"
                              r"would|should|must|need|needs|have|has|means?)\b)", re.I)


# "Could you describe the MMPA's program?" asks for a description, not whether one can be given;
# "can you tell me if I need a license?" does ask whether.
_REQUEST = re.compile(OPENING + r"(?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+)?"
                      r"(?:tell|describe|explain|give|list|show|say|summari[sz]e|walk|outline|share|help|name|recommend|suggest|point)\b", re.I)


def _requests(asked: str) -> bool:
    return bool(_REQUEST.match(asked)) and not re.search(r"\b(if|whether)\b", asked, re.I)


def _all_in(named: Iterable[str], terms: Iterable[str]) -> bool:
    """Every named term is among ``terms``, a word of the same family counting: "prescription"
    is named by "prescribed", "certification" by "certified"."""
    terms = frozenset(terms)
    return all(has_family(t, terms) for t in named)


def without_opener(text: str) -> str:
    """"No. In most states ..." as "In most states ...": the sentence without the FAQ's own yes or no."""
    rest = OPENER.sub("", text, count=1)
    return rest[:1].upper() + rest[1:] if rest != text else text
