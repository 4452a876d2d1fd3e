"""The quality gate runs inside `make test`: a change that makes answers worse fails here."""

from assistant.corpus import load_corpus
from evals.runner import gate, load_cases, run_cases, summarize

from .conftest import CORPUS


def test_eval_set_is_big_enough_and_covers_every_category():
    cases = load_cases()
    assert len(cases) >= 70
    assert {c["category"] for c in cases} >= {
        "definition", "conditions", "certification", "licensing", "schools", "reimbursement", "billing", "career",
        "comments", "followup", "unanswerable", "off_subject", "personal_medical", "adversarial"}
    assert len({c["id"] for c in cases}) == len(cases)


def test_quality_gate_passes(assistant):
    corpus_text = {d.metadata["chunk_id"]: d.page_content for d in load_corpus(CORPUS).documents}

    def answerer(question, history):
        answer, trace = assistant.trace(question, history)
        return answer, [c.doc for c in (trace.retrieval.chunks if trace.retrieval else [])]

    summary = summarize(run_cases(answerer, load_cases(), corpus_text))
    assert gate(summary) == [], summary


def test_gate_reports_a_metric_under_its_floor():
    summary = {"pass_rate": 0.5, "grounded_share": 1.0, "citation_validity": 1.0, "refusal_precision": 1.0,
               "refusal_recall": 1.0, "hit_at_5": 1.0, "mrr": 1.0, "false_refusals": 2, "latency_p95_ms": 10,
               "mean_answer_words": 50}
    problems = gate(summary)
    assert any(p.startswith("pass_rate") for p in problems) and any(p.startswith("false_refusals") for p in problems)
