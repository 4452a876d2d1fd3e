"""Follow-up questions answered as the standalone question they stand for.

Without a language model: a short question that leans on the conversation ("How much
does it cost?", "And in Maryland?") is joined to the user's previous (resolved) question,
which carries the subject over. History is capped to the last ``max_turns`` user turns."""

from __future__ import annotations

import re
from typing import Any

from .text import INTERROGATIVE, OPENING, content_terms, normalize_numbers, words

_REFERS_BACK = re.compile(r"\b(it|its|it's|that|this|they|them|their|those|these|there|one|ones|same|he|she|him|his|her|hers)\b", re.I)
_EXISTENTIAL = re.compile(r"\b(is|are|was|were|will|would|be)\s+there\b|\bthere\s*(is|are|was|were|'s|’s)\b", re.I)
# "It" that stands for what follows, not for anything said before: "is it hard to become ...?",
# "it's possible that ...", "is it okay for me to ...".
_EXPLETIVE_IT = re.compile(r"\b(?:(?:is|was|isn['’]t|would|will)\s+it(?:\s+be)?|it\s+is|it['’]s)\s+(?:\w+\s+){1,2}?"
                           r"(?:to|that|for\s+\w+\s+to)\b", re.I)
# Words that only acknowledge the reply before what is asked ("ok what about online?", "thanks! and in Maryland?").
_ACK = r"(?:ok|okay|k|kk|well|hmm+|oh|ah|um+|uh+|alright|right|cool|great|nice|thanks|thank you|thx|ty|yeah|yep|got it|i see)"
_CONNECTIVE = re.compile(rf"^\s*(?:{_ACK}\W+)*(and|but|also|so|or|what about|how about|what if|same|in|for|then|plus|only)\b", re.I)
MAX_FOLLOWUP_WORDS = 12
MAX_KEYWORDS = 4


def clean_history(history: Any, max_turns: int) -> list[dict[str, str]]:
    """Keep well-formed turns only (role user/assistant, text content), the last ``max_turns`` user turns."""
    if not isinstance(history, (list, tuple)):
        return []
    turns = [
        {"role": item["role"], "content": item["content"]}
        for item in history[-(max_turns * 4 + 4):]
        if isinstance(item, dict) and item.get("role") in ("user", "assistant") and isinstance(item.get("content"), str)
    ]
    user_positions = [i for i, t in enumerate(turns) if t["role"] == "user"]
    if len(user_positions) > max_turns:
        turns = turns[user_positions[-max_turns]:]
    return turns


def refers_back(text: str) -> bool:
    """The text leans on something said before it ("this", "it", "there"), not on what follows
    ("is it hard to become one?" does lean, "is it hard to become a massage therapist?" does not)."""
    # "is it hard to get into?": a clause that ends on a preposition has "it" as its object.
    stranded = re.search(r"\b(into|in|with|for|on|at|of|about|to|from)\W*$", text, re.I)
    return bool(_REFERS_BACK.search(text if stranded else _EXPLETIVE_IT.sub(" ", text)))


# "That number", "the figure", "this stat": a noun that points back at a figure the reply stated.
_FIGURE_REFERENCE = re.compile(r"\b(?:that|this|the|those|these)\s+(?:\w+\s+)?(?:number|figure|stat|statistic|percent|percentage|"
                               r"estimate|projection|rate)s?\b", re.I)
_FIGURE = re.compile(r"(?:\$\s?)?\d[\d,.]*(?:\s*(?:%|percent\b))?(?:\s+[A-Za-z]+){0,4}")


def figure_referred_to(question: str, reply: str) -> str | None:
    """The figure a follow-up points back at ("where does that number come from?" after a reply that says
    "about 23% growth in job offers ..."): the reply's first figure with the words that say what it counts.
    None when the question points at no figure, or the reply states none."""
    if not _FIGURE_REFERENCE.search(question):
        return None
    found = _FIGURE.search(normalize_numbers(reply))
    return found.group(0).strip() if found else None


