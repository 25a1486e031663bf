#!/usr/bin/env python3
"""Times two sitegen binaries on the same generated sites, in one run, turn about.

Run through `bash bench/compare.sh REV`, which builds REV's release binary beside this
checkout's. For each scale it generates one site and times, for each binary in turn:

  full       the first build: no output folder, no schedule.lock
  no-op      the same build again, nothing changed
  1st edit   one city's values edited, the first change after a fresh build
  one city   the same edit again (the usual case)
  serve      `sitegen serve`'s rebuild after one city is edited ("rebuilt in X ms")

Each binary starts from a clean site (no output, locks or memos of the other). With
--repeat N the two binaries alternate N times (old, new, old, new, ...), so load on the
machine falls on both alike, and each figure is the median. Prints a markdown table with
both figures and their ratio (new / old) for wall and CPU time.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from run import NOW, TOPICS, TRASH, discard, edit_city, generate, human, median_run, timed_build


def clean(site: Path) -> None:
    """Removes what any build left: output, staging folders, locks, report memos."""
    for name in ("public", ".public.staging", "public-report"):
        discard(site / name)
    for name in ("schedule.lock", "modified.lock"):
        (site / name).unlink(missing_ok=True)


def serve_rebuilds(binary: Path, site: Path, cities: int, edits: int) -> list[float]:
    """Milliseconds of each of `edits` serve rebuilds after one city is edited."""
    log = site.parent / f"{site.name}-serve.log"
    with open(log, "w") as err:
        serve = subprocess.Popen(
            [str(binary), "serve", "--root", str(site), "--port", "0", "--open-browser", "no",
             "--now", NOW],
            stdout=subprocess.DEVNULL, stderr=err)
    try:
        def wait_for(count: int, pattern: str) -> None:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                text = log.read_text(encoding="utf-8", errors="replace")
                if "rebuild failed" in text:
                    sys.exit(f"serve's rebuild failed:\n{text}")
                if len(re.findall(pattern, text)) >= count:
                    return
                if serve.poll() is not None:
                    sys.exit(f"serve ended:\n{text}")
                time.sleep(0.05)
            sys.exit(f"serve did not report in time:\n{log.read_text()}")

        wait_for(1, r"sitegen: built in")
        for k in range(edits):
            edit_city(site, cities, 200 + k)
            wait_for(k + 1, r"sitegen: rebuilt in")
            time.sleep(0.3)  # lets the watcher settle so each edit is one rebuild
        text = log.read_text(encoding="utf-8")
    finally:
        serve.terminate()
        serve.wait()
        log.unlink(missing_ok=True)
    return [float(ms) for ms in re.findall(r"rebuilt in ([0-9.]+) ms", text)]


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


def main() -> None:
    parser = argparse.ArgumentParser(description="Times two sitegen binaries turn about.")
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--labels", default="old,new")
    parser.add_argument("--scales", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--edits", type=int, default=5, help="serve rebuilds per pass")
    parser.add_argument("--work", type=Path, default=Path(__file__).resolve().parent.parent / "target/bench")
    args = parser.parse_args()
    old_label, new_label = args.labels.split(",")
    load = os.getloadavg()[0]
    table = []
    for articles in (int(s) for s in args.scales.split(",") if s):
        cities = articles // TOPICS
        site = args.work.resolve() / f"compare-{human(articles)}"
        generate(site, cities)
        runs: dict = {"old": [], "new": []}
        for k in range(max(args.repeat, 1)):
            for which, binary in (("old", args.old), ("new", args.new)):
                print(f"{human(articles)}: {which} pass {k + 1}", file=sys.stderr, flush=True)
                runs[which].append(one_pass(binary.resolve(), site, cities, args.edits))
        for row in ("full", "no-op", "1st edit", "one city", "serve"):
            old = median_run([r[row] for r in runs["old"]])
            new = median_run([r[row] for r in runs["new"]])
            table.append((human(articles), row, old, new))
        discard(site)
    for aside in TRASH:
        shutil.rmtree(aside, ignore_errors=True)
    print()
    print(f"{os.cpu_count()} cores, load average {load:.1f} at start, "
          f"median of {args.repeat} alternating run(s) per binary")
    print()
    print(f"| articles | row | {old_label} wall s | {new_label} wall s | wall {new_label}/{old_label} "
          f"| {old_label} CPU s | {new_label} CPU s | CPU {new_label}/{old_label} |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for articles, row, old, new in table:
        cpu_old, cpu_new = old["user"] + old["sys"], new["user"] + new["sys"]
        cpu = f"{cpu_old:.2f} | {cpu_new:.2f} | {cpu_new / cpu_old:.2f}" if cpu_old else "– | – | –"
        print(f"| {articles} | {row} | {old['wall']:.3f} | {new['wall']:.3f} "
              f"| {new['wall'] / old['wall']:.2f} | {cpu} |")


if __name__ == "__main__":
    main()
