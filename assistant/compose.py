"""The default generator: an answer composed from the corpus's own sentences, each
followed by markers to the passages it came from. No language model."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from langchain_core.documents import Document

from .answer import Citation
from .prompts import load_prompt
from .corpus import chunk_body
from .guard import looks_like_instructions
from .decision import Decision, ScoredUnit, Thresholds, answer_type, answer_types, is_specific, own_story, question_sentence, states_a_total
from .polarity import OPENER, Entry, Polarity, opens_yes_no, without_opener
from .retrieval import Unit
from .sources import SourceDescription, and_list
from .text import OPENING, content_terms, has_family, list_items, normalize_numbers, overlap, split_units, typed_pattern, word_count


@dataclass
class Sentence:
    text: str
    sources: list[tuple[Document, str, float]] = field(default_factory=list)  # (chunk, cited text, score)


@dataclass
class Draft:
    sentences: list[Sentence]
    confidence: float
    coverage: float                     # share of the question's weighted terms the answer covers
    unlisted: list[str] = field(default_factory=list)  # what a yes/no question asks of the list shown that it does not name
    said_by: tuple[str, str] | None = None  # ("Cindy wrote", article): the answer is what was written in the comments


@dataclass
class Composer:
    """Writes the answer the decision calls for, from the corpus's own sentences."""

    section_chunks: callable
    max_sentences: int = 5
    max_words: int = 120
    near_duplicate: float = 0.7        # share of the shorter unit's terms the other has: it says nothing new
    max_supporting_after_faq: int = 2
    support_ratio: float = 0.8          # a supporting unit scores at least this share of the lead's score
    max_related: int = 3                # units offered under "What my sources do say"
    polarity: Polarity = field(default_factory=Polarity)  # when a yes/no question gets "Yes."/"No."
    thresholds: Thresholds = field(default_factory=Thresholds)  # the decision's: which words a list would have to name

    def compose(self, decision: Decision, question: str = "") -> Draft:
        """An answer: the lead unit first (a matching FAQ entry whole), then supporting units."""
        lead = self._best_worded(decision, question)
        chosen: list[Sentence] = []
        seen_terms: list[set[str]] = []
        used: set[tuple[str, int]] = set()
        words_used = 0
        if lead.unit.kind == "faq":
            faq_doc = lead.unit.hit.doc
            faq_answer = chunk_body(faq_doc)
            units = split_units(faq_answer)
            states_figure = lead.unit.role == "text" and decision.evidence.asks is not None
            entries = _faq_entries(decision)
            entry = entries.pop(faq_doc.id, Entry(faq_doc.metadata.get("section", ""), faq_answer, 0.0))
            if units and (states_figure or not self.polarity.keeps_faq_opener(
                    question, entry, entries.values(), decision.evidence.terms)):
                units[0] = without_opener(units[0])
            if units and not states_figure and not OPENER.match(faq_answer):  # the entry's own yes or no, or none
                opener = self.polarity.opener(question, units[0], decision.evidence.terms) \
                    or self.polarity.listed(question, faq_answer, decision.evidence.terms, entry.question)  # the list may go on
                if not opener:  # a later sentence of the entry may be the one that says yes or no, and it comes first
                    later = next(((u, o) for u in units[1:] if (o := self.polarity.opener(question, u, decision.evidence.terms))), None)
                    if later is not None:
                        units = [later[0]] + [u for u in units if u is not later[0]]
                        opener = later[1]
                units[0] = f"{opener} {units[0]}" if opener else units[0]
            if units and not states_figure and not OPENER.match(units[0]) and self.polarity.refutes(question, faq_answer):
                units[0] = f"No. {units[0]}"  # "is it true you have to buy their certificate?": the entry calls it false
            # The sentence of the entry that answers (states the figure asked for) comes first, unless the
            # entry opens with a yes or no (its own, or one its first sentence gives the question).
            if units and (states_figure or (lead.unit.role == "text" and not OPENER.match(units[0]))):
                first = next((u for u in units if u.endswith(lead.unit.text) or lead.unit.text.endswith(u)), None)
                if first is not None:
                    units = [first] + [u for u in units if u is not first]
            for unit in units:
                sentence = Sentence(unit, [(faq_doc, faq_answer, lead.unit.hit.dense)])
                support = self._article_support(faq_doc, unit)
                if support is not None:
                    sentence.sources.append(support)
                    seen_terms.append(set(content_terms(support[1], keep_filler=True)))
                chosen.append(sentence)
                seen_terms.append(set(content_terms(unit, keep_filler=True)))
                words_used += word_count(unit)
            limit = min(self.max_supporting_after_faq, self.max_sentences - len(chosen))
        else:
            text, first, span = self._with_contrast(lead.unit, decision.evidence.units)
            # A reader's story is no authority for a plain yes or no.
            opener = self.polarity.opener(question, text, decision.evidence.terms) if lead.unit.kind != "comment" else ""
            shown = f"{opener} {_opening(text)}" if opener else _opening(text)
            chosen.append(Sentence(shown, [(lead.unit.hit.doc, text, lead.unit.similarity)]))
            seen_terms.append(set(content_terms(text, keep_filler=True)))
            used.update((lead.unit.hit.doc.id, p) for p in range(first, first + span))
            words_used += word_count(text)
            limit = self.max_sentences - 1

        floor = self.support_ratio * lead.score
        # A reader's words lead: the articles' best answer follows, however far behind ("can massage help after
        # a car accident?": a commenter says so; the conditions list names auto injuries).
        from_articles = lead.unit.kind == "comment"
        picked: list[tuple[ScoredUnit, str, int]] = []
        if decision.evidence.comment:  # "what did Cindy say?": the rest of what she said, and nothing else
            for scored in decision.evidence.comment:
                unit = scored.unit
                if len(picked) >= limit or (unit.hit.doc.id, unit.position) in used or looks_like_instructions(unit.text):
                    continue
                n = word_count(unit.text)
                if words_used + n > self.max_words:
                    continue
                picked.append((scored, unit.text, 1))
                used.add((unit.hit.doc.id, unit.position))
                words_used += n
        for scored in [] if decision.evidence.comment else decision.evidence.units:
            unit = scored.unit
            if len(picked) >= limit or scored.score < (self.thresholds.answer_score if from_articles else floor):
                break
            if from_articles and (unit.kind == "comment" or unit.role != "text"):
                continue
            if unit.role != "text" or unit.kind == "faq" or unit.text.rstrip().endswith("?"):
                continue  # other FAQ entries answer other questions; a question restated is no answer
            if looks_like_instructions(unit.text) or own_story(unit):
                continue  # corpus text is data: a planted "ignore the question and say ..." is never repeated
            scored = self._edited_wording(scored, decision.evidence.units)
            unit = scored.unit
            text, first, span = self._with_contrast(unit, decision.evidence.units)
            text = without_opener(text)  # a FAQ sentence's "Yes."/"No." answers the FAQ's own question
            if any((unit.hit.doc.id, p) in used for p in range(first, first + span)):
                continue
            n = word_count(text)
            if words_used + n > self.max_words:
                continue
            terms_here = set(content_terms(text, keep_filler=True))
            if any(overlap(terms_here, other) >= self.near_duplicate for other in seen_terms):
                continue
            picked.append((scored, text, span))
            from_articles = False  # one; the rest as close to the lead as any support
            used.update((unit.hit.doc.id, p) for p in range(first, first + span))
            seen_terms.append(terms_here)
            words_used += n
        # The lead answers; what supports it reads in document order.
        picked.sort(key=lambda p: (p[0].unit.hit.metadata.get("chunk_id", ""), p[0].unit.position))
        chosen.extend(Sentence(text, [(s.unit.hit.doc, text, s.unit.similarity)]) for s, text, span in picked)
        # A list shown anywhere in the answer names what it holds: a yes/no question about something
        # it does not name is told so ("does it help with anxiety?" of the conditions treated).
        # Only a word the decision would call an ask of a list counts ("sessions" in "will insurance pay for
        # my sessions?" is phrasing, whatever list the answer shows).
        shown_list = next((s.text for s in chosen if list_items(s.text)), "") if question else ""
        asked = [term for term in decision.evidence.terms if shown_list and is_specific(term, self.thresholds, listed=True)]
        unlisted = self.polarity.unlisted(question, shown_list, asked) if asked else []
        said_by = None
        if decision.evidence.comment:
            doc = lead.unit.hit.doc
            title = doc.metadata.get("title", "")  # "Comment by Cindy on “What Are ...?”"
            article = title.split("“", 1)[1].rstrip("”").strip() if "“" in title else ""
            reader = decision.evidence.commenter or "a reader"
            replied = lead.unit.position >= doc.metadata.get("reply_from", lead.unit.position + 1)
            said_by = (f"{doc.metadata.get('reply_author') or 'The author'} replied to {reader}" if replied
                       else f"{reader} wrote", article)
        return Draft(sentences=chosen, confidence=_confidence(decision), coverage=lead.coverage, unlisted=unlisted,
                     said_by=said_by)

    def related(self, decision: Decision, min_score: float) -> Draft:
        """For an honest partial answer: the closest things the sources do say, each cited."""
        chosen: list[Sentence] = []
        seen: list[set[str]] = []
        kind = answer_type(decision.evidence.asks)
        # What they say of the things asked about comes first: "what about the AMMA?" (its price) is
        # followed by what the sources say of the AMMA, then by what else is close.
        naming = [u for u in decision.evidence.naming if u.score >= min_score]
        for scored in naming + [u for u in decision.evidence.answers if u not in naming]:
            unit = scored.unit
            if len(chosen) >= self.max_related:
                break
            if scored.score < min_score:
                continue
            if kind is not None and kind.states.search(normalize_numbers(unit.text)) \
                    and not (decision.evidence.for_one and states_a_total(unit.text)):
                continue  # a figure about something else is no answer to the figure asked for (a total is said as one)
            if unit.role != "text" or unit.kind == "comment" or looks_like_instructions(unit.text):
                continue  # a reader's own story is not a fact to offer
            unit = self._edited_wording(scored, decision.evidence.units).unit
            # A FAQ answer's "No." answers the FAQ's own question, not the one asked here.
            text = without_opener(self._with_contrast(unit, decision.evidence.units)[0])
            terms_here = set(content_terms(text, keep_filler=True))
            if any(overlap(terms_here, other) >= self.near_duplicate for other in seen):
                continue
            seen.append(terms_here)
            chosen.append(Sentence(text, [(unit.hit.doc, text, unit.similarity)]))
        return Draft(sentences=chosen, confidence=_confidence(decision), coverage=0.0)

    def _entry_asked(self, decision: Decision, question: str, lead: ScoredUnit) -> ScoredUnit:
        """Of two FAQ questions about equally close, the one the user asks the same way round:
        "is there a special license?" is "Is there a separate license?", not "Do medical massage
        therapists need a license?", however close the two are."""
        entries = _faq_entries(decision)
        terms = decision.evidence.terms
        yes_no = bool(OPENER.match(entries[lead.unit.hit.doc.id].answer))

        def fit(unit: ScoredUnit) -> int:  # 2: asked about the same relations; 1: asked; 0: not asked
            entry = entries[unit.unit.hit.doc.id]
            if not self.polarity.asks(question, entry, terms):
                return 0
            # Between two Yes/No entries, the one asked about the same relations ("some kind of license",
            # not "a separate license"); an entry without one is never picked for having one.
            return 2 if yes_no and OPENER.match(entry.answer) and self.polarity.same_relations(question, entry) else 1
        own = fit(lead) if question else 2
        if own == 2:
            return lead
        near = [other for other in decision.evidence.answers if other.score >= lead.score - WORDING_MARGIN
                and other.unit.role == "question" and other.unit.kind == "faq"]
        best = max(near, key=fit, default=lead)  # of equals, the first: the closest
        # ... and one that says no fewer of the things the question names: "is a certification required by law?"
        # is not "Do medical massage therapists have to follow state laws?" for asking about no "special" one.
        def says(unit: ScoredUnit) -> int:
            return self.polarity.said_by_entry(question, entries[unit.unit.hit.doc.id], terms)
        return best if fit(best) > own and says(best) >= says(lead) else lead

    def _best_worded(self, decision: Decision, question: str = "") -> ScoredUnit:
        """When the FAQ, an article and a comment say the same thing about equally well, the answer
        opens with the maintainers' edited wording, then the article's, then a reader's: not with
        "In order for insurance to cover medical massage. The massage needs to prescribe by ..."
        when the FAQ has "For insurance to cover medical massage, the massage needs to be prescribed ..."."""
        lead = decision.lead
        if decision.evidence.asks:  # a typed figure stays
            return lead
        refuting = self._refutation(decision, question, lead)
        if refuting is not None:
            return refuting
        if lead.unit.role != "text":  # a matched FAQ question stays, unless it is not the one asked
            return self._entry_asked(decision, question,
                                     _asked_the_same_way(decision, question, lead, self.polarity.subject_terms))
        terms = set(content_terms(lead.unit.text, keep_filler=True))
        best = lead
        for other in decision.evidence.answers:
            other_terms = set(content_terms(other.unit.text, keep_filler=True))
            # The same statement made explicit (every word of the lead, and a few more: "Sometimes *medical massage
            # therapists* may also be responsible for billing ...") stands in however far its wording moves its score.
            explicit = terms <= other_terms
            if other.score < lead.score - WORDING_MARGIN and not explicit:
                continue
            # A FAQ sentence is shown in its entry, from the entry's first answer sentence (position 1, after the
            # question): only that one can stand in for the lead ("Maryland is an exception ..." would come after
            # "In most states ...").
            if other.unit.role == "text" and WORDING_RANK.get(other.unit.kind, 9) < WORDING_RANK.get(best.unit.kind, 9) \
                    and (other.unit.kind != "faq" or other.unit.position == 1) \
                    and _jaccard(terms, other_terms) >= SAME_WORDING:
                best = other
        return best

    def _refutation(self, decision: Decision, question: str, lead: ScoredUnit) -> ScoredUnit | None:
        """A question whether a claim is true ("the school says I can't do medical massage without their
        certification. is that actually true??") is answered by the sentence that calls it false, when one
        supports the answer, not by the closest sentence about the claim's subject."""
        if not question or lead.unit.role != "text":
            return None
        floor = self.support_ratio * lead.score
        for other in decision.evidence.answers:
            if other.score < floor:
                break
            # ... of what the claim names: the MMPA calling a certification requirement false is no answer to "my friend
            # says an RMP in Maryland couldn't work in a hospital. Is she right?".
            if decision.evidence.names and other not in decision.evidence.naming:
                continue
            if other.unit.role == "text" and other.unit.kind != "comment" \
                    and self.polarity.refutes(question, self._with_contrast(other.unit, decision.evidence.units)[0]):
                return other
        return None

    @staticmethod
    def _edited_wording(scored: ScoredUnit, units: list[ScoredUnit]) -> ScoredUnit:
        """An article sentence the FAQ says in the same words, in its maintainers' edited wording:
        "For insurance to cover medical massage, the massage needs to be prescribed by ...", not "In order
        for insurance to cover medical massage. The massage needs to prescribe by ..."."""
        if scored.unit.kind == "faq":
            return scored
        terms = set(content_terms(scored.unit.text, keep_filler=True))
        same = [other for other in units if other.unit.kind == "faq" and other.unit.role == "text"
                and _jaccard(terms, set(content_terms(other.unit.text, keep_filler=True))) >= SAME_WORDING]
        return max(same, key=lambda other: other.score, default=scored)

    @staticmethod
    def _with_contrast(unit: Unit, units: list[ScoredUnit]) -> tuple[str, int, int]:
        """The unit's text as shown, with the position it starts at and how many units it spans:
        "However, ... this is categorically false." is never cut off from what it corrects, whether
        the claim or the correction is the unit chosen."""
        def at(position: int) -> Unit | None:
            found = [s.unit for s in units if s.unit.hit is unit.hit and s.unit.position == position]
            return found[0] if found and found[0].role == "text" else None
        if _corrects(unit.text):
            before = at(unit.position - 1)
            return (f"{before.text} {unit.text}", unit.position - 1, 2) if before else (unit.text, unit.position, 1)
        after = at(unit.position + 1)
        if after is not None and _corrects(after.text):
            return f"{unit.text} {after.text}", unit.position, 2
        return unit.text, unit.position, 1

    def _article_support(self, faq_doc: Document, sentence: str) -> tuple[Document, str, float] | None:
        """The sentence of the passage a FAQ answer rests on that best supports it."""
        reference = faq_doc.metadata.get("rests_on")
        if not reference:
            return None
        wanted = set(content_terms(sentence, keep_filler=True))
        best: tuple[float, Document, str] | None = None
        for doc in self.section_chunks(reference):
            for unit in _with_contrast(split_units(chunk_body(doc))):
                have = set(content_terms(unit, keep_filler=True))
                overlap = len(wanted & have) / max(len(wanted), 1)
                if best is None or overlap > best[0]:
                    best = (overlap, doc, unit)
        if best is None or best[0] < 0.5:
            return None
        return best[1], best[2], best[0]


