"""`python -m benchmarks [--quick] [--only NAME ...]`: measure where the time goes and write
benchmarks/results.md (and results.json). Medians and p95 over repeated runs; ratios are
measured side by side in the same run, because absolute times on a busy machine mean little."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import httpx

from .common import PROJECT, AppProcess, peak_rss_mb, rss_mb, summary

RESULTS_MD = Path(__file__).resolve().parent / "results.md"
STAGES = ["guard", "embed", "dense", "bm25", "fusion", "units", "decide", "compose", "total"]


def questions() -> list[tuple[str, list]]:
    from evals.runner import load_cases

    return [(c["question"], c.get("history") or []) for c in load_cases()]


def bench_latency(data_dir: Path, repeats: int) -> dict:
    """Per-stage latency, the floor (embed the query + one Chroma query) and the naive recipe, interleaved."""
    from assistant import Assistant
    from assistant.settings import Settings
    from evals.baseline import NaiveRAG

    settings = Settings.from_env(env={}, data_dir=data_dir)
    assistant = Assistant.from_settings(settings)
    naive = NaiveRAG(settings.corpus_dir, assistant.retriever.embeddings)
    store, embed = assistant.retriever.store, assistant.retriever.embeddings
    qs = questions()
    for q, h in qs:  # warm up every path
        assistant.ask(q, h)
        naive.answer(q)
    stages: dict[str, list[float]] = {s: [] for s in STAGES}
    floor, naive_ms = [], []
    for _ in range(repeats):
        for q, h in qs:
            t = time.perf_counter()
            store.similarity_search_by_vector_with_relevance_scores(embed.embed_query(q or " "), k=8)
            floor.append((time.perf_counter() - t) * 1000)
            _, trace = assistant.trace(q, h)
            for s in STAGES:
                stages[s].append(trace.timings_ms.get(s, 0.0))
            t = time.perf_counter()
            naive.answer(q)
            naive_ms.append((time.perf_counter() - t) * 1000)
    out = {s: summary(v) for s, v in stages.items()}
    out["floor"] = summary(floor)
    out["naive"] = summary(naive_ms)
    out["ratio_to_floor_p50"] = round(out["total"]["p50"] / out["floor"]["p50"], 2)
    out["ratio_to_naive_p50"] = round(out["total"]["p50"] / out["naive"]["p50"], 2)
    slowest = max((s for s in STAGES if s != "total"), key=lambda s: out[s]["p50"])
    out["slowest_stage"] = slowest
    return out


_PREVIOUS_CODE = """
import json, statistics, sys, time
from assistant import Assistant
qs = json.load(open(sys.argv[1]))
a = Assistant.from_settings()
for q, h in qs:
    a.ask(q, h)
times = []
for _ in range(int(sys.argv[2])):
    for q, h in qs:
        t = time.perf_counter(); a.ask(q, h); times.append((time.perf_counter() - t) * 1000)
