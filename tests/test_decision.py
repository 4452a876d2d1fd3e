"""The verdict from the evidence alone (``judge``), on evidence built by hand."""

from langchain_core.documents import Document

from assistant.decision import Evidence, ScoredUnit, Term, Thresholds, judge
from assistant.retrieval import RetrievedChunk, Unit

THRESHOLDS = Thresholds(salient_shift=0.06, generic_shift=0.25, domain_similarity=0.15)


def _evidence(best_text: str, term: Term) -> Evidence:
    hit = RetrievedChunk(doc=Document(page_content=best_text, metadata={"kind": "article"}, id="c1"), score=1.0,
                         dense=0.8)
    unit = ScoredUnit(Unit(best_text, hit, 0, similarity=0.8), score=0.7, coverage=0.6)
    return Evidence(top_similarity=0.8, units=[unit], terms=[term])


# An everyday word the corpus lacks, which moves the question more than a name would but less than
# phrasing does: "anxiety" in "does it help with anxiety?".
ANXIETY = Term("anxiety", nearest="concerns", nearest_similarity=0.5, shift=0.15, domain=0.1)


def test_a_word_asked_of_a_list_written_out_in_a_sentence_is_held_to_the_list_bar():
    """A list names what it holds, whether in bullets or written out with commas: a word it lacks
    at a shift a list would not leave out is an ask the sources lack."""
    enumeration = ("It can treat carpal tunnel syndrome, sciatica, rotator cuff injuries, back and neck pain "
                   "and migraines.")
    bullets = "It can treat the following:\n\n- Carpal tunnel syndrome\n- Sciatica\n- Back and neck pain"
    for text in (enumeration, bullets):
        decision = judge(_evidence(text, ANXIETY), THRESHOLDS)
        assert decision.verdict != "answer" and decision.missing == ["anxiety"], (text, decision.reason)


def test_a_word_asked_of_a_plain_statement_is_held_to_the_everyday_bar():
    statement = "It aims to give relief to patients who suffer from various conditions."
    decision = judge(_evidence(statement, ANXIETY), THRESHOLDS)
    assert decision.verdict == "answer", decision.reason