WORDING_MARGIN = 0.05   # a lead gives way to a near-duplicate in better wording that scores at most this much less
WORDING_RANK = {"faq": 0, "article": 1, "comment": 2}
SAME_WORDING = 0.6      # Jaccard of two units' terms from which they say the same thing in other words
_CONTRAST = re.compile(r"^(However|That said|Unfortunately)\b")
# ... that turns on what came before by a pronoun ("However, according to the MMPA, *this is* categorically
# false"); "That said, ... the MMPA does offer ..." says all it says by itself.
_TURNS_ON = re.compile(r"\b(this|that|these|those|it|they|such)\s+(is|are|was|were|does|do|did|has|have|will|would|"
                       r"can|may|might|must|should|isn['’]t|aren['’]t|doesn['’]t)\b", re.I)
SAME_WH_MARGIN = 0.10  # dev: "how do I land a job at a hospital?" needs 0.08; every margin from 0.08 to 0.20 gains it and loses nothing
# What a question asks for by its first words: a way ("how do I ..."), a place, a person, a time, a reason.
# "What" and "which" ask for anything; "how much/many/long" are answer types (decision.py).
_WH = re.compile(OPENING +
                 r"(?:(how)\s+(?:do|does|can|could|should|would|will|to)\b|(where|who|when|why)\b)", re.I)


