#!/usr/bin/env python3
"""Times `sitegen build` on generated sites of 1k, 10k (and 100k) articles.

Run through `bash bench/run.sh`, which builds the release binary first. For each scale it
generates a site (bench/gen_site.py: N cities x 20 topics from the real site), then times,
as whole processes with /usr/bin/time -v:

  full       first build: no output folder, no schedule.lock
  cp -r      copying that output to a new folder: writing the same files, nothing else
  no-op      the same build again, nothing changed
  1st edit   one city's values edited, the first change after a fresh build
  one city   the same again (the usual case: the previous site is the staging folder)
  CI         a fresh checkout: schedule.lock present, no output folder
  CI, -j 1   the same on one thread; its output must equal the -j 2 one byte for byte
  check      `sitegen check` (unchanged pages' warnings from the page memo)
  check, all `sitegen check --render-all` (every page rendered and linted)
  coverage   `sitegen coverage` (the report and coverage.html), with its ratio to both

and prints a markdown table: wall time, CPU time (user + system), peak RSS, and the files
written into the output folder (counted independently: files newer than the build's start).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TRASH: list[Path] = []  # folders set aside during the run, deleted at its end


def discard(path: Path) -> None:
    """Moves a folder out of the way without deleting it: on ext4, files created within
    minutes of a mass deletion are much slower to create (the allocator skips recently
    freed inodes), which would blur the timings. Everything set aside is deleted at the end."""
    if path.exists():
        aside = path.with_name(f".trash-{time.time_ns()}-{path.name}")
        path.rename(aside)
        TRASH.append(aside)
from gen_site import NOW  # after every scheduled slot, so every article is published
TOPICS = 20


def human(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def count_newer(folder: Path, since_ns: int) -> int:
    """Files below `folder` modified after `since_ns` (hard-linked files keep their time)."""
    if not folder.exists():
        return 0
    n = 0
    for dirpath, _, files in os.walk(folder):
        for f in files:
            if os.lstat(os.path.join(dirpath, f)).st_mtime_ns > since_ns:
                n += 1
    return n


def timed_build(binary: Path, site: Path, out: str, jobs: int | None) -> dict:
    """Runs one build under /usr/bin/time -v and returns its figures."""
    args = [str(binary), "build", "--now", NOW, "-o", out]
    if jobs:
        args += ["-j", str(jobs)]
    return timed(args, site, out)


def timed(args: list[str], site: Path, out: str) -> dict:
    """Runs `args` in `site` under /usr/bin/time -v; files written are counted in `out`."""
    # Flush earlier writes and deletions to disk first, so they do not slow this build.
    os.sync()
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        # mtime granularity: make sure files written by the build are strictly newer.
        since = time.time_ns()
        time.sleep(0.01)
        run = subprocess.run(
            ["/usr/bin/time", "-v", "-o", report.name, *args],
            cwd=site,
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            sys.exit(f"build failed in {site}:\n{run.stderr}")
        text = report.read()

    def field(name: str) -> str:
        m = re.search(rf"^\s*{re.escape(name)}: (.+)$", text, re.M)
        if not m:
            sys.exit(f"/usr/bin/time -v gave no `{name}`:\n{text}")
        return m.group(1).strip()

    wall = 0.0
    for part in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":"):
        wall = wall * 60 + float(part)
    return {
        "wall": wall,
        "user": float(field("User time (seconds)")),
        "sys": float(field("System time (seconds)")),
        "rss": int(field("Maximum resident set size (kbytes)")) / 1024,
        "files": count_newer(site / out, since),
    }


def median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]


def edit_city(site: Path, cities: int, round_: int) -> None:
    """Changes the city-wide values of the middle city (a hotline and the bank)."""
    path = site / "cities" / f"c{cities // 2:05d}.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'service_hotline: "[^"]*"', f'service_hotline: "0731-{round_:05d}"', text)
    text = re.sub(r"^  bank_example: [^{].*$", f"  bank_example: 第{round_}银行", text, flags=re.M)
    path.write_text(text, encoding="utf-8")


def bench_scale(binary: Path, work: Path, articles: int, repeat: int, rows: list) -> None:
    cities = articles // TOPICS
    site = work / f"site-{human(articles)}"
    discard(site)
    subprocess.run(
        [sys.executable, str(HERE / "gen_site.py"), "--cities", str(cities),
         "--topics", str(TOPICS), "--out", str(site)],
        check=True,
        stdout=subprocess.DEVNULL,
    )

    def clean(out: str) -> None:
        for d in (site / out, site / f".{out}.staging"):
            discard(d)

    def row(label: str, runs: list[dict]) -> None:
        r = median_run(runs)
        rows.append((human(articles), label, r))
        print(f"  {label:<10} {r['wall']:7.2f} s wall {r['user']:7.2f} s user {r['sys']:6.2f} s sys "
              f"{r['rss']:7.1f} MiB {r['files']:7d} files", file=sys.stderr, flush=True)

    print(f"{articles} articles ({cities} cities x {TOPICS} topics) in {site}", file=sys.stderr)
    (site / "schedule.lock").unlink(missing_ok=True)
    clean("public")
    first = timed_build(binary, site, "public", None)
    runs = [first]
    for _ in range(repeat - 1):
        (site / "schedule.lock").unlink()
        clean("public")
        runs.append(timed_build(binary, site, "public", None))
    row("full", runs)
    # The disk's own limit: writing the same files, nothing else.
    discard(site / "copy")
    row("cp -r", [timed(["cp", "-r", "public", "copy"], site, "copy")])
    discard(site / "copy")
    row("no-op", [timed_build(binary, site, "public", None) for _ in range(repeat)])
    # The first change after a fresh build also fills the staging folder with hard links
    # to every unchanged file; later changes find it there (see README).
    edit_city(site, cities, 1)
    row("1st edit", [timed_build(binary, site, "public", None)])
    edits = []
    for k in range(repeat):
        edit_city(site, cities, k + 2)
        edits.append(timed_build(binary, site, "public", None))
    row("one city", edits)
    ci = []
    for _ in range(repeat):
        clean("public")
        ci.append(timed_build(binary, site, "public", None))
    row("CI", ci)
    clean("public-j1")
    row("CI, -j 1", [timed_build(binary, site, "public-j1", 1)])
    one = (site / "public-j1" / ".sitegen-manifest").read_bytes()
    two = (site / "public" / ".sitegen-manifest").read_bytes()
    if one != two:
        sys.exit(f"{site}: output with -j 1 differs from -j 2 (compare the manifests)")
    print("  output identical with -j 1 and -j 2 (manifests of content hashes match)",
          file=sys.stderr)
    clean("public-j1")
    # `sitegen coverage` against `check` on the same site in the same run (issue 16: within
    # 2x a check). `check` takes unchanged pages' warnings from the page memo of the output
    # just built; `check --render-all` renders and lints every page as coverage must.
    check = [timed([str(binary), "check", "--now", NOW], site, "public") for _ in range(repeat)]
    row("check", check)
    check_all = [timed([str(binary), "check", "--render-all", "--now", NOW], site, "public")
                 for _ in range(repeat)]
    row("check, all", check_all)
    report = str(site / "coverage-report")
    cover = [timed([str(binary), "coverage", "--now", NOW, "--report-dir", report], site, "public")
             for _ in range(repeat)]
    row("coverage", cover)
    c, k, ka = (median_run(x)["wall"] for x in (cover, check, check_all))
    RATIOS.append((human(articles), c / k, c / ka))
    print(f"  coverage / check {c / k:.2f}, coverage / check --render-all {c / ka:.2f}",
          file=sys.stderr)


RATIOS: list = []  # (articles, coverage / check, coverage / check --render-all), wall time


def main() -> None:
    parser = argparse.ArgumentParser(description="Times sitegen builds at scale.")
    parser.add_argument("--with-100k", action="store_true", help="also 100,000 articles")
    parser.add_argument("--scales", default="1000,10000",
                        help="comma-separated article counts (multiples of 20)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per figure; the median by wall time is shown")
    parser.add_argument("--bin", type=Path, default=HERE.parent / "target/release/sitegen")
    parser.add_argument("--work", type=Path, default=HERE.parent / "target/bench")
    parser.add_argument("--keep", action="store_true", help="keep the generated sites")
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",") if s]
    if args.with_100k and 100000 not in scales:
        scales.append(100000)
    if not Path("/usr/bin/time").exists():
        sys.exit("/usr/bin/time is missing: apt-get install time")
    load = os.getloadavg()[0]
    rows: list = []
    for n in scales:
        bench_scale(args.bin.resolve(), args.work.resolve(), n, max(args.repeat, 1), rows)
        if not args.keep:
            discard(args.work / f"site-{human(n)}")
    for aside in TRASH:
        shutil.rmtree(aside, ignore_errors=True)
    print()
    print(f"sitegen, {os.cpu_count()} cores, load average {load:.1f} at start, "
          f"{TOPICS} topics per city, median of {max(args.repeat, 1)} run(s)")
    print()
    print("| articles | build | wall s | CPU s (user + sys) | peak RSS MiB | files written |")
    print("|---:|---|---:|---:|---:|---:|")
    for articles, label, r in rows:
        cpu = f"{r['user'] + r['sys']:.2f} ({r['user']:.2f} + {r['sys']:.2f})"
        print(f"| {articles} | {label} | {r['wall']:.2f} | {cpu} | {r['rss']:.0f} | {r['files']} |")
    if RATIOS:
        print()
        print("| articles | coverage / check | coverage / check --render-all |")
        print("|---:|---:|---:|")
        for articles, a, b in RATIOS:
            print(f"| {articles} | {a:.2f} | {b:.2f} |")


if __name__ == "__main__":
    main()
