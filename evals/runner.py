"""Runs the eval cases through an answerer and sums up the figures."""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from assistant.answer import Answer

from .metrics import CaseResult, check_case, check_grounding, percentile, source_rank

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_CASES = EVALS_DIR / "cases.jsonl"
# The frozen split: written blind (from the sources and the case format only) before the
# engine work it judges, and never used to choose a threshold or a word. See README.
HOLDOUT_CASES = EVALS_DIR / "holdout.jsonl"
# A second frozen split, written blind on 2026-11-25 by someone who never saw the engine, the dev
# cases or the first holdout. The first holdout's failures have been read while choosing what to
# build next; this one's cases are not read by whoever tunes, so it stays the unbiased measure.
HOLDOUT2_CASES = EVALS_DIR / "holdout2.jsonl"
# A third, written blind on 2026-11-28 (tenth session) by a helper that saw only the two sources and the
# case format, after holdout2's failure lines had been seen; its questions that were word for word earlier
# eval questions were left out, so every one is new. Only its figures are read.
HOLDOUT3_CASES = EVALS_DIR / "holdout3.jsonl"
# A fourth, written blind on 2026-11-28 (twelfth session) with the same brief, after holdout2's false-refusal
# count and holdout3's deltas had been used to choose between rule variants. Only its figures are read.
HOLDOUT4_CASES = EVALS_DIR / "holdout4.jsonl"
# A fifth, written blind on 2026-11-28 (fourteenth session) with the same brief, after holdout4's figure had
# been seen for one kept change (thirteenth session). 100 written, 27 left out as word for word earlier eval
# questions. Only its figures are read.
HOLDOUT5_CASES = EVALS_DIR / "holdout5.jsonl"
# A sixth, written blind on 2026-11-29 (eighteenth session) by a helper with the same kind of brief (the two
# sources and the case format, nothing of the engine or the other eval files), after five sessions had judged
# rule variants on holdouts 1 to 5. 100 written, 27 left out as word for word earlier eval questions.
HOLDOUT6_CASES = EVALS_DIR / "holdout6.jsonl"
# A seventh, written blind on 2026-11-29 (nineteenth session), same brief, after holdout6's figures had judged that
# session's rule variants. 100 written; those word for word earlier eval questions left out. Only its figures are read.
HOLDOUT7_CASES = EVALS_DIR / "holdout7.jsonl"
SPLITS = {name: path for name, path in (("dev", DEFAULT_CASES), ("holdout", HOLDOUT_CASES), ("holdout2", HOLDOUT2_CASES),
                                        ("holdout3", HOLDOUT3_CASES), ("holdout4", HOLDOUT4_CASES),
                                        ("holdout5", HOLDOUT5_CASES), ("holdout6", HOLDOUT6_CASES),
                                        ("holdout7", HOLDOUT7_CASES)) if path.exists()}
THRESHOLDS = EVALS_DIR / "thresholds.toml"

# question, history -> (answer, retrieved chunks in rank order, decision reason)
Answerer = Callable[[str, list], tuple]


def load_cases(path: Path = DEFAULT_CASES) -> list[dict]:
    cases = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                cases.append(json.loads(line))
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc})") from exc
    return cases


def run_cases(answerer: Answerer, cases: list[dict], corpus_text: dict[str, str]) -> list[CaseResult]:
    results = []
    for case in cases:
        answer, retrieved, *rest = answerer(case["question"], case.get("history") or [])
        failures = check_case(case, answer)
        grounded, sentences, valid, cited, problems = check_grounding(answer, corpus_text)
        results.append(CaseResult(
            id=case["id"], category=case["category"], question=case["question"], passed=not failures,
            failures=failures, refused=answer.refused, expect_refusal=bool(case.get("expect_refusal")),
            answer=answer.answer, hit_rank=source_rank(case, retrieved), sentences=sentences, grounded=grounded,
            citations=cited, valid_citations=valid, words=len(answer.answer.split()), latency_ms=answer.latency_ms,
            intent=case.get("intent") or case["id"], cited=[f"{c.doc_id}#{c.section}" for c in answer.citations],
            reason=rest[0] if rest else "", details={"grounding_problems": problems},
        ))
    return results


