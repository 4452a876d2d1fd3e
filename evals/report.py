"""The eval report: rich tables, latest.json, latest.md, a chart, and a history to compare runs.
Every split (dev, the frozen holdout) is shown side by side."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPORTS_DIR = Path(__file__).resolve().parent / "reports"
HEADLINE = ["pass_rate", "hit_at_5", "mrr", "grounded_share", "citation_validity", "refusal_precision",
            "refusal_recall", "false_refusals", "false_refusal_rate", "paraphrase_consistency", "mean_answer_words",
            "latency_p50_ms", "latency_p95_ms"]


def compare(previous: dict | None, passed_ids: set[str]) -> str:
    """What changed since the previous run: dev cases by id; a frozen holdout's only as counts, so
    that whoever tunes does not learn which of its questions fail ("holdout3:h3-un-04" would say)."""
    if not previous:
        return "first recorded run"
    before = set(previous.get("passed_ids", []))
    gained, lost = sorted(passed_ids - before), sorted(before - passed_ids)
    if not gained and not lost:
        return "same cases pass as in the previous run"
    frozen = lambda case: case.startswith("holdout")  # noqa: E731  ("holdout2:f-un-08")
    text = f"+{len(gained)} passed, −{len(lost)}"
    if any(not frozen(c) for c in lost):
        text += ": " + ", ".join(c for c in lost if not frozen(c))
    if any(not frozen(c) for c in gained):
        text += f" (newly passing: {', '.join(c for c in gained if not frozen(c))})"
    for split in sorted({c.split(":")[0] for c in gained + lost if frozen(c)}):
        up = sum(c.startswith(split + ":") for c in gained)
        down = sum(c.startswith(split + ":") for c in lost)
        text += f"; {split} +{up} −{down}"
    return text


def _columns(splits: dict) -> list[tuple[str, dict]]:
    cols = []
    for name, split in splits.items():
        cols.append((name, split["summary"]))
        if split.get("baseline"):
            cols.append((f"{name} naive", split["baseline"]))
    return cols


def print_table(splits: dict, problems: list[str], change: str, frozen_failures: bool = False) -> None:
    """The summary, and the failing cases of the split that is tuned on. A frozen holdout's failing
    cases are counted here and listed only in the report (or with ``frozen_failures``): whoever tunes
    reads its figures, not its questions."""
    console = Console()
    cols = _columns(splits)
    table = Table(title="Eval summary")
    table.add_column("metric")
    for name, _ in cols:
        table.add_column(name, justify="right")
    table.add_row("cases", *[f"{s['passed']}/{s['cases']}" for _, s in cols])
    for metric in HEADLINE:
        table.add_row(metric, *[str(s[metric]) for _, s in cols])
    console.print(table)
    cats = Table(title="Pass rate by category")
    cats.add_column("category")
    for name, _ in cols:
        cats.add_column(name, justify="right")
    names = sorted({c for _, s in cols for c in s["categories"]})
    for cat in names:
        cats.add_row(cat, *[f"{s['categories'][cat]['passed']}/{s['categories'][cat]['cases']}" if cat in s["categories"]
                            else "-" for _, s in cols])
    console.print(cats)
    for name, split in splits.items():
        failing = [r for r in split["cases"] if not r["passed"]]
        if name.startswith("holdout") and not frozen_failures:
            if failing:
                console.print(f"{name}: {len(failing)} failing (a frozen split: listed in the report only)")
            continue
        for r in failing:
            console.print(f"[red]FAIL[/red] {name} {r['id']}: {'; '.join(r['failures'])}"
                          + (f" [{r['reason']}]" if r.get("reason") else ""))
    console.print(f"Compared with the previous run: {change}")
    console.print("[green]Gate passed[/green]" if not problems else "[red]Gate failed:[/red] " + "; ".join(problems))


def write_reports(splits: dict, problems: list[str], out_dir: Path = REPORTS_DIR, record_history: bool = True,
                  calibration: str = "") -> str:
    out_dir.mkdir(parents=True, exist_ok=True)
    history_path = out_dir / "history.jsonl"
    previous = None
    if history_path.exists():
        lines = [l for l in history_path.read_text().splitlines() if l.strip()]
        previous = json.loads(lines[-1]) if lines else None
    passed_ids = {f"{name}:{r['id']}" if name != "dev" else r["id"]
                  for name, split in splits.items() for r in split["cases"] if r["passed"]}
    change = compare(previous, passed_ids)
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    payload = {"time": stamp, "splits": splits, "gate_problems": problems, "change": change}
    (out_dir / "latest.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    (out_dir / "latest.md").write_text(_markdown(splits, problems, change, stamp, calibration))
    _chart(splits, out_dir / "pass_rate_by_category.png")
    if record_history:
        entry = {"time": stamp, **{f"{name}_{k}" if name != "dev" else k: split["summary"][k]
                                   for name, split in splits.items() for k in HEADLINE},
                 "passed_ids": sorted(passed_ids)}
        with history_path.open("a") as f:
            f.write(json.dumps(entry) + "\n")
    return change


def _markdown(splits, problems, change, stamp, calibration: str = "") -> str:
    cols = _columns(splits)
    head = ", ".join(f"**{name}: {s['passed']}/{s['cases']} pass**" for name, s in cols if "naive" not in name)
    lines = [f"# Eval report ({stamp})", "", f"{head}. Compared with the previous run: {change}.", "",
             "Gate: " + ("passed" if not problems else "FAILED: " + "; ".join(problems)), "",
             "| metric | " + " | ".join(name for name, _ in cols) + " |",
             "|---|" + "---:|" * len(cols)]
    for metric in HEADLINE:
        lines.append(f"| {metric} | " + " | ".join(str(s[metric]) for _, s in cols) + " |")
    names = sorted({c for _, s in cols for c in s["categories"]})
    lines += ["", "| category | " + " | ".join(name for name, _ in cols) + " |", "|---|" + "---:|" * len(cols)]
    for cat in names:
        lines.append(f"| {cat} | " + " | ".join(
            f"{s['categories'][cat]['passed']}/{s['categories'][cat]['cases']}" if cat in s["categories"] else "-"
            for _, s in cols) + " |")
    for name, split in splits.items():
        failed = [r for r in split["cases"] if not r["passed"]]
        lines += ["", f"## Failing cases: {name}", ""]
        lines += [f"- `{r['id']}` ({r['question'][:70]!r}): {'; '.join(r['failures'])}"
                  + (f" — decision: {r['reason']}" if r.get("reason") else "") for r in failed] or ["None."]
    lines += ["", "![pass rate by category](pass_rate_by_category.png)", ""]
    if calibration:
        lines += [calibration, "![calibration curves](calibration.png)", ""]
    return "\n".join(lines)


def _chart(splits: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = _columns(splits)
    names = sorted({c for _, s in cols for c in s["categories"]})
    fig, ax = plt.subplots(figsize=(9, 5), dpi=100)
    height = 0.8 / max(len(cols), 1)
    colors = ["#2b7bb9", "#e07b39", "#bbbbbb", "#999999"]
    for k, (label, s) in enumerate(cols):
        values = [s["categories"].get(n, {}).get("pass_rate", 0) * 100 for n in names]
        ax.barh([i - 0.4 + height * (k + 0.5) for i in range(len(names))], values, height=height,
                color=colors[k % len(colors)], label=f"{label} ({s['passed']}/{s['cases']})")
    ax.set_yticks(list(range(len(names))), names)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("cases passed (%)")
    ax.set_title("Pass rate by category")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=len(cols), frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
