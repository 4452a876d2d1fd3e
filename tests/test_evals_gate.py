"""The quality gate runs inside `make test`: a change that makes answers worse fails here,
on the dev split and on the frozen holdout split alike."""

from collections import Counter

import pytest

from assistant.corpus import load_corpus
from evals.runner import HOLDOUT_CASES, SPLITS, gate, load_cases, paraphrase_consistency, run_cases, summarize
from evals.metrics import CaseResult

from .conftest import CORPUS


def _holdout() -> list[dict]:
    return load_cases(HOLDOUT_CASES) if HOLDOUT_CASES.exists() else []


def test_eval_set_is_big_and_varied_enough_to_show_generalization():
    dev, holdout = load_cases(SPLITS["dev"]), _holdout()
    cases = dev + holdout
    assert len(cases) >= 200
    assert sum(c["expect_refusal"] and c["category"] not in ("off_subject", "personal_medical", "adversarial")
               for c in cases) >= 60
    assert sum(c["category"] == "followup" for c in cases) >= 15
    assert sum(c["category"] == "adversarial" for c in cases) >= 15
    for split in (s for s in (dev, holdout) if s):
        assert len({c["id"] for c in split}) == len(split)
        answerable = Counter(c["intent"] for c in split if not c["expect_refusal"] and c["category"] != "followup")
        # the core topics are asked at least four ways (casual, formal, story-like, keywords)
        assert sum(n >= 4 for n in answerable.values()) >= 15, answerable


@pytest.mark.parametrize("split", sorted(set(SPLITS) - {"dev"}))
def test_holdout_questions_are_not_copies_of_dev_questions(split):
    normalize = lambda q: " ".join(q.lower().split())  # noqa: E731
    dev = {normalize(c["question"]) for c in load_cases(SPLITS["dev"])}
    assert not [c["id"] for c in load_cases(SPLITS[split]) if normalize(c["question"]) in dev and not c["history"]]


@pytest.mark.parametrize("split", sorted(SPLITS))
def test_quality_gate_passes(assistant, split):
    corpus_text = {d.metadata["chunk_id"]: d.page_content for d in load_corpus(CORPUS).documents}

    def answerer(question, history):
        answer, trace = assistant.trace(question, history)
        return answer, [c.doc for c in (trace.retrieval.chunks if trace.retrieval else [])]

    summary = summarize(run_cases(answerer, load_cases(SPLITS[split]), corpus_text))
    assert gate(summary, split=split, timings=False) == [], summary  # quality, not speed: see benchmarks/


def test_gate_reports_a_metric_under_its_floor():
    summary = {"pass_rate": 0.5, "grounded_share": 1.0, "citation_validity": 1.0, "refusal_precision": 1.0,
               "refusal_recall": 1.0, "hit_at_5": 1.0, "mrr": 1.0, "false_refusals": 2, "false_refusal_rate": 0.2,
               "paraphrase_consistency": 1.0, "latency_p95_ms": 10, "mean_answer_words": 50}
    problems = gate(summary)
    assert any("pass_rate" in p for p in problems) and any("false_refusal_rate" in p for p in problems)


def test_the_gate_inside_the_test_suite_leaves_timings_to_the_benchmarks():
    summary = {"pass_rate": 1.0, "grounded_share": 1.0, "citation_validity": 1.0, "refusal_precision": 1.0,
               "refusal_recall": 1.0, "hit_at_5": 1.0, "mrr": 1.0, "false_refusals": 0, "false_refusal_rate": 0.0,
               "paraphrase_consistency": 1.0, "latency_p95_ms": 5000, "mean_answer_words": 50}
    assert any("latency_p95_ms" in p for p in gate(summary)) and gate(summary, timings=False) == []


def _result(intent, refused, cited, category="licensing"):
    return CaseResult(id=f"{intent}-{refused}-{cited}", category=category, question="q", passed=True, failures=[],
                      refused=refused, expect_refusal=False, answer="", hit_rank=None, intent=intent, cited=cited)


def test_paraphrase_consistency_counts_intents_with_one_decision_and_shared_citations():
    results = [_result("a", False, ["x#1", "y#2"]), _result("a", False, ["y#2"]),       # consistent
               _result("b", False, ["x#1"]), _result("b", True, []),                     # decisions differ
               _result("c", False, ["x#1"]), _result("c", False, ["z#3"]),               # no shared citation
               _result("d", False, ["x#1"])]                                             # asked once: not counted
    assert paraphrase_consistency(results) == round(1 / 3, 4)


def test_the_printed_summary_lists_failing_cases_of_dev_but_only_counts_a_frozen_split_s(capsys):
    from evals.report import print_table
    from evals.runner import summarize
    failing = {"id": "x-1", "category": "c", "passed": False, "failures": ["secret wording"], "reason": ""}
    result = CaseResult(id="x-1", category="c", question="q", passed=False, failures=["secret wording"], refused=False,
                        expect_refusal=False, answer="a", hit_rank=None)
    summary = summarize([result])
    splits = {"dev": {"summary": summary, "cases": [failing]},
              "holdout3": {"summary": summary, "cases": [dict(failing, id="h3-9")]}}
    print_table(splits, [], "first recorded run")
    shown = capsys.readouterr().out
    assert "x-1" in shown and "h3-9" not in shown and "holdout3: 1 failing" in shown
    print_table(splits, [], "first recorded run", frozen_failures=True)
    assert "h3-9" in capsys.readouterr().out


def test_the_change_since_the_last_run_names_dev_cases_and_counts_frozen_ones():
    from evals.report import compare
    change = compare({"passed_ids": ["a-1", "holdout2:f-1", "holdout3:h3-2"]}, {"a-2", "holdout3:h3-2", "holdout3:h3-5"})
    assert "a-1" in change and "a-2" in change
    assert "f-1" not in change and "h3-5" not in change
    assert "holdout2 +0 −1" in change and "holdout3 +1 −0" in change