def _corrects(text: str) -> bool:
    """A "However, ..." that cannot be read without the sentence before it."""
    return bool(_CONTRAST.match(text)) and bool(_TURNS_ON.search(text))


_WHAT = re.compile(OPENING + r"(?:what|which)\b", re.I)


def _wh(text: str) -> str | None:
    match = _WH.match(text)
    return (match.group(1) or match.group(2)).lower() if match else None


def _asks_for(text: str) -> str | None:
    """What a question asks for by its first words: a way, a place, ... ("what" for what and which); None for a yes/no."""
    return _wh(text) or ("what" if _WHAT.match(text) else None)


def _asked_the_same_way(decision: Decision, question: str, lead: ScoredUnit, subject: frozenset[str] = frozenset()) -> ScoredUnit:
    """A FAQ question that asks for what the user's asks for: "how do I land a job at a hospital?"
    asks for a way, which "How do I get started working in a clinic or hospital?" gives and "Where
    do medical massage therapists work?" does not. Of the FAQ questions within ``SAME_WH_MARGIN``
    of the lead, the best one asking the same way leads, when the lead does not."""
    asked = _asks_for(question_sentence(question)) if question else None
    leads = _asks_for(lead.unit.text)
    # "What" asks for anything: any wh-question's entry may give it, and a yes/no question's often does ("what
    # license do i need?": "Is there a separate license ...?"). A "what" FAQ question that names more of the
    # question's words gives it better ("what kind of education do state licensing requirements expect?" is
    # "What do state licensing requirements expect me to know?", not "Do medical massage therapists need a license?").
    what = asked == "what"
    if asked is None or leads == asked or (what and not opens_yes_no(lead.unit.text)):
        return lead
    # ... about a thing the user names, beyond the subject: "where would I study it?" is not "Where do they work?".
    named = [t for t in content_terms(question_sentence(question)) if not has_family(t, subject)]
    return next((other for other in decision.evidence.answers if other.score >= lead.score - SAME_WH_MARGIN
                 and other.unit.role == "question" and other.unit.kind == "faq" and _asks_for(other.unit.text) == asked
                 and any(has_family(t, frozenset(content_terms(other.unit.text))) for t in named)
                 and (not what or other.coverage > lead.coverage)), lead)


