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
  coverage, cold   `sitegen coverage` (the report and coverage.html) without its memo
  coverage   the same again, nothing changed: the words of every article from the memo
  coverage, one city   one city edited and built, then coverage: its articles recomputed
             (each coverage row with its ratio to check and check --render-all)
  CI cache   the README's CI recipe: a fresh copy of the sources (new mtimes, no output),
             the cached folders restored from a tar archive (as actions/cache does: hard
             links between `public/` and `.public.staging` survive), one build started
             right after the restore (its files still waiting to go to disk), the cache
             saved again; rows for a no-op and for one city edited, and the same with the
             old recipe that cached `public/` without its staging folder
  serve      `sitegen serve`'s rebuild after one city is edited ("rebuilt in X ms"),
             the median of five

and prints a markdown table: wall time, CPU time (user + system), peak RSS, and the files
written into the output folder (counted independently: files newer than the build's start);
for every full build (full, CI, CI -j 1), its wall time as a multiple of `cp -r` of the
same output measured in the same run, and user CPU per article.
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


def timed_build(binary: Path, site: Path, out: str, jobs: int | None,
                now: list[str] | None = None, sync: bool = True) -> dict:
    """Runs one build under /usr/bin/time -v and returns its figures; `now` replaces
    `--now NOW`."""
    args = [str(binary), "build", *(now if now is not None else ["--now", NOW]), "-o", out]
    if jobs:
        args += ["-j", str(jobs)]
    return timed(args, site, out, sync)


def timed(args: list[str], site: Path, out: str, sync: bool = True) -> dict:
    """Runs `args` in `site` under /usr/bin/time -v; files written are counted in `out`.
    With `sync`, earlier writes and deletions are flushed to disk first, so they do not
    slow this build."""
    if sync:
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


def generate(site: Path, cities: int) -> None:
    """Makes a fresh bench site of `cities` cities x TOPICS topics at `site`."""
    discard(site)
    subprocess.run(
        [sys.executable, str(HERE / "gen_site.py"), "--cities", str(cities),
         "--topics", str(TOPICS), "--out", str(site)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


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


def bench_scale(binary: Path, work: Path, articles: int, repeat: int, rows: list) -> None:
    cities = articles // TOPICS
    site = work / f"site-{human(articles)}"
    generate(site, cities)

    def clean(out: str) -> None:
        for d in (site / out, site / f".{out}.staging"):
            discard(d)

    def row(label: str, runs: list[dict]) -> None:
        r = median_run(runs)
        rows.append((human(articles), label, r))
        print(f"  {label:<28} {r['wall']:7.2f} s wall {r['user']:7.2f} s user {r['sys']:6.2f} s sys "
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
    copy = timed(["cp", "-r", "public", "copy"], site, "copy")
    row("cp -r", [copy])
    discard(site / "copy")
    full_builds = [rows[-2]]
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
    full_builds.append(rows[-1])
    clean("public-j1")
    row("CI, -j 1", [timed_build(binary, site, "public-j1", 1)])
    full_builds.append(rows[-1])
    for scale, label, r in full_builds:
        FULL.append((scale, label, r["wall"] / copy["wall"], r["user"] * 1000 / articles))
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
    # Coverage as an editor runs it: without the memo (a fresh checkout), again with nothing
    # changed, and after one city is edited and built.
    report = site / "coverage-report"

    def coverage() -> dict:
        return timed([str(binary), "coverage", "--now", NOW, "--report-dir", str(report)],
                     site, "public")

    cover_cold = []
    for _ in range(repeat):
        (report / ".sitegen-coverage").unlink(missing_ok=True)
        cover_cold.append(coverage())
    row("coverage, cold", cover_cold)
    cover = [coverage() for _ in range(repeat)]
    row("coverage", cover)
    cover_edit = []
    for n in range(repeat):
        edit_city(site, cities, 50 + n)
        timed_build(binary, site, "public", None)
        cover_edit.append(coverage())
    row("coverage, one city", cover_edit)
    # serve's rebuild after one city is edited ("rebuilt in X ms"), the median of five.
    ms = sorted(serve_rebuilds(binary, site, cities, 5))
    rows.append((human(articles), "serve, one city", {"wall": ms[len(ms) // 2] / 1000, "user": 0.0,
                                                      "sys": 0.0, "rss": 0.0, "files": 0}))
    print(f"  serve, one city {ms[len(ms) // 2]:.1f} ms (median of {len(ms)}: {ms})", file=sys.stderr)
    ci_cache(binary, site, cities, repeat, row)
    k, ka = (median_run(x)["wall"] for x in (check, check_all))
    for label, runs in (("coverage", cover), ("coverage, one city", cover_edit),
                        ("coverage, cold", cover_cold)):
        c = median_run(runs)["wall"]
        RATIOS.append((human(articles), label, c / k, c / ka))
        print(f"  {label} / check {c / k:.2f}, / check --render-all {c / ka:.2f}",
              file=sys.stderr)


def tree_bytes(folder: Path) -> tuple[int, int]:
    """Bytes of the files below `folder` and the disk they take (blocks), each
    hard-linked file once."""
    seen, total, disk = set(), 0, 0
    for dirpath, _, files in os.walk(folder):
        for f in files:
            st = os.lstat(os.path.join(dirpath, f))
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
                disk += st.st_blocks * 512
    return total, disk


def bench_million(binary: Path, work: Path, rows: list) -> None:
    """One run at 1,000,000 articles (50,000 cities): the full build, `cp -r` of its output
    in the same run, a no-op, and the sitemap parts the build wrote."""
    articles = 1_000_000
    cities = articles // TOPICS
    site = work / f"site-{human(articles)}"
    generate(site, cities)
    print(f"{articles} articles ({cities} cities x {TOPICS} topics) in {site}", file=sys.stderr)

    def row(label: str, r: dict) -> None:
        rows.append((human(articles), label, r))
        print(f"  {label:<28} {r['wall']:7.2f} s wall {r['user']:7.2f} s user {r['sys']:6.2f} s sys "
              f"{r['rss']:7.1f} MiB {r['files']:7d} files", file=sys.stderr, flush=True)

    # One article a minute from 2025-04-29: the millionth is out in March 2027, after
    # today's clock, and a `--now` past the clock would make the build a preview (no
    # locks), so the clock itself is set there, as a scheduled CI build would have it.
    os.environ["SOURCE_DATE_EPOCH"] = "1806508800"  # 2027-04-01 00:00 +08:00
    try:
        full = timed_build(binary, site, "public", None, now=[])
        row("full", full)
        run_copy_and_noop(binary, site, articles, full, row)
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]


def run_copy_and_noop(binary: Path, site: Path, articles: int, full: dict, row) -> None:
    """The 1M run's `cp -r` of the output, a no-op, and its output's size and sitemaps."""
    size, disk = tree_bytes(site / "public")
    free = shutil.disk_usage(site).free
    if free < disk * 1.05:
        sys.exit(f"cp -r of the output ({size / 2**30:.1f} GiB in files, {disk / 2**30:.1f} GiB "
                 f"of disk) needs that much free disk; {free / 2**30:.1f} GiB is free")
    copy = timed(["cp", "-r", "public", "copy"], site, "copy")
    row("cp -r", copy)
    shutil.rmtree(site / "copy", ignore_errors=True)
    row("no-op", timed_build(binary, site, "public", None, now=[]))
    FULL.append((human(articles), "full", full["wall"] / copy["wall"], full["user"] * 1000 / articles))
    parts = sorted((site / "public").glob("sitemap-*.xml"))
    MILLION.append((size, len(parts), full["rss"]))
    print(f"  output {size / 2**30:.1f} GiB, sitemap.xml and {len(parts)} parts", file=sys.stderr)


MILLION: list = []  # (output bytes, sitemap parts, peak RSS MiB) of the 1M run
RATIOS: list = []  # (articles, coverage row, / check, / check --render-all), wall time
FULL: list = []  # (articles, row, wall / cp -r wall, user CPU ms per article)
SOURCES = ("site.yaml", "topics", "cities", "templates", "static", "schedule.lock", "modified.lock")


def ci_cache(binary: Path, site: Path, cities: int, repeat: int, row) -> None:
    """The README's CI recipe on a cached site: fresh clone, restore, build, save.

    The cache is a tar archive of the folders the recipe names, made after a build, as
    actions/cache makes it (GNU tar keeps hard links between archived files). Each run
    starts from a fresh copy of the sources and the restored cache; only the build is timed.
    As in CI, the build starts right after the restore: what tar wrote is still waiting to
    go to disk (earlier runs' deletions are flushed before the copy, not after the restore).
    """
    # The cached state of a site CI has built before: the last build changed something, so
    # the previous site is the staging folder, sharing every unchanged file with `public/`.
    edit_city(site, cities, 99)
    timed_build(binary, site, "public", None)
    if not (site / ".public.staging").is_dir():
        sys.exit(f"{site}: a build that changed a page left no staging folder")
    for staged, label in ((True, "CI cache"), (False, "CI cache, old recipe")):
        folders = ["public", "public-report"] + ([".public.staging"] if staged else [])
        archive = site.parent / f"{site.name}-cache.tar"
        subprocess.run(["tar", "-cf", str(archive), *[f for f in folders if (site / f).exists()]],
                       cwd=site, check=True)
        for what in ("no-op", "one city"):
            runs = []
            for k in range(repeat):
                clone = site.parent / f"{site.name}-clone"
                discard(clone)
                os.sync()
                clone.mkdir()
                for name in SOURCES:
                    src = site / name
                    if src.is_dir():
                        shutil.copytree(src, clone / name)
                    elif src.exists():
                        shutil.copy(src, clone / name)
                subprocess.run(["tar", "-xf", str(archive)], cwd=clone, check=True)
                if what == "one city":
                    edit_city(clone, cities, 100 + k)
                runs.append(timed_build(binary, clone, "public", None, sync=False))
            row(f"{label}, {what}", runs)
            discard(site.parent / f"{site.name}-clone")
        archive.unlink()


def print_targets(rows: list) -> None:
    """Issue 15's targets against this run's figures, for the scales the run measured."""
    got = {(a, label): r for a, label, r in rows}
    ratio = {(a, label): (x, cpu) for a, label, x, cpu in FULL}
    lines = []

    def target(what: str, figure: float | None, limit: float, shown: str) -> None:
        if figure is not None:
            lines.append((what, shown.format(figure), "met" if figure <= limit else "not met"))

    for a in ("10k", "100k"):
        full = ratio.get((a, "full"))
        target(f"{a} full build ≤ 1.5 × `cp -r` of its output", full and full[0], 1.5, "{:.2f} ×")
        target(f"{a} full build ≤ 0.12 ms user CPU per article", full and full[1], 0.12, "{:.3f} ms")
    for a, label, limit in (("100k", "no-op", 1.0), ("100k", "one city", 1.0),
                            ("100k", "CI cache, no-op", 1.0), ("100k", "CI cache, one city", 1.5),
                            ("10k", "CI cache, no-op", 0.3), ("10k", "CI cache, one city", 0.3)):
        r = got.get((a, label))
        target(f"{a} {label} ≤ {limit:g} s", r and r["wall"], limit, "{:.2f} s")
    r = got.get(("100k", "serve, one city"))
    target("100k serve one-city rebuild ≤ 100 ms", r and r["wall"] * 1000, 100, "{:.0f} ms")
    small, large = got.get(("10k", "full")), got.get(("100k", "full"))
    if small and large:
        kib = (large["rss"] - small["rss"]) * 1024 / 90_000
        target("memory growth ≤ 4 KiB per article (10k → 100k full build)", kib, 4, "{:.1f} KiB")
    if lines:
        print()
        print("| target | this run | |")
        print("|---|---:|---|")
        for what, shown, verdict in lines:
            print(f"| {what} | {shown} | {verdict} |")



def main() -> None:
    parser = argparse.ArgumentParser(description="Times sitegen builds at scale.")
    parser.add_argument("--with-100k", action="store_true", help="also 100,000 articles")
    parser.add_argument("--with-1m", action="store_true",
                        help="also one run at 1,000,000 articles (full build, cp -r, no-op; "
                             "needs about 75 GB of free disk: the output takes 37 GB)")
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
    if args.with_1m:
        bench_million(args.bin.resolve(), args.work.resolve(), rows)
        if not args.keep:
            discard(args.work / "site-1000k")
    for aside in TRASH:
        shutil.rmtree(aside, ignore_errors=True)
    print()
    print(f"sitegen, {os.cpu_count()} cores, load average {load:.1f} at start, "
          f"{TOPICS} topics per city, median of {max(args.repeat, 1)} run(s)")
    print()
    print("| articles | build | wall s | CPU s (user + sys) | peak RSS MiB | files written |")
    print("|---:|---|---:|---:|---:|---:|")
    for articles, label, r in rows:
        if label.startswith("serve"):  # serve's own figure for the rebuild: wall time only
            print(f"| {articles} | {label} | {r['wall']:.3f} | – | – | – |")
            continue
        cpu = f"{r['user'] + r['sys']:.2f} ({r['user']:.2f} + {r['sys']:.2f})"
        print(f"| {articles} | {label} | {r['wall']:.2f} | {cpu} | {r['rss']:.0f} | {r['files']} |")
    if FULL:
        print()
        print("| articles | full build | wall / cp -r of its output (same run) | user CPU ms per article |")
        print("|---:|---|---:|---:|")
        for articles, label, ratio, cpu in FULL:
            print(f"| {articles} | {label} | {ratio:.2f} | {cpu:.3f} |")
    print_targets(rows)
    for size, parts, rss in MILLION:
        print()
        print(f"1M articles: output {size / 2**30:.1f} GiB, `sitemap.xml` and {parts} parts, "
              f"peak RSS {rss:.0f} MiB ({rss * 1024 / 1_000_000:.2f} KiB per article)")
    if RATIOS:
        print()
        print("| articles | coverage run | / check | / check --render-all |")
        print("|---:|---|---:|---:|")
        for articles, label, a, b in RATIOS:
            print(f"| {articles} | {label} | {a:.2f} | {b:.2f} |")


if __name__ == "__main__":
    main()
