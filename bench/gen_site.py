#!/usr/bin/env python3
"""Generates a benchmark site of N cities x T topics from the real site in the repository.

The real site's site.yaml, templates/, static/ and topics/ are copied; topics are cloned
under new slugs (`<slug>-2`, `<slug>-3`, ...) until there are T of them; N synthetic cities
get Chinese names, a province, city-wide values, and -- on some cities, like the real ones --
per-topic overrides (heading, values, extra sections). Nothing is random: the same
arguments always give the same site. The output folder is replaced.

    python3 bench/gen_site.py --cities 500 --topics 20 --out target/bench/site-10k

The site publishes one article a minute (so 100,000 articles fit in 70 days); build it with
`--now "2025-09-01 00:00:00"` to publish them all.
"""

import argparse
import re
import shutil
from pathlib import Path

# Characters for synthetic city names: FIRST[i] + SECOND[j] (+ a third for large N).
FIRST = list("安宝昌长常德东丰福广海合和鹤华怀吉嘉江金荆丽临龙隆洛茂梅南宁平普庆泉瑞")
SECOND = list("山水阳城州江宁平安川河湖峰林原口溪泽陵丘门台关田浦岭")
THIRD = ["", "县", "镇", "乡", "区", "旗", "堡", "坝"]
PROVINCES = [
    "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西",
    "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西",
    "甘肃", "青海", "内蒙古", "广西", "西藏", "宁夏", "新疆",
]
HANZI_DIGITS = "〇一二三四五六七八九"
# The generated site publishes one article a minute from the real site's start date, so
# 100,000 articles are all out by this date (pass it as --now), and facts are fresh.
CADENCE_MINUTES = 1
NOW = "2025-09-01 00:00:00"
VERIFIED = "2025-08-01"


def city_name(i: int) -> str:
    a, rest = i % len(FIRST), i // len(FIRST)
    b, c = rest % len(SECOND), rest // len(SECOND)
    name = FIRST[a] + SECOND[b] + THIRD[c % len(THIRD)]
    # Past 7,280 cities (the 1M run): a number in hanzi keeps every name distinct.
    return name if c < len(THIRD) else name + hanzi_number(c // len(THIRD))


def hanzi_number(n: int) -> str:
    return "".join(HANZI_DIGITS[int(d)] for d in str(n))


def clone_topics(source: Path, out: Path, count: int) -> list[tuple[str, str]]:
    """Copies the real topics, then clones them round-robin; returns (slug, base slug)."""
    real = sorted(source.glob("topics/*.md"))
    if not real:
        raise SystemExit(f"no topics in {source / 'topics'}")
    (out / "topics").mkdir(parents=True)
    topics = []
    for k in range(count):
        base = real[k % len(real)]
        copy = k // len(real) + 1
        slug = base.stem if copy == 1 else f"{base.stem}-{copy}"
        text = base.read_text(encoding="utf-8")
        if copy > 1:
            # A distinct topic: its own name (`参保地变更（二）`) and its own wording, as a
            # real topic has (the content lint reports text shared by two topic files).
            text = re.sub(
                r"^name: *(.+)$",
                lambda m: f"name: {m.group(1).strip()}（{hanzi_number(copy)}）",
                text,
                count=1,
                flags=re.M,
            )
            text = reword(text, f"（{hanzi_number(copy)}）")
        (out / "topics" / f"{slug}.md").write_text(text, encoding="utf-8")
        topics.append((slug, base.stem))
    return topics


def reword(topic: str, mark: str) -> str:
    """Marks every literal line of a topic body (after the front matter) with `mark`,
    before a trailing colon if there is one; template-only lines stay as they are."""
    _, front, body = topic.split("---\n", 2)
    lines = []
    for line in body.split("\n"):
        text = line.strip()
        if not text or text.startswith("{%") or re.fullmatch(r"[-*\d.\s]*\{\{[^}]*\}\}", text):
            lines.append(line)
        elif text.endswith(("：", ":")):
            lines.append(line[:-1] + mark + line[-1])
        else:
            lines.append(line + mark)
    return "---\n" + front + "---\n" + "\n".join(lines)


def sources(names: list[str], indent: str) -> list[str]:
    """A `sources:` block saying where each value comes from, as the content lint asks."""
    return [f"{indent}sources:"] + [
        f'{indent}  {n}: {{note: "基准测试的合成数据", verified: {VERIFIED}}}' for n in names
    ]


def list_override(slug: str, key: str, items: list[str]) -> list[str]:
    """A city's own list `key` for one topic, with its source."""
    return [f"  {slug}:", "    values:", f"      {key}:"] + [
        f"        - {item}" for item in items
    ] + sources([key], "    ")


def city_yaml(i: int, topics: list[tuple[str, str]]) -> str:
    name = city_name(i)
    lines = [
        f"# 基准测试城市 {i}",
        f"name: {name}",
        f"province: {PROVINCES[i % len(PROVINCES)]}",
        f"slug: c{i:05d}",
        "values:",
        f'  service_hotline: "0{700 + i % 300}-12333"',
        f'  query_hotline: "0{700 + i % 300}-12393"',
        f"  bank_example: {['中国银行', '工商银行', '农业银行', '建设银行'][i % 4]}",
        *sources(["service_hotline", "query_hotline", "bank_example"], ""),
    ]
    overrides = []
    for slug, base in topics:
        # Like 岳阳 and 金华: every other city words its own heading and lists its own
        # materials for the place-of-insurance topics; every third sets office lists.
        if base == "canbaodi-biangeng" and i % 2 == 0:
            overrides += [
                f"  {slug}:",
                f'    heading: "{name}如何在手机上更改医保参保地?"',
                "    values:",
                "      materials:",
                "        - 身份证",
                "        - 医保卡",
                f"        - {name}医保经办机构要求的其他材料（如有）",
                f'      online_time: "{name}一般当天办结"',
                *sources(["materials", "online_time"], "    "),
            ]
        elif base == "jiaofei-jilu" and i % 3 == 0:
            overrides += list_override(slug, "office_materials", ["身份证原件", f"{name}社保卡"])
        elif base == "yibaoka-jihuo" and i % 4 == 0:
            overrides += list_override(slug, "window_materials", ["身份证", "医保卡", "户口簿"])
    if overrides:
        lines += ["topics:"] + overrides
    if i % 5 == 0 and len(topics) > 3:
        picks = [topics[(i + k) % len(topics)][0] for k in (1, 2, 3)]
        lines.append(f"extras: [{', '.join(picks)}]")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, required=True)
    parser.add_argument("--topics", type=int, default=20)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--source",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="the real site (default: the repository)",
    )
    args = parser.parse_args()
    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    site = (args.source / "site.yaml").read_text(encoding="utf-8")
    site = re.sub(r"interval_minutes: *\d+", f"interval_minutes: {CADENCE_MINUTES}", site)
    (out / "site.yaml").write_text(site, encoding="utf-8")
    for folder in ("templates", "static"):
        if (args.source / folder).is_dir():
            shutil.copytree(args.source / folder, out / folder)
    topics = clone_topics(args.source, out, args.topics)
    (out / "cities").mkdir()
    for i in range(args.cities):
        (out / "cities" / f"c{i:05d}.yaml").write_text(city_yaml(i, topics), encoding="utf-8")
    print(f"{out}: {args.cities} cities x {len(topics)} topics = {args.cities * len(topics)} articles")


if __name__ == "__main__":
    main()