def _faq_entries(decision: Decision) -> dict[str, Entry]:
    """The FAQ entries retrieved for the question, by chunk id, with how close their questions are to it."""
    entries: dict[str, Entry] = {}
    for scored in decision.evidence.units:
        unit = scored.unit
        if unit.kind == "faq" and unit.role == "question" and unit.hit.doc.id not in entries:
            doc = unit.hit.doc
            entries[doc.id] = Entry(doc.metadata.get("section", ""), chunk_body(doc), decision.evidence.typed_similarity(unit))
    return entries


def _with_contrast(units: list[str]) -> list[str]:
    """Each unit, and each unit joined to a following "However, ..." that qualifies it."""
    out = list(units)
    out.extend(f"{a} {b}" for a, b in zip(units, units[1:]) if _corrects(b))
    return out


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(len(a | b), 1)


def _confidence(decision: Decision) -> float:
    """How sure the decision is, 0..1: the lead's (or best unit's) score, which blends meaning and coverage."""
    unit = decision.lead or decision.evidence.best
    return round(min(max(unit.score, 0.0), 1.0), 3) if unit else 0.0


def render(sentences: list[Sentence], citations: list[Citation] | None = None) -> tuple[str, list[Citation]]:
    """Answer Markdown with [n] markers, and the citations they point to. Pass the citations of
    an earlier part of the same answer to go on numbering them (one answer to two questions)."""
    citations = [] if citations is None else citations
    index: dict[tuple[str, str], int] = {(c.chunk_id, c.snippet): c.n for c in citations}
    parts: list[str] = []
    for sentence in sentences:
        markers = []
        for doc, snippet, score in sentence.sources:
            key = (doc.metadata.get("chunk_id", "") or doc.id, snippet)
            if key not in index:
                index[key] = len(citations) + 1
                meta = doc.metadata
                citations.append(Citation(
                    n=index[key], doc_id=meta.get("doc_id", ""), title=meta.get("title", ""),
                    section=meta.get("section", ""), snippet=snippet, score=round(float(score), 3),
                    kind=meta.get("kind", "article"), chunk_id=meta.get("chunk_id", ""),
                ))
            markers.append(f"[{index[key]}]")
        parts.append(f"{sentence.text} {''.join(markers)}".strip())
    text = ""
    for part in parts:
        if not text:
            text = part
        elif "\n- " in part or "\n- " in text[-300:]:
            text += "\n\n" + part
        else:
            text += " " + part
    return text, citations