def summarize(results: list[CaseResult]) -> dict:
    ranked = [r.hit_rank for r in results if r.hit_rank is not None]
    refused_ok = sum(r.refused and r.expect_refusal for r in results)
    refused_all = sum(r.refused for r in results)
    should_refuse = sum(r.expect_refusal for r in results)
    sentences = sum(r.sentences for r in results)
    citations = sum(r.citations for r in results)
    answered = [r for r in results if not r.refused]
    latencies = [r.latency_ms for r in results]
    categories: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        categories[r.category].append(r)
    return {
        "cases": len(results),
        "passed": sum(r.passed for r in results),
        "pass_rate": _ratio(sum(r.passed for r in results), len(results)),
        "hit_at_5": _ratio(sum(1 for k in ranked if 1 <= k <= 5), len(ranked)),
        "mrr": round(sum(1 / k for k in ranked if k) / len(ranked), 4) if ranked else 1.0,
        "grounded_share": _ratio(sum(r.grounded for r in results), sentences),
        "citation_validity": _ratio(sum(r.valid_citations for r in results), citations),
        # Never refusing when refusals were due is no precision at all (0), not a perfect one.
        "refusal_precision": _ratio(refused_ok, refused_all) if refused_all or not should_refuse else 0.0,
        "refusal_recall": _ratio(refused_ok, should_refuse),
        "false_refusals": sum(r.refused and not r.expect_refusal for r in results),
        "false_refusal_rate": _ratio(sum(r.refused and not r.expect_refusal for r in results),
                                     sum(not r.expect_refusal for r in results)),
        "paraphrase_consistency": paraphrase_consistency(results),
        "mean_answer_words": round(sum(r.words for r in answered) / len(answered), 1) if answered else 0.0,
        "latency_p50_ms": round(percentile(latencies, 0.5), 1),
        "latency_p95_ms": round(percentile(latencies, 0.95), 1),
        "categories": {name: {"cases": len(rs), "passed": sum(r.passed for r in rs),
                              "pass_rate": _ratio(sum(r.passed for r in rs), len(rs))}
                       for name, rs in sorted(categories.items())},
    }


def paraphrase_consistency(results: list[CaseResult]) -> float:
    """Share of intents asked more than one way whose phrasings all get the same decision
    (answer or refuse) and, when answered, cite overlapping passages (every two share one)."""
    groups: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        if r.category != "followup":  # a follow-up's meaning depends on its history, not its words
            groups[r.intent].append(r)
    multi = [g for g in groups.values() if len(g) > 1]
    consistent = 0
    for group in multi:
        same_decision = len({r.refused for r in group}) == 1
        answered = [set(r.cited) for r in group if not r.refused]
        overlapping = all(a & b for i, a in enumerate(answered) for b in answered[i + 1:])
        consistent += same_decision and overlapping
    return _ratio(consistent, len(multi))


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 1.0


def gate(summary: dict, thresholds_path: Path = THRESHOLDS, split: str = "dev", timings: bool = True) -> list[str]:
    """Every metric under its floor or over its ceiling, as a readable line. A split may have
    its own table (``[holdout.min]``); otherwise the common ``[min]``/``[max]`` apply.
    ``timings=False`` leaves out the latency ceilings: inside the test suite they would measure how
    busy the machine is (speed is measured in benchmarks/)."""
    limits = tomllib.loads(Path(thresholds_path).read_text())
    own = limits.get(split, {})
    problems = []
    for name, floor in {**limits.get("min", {}), **own.get("min", {})}.items():
        if summary[name] < floor:
            problems.append(f"{split}: {name} = {summary[name]} is under {floor}")
    for name, ceiling in {**limits.get("max", {}), **own.get("max", {})}.items():
        if not timings and name.startswith("latency"):
            continue
        if summary[name] > ceiling:
            problems.append(f"{split}: {name} = {summary[name]} is over {ceiling}")
    return problems


def results_as_dicts(results: list[CaseResult]) -> list[dict]:
    return [asdict(r) for r in results]
