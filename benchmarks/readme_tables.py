"""Regenerate the README's performance tables from ``make bench`` output (one JSON).

    .venv/bin/python benchmarks/readme_tables.py [reports/bench.json] [--readme README.md]

Replaces the text between ``<!-- bench:begin -->`` and ``<!-- bench:end -->`` in the README with
tables built from the JSON only, headed by its date, commit, mode, command and load averages.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def _mmm(s: dict | None, fmt: str = "{:.3g}") -> str:
    """'median (min-max)' of a summary dict."""
    if not s:
        return "n/a"
    return f"{fmt.format(s['median'])} ({fmt.format(s['min'])}-{fmt.format(s['max'])})"


def _ratio(s: dict | None) -> str:
    return "n/a" if not s else f"**{s['median']:.3g}x** ({s['min']:.3g}-{s['max']:.3g})"


def _head(name: str, entry: dict) -> list[str]:
    load = entry.get("load_avg_1min_during", {})
    return [(f"`{entry['command']}` ({entry['seconds']} s; load average {load.get('min')}-"
             f"{load.get('max')} on {_cpus(entry)} cores)"), ""]


def _cpus(entry: dict) -> str:
    return str(entry.get("result", {}).get("machine", {}).get("cpus", "?"))


def store_section(e: dict) -> list[str]:
    r = e["result"]
    q = r["us_per_query"]
    rows = [
        ("search lookup by index (`evaluate`)", "evaluate_by_index", "api_by_index",
         "ratio_search_by_index"),
        ("search lookup by arch string", "evaluate_by_arch", "api_by_arch",
         "ratio_search_by_arch"),
        ("full report by index (`report_cell`)", "report_by_index", "api_by_index",
         "ratio_report_by_index"),
        ("full report by arch string", "report_by_arch", "api_by_arch", "ratio_report_by_arch"),
    ]
    out = [("**Store vs `nas_201_api`**, same cells, interleaved, "
            f"{q['evaluate_by_index']['n']} repeats of {r['queries_per_repeat']} queries "
            f"(API file: official layout, first {r['api_cells']} cells, {r['api_file_mib']} MiB):"),
           "", *_head("store", e),
           ("| query | ours (us) | nas_201_api `get_more_info(hp='200', is_random=False)` (us) "
            "| speed-up |"), "|---|---|---|---|"]
    for label, ours, ref, ratio in rows:
        out.append(f"| {label} | {_mmm(q[ours])} | {_mmm(q[ref])} | {_ratio(r[ratio])} |")
    c = r["cold_start"]
    out += ["", ("Cold start, whole process from start to exit (interpreter included), "
             f"{c['ours_cli']['wall_s']['n']} interleaved repeats:"), "",
            "| process | wall (s) | CPU (s) | peak RSS (MiB) |", "|---|---|---|---|",
            (f"| `nasbench-suite query ARCH --json` | {_mmm(c['ours_cli']['wall_s'])} | "
             f"{_mmm(c['ours_cli']['cpu_s'])} | {_mmm(c['ours_cli']['peak_rss_mib'])} |"),
            (f"| `NASBench201API(file).get_more_info(ARCH)` | {_mmm(c['nas_201_api']['wall_s'])} | "
             f"{_mmm(c['nas_201_api']['cpu_s'])} | {_mmm(c['nas_201_api']['peak_rss_mib'])} |"),
            (f"| ratio (reference / ours) | {_ratio(c['ratio_wall'])} | | "
             f"{_ratio(c['ratio_peak_rss'])} |"), "",
            (f"No reference: store build {r['build_s']} s; in-process load "
             f"{_mmm(r['load_ms'])} ms (target < 100 ms); vectorised lookups "
             f"{_mmm(r['vectorised_lookups_per_s'])} M/s."), ""]
    return out


def protocol_section(e: dict) -> list[str]:
    r = e["result"]
    cli = r["cli"]
    out = ["**NATS-Bench protocol end to end** (no runnable reference here: absolute, goal 60 s):",
           "", *_head("protocol", e),
           (f"`{cli['command']}`: **{cli['wall_s']} s wall**, {cli['cpu_s']} s CPU, peak RSS of the "
            f"process tree {cli['peak_tree_rss_mib']} MiB."), "",
           "| strategy | runs | evaluations | wall (s) | CPU (s) | strategy us / eval |",
           "|---|---|---|---|---|---|"]
    for name, s in r["in_process"].items():
        if name != "total":
            out.append(f"| {name} | {s['runs']} | {s['evals']:,} | {s['wall_s']} | {s['cpu_s']} "
                       f"| {s['searcher_us_per_eval']} |")
    return out + [""]


def bo_section(e: dict) -> list[str]:
    r = {k: v for k, v in e["result"].items() if isinstance(v, dict) and "wall_s" in v}
    out = ["**Model-based strategies** (absolute):", "", *_head("bo", e),
           "| strategy | runs x evals | wall (s) | overhead ms / eval |", "|---|---|---|---|"]
    for name, s in r.items():
        out.append(f"| {name} | {s.get('runs')} x {s.get('evals_per_run', s.get('evals'))} | "
                   f"{s['wall_s']} | {s.get('overhead_ms_per_eval')} |")
    return out + [""]


def network_section(e: dict) -> list[str]:
    r = e["result"]
    out = [("**NB201 network and one-shot steps vs `xautodl`** (the authors' reference code; "
            f"identical weights, logits checked equal, same batches, {r['threads']} thread(s), "
            f"device {r['device']}):"), "", *_head("network", e),
           ("| training step, batch 64 | ours (images/s) | xautodl (images/s) | speed-up | "
            "max logit diff |"), "|---|---|---|---|---|"]
    for cell, s in r["network_train_step"].items():
        out.append(f"| {cell} | {_mmm(s['images_per_s']['ours'])} | "
                   f"{_mmm(s['images_per_s']['xautodl'])} | {_ratio(s['speedup'])} | "
                   f"{s['max_abs_logit_diff']} |")
    out += ["", ("| search iteration (weight + architecture step) | ours (s) | xautodl (s) | "
             "speed-up |"), "|---|---|---|---|"]
    for method, s in r["search_iteration"].items():
        out.append(f"| {method} | {_mmm(s['s_per_iteration']['ours'])} | "
                   f"{_mmm(s['s_per_iteration']['xautodl'])} | {_ratio(s['speedup'])} |")
    return out + [""]


def proxy_section(e: dict) -> list[str]:
    r = e["result"]
    per = ", ".join(f"{k} {v['median']:.3g}" for k, v in
                    sorted(r["s_per_cell"].items(), key=lambda kv: kv[1]["median"]))
    return ["**Zero-cost proxies** (no runnable reference: NASLib is not on PyPI; absolute):", "",
            *_head("proxies", e),
            (f"Seconds per cell, median over {r['cells']} cells, batch {r['batch']}, "
             f"{r['threads']} thread: {per}. All 13 on one cell: "
             f"{_mmm(r['all_proxies_s_per_cell'])} s; all 15,625 cells x 13 proxies on one CPU "
             f"thread: about {r['extrapolated_all_cells_all_proxies_h']} h (extrapolated)."), ""]


SECTIONS = {"store": store_section, "protocol": protocol_section, "bo_overhead": bo_section,
            "network": network_section, "proxies": proxy_section}


def render(data: dict) -> str:
    m = data["machine_at_start"]
    lines = [BEGIN, "",
             (f"Generated by `benchmarks/readme_tables.py` from `{data['command']}` "
              f"({data['mode']} settings) at commit {m['commit']}, {m['utc']}, on {m['cpus']} "
              f"cores, load average at start {m['load_avg_1_5_15']}. Ratios are reference / ours "
              "per interleaved repeat, median (min-max)."), ""]
    for name, entry in data["results"].items():
        if "error" in entry:
            lines += [f"**{name}**: failed ({'; '.join(entry['error'])}).", ""]
        elif name in SECTIONS:
            lines += SECTIONS[name](entry)
    lines += [("**GPU**: unmeasured in this commit (no GPU was lent to the session that measured "
               "it); `python3 benchmarks/gpu_bench.py` runs every GPU figure in under 8 minutes "
               "on a machine with CUDA (carry `data/nb201-store`)."), "", END]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json", nargs="?", type=Path, default=REPO / "reports" / "bench.json")
    parser.add_argument("--readme", type=Path, default=REPO / "README.md")
    args = parser.parse_args()
    try:
        data = json.loads(args.json.read_text())
    except (OSError, ValueError) as exc:
        print(f"cannot read {args.json}: {exc}", file=sys.stderr)
        return 2
    text = args.readme.read_text()
    if BEGIN not in text or END not in text:
        print(f"{args.readme} has no {BEGIN} ... {END} block", file=sys.stderr)
        return 2
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    args.readme.write_text(head + render(data) + tail)
    print(f"updated {args.readme}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