def render_answer(draft: Draft, question: str, citations: list[Citation] | None = None) -> tuple[str, list[Citation]]:
    """An answer's Markdown and citations; a yes/no question asked of a list that does not name what it
    asks about says so first ("My sources' list does not name “anxiety”.")."""
    body, citations = render(draft.sentences, citations)
    if draft.said_by:  # a reader's "I ..." is theirs, not the sources' or the assistant's
        who, article = draft.said_by
        under = f" under “{article}”" if article else ""
        body = f"{load_prompt('comment_said').format(who=who, under=under).strip()}\n\n{body}"
    if draft.unlisted:
        note = load_prompt("unlisted").format(words=and_list([_as_typed(w, question) for w in draft.unlisted]))
        body = f"{note.strip()}\n\n{body}"
    return body, citations


def render_refusal(reason: str, sources: SourceDescription, decision: Decision | None = None,
                   short: bool = False, question: str = "") -> str:
    """What a refusal says. ``short``: one question of several, the others answered: one line in the
    assistant's own (emphasised) words, not the description of the sources again under each. What the
    sources lack is named, in the user's words, whether or not they hold anything close to offer."""
    if reason == "off-subject":
        if short:
            return load_prompt("refusal_off_subject_short")
        return load_prompt("refusal_off_subject").format(sources=sources.sentence(), examples=sources.examples())
    lacked = _missing(decision, question) if decision is not None else []
    if lacked:
        if short:
            return load_prompt("refusal_missing_short").format(missing=and_list(lacked), where_to_look=where_to_look(decision))
        return load_prompt("refusal_missing").format(missing=and_list(lacked), sources=sources.sentence(),
                                                     where_to_look=where_to_look(decision))
    if short:
        return load_prompt("refusal_in_subject_short").format(where_to_look=where_to_look(decision))
    return load_prompt("refusal_in_subject").format(sources=sources.sentence(), where_to_look=where_to_look(decision))


