#!/usr/bin/env python3
"""What the durability promise costs: builds with and without the flushes to disk.

Run through `bash bench/durable.sh` (builds the release binary first). On the real site
and a generated 10,000-article site (bench/gen_site.py), in one run, it times

  full       a first build into a fresh output folder (every file written)
  one city   one city's values edited, then built (only the changed pages written)

each with the default `SITEGEN_DURABLE=1` (files flushed, `syncfs` of the staging folder's
file system before the swap, the parent folder after it) and with `SITEGEN_DURABLE=0`,
the two alternating run by run so that a change in the machine's load hits both alike. It
prints the median wall time of each and the ratio durable / not durable.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from run import HERE, NOW, TRASH, discard, edit_city, median_run, timed

REAL_PARTS = ["templates", "static", "topics", "cities"]
REAL_FILES = ["site.yaml", "schedule.lock", "modified.lock"]


def real_site(work: Path) -> Path:
    site = work / "site-real"
    discard(site)
    root = HERE.parent
    for part in REAL_PARTS:
        shutil.copytree(root / part, site / part)
    for f in REAL_FILES:
        shutil.copy(root / f, site / f)
    return site


def generated_site(work: Path, cities: int) -> Path:
    site = work / f"site-{cities * 20 // 1000}k-durable"
    discard(site)
    subprocess.run(
        [sys.executable, str(HERE / "gen_site.py"), "--cities", str(cities), "--topics", "20",
         "--out", str(site)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return site


def edit_real(site: Path, round_: int) -> None:
    """Changes the first material 岳阳's 参保地变更 article lists."""
    path = site / "cities" / "yueyang.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^( +- 身份证)\S*$", rf"\g<1>{round_}", text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")


def build(site: Path, durable: bool, now: str) -> dict:
    os.environ["SITEGEN_DURABLE"] = "1" if durable else "0"
    return timed([str(BINARY), "build", "-q", "--now", now, "-o", "public"], site, "public")


def measure(label: str, site: Path, now: str, repeat: int, edit) -> list:
    rows = []
    # full: a fresh output folder each time
    runs = {True: [], False: []}
    for i in range(repeat):
        for durable in (True, False) if i % 2 == 0 else (False, True):
            for d in (site / "public", site / ".public.staging"):
                discard(d)
            runs[durable].append(build(site, durable, now))
    rows.append((label, "full", median_run(runs[True]), median_run(runs[False])))
    # one city: the previous site is the staging folder, as in daily use
    runs = {True: [], False: []}
    round_ = 0
    for i in range(repeat):
        for durable in (True, False) if i % 2 == 0 else (False, True):
            round_ += 1
            edit(site, round_)
            runs[durable].append(build(site, durable, now))
    rows.append((label, "one city", median_run(runs[True]), median_run(runs[False])))
    return rows


def main() -> None:
    global BINARY
    parser = argparse.ArgumentParser(description="Times builds with and without fsync.")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median shown)")
    parser.add_argument("--bin", type=Path, default=HERE.parent / "target/release/sitegen")
    parser.add_argument("--work", type=Path, default=HERE.parent / "target/bench")
    args = parser.parse_args()
    BINARY = args.bin.resolve()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    rows = []
    rows += measure("real site", real_site(work), "2026-11-24 00:00:00", args.repeat, edit_real)
    rows += measure("10k articles", generated_site(work, 500), NOW, args.repeat,
                    lambda site, r: edit_city(site, 500, r))
    for aside in TRASH:
        shutil.rmtree(aside, ignore_errors=True)
    print()
    print(f"sitegen, {os.cpu_count()} cores, load average {load:.1f} at start, "
          f"median of {args.repeat} runs each, durable and not alternating")
    print()
    print("| site | build | durable s | SITEGEN_DURABLE=0 s | ratio | files written |")
    print("|---|---|---:|---:|---:|---:|")
    for site, label, on, off in rows:
        print(f"| {site} | {label} | {on['wall']:.2f} | {off['wall']:.2f} | "
              f"{on['wall'] / off['wall']:.2f} | {on['files']} |")


BINARY = Path()

if __name__ == "__main__":
    main()