def is_keywords(text: str) -> bool:
    """A search-box query rather than a sentence: a few words that neither ask ("job outlook",
    "amma", "mmpa length") nor lean on anything said before."""
    return 0 < len(words(text)) <= MAX_KEYWORDS and not INTERROGATIVE.match(text.strip()) and not refers_back(text)


def is_followup(question: str, names_its_subject=None) -> bool:
    """A short question that leans on the conversation. One that names its own subject (a name
    the corpus knows: "how long is the MMPA course and what's it cost") stands alone unless it
    opens with a connective ("And in Maryland?")."""
    n = len(question.split())
    if not 0 < n <= MAX_FOLLOWUP_WORDS:
        return False
    if _CONNECTIVE.search(question) or not content_terms(question):
        return True  # "And in Maryland?"; "when?" or "how much?" has no subject of its own
    # An existential "there" ("are there jobs?") leans on the chat's subject, not on the last question.
    asked = _EXISTENTIAL.sub(" ", question)
    if re.search(r"\bthere\b", asked, re.I):
        return True  # "work in a hospital there": the place named before, whatever else it names
    leans_on_it = refers_back(asked)
    return leans_on_it and not (names_its_subject and names_its_subject(question))


# Connectives that ask the previous question again of something else; "what if" and "or" do not.
_AGAIN = re.compile(rf"^\s*(?:{_ACK}\W+)*(?:and|also|plus|same|then|what about|how about|what of)\b\W*", re.I)


def _without_connectives(question: str) -> str:
    """"and what about the AMMA?" as "the AMMA?"."""
    rest = question
    while (opener := _AGAIN.match(rest)) and opener.end():
        rest = rest[opener.end():]
    return rest


def thing_asked_again(question: str) -> str:
    """What a follow-up that asks again names: "carpal tunnel" in "what about carpal tunnel?"; "" for any other."""
    return _without_connectives(question).strip(" ?.!") if asks_again(question) else ""


def asks_again(question: str) -> bool:
    """A follow-up that asks the previous question again, of something else, with no ask of its
    own: "what about the AMMA?" after "how much does the MMPA cost?", "and in Maryland?". "And how
    long is it?" asks a question of its own."""
    rest = _without_connectives(question)
    opens = rest != question or re.match(r"^\s*(in|for|at|with)\b", question, re.I)
    return bool(opens and rest.strip() and is_followup(question) and not INTERROGATIVE.match(rest.strip()))


_DETERMINER = re.compile(r"\b(a|an|the|my|your|our|their|any|some|this|that)\s+", re.I)
_PREPOSITION = re.compile(r"\b(with|for|about|of|on|from|without)\s+", re.I)


def asked_again_of(previous: str, question: str, is_name=lambda word: False) -> str | None:
    """"What about certification?" after "do I need a license?" is "do I need certification?": the
    thing it names in place of the last thing the previous question named (a name in place of a name:
    "what about the AMMA?" after "does the MMPA program count as CEUs?"; else what follows the last
    determiner, or else the last preposition). None when the follow-up asks again of no single thing
    ("and in Maryland?" says where, not what) or the previous question names nothing that way."""
    thing = thing_asked_again(question)
    if not thing or re.match(r"(in|at|for|with|from|to|on)\b", thing, re.I) or len(thing.split()) > 4:
        return None
    asked = previous.strip().rstrip("?.! ")
    if any(is_name(w) for w in words(thing)):
        named = [m for m in re.finditer(r"[\w'’-]+", asked) if is_name(m.group(0).lower())]
        if named:
            bare = _DETERMINER.sub("", thing, count=1) if _DETERMINER.match(thing) else thing
            return f"{asked[:named[-1].start()]}{bare}{asked[named[-1].end():]}?"
        return None
    cut = [m.start() for m in _DETERMINER.finditer(asked)] or [m.end() for m in _PREPOSITION.finditer(asked)]
    if not cut:
        return None
    return f"{asked[:cut[-1]].rstrip()} {thing}?"