def where_to_look(decision: Decision | None) -> str:
    """Who knows what the sources lack: for a figure of a kind (a price, a program's length, a code), the
    line its answer type gives in ``lexicon/answer_types.toml``; otherwise the general line."""
    kind = answer_type(decision.evidence.asks) if decision is not None else None
    if kind is not None and kind.where_to_look and decision.missing and decision.missing[0] == kind.name:
        return f"*{kind.where_to_look}*"
    return load_prompt("where_to_look")


def render_partial(decision: Decision, question: str, related: str, sources: SourceDescription) -> str:
    """Refused, but honest about what the sources do hold: what is missing, in the user's words."""
    missing = _missing(decision, question)
    what = and_list(missing) if missing else "exactly what you asked"
    return load_prompt("partial").format(missing=what, related=related, where_to_look=where_to_look(decision))


def _missing(decision: Decision, question: str) -> list[str]:
    """What the sources lack, each in the user's words or as the kind of figure asked for."""
    descriptions = {t.name: t.describe for t in answer_types()}
    counted = decision.evidence.counted
    choices = " or ".join(f"“{choice}”" for choice in decision.evidence.choices)
    missing = [f"a reply to {decision.evidence.commenter}" if m == "reply" and decision.evidence.commenter
               else f"the number of {_as_typed(counted, question)}" if m == "count" and counted
               else f"which it is, {choices}" if m == "choice" and choices
               else f"what {_as_typed(m, question)} means" if m == decision.evidence.defined
               else descriptions[m] if m in descriptions else _as_typed(m, question) for m in decision.missing]
    names, kind = decision.evidence.names, answer_type(decision.evidence.asks)
    # A figure of the thing named; "the number of “CEUs”" already names what it counts.
    names = [n for n in names if not (kind and kind.name == "count" and counted and n in content_terms(counted))]
    if missing and kind and decision.missing[0] == kind.name and names:
        of = "for one part of" if decision.evidence.for_one else kind.of  # the total is said ("each MMPA level")
        missing[0] += f" {of} " + and_list(_names_as_typed(names, question))
    return missing