print(json.dumps(times))
"""


def bench_previous(rev: str, work: Path, repeats: int) -> dict:
    """The same warm-latency measurement on an earlier revision of the engine (a git worktree with
    its own index), in the same benchmark run: how much slower or faster a change made answering."""
    tree, data = work / f"rev-{rev}", work / f"rev-{rev}-data"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), rev], cwd=PROJECT, check=True, capture_output=True)
    try:
        env = {**os.environ, "ASSISTANT_DATA_DIR": str(data), "ASSISTANT_CORPUS_DIR": str(PROJECT / "corpus"),
               "PYTHONPATH": str(tree)}
        subprocess.run([sys.executable, "ingest.py", "--quiet"], cwd=tree, env=env, check=True, capture_output=True)
        qfile = work / "questions.json"
        qfile.write_text(json.dumps(questions()))
        ours = bench_previous_in_process(repeats)
        out = subprocess.run([sys.executable, "-c", _PREVIOUS_CODE, str(qfile), str(repeats)], cwd=tree, env=env,
                             check=True, capture_output=True, text=True)
        previous = summary(json.loads(out.stdout.strip().splitlines()[-1]))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=PROJECT, capture_output=True)
    return {"rev": rev, "previous": previous, "ours": ours,
            "ratio_p50": round(ours["p50"] / previous["p50"], 2), "ratio_p95": round(ours["p95"] / previous["p95"], 2)}


def bench_previous_in_process(repeats: int) -> dict:
    """This revision, measured the same way as ``_PREVIOUS_CODE`` (its own process, its own index)."""
    with tempfile.TemporaryDirectory(prefix="bench-ours-") as tmp:
        env = {**os.environ, "ASSISTANT_DATA_DIR": tmp, "PYTHONPATH": str(PROJECT)}
        subprocess.run([sys.executable, "ingest.py", "--quiet"], cwd=PROJECT, env=env, check=True, capture_output=True)
        qfile = Path(tmp) / "questions.json"
        qfile.write_text(json.dumps(questions()))
        out = subprocess.run([sys.executable, "-c", _PREVIOUS_CODE, str(qfile), str(repeats)], cwd=PROJECT, env=env,
                             check=True, capture_output=True, text=True)
    return summary(json.loads(out.stdout.strip().splitlines()[-1]))


def bench_cold_start(data_dir: Path) -> dict:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir)}
    code = ("import time; t=time.perf_counter(); from assistant import Assistant; a=Assistant.from_settings(); "
            "a.ask('do I need a license?'); print(time.perf_counter()-t)")
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True, check=True)
    first_answer = time.perf_counter() - t
    with AppProcess({"ASSISTANT_DATA_DIR": str(data_dir)}) as app:
        api_ready = app.ready_after
    return {"first_answer_s": round(first_answer, 2), "in_process_s": round(float(out.stdout.strip().splitlines()[-1]), 2),
            "http_api_answering_s": round(api_ready, 2)}


def bench_ingest(work: Path) -> dict:
    from assistant.corpus import load_corpus

    corpus = work / "corpus"
    shutil.copytree(PROJECT / "corpus", corpus)
    data = work / "ingest-data"
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data), "ASSISTANT_CORPUS_DIR": str(corpus)}

    def run() -> float:
        t = time.perf_counter()
        subprocess.run([sys.executable, "ingest.py", "--quiet"], cwd=PROJECT, env=env, check=True, capture_output=True)
        return time.perf_counter() - t

    chunks = len(load_corpus(corpus).documents)
    first = run()
    unchanged = [run() for _ in range(3)]
    path = corpus / "articles" / "meaning.md"
    edits = []
    for i in range(3):
        path.write_text(path.read_text().replace("nearest future.", f"nearest future ({i}).", 1) if i == 0 else
                        path.read_text().replace(f"({i - 1})", f"({i})"))
        edits.append(run())
    return {"chunks": chunks, "first_build_s": round(first, 2), "chunks_per_s": round(chunks / first, 1),
            "no_change_s": summary(unchanged), "after_editing_one_file_s": summary(edits)}


def bench_scale(n: int, work: Path) -> dict:
    """In a child process, so that its peak memory is its own."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.scale", str(n), str(work / f"scale-{n}")],
                         cwd=PROJECT, capture_output=True, text=True, env={**os.environ})
    if out.returncode != 0:
        return {"error": out.stderr[-2000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def load(url: str, clients: int, per_client: int) -> dict:
    """``clients`` threads, each asking ``per_client`` eval questions over ``POST /api/ask``."""
    qs = [q for q, _ in questions()]
    latencies: list[float] = []
    errors = 0

    def client(k: int) -> None:
        nonlocal errors
        with httpx.Client(timeout=60) as http:
            for i in range(per_client):
                q = qs[(k * per_client + i) % len(qs)]
                t = time.perf_counter()
                r = http.post(f"{url}/api/ask", json={"question": q})
                latencies.append((time.perf_counter() - t) * 1000)
                errors += r.status_code != 200

    t = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    wall = time.perf_counter() - t
    return {"answers_per_s": round(len(latencies) / wall, 1), **summary(latencies), "errors": errors}


def bench_concurrency(data_dir: Path, per_client: int) -> dict:
    result: dict = {}
    with AppProcess({"ASSISTANT_DATA_DIR": str(data_dir)}) as app:
        time.sleep(1)
        result["idle_rss_mb"] = rss_mb(app.proc.pid)
        for clients in (1, 2, 4, 8):
            result[f"clients_{clients}"] = load(app.url, clients, per_client)
        result["loaded_rss_mb"] = rss_mb(app.proc.pid)
        result["peak_rss_mb"] = peak_rss_mb(app.proc.pid)
    return result


def bench_replicas(work: Path, clients: int = 8, per_client: int = 25) -> dict:
    """Requests/s through nginx with one replica, then two, sharing PostgreSQL and a Chroma server
    (the README's recipe, on this one machine: the replicas share its cores)."""
    from .servers import ChromaServer, Nginx, PostgresServer

    with PostgresServer() as pg, ChromaServer(work / "replicas-chroma") as chroma:
        env = {"ASSISTANT_DB_URL": pg.url, "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma.port),
               "ASSISTANT_INDEX_DIR": str(work / "replicas-index")}
        subprocess.run([sys.executable, "ingest.py", "--quiet"], cwd=PROJECT, check=True, capture_output=True,
                       env={**os.environ, **env, "ASSISTANT_DATA_DIR": str(work / "replicas-ingest")})
        first, second = (AppProcess({**env, "ASSISTANT_DATA_DIR": str(work / f"replica-{i}")}, args=("--no-ingest",))
                         for i in range(2))
        out: dict = {"clients": clients}
        with first:
            with Nginx([f"127.0.0.1:{first.port}"]) as lb:
                load(lb.url, clients, 3)  # warm
                out["replicas_1"] = load(lb.url, clients, per_client)
            with second, Nginx([f"127.0.0.1:{first.port}", f"127.0.0.1:{second.port}"]) as lb:
                load(lb.url, clients, 3)
                out["replicas_2"] = load(lb.url, clients, per_client)
    out["ratio"] = round(out["replicas_2"]["answers_per_s"] / out["replicas_1"]["answers_per_s"], 2)
    return out


def write_markdown(results: dict) -> str:
    lines = [f"# Benchmark results ({results['time']})", "",
             f"Machine: {results['machine']['cores']} cores, {results['machine']['python']}, {results['machine']['platform']}.",
             "Medians (p50) and p95 in milliseconds unless marked; ratios measured side by side in the same run.", ""]
    lat = results.get("latency")
    if lat:
        lines += ["## 1-2. Answer latency (warm, extractive, over the eval questions)", "",
                  "| stage | p50 ms | p95 ms |", "|---|---:|---:|"]
        for s in STAGES + ["floor", "naive"]:
            lines.append(f"| {s} | {lat[s]['p50']} | {lat[s]['p95']} |")
        lines += ["", f"- end to end / floor (embed query + one Chroma query), p50: **{lat['ratio_to_floor_p50']}** (target < 2.0)",
                  f"- ours / naive recipe, p50: **{lat['ratio_to_naive_p50']}** (target < 1.5)",
                  f"- slowest stage: **{lat['slowest_stage']}**", ""]
    prev = results.get("previous")
    if prev:
        lines += [f"## 1b. Against revision `{prev['rev']}` (same questions, same run, each in its own process)", "",
                  f"- previous p50 {prev['previous']['p50']} ms, p95 {prev['previous']['p95']} ms; this revision p50 "
                  f"{prev['ours']['p50']} ms, p95 {prev['ours']['p95']} ms",
                  f"- ratio p50 **{prev['ratio_p50']}**, p95 {prev['ratio_p95']}", ""]
    cold = results.get("cold_start")
    if cold:
        lines += ["## 3. Cold start", "", f"- process start to first answer: **{cold['first_answer_s']} s**",
                  f"- `app.py` start to the HTTP API answering: **{cold['http_api_answering_s']} s** (target < 15 s)", ""]
    ing = results.get("ingest")
    if ing:
        lines += ["## 4. Ingest (shipped corpus, each run a new process)", "",
                  f"- first build: {ing['chunks']} chunks in {ing['first_build_s']} s = **{ing['chunks_per_s']} chunks/s** (includes loading the model)",
                  f"- re-run with no change: p50 **{ing['no_change_s']['p50']} s** (target < 3 s; the model is not loaded)",
                  f"- after editing one file: p50 **{ing['after_editing_one_file_s']['p50']} s**", ""]
    for key in sorted((k for k in results if k.startswith("scale_")), key=lambda k: int(k.split("_")[1])):
        sc = results[key]
        lines += [f"## 5. Scale: {int(key.split('_')[1]):,} synthetic chunks", ""]
        if "error" in sc or "saved" not in sc:
            lines += ["```", sc.get("error", "an older result: run `python -m benchmarks --only scale`"), "```", ""]
            continue
        before, after = sc["rebuilt"], sc["saved"]
        lines += ["Start-up, each in a new process: *before* builds BM25, term statistics and vocabulary from every "
                  "chunk in the store; *after* loads the ones ingest saved (BM25 memory-mapped).", "",
                  "| | before | after | after / before |", "|---|---:|---:|---:|"]
        for label, field in (("process start to first answer, s", "to_first_answer_s"),
                             ("of which model load, s", "model_load_s"),
                             ("after the model load to first answer, s", "after_model_to_first_answer_s"),
                             ("RSS after the first answer, MB", "rss_mb")):
            lines.append(f"| {label} | {before[field]} | **{after[field]}** | {after[field] / max(before[field], 1e-9):.2f} |")
        lines += ["", f"- saving the lexical index at ingest: {sc['lexical_save_s']} s; store fill (precomputed vectors): "
                  f"{sc.get('store_add_per_s') or 'reused'} chunks/s",
                  f"- answer p50 **{after['total']['p50']} ms**, p95 **{after['total']['p95']} ms** (target p95 < 250 ms at 100,000)",
                  "- stages p50: " + ", ".join(f"{s} {after[s]['p50']}" for s in STAGES if s != "total" and s in after),
                  f"- peak RSS after the latency run **{after['peak_rss_mb']} MB**", ""]
    rep = results.get("replicas")
    if rep:
        lines += [f"## 8. Replicas behind nginx ({rep['clients']} clients, `POST /api/ask`, PostgreSQL + Chroma server)", "",
                  "| replicas | answers/s | p50 ms | p95 ms | errors |", "|---:|---:|---:|---:|---:|"]
        for n in (1, 2):
            r = rep[f"replicas_{n}"]
            lines.append(f"| {n} | {r['answers_per_s']} | {r['p50']} | {r['p95']} | {r['errors']} |")
        lines += ["", f"- two replicas / one: **{rep['ratio']}** (both on this machine's "
                  f"{results['machine']['cores']} cores: the ratio shows the cost of sharing them, not of adding machines)", ""]
    conc = results.get("concurrency")
    if conc:
        lines += ["## 6-7. Concurrency and memory (`POST /api/ask` on a running app, loopback)", "",
                  "| clients | answers/s | p50 ms | p95 ms | errors |", "|---:|---:|---:|---:|---:|"]
        for c in (1, 2, 4, 8):
            r = conc[f"clients_{c}"]
            lines.append(f"| {c} | {r['answers_per_s']} | {r['p50']} | {r['p95']} | {r['errors']} |")
        lines += ["", f"- app RSS idle **{conc['idle_rss_mb']} MB**, after load {conc['loaded_rss_mb']} MB, peak {conc['peak_rss_mb']} MB", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the 100,000-chunk scale run")
    parser.add_argument("--only", nargs="*", choices=["latency", "cold", "ingest", "scale", "concurrency", "replicas"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--against", metavar="REV", help="also measure warm latency of an earlier git revision")
    args = parser.parse_args(argv)
    wanted = set(args.only or ["latency", "cold", "ingest", "scale", "concurrency", "replicas"])
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

    from assistant.indexing import run_ingest
    from assistant.settings import Settings

    results: dict = {}
    previous = RESULTS_MD.with_suffix(".json")
    if args.only and previous.exists():  # a partial run updates its sections and keeps the others
        results = json.loads(previous.read_text())
    results.update({"time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}})
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        data = work / "data"
        run_ingest(Settings.from_env(env={}, data_dir=data), progress=False)
        steps = [("latency", lambda: bench_latency(data, args.repeats)), ("cold_start", lambda: bench_cold_start(data)),
                 ("ingest", lambda: bench_ingest(work)), ("concurrency", lambda: bench_concurrency(data, per_client=20)),
                 ("replicas", lambda: bench_replicas(work))]
        if args.against:
            steps.insert(1, ("previous", lambda: bench_previous(args.against, work, args.repeats)))
            wanted.add("previous")
        for key, fn in steps:
            if key.split("_")[0] in wanted or key in wanted:
                print(f"benchmark: {key} ...", flush=True)
                results[key] = fn()
        if "scale" in wanted:
            for n in (10_000,) if args.quick else (10_000, 100_000):
                print(f"benchmark: scale {n} ...", flush=True)
                results[f"scale_{n}"] = bench_scale(n, work)
    RESULTS_MD.write_text(write_markdown(results))
    RESULTS_MD.with_suffix(".json").write_text(json.dumps(results, indent=2))
    print(RESULTS_MD.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
