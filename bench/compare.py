#!/usr/bin/env python3
"""Times sitegen binaries on the same generated sites, in one run, turn about.

Run through `bash bench/compare.sh REV`, which builds REV's release binary beside this
checkout's (any number of binaries can be given to this script directly, the first
being the baseline). For each scale it generates one site and times, for each binary in turn:

  full       the first build: no output folder, no schedule.lock
  no-op      the same build again, nothing changed
  1st edit   one city's values edited, the first change after a fresh build
  one city   the same edit again (the usual case)
  serve      `sitegen serve`'s rebuild after one city is edited ("rebuilt in X ms")

Each binary starts from a clean site (no output, locks or memos of the other). With
--repeat N the binaries take N turns (old, new, old, new, ...), so load on the machine
falls on all alike, and each figure is the median. Prints a markdown table with each
binary's figures and their ratio to the first's, for wall time, CPU time and peak RSS.
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from run import NOW, TOPICS, TRASH, discard, edit_city, generate, human, median_run, serve_rebuilds, timed_build


def clean(site: Path) -> None:
    """Removes what any build left: output, staging folders, locks, report memos."""
    for name in ("public", ".public.staging", "public-report"):
        discard(site / name)
    for name in ("schedule.lock", "modified.lock"):
        (site / name).unlink(missing_ok=True)


def one_pass(binary: Path, site: Path, cities: int, edits: int) -> dict:
    """One binary's rows on a clean site."""
    clean(site)
    rows = {"full": timed_build(binary, site, "public", None)}
    rows["no-op"] = timed_build(binary, site, "public", None)
    edit_city(site, cities, 1)
    rows["1st edit"] = timed_build(binary, site, "public", None)
    edit_city(site, cities, 2)
    rows["one city"] = timed_build(binary, site, "public", None)
    ms = sorted(serve_rebuilds(binary, site, cities, edits))
    rows["serve"] = {"wall": ms[len(ms) // 2] / 1000, "user": 0.0, "sys": 0.0, "rss": 0.0}
    return rows


def print_table(table: list, labels: list[str], load: float, repeat: int, file=sys.stdout) -> None:
    """The markdown table: each binary's figures and their ratios to the first's."""
    def out(line: str = "") -> None:
        print(line, file=file, flush=True)

    out()
    out(f"{os.cpu_count()} cores, load average {load:.1f} at start, "
        f"median of {repeat} alternating run(s) per binary; ratios to {labels[0]}")
    out()
    head = " | ".join(f"{l} wall s | {l} CPU s | {l} MiB"
                      + (f" | ÷ {labels[0]} (wall, CPU, RSS)" if i else "")
                      for i, l in enumerate(labels))
    out(f"| articles | row | {head} |")
    out("|---:|---|" + "---:|" * (4 * len(labels) - 1))

    def ratio(new: float, old: float) -> str:
        return f"{new / old:.2f}" if old else "–"

    for articles, row, figures in table:
        base = figures[0]
        cells = []
        for i, r in enumerate(figures):
            cpu = r["user"] + r["sys"]
            cells.append(f"{r['wall']:.3f} | " + (f"{cpu:.2f}" if cpu else "–")
                         + " | " + (f"{r['rss']:.0f}" if r["rss"] else "–"))
            if i:
                cpu_ratio = ratio(cpu, base["user"] + base["sys"])
                cells.append(f"{ratio(r['wall'], base['wall'])}, {cpu_ratio}, {ratio(r['rss'], base['rss'])}")
        out(f"| {articles} | {row} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description="Times sitegen binaries turn about.")
    parser.add_argument("binaries", type=Path, nargs="+", help="the first is the baseline")
    parser.add_argument("--labels", help="comma-separated names (default: the file names)")
    parser.add_argument("--scales", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--edits", type=int, default=5, help="serve rebuilds per pass")
    parser.add_argument("--work", type=Path, default=Path(__file__).resolve().parent.parent / "target/bench")
    args = parser.parse_args()
    labels = args.labels.split(",") if args.labels else [b.name for b in args.binaries]
    if len(labels) != len(args.binaries):
        sys.exit("--labels needs one name per binary")
    load = os.getloadavg()[0]
    table = []
    for articles in (int(s) for s in args.scales.split(",") if s):
        cities = articles // TOPICS
        site = args.work.resolve() / f"compare-{human(articles)}"
        generate(site, cities)
        # Older binaries bound every input file, schedule.lock included, by this limit (8 MiB
        # by default), which a 100k site's lock passes; the newer ones do not bound the locks.
        with open(site / "site.yaml", "a", encoding="utf-8") as f:
            f.write("max_input_bytes: 268435456\n")
        runs: list[list[dict]] = [[] for _ in args.binaries]
        for k in range(max(args.repeat, 1)):
            for which, binary in enumerate(args.binaries):
                print(f"{human(articles)}: {labels[which]} pass {k + 1}", file=sys.stderr, flush=True)
                runs[which].append(one_pass(binary.resolve(), site, cities, args.edits))
        for row in ("full", "no-op", "1st edit", "one city", "serve"):
            table.append((human(articles), row, [median_run([r[row] for r in b]) for b in runs]))
        discard(site)
        print_table(table[-5:], labels, load, args.repeat, file=sys.stderr)
    for aside in TRASH:
        shutil.rmtree(aside, ignore_errors=True)
    print_table(table, labels, load, args.repeat)


if __name__ == "__main__":
    main()