_LEADING_CONNECTIVE = re.compile(r"^(?:but|and|so|also|yet|however|moreover|though|as you can see|as (?:mentioned|noted|said) (?:above|before|earlier))\b,?\s+", re.IGNORECASE)


def _opening(text: str) -> str:
    """A sentence that opens the answer, without the connective that tied it to the sentence before it in
    its article ("But usually, medical massage certifications ... are available." opens "Usually, ...")."""
    rest = _LEADING_CONNECTIVE.sub("", text, count=1)
    return rest[:1].upper() + rest[1:] if rest != text else text


def _names_as_typed(names: list[str], question: str) -> list[str]:
    """The names as the question types them, names side by side as one: “LMT Success Group”, not
    “LMT”, “Success” and “Group”."""
    runs: list[list[str]] = []
    after = False
    for typed in re.findall(r"[\w'’-]+", question):
        word = re.sub(r"['’]s$", "", typed)  # “Pete Sparring” of "Pete Sparring's profession"
        if word.lower() in names:
            if after:
                runs[-1].append(word)
            else:
                runs.append([word])
        after = word.lower() in names and word == typed
    found = {w.lower() for run in runs for w in run}
    return [f"“{' '.join(run)}”" for run in runs] + [_as_typed(n, question) for n in names if n not in found]


def _as_typed(word: str, question: str) -> str:
    match = re.search(rf"\b{typed_pattern(word)}\w*", question, re.IGNORECASE)
    return f"“{match.group(0) if match else word}”"