def standalone_question(question: str, history: list[dict[str, str]], names_its_subject=None,
                        leans: bool = False) -> str:
    """The question with the subject of the conversation carried over when it leans on it (or
    when the caller knows it does: ``leans``)."""
    previous = ""
    for turn in history:
        if turn["role"] == "user":
            text = " ".join(turn["content"].split())
            previous = f"{previous} {text}".strip() if previous and is_followup(text, names_its_subject) else text
    if previous and (leans or is_followup(question, names_its_subject)):
        return f"{previous} {question}"
    return question


_ASKS = re.compile(r"^(how|what|what's|whats|which|who|when|where|why|is|are|am|do|does|did|can|could|should|will|"
                   r"would|may|must|have|has)\b", re.I)
_SECOND_ASK = re.compile(r",?\s+\b(?:and|also|plus)\s+(?=(?:how|hows|how's|what|whats|what's|which|who|when|where|why|is|are|"
                         r"do|does|can|could|should|will|would)\b)", re.I)
MAX_QUESTIONS = 3


def _each_asks(parts: list[str]) -> bool:
    """Every part of "<ask> and <ask>?" is a question of its own: the clause before "and" opens
    like one, and what follows runs to the question mark in one sentence. "My sister was in an
    accident and is still hurting. Can massage help?" is a story and one question."""
    first, *rest = parts
    clause = re.split(r"(?<=[.!?])\s+|\s+[-–—]+\s+", first.strip())[-1]  # a spaced dash ends a story as a full stop does
    # "the difference between medical massage and what i do at the spa": the "and" names the second thing compared.
    if re.search(r"\bbetween\b(?!.*\band\b)", clause, re.I):
        return False
    return bool(_ASKS.match(clause)) and not any(re.search(r"[.!?]\s+\S", p.strip()) for p in rest)


# A greeting that opens a message says nothing of what is asked, but MiniLM reads it: "hey so is medical massage
# basically the same as a normal massage" was closest to "What is medical massage?" with it, to the difference without.
_GREETING = re.compile(r"^\W*(?:hey|hi|hello|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening))(?:\s+(?:there|all|everyone|folks|guys))?\b[\s,!.:;-]*", re.I)


def without_greeting(text: str) -> str:
    """The message without the greeting that opens it; a greeting alone stays as typed."""
    rest = _GREETING.sub("", text, count=1)
    return rest if rest.strip() else text


def split_questions(text: str) -> list[str]:
    """The questions in one message, each with what it needs to be understood: "Do I need a
    license? And what does the MMPA cost?" is two; "how much is it and do I need it" too.
    A story that ends in one question stays one question, story included."""
    pieces = [p.strip() for p in re.split(r"(?<=\?)\s+", text) if p.strip()]
    questions: list[str] = []
    context = ""
    for i, piece in enumerate(pieces):
        # The last question often goes without its question mark: "do i need a license? and what does the mmpa cost",
        # "what does MMPA stand for and how much does it cost".
        last_ask = i == len(pieces) - 1 and bool(_ASKS.match(re.sub(OPENING, "", piece, flags=re.I)))
        if not piece.endswith("?") and not last_ask:
            context = f"{context} {piece}".strip()
            continue
        parts = [p for p in _SECOND_ASK.split(piece) if p.strip()]
        if len(parts) > 1 and all(len(p.split()) >= 3 for p in parts) and _each_asks(parts):
            first, *rest = parts
            questions.append(f"{context} {first}".strip() if not questions else first)
            questions.extend(p if p.rstrip().endswith("?") else p + "?" for p in rest)
        else:
            questions.append(f"{context} {piece}".strip() if not questions else piece)
        context = ""
    if context and questions:
        questions[-1] = f"{questions[-1]} {context}"
    real = [q for q in questions if len(q.split()) >= 3]
    if len(real) < 2:
        return [text]
    # The same question typed twice (or pasted three times) is one question, with the story before the first.
    unique: dict[str, str] = {}
    for q in real:
        unique.setdefault(" ".join(words(re.split(r"(?<=[.!?])\s+", q.strip())[-1])), q)
    return list(unique.values())[:MAX_QUESTIONS]
