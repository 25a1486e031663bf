//! `sitegen check` and the content lint: every mistake of the `mistakes` fixture is
//! reported at once with its file:line:col, in a pinned format.

use crate::support::{Site, assert_has};

const NOW: &str = "2026-03-01 00:00:00";

/// Every problem of tests/fixtures/mistakes, as `severity file:line:col message`: 32
/// mistakes in site.yaml, city files, topic front matter and topic bodies and layouts
/// (`templates/404.html` and `about.html` replace the repository's), all found by one run.
/// An article with a section that fails is still linted (ccc/alpha: its extra section beta
/// has an undefined variable, its own section leftover syntax), and a value that only a
/// broken topic uses (`window`, in delta) is not reported as never shown. One line per mistake (a city value without a source is reported as such
/// too); a mistake repeated across articles is folded into one.
const EXPECTED: &[&str] = &[
    "error cities/aaa.yaml:2:1 unknown key `provnce`, expected one of name, province, slug, values, topics, skip, extras, sources, former_slugs",
    "error cities/bbb.yaml:4:7 expected a list of strings, found a string",
    "error cities/ccc.yaml:4:10 unknown topic `alpah`",
    "warning cities/ccc.yaml:12:13 template syntax left in the output: `{{ city.name }}医保局的补充说明。` (article ccc/alpha)",
    "error cities/ddd.yaml:5:17 `2026-02-30 08:00:00` is not a valid date and time",
    "error cities/eee.yaml:2:7 slug `ccc` is already used by cities/ccc.yaml",
    "error cities/fff.yaml:6:18 `materials`: expected a list of strings, found a string",
    "warning cities/fff.yaml:6:18 己城 value `materials` for topic `alpha` has no source",
    "error cities/ggg.yaml:3:11 file is not valid UTF-8 (byte 0xb9 at offset 33)",
    "warning cities/hhh.yaml:6:13 paragraph “丙专题的说明文字,适用于所有参保人员。” in the section on 甲专题 belongs to topic `gamma` (topics/gamma.md:13) (article hhh/alpha)",
    "warning cities/hhh.yaml:6:13 辛城 value `note` for topic `alpha` has no source",
    "warning cities/iii.yaml:6:11 `office` was last verified on 2020-01-01, 2251 days ago (the limit is 365 days)",
    "warning cities/jjj.yaml:4:11 template syntax left in the output: `请到{{ city.name }}医保局办理。` (article jjj/alpha)",
    "warning cities/kkk.yaml:5:12 title is longer than 40 characters (article kkk/alpha)",
    "warning cities/lll.yaml:6:13 paragraph “请到医保经办机构办理。” is repeated: earlier in the same section (article lll/alpha)",
    "warning cities/lll.yaml:6:13 丑城 value `note` for topic `alpha` has no source",
    "warning cities/mmm.yaml:4:14 寅城 value `materails` is never shown: no topic uses it",
    "warning cities/nnn.yaml:1:1 city name `子城` is also the name of cities/kkk.yaml",
    "warning cities/ooo.yaml:5:14 section heading “甲专题到底怎么办理?” does not name the city",
    "error cities/ppp.yaml:4:1 tabs disallowed within this context (block indentation)",
    "error cities/qqq.yaml:4:11 unclosed quote",
    "warning cities/rrr.yaml:7:9 list `materials` has an empty entry (item 2)",
    "warning cities/sss.yaml:4:15 template syntax left in the output: `办理时限为{{ hotline }}个工作日,咨询电话 12345。` (article sss/alpha)",
    "error site.yaml:10:16 expected a whole number, found a string",
    "error site.yaml:24:1 unknown key `feed_sise`, expected one of name, base_url, language, timezone, category, editor, disclaimer, statement, complaint_url, complaint_label, icp, public_security_filing, health_info_approval, related_count, home_page_size, extra_sections, schedule, title_date_formats, feed_size, allow_html, max_input_bytes, defaults, lint, image, about",
    "error templates/404.html:5:1 `{% if %}` is not closed: `{% endblock %}` on line 6 comes first",
    "error templates/about.html:4:23 unknown filter `uppercase`",
    "warning topics/alpha.md:31:1 heading `备注:` has no text before the next heading (article ccc/alpha) — and 11 more articles",
    "error topics/beta.md:15:8 undefined variable `chanel` (rendering article ccc/alpha) — and 13 more articles",
    "error topics/delta.md:13:18 Found `}` but expected }}.",
    "warning topics/epsilon.md:4:5 title “2025年{{ city.name }}戊专题到底怎么办?” carries a date of its own (`2025年`)",
    "warning topics/epsilon.md:6:5 section heading “戊专题有哪些办理渠道?” does not name the city",
    "warning topics/epsilon.md:17:1 paragraph “打开当地医保局的App或者支付宝小程序,…” is 65% the same as topics/epsilon.md:13",
    "error topics/gamma.md:15:7 Invalid type for the value, expected `f64` but got `string` (rendering article ccc/gamma) — and 11 more articles",
    "error topics/zeta.md:7:7 unclosed quote: the string opened here runs on to line 9",
];

fn json(site: &Site, args: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let mut all = vec!["check", "--now", NOW, "--format", "json"];
    all.extend_from_slice(args);
    let run = site.run(&all);
    let parsed: serde_json::Value = serde_json::from_str(&run.stdout())
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout()));
    (run.code(), parsed.as_array().expect("an array").clone())
}

fn line_of(d: &serde_json::Value) -> String {
    format!(
        "{} {}:{}:{} {}",
        d["severity"].as_str().unwrap(),
        d["file"].as_str().unwrap(),
        d["line"],
        d["column"],
        d["message"].as_str().unwrap()
    )
}

#[test]
fn every_mistake_is_reported_once_with_its_file_and_line() {
    let site = Site::fixture("mistakes");
    let (code, items) = json(&site, &[]);
    assert_eq!(code, 1);
    let got: Vec<String> = items.iter().map(line_of).collect();
    let want: Vec<String> = EXPECTED.iter().map(|s| s.to_string()).collect();
    assert_eq!(got, want, "\ngot:\n{}", got.join("\n"));
    // Each diagnostic that names a line carries that line's text and a hint.
    for d in &items {
        assert!(d["hint"].is_string(), "no hint: {d}");
        assert!(d["source_line"].is_string(), "no source line: {d}");
    }
}

/// The whole terminal report of the `mistakes` fixture, as an editor sees it.
const HUMAN: &str = r##"error: unknown key `provnce`, expected one of name, province, slug, values, topics, skip, extras, sources, former_slugs
 --> cities/aaa.yaml:2:1
  |
2 | provnce: 甲省
  | ^
  |
help: did you mean `province`?

error: expected a list of strings, found a string
 --> cities/bbb.yaml:4:7
  |
4 | skip: gamma
  |       ^
  |
help: write a list as `[a, b]` or one `- item` per line below the key

error: unknown topic `alpah`
 --> cities/ccc.yaml:4:10
  |
4 | extras: [alpah, beta]
  |          ^
  |
help: did you mean `alpha`?

warning: template syntax left in the output: `{{ city.name }}医保局的补充说明。` (article ccc/alpha)
  --> cities/ccc.yaml:12:13
   |
12 |       note: "{{ city.name }}医保局的补充说明。"
   |             ^
   |
help: values are printed as they are: write the text itself, not `{{ … }}`

error: `2026-02-30 08:00:00` is not a valid date and time
 --> cities/ddd.yaml:5:17
  |
5 |     publish_at: "2026-02-30 08:00:00"
  |                 ^
  |
help: write `YYYY-MM-DD HH:MM:SS` with a real date, e.g. `2026-02-03 06:39:37` (hours 00–23, years 1970–9999, no time zone)

error: slug `ccc` is already used by cities/ccc.yaml
 --> cities/eee.yaml:2:7
  |
2 | slug: ccc
  |       ^
  |
help: every city needs its own slug; for two cities with the same pinyin add the province, e.g. `taizhou-zj`

error: `materials`: expected a list of strings, found a string
 --> cities/fff.yaml:6:18
  |
6 |       materials: 身份证
  |                  ^^
  |
help: topics/alpha.md:13:5 sets `materials` as a list of strings; write the same shape here (`[a, b]` or one `- item` per line)

warning: 己城 value `materials` for topic `alpha` has no source
 --> cities/fff.yaml:6:18
  |
6 |       materials: 身份证
  |                  ^^
  |
help: say where the fact comes from: under `sources:` add `materials: {url: "https://…", verified: YYYY-MM-DD}` (or `note:` instead of `url:`)

error: file is not valid UTF-8 (byte 0xb9 at offset 33)
 --> cities/ggg.yaml:3:11
  |
3 | province: �㶫
  |           ^
  |
help: save the file as UTF-8 (in most editors: “Save with encoding” → UTF-8)

warning: paragraph “丙专题的说明文字,适用于所有参保人员。” in the section on 甲专题 belongs to topic `gamma` (topics/gamma.md:13) (article hhh/alpha)
 --> cities/hhh.yaml:6:13
  |
6 |       note: 丙专题的说明文字,适用于所有参保人员。
  |             ^^
  |
help: a section holds only its own topic's text; it comes from the value `note`: give this topic its own text there

warning: 辛城 value `note` for topic `alpha` has no source
 --> cities/hhh.yaml:6:13
  |
6 |       note: 丙专题的说明文字,适用于所有参保人员。
  |             ^^
  |
help: say where the fact comes from: under `sources:` add `note: {url: "https://…", verified: YYYY-MM-DD}` (or `note:` instead of `url:`)

warning: `office` was last verified on 2020-01-01, 2251 days ago (the limit is 365 days)
 --> cities/iii.yaml:6:11
  |
6 |   office: {url: "https://iii.example.gov.cn/", verified: 2020-01-01}
  |           ^
  |
help: check the fact again and update `verified`, or raise `lint.fact_max_age_days` in site.yaml; this does not fail the build

warning: template syntax left in the output: `请到{{ city.name }}医保局办理。` (article jjj/alpha)
 --> cities/jjj.yaml:4:11
  |
4 |   office: "{{ city.name }}医保局"
  |           ^
  |
help: values are printed as they are: write the text itself, not `{{ … }}`

warning: title is longer than 40 characters (article kkk/alpha)
 --> cities/kkk.yaml:5:12
  |
5 |     title: "子城甲专题怎么办理才能又快又准确,线上线下渠道全解析一文搞定看完就明白了"
  |            ^
  |
help: “子城甲专题怎么办理才能又快又准确,线上线下渠道全解析一文搞定看完就明白了(2026年1月5日)” has 47; shorten the title or raise `lint.title_max_chars` in site.yaml

warning: paragraph “请到医保经办机构办理。” is repeated: earlier in the same section (article lll/alpha)
 --> cities/lll.yaml:6:13
  |
6 |       note: 请到医保经办机构办理。
  |             ^^
  |
help: say it once; topics/alpha.md and the topics it shares an article with should not hold the same paragraph

warning: 丑城 value `note` for topic `alpha` has no source
 --> cities/lll.yaml:6:13
  |
6 |       note: 请到医保经办机构办理。
  |             ^^
  |
help: say where the fact comes from: under `sources:` add `note: {url: "https://…", verified: YYYY-MM-DD}` (or `note:` instead of `url:`)

warning: 寅城 value `materails` is never shown: no topic uses it
 --> cities/mmm.yaml:4:14
  |
4 |   materails: [身份证, 医保卡]
  |              ^
  |
help: did you mean `materials`?

warning: city name `子城` is also the name of cities/kkk.yaml
 --> cities/nnn.yaml:1:1
  |
1 | name: 子城
  | ^
  |
help: readers cannot tell the two apart: keep one file per city, or name them apart (e.g. 朝阳区 and 朝阳市)

warning: section heading “甲专题到底怎么办理?” does not name the city
 --> cities/ooo.yaml:5:14
  |
5 |     heading: "甲专题到底怎么办理?"
  |              ^
  |
help: each section's question names its city, e.g. “辰城医保缴费记录怎么查?”

error: tabs disallowed within this context (block indentation)
 --> cities/ppp.yaml:4:1
  |
4 |     office: 巳城医保局
  | ^^^^
  |
help: YAML indents with spaces only; replace the tab with spaces

error: unclosed quote
 --> cities/qqq.yaml:4:11
  |
4 |   office: "午城医保局
  |           ^
  |
help: close the quoted string with the same quote mark it opened with

warning: list `materials` has an empty entry (item 2)
 --> cities/rrr.yaml:7:9
  |
7 |         - 身份证
  |         ^
  |
help: remove the empty `-` line, or write the missing text

warning: template syntax left in the output: `办理时限为{{ hotline }}个工作日,咨询电话 12345。` (article sss/alpha)
 --> cities/sss.yaml:4:15
  |
4 |   time_limit: "{{ hotline }}个工作日"
  |               ^
  |
help: values are printed as they are: write the text itself, not `{{ … }}`

error: expected a whole number, found a string
  --> site.yaml:10:16
   |
10 | related_count: drei
   |                ^
   |
help: write digits only, e.g. `23`

error: unknown key `feed_sise`, expected one of name, base_url, language, timezone, category, editor, disclaimer, statement, complaint_url, complaint_label, icp, public_security_filing, health_info_approval, related_count, home_page_size, extra_sections, schedule, title_date_formats, feed_size, allow_html, max_input_bytes, defaults, lint, image, about
  --> site.yaml:24:1
   |
24 | feed_sise: 20
   | ^
   |
help: did you mean `feed_size`?

error: `{% if %}` is not closed: `{% endblock %}` on line 6 comes first
 --> templates/404.html:5:1
  |
5 | {% if site.home_url %}<p><a href="{{ site.home_url }}">回到首页</a></p>
  | ^
  |
help: close it with `{% endif %}`

error: unknown filter `uppercase`
 --> templates/about.html:4:23
  |
4 | <h1>{{ page.heading | uppercase }}</h1>
  |                       ^
  |
help: did you mean `upper`? (layouts may use Tera's own filters)

warning: heading `备注:` has no text before the next heading (article ccc/alpha) — and 11 more articles
  --> topics/alpha.md:31:1
   |
31 | ### 备注:
   | ^
   |
help: every sub-heading needs its own text; check the values this section uses

error: undefined variable `chanel` (rendering article ccc/alpha) — and 13 more articles
  --> topics/beta.md:15:8
   |
15 | 可以通过{{ chanel }}查询。
   |            ^
   |
help: did you mean `channel`? (values are set under `defaults:` in the topic, under `values:` in the city file, or in site.yaml)

error: Found `}` but expected }}.
  --> topics/delta.md:13:18
   |
13 | 丁专题在{{ city.name }办理。
   |                      ^
   |
help: check the template syntax near the caret (Tera 2: {{ value }}, {% for x in list %}…{% endfor %})

warning: title “2025年{{ city.name }}戊专题到底怎么办?” carries a date of its own (`2025年`)
 --> topics/epsilon.md:4:5
  |
4 |   - "2025年{{ city.name }}戊专题到底怎么办?"
  |     ^
  |
help: remove it: sitegen adds the publish date as the title's suffix, and a date in the text goes stale

warning: section heading “戊专题有哪些办理渠道?” does not name the city
 --> topics/epsilon.md:6:5
  |
6 |   - "戊专题有哪些办理渠道?"
  |     ^
  |
help: each section's question names its city, e.g. “{{ city.name }}医保缴费记录怎么查?”

warning: paragraph “打开当地医保局的App或者支付宝小程序,…” is 65% the same as topics/epsilon.md:13
  --> topics/epsilon.md:17:1
   |
17 | 打开当地医保局的App或者支付宝小程序,注册登录以后点击戊专题即可在线办理。
   | ^^
   |
help: say it once in the topic, or make each paragraph say its own thing

error: Invalid type for the value, expected `f64` but got `string` (rendering article ccc/gamma) — and 11 more articles
  --> topics/gamma.md:15:7
   |
15 | 热线:{{ hotline | round }}
   |         ^
   |
help: check the template syntax near the caret (Tera 2: {{ value }}, {% for x in list %}…{% endfor %})

error: unclosed quote: the string opened here runs on to line 9
 --> topics/zeta.md:7:7
  |
7 | lead: "己专题的导语,{{ city.name }}适用。
  |       ^
  |
help: close the string on this line with the quote mark it opened with (`"`); a quoted string may run over lines, so YAML only noticed later

sitegen check: 17 error(s), 18 warning(s)
"##;

#[test]
fn human_report_is_pinned() {
    let site = Site::fixture("mistakes");
    let err = site.run(&["check", "--now", NOW]).fails_with(1).stderr();
    if err != HUMAN {
        let first = err
            .lines()
            .zip(HUMAN.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!("report differs from line {}:\n{err}", first + 1);
    }
}

#[test]
fn strict_turns_lint_warnings_into_errors() {
    let site = Site::fixture("mistakes");
    let (_, items) = json(&site, &["--strict"]);
    assert_eq!(items.len(), EXPECTED.len());
    // Time passing is not a content error: an aged fact stays a warning.
    let aged = |d: &serde_json::Value| d["message"].as_str().unwrap().contains("days ago");
    assert_eq!(items.iter().filter(|d| aged(d)).count(), 1);
    assert!(
        items
            .iter()
            .all(|d| d["severity"] == if aged(d) { "warning" } else { "error" })
    );
}

/// The basic fixture is clean but for facts without sources: exit 0, 1 with --strict.
#[test]
fn exit_codes_clean_warnings_strict_and_usage() {
    let site = Site::fixture("basic");
    let (code, items) = json(&site, &[]);
    assert_eq!(code, 0);
    assert!(!items.is_empty());
    assert!(
        items.iter().all(|d| d["severity"] == "warning"
            && d["message"].as_str().unwrap().ends_with("has no source"))
    );
    site.run(&["check", "--now", NOW, "--strict"]).fails_with(1);
    site.run(&["check", "--now", "yesterday"]).fails_with(2);
    site.run(&["check", "--no-such-flag"]).fails_with(2);
}

#[test]
fn a_fact_with_a_fresh_source_is_clean() {
    let site = Site::fixture("basic");
    site.write(
        "cities/bbb.yaml",
        "name: 乙城\nprovince: 乙省\nslug: bbb\nvalues:\n  time_limit: 20个工作日\nsources:\n  time_limit: {note: 窗口电话确认, verified: 2026-02-01}\nskip: [gamma]\n",
    );
    let (_, items) = json(&site, &[]);
    assert!(
        !items.iter().any(|d| d["file"] == "cities/bbb.yaml"),
        "{items:?}"
    );
    site.write(
        "cities/bbb.yaml",
        "name: 乙城\nslug: bbb\nvalues:\n  time_limit: 20个工作日\nsources:\n  time_limt: {url: \"https://x.example/\"}\n",
    );
    let (_, items) = json(&site, &[]);
    let got: Vec<String> = items
        .iter()
        .filter(|d| d["file"] == "cities/bbb.yaml")
        .map(line_of)
        .collect();
    assert_eq!(
        got,
        [
            "warning cities/bbb.yaml:4:15 乙城 value `time_limit` has no source",
            "warning cities/bbb.yaml:6:14 source for `time_limt`, which is not a value set here",
            "warning cities/bbb.yaml:6:14 the source of `time_limt` has no `verified` date",
        ]
    );
}

#[test]
fn invalid_time_zone_is_located() {
    let site = Site::fixture("basic");
    site.edit("site.yaml", "Asia/Shanghai", "Asia/Shanghia");
    let (code, items) = json(&site, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        items.iter().map(line_of).collect::<Vec<_>>(),
        ["error site.yaml:4:11 unknown time zone `Asia/Shanghia`"]
    );
}

#[test]
fn build_reports_lint_warnings_and_strict_build_keeps_the_old_site() {
    let site = Site::fixture("basic");
    let run = site.run(&["build", "--now", NOW]).ok();
    assert_has(&run.stderr(), "has no source");
    let before = site.snapshot("public");
    let err = site
        .run(&["build", "--now", NOW, "--strict"])
        .fails_with(1)
        .stderr();
    assert_has(&err, "error: 甲城 value `office` has no source");
    assert_eq!(site.snapshot("public"), before);
}

/// Every article, published or not, passes the lint as errors. "now" is fixed because
/// the age of city facts is measured against it.
#[test]
fn the_real_site_passes_strict_check() {
    let site = Site::real();
    let run = site.run(&[
        "check",
        "--strict",
        "--future",
        "--now",
        "2026-11-24 00:00:00",
    ]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(
        run.stderr()
            .ends_with("sitegen check: 0 error(s), 0 warning(s)\n"),
        "{}",
        run.stderr()
    );
}

/// The sample pages' defect: a paragraph about retirees (here their reimbursement ratio)
/// under the payment-record topic's 社保大厅或便民服务点 sub-heading.
const RETIREES: &str =
    "退休人员在定点医疗机构住院的，医保报销比例比在职职工高一些，具体比例以当地政策为准。";
const REAL_NOW: &str = "2026-11-24 00:00:00";
/// The real site's city that carries the defect in the city tests.
const CITY: &str = "cities/yueyang.yaml";

/// `check --strict --future` of the real site after `change` (to `file`): exit 1 and the
/// diagnostics of that file.
fn strict_on_real_site(file: &str, change: impl FnOnce(&Site)) -> Vec<String> {
    let site = Site::real();
    change(&site);
    let run = site.run(&[
        "check", "--strict", "--future", "--now", REAL_NOW, "--format", "json",
    ]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    let items: Vec<serde_json::Value> = serde_json::from_str(&run.stdout()).unwrap();
    assert!(items.iter().all(|d| d["severity"] == "error"));
    items
        .iter()
        .filter(|d| d["file"] == file)
        .map(line_of)
        .collect()
}

#[test]
fn the_seed_defect_through_a_city_value_is_an_error() {
    let got = strict_on_real_site(CITY, |site| {
        site.append(CITY, &format!(
            "values:\n  query_hotline: \"{RETIREES}\"\nsources:\n  query_hotline: {{note: 窗口电话确认, verified: 2026-11-01}}\n"
        ));
    });
    assert_eq!(
        got,
        [
            "error cities/yueyang.yaml:21:18 岳阳 value `query_hotline` is not about 缴费记录查询: only 4 of its 16 distinguishing characters appear elsewhere in topics/jiaofei-jilu.md (not: 休住例报政构…)"
        ],
    );
}

#[test]
fn the_seed_defect_through_a_city_topic_value_is_an_error() {
    let got = strict_on_real_site(CITY, |site| {
        site.append(CITY, &format!(
            "  jiaofei-jilu:\n    values:\n      query_hotline: \"{RETIREES}\"\n    sources:\n      query_hotline: {{note: 窗口电话确认, verified: 2026-11-01}}\n"
        ));
        // `extras:` moves above `topics:`, so that the entry appended above continues it.
        let extras = "extras: [jiaofei-jilu, baoxiao-fanwei]\n";
        site.edit(CITY, extras, "");
        site.edit(CITY, "topics:\n", &format!("{extras}topics:\n"));
    });
    assert_eq!(
        got,
        [
            "error cities/yueyang.yaml:22:22 岳阳 value `query_hotline` is not about 缴费记录查询: only 4 of its 16 distinguishing characters appear elsewhere in topics/jiaofei-jilu.md (not: 休住例报政构…)"
        ],
    );
}

#[test]
fn the_seed_defect_pasted_into_a_topic_body_is_an_error() {
    let topic = "topics/jiaofei-jilu.md";
    let legit = "不方便去医保中心的，也可以就近到社保服务大厅或便民服务点咨询，同样带好身份证和医保卡，请工作人员协助查询。能不能现场打印，以当地网点的实际安排为准。";
    let got = strict_on_real_site(topic, |site| site.edit(topic, legit, RETIREES));
    assert_eq!(
        got,
        [
            "error topics/jiaofei-jilu.md:58:1 “退休人员在定点医疗机构住院的，医保报销比…” is not about 缴费记录查询: only 4 of its 15 distinguishing characters appear elsewhere in topics/jiaofei-jilu.md (not: 休住例报政策…)"
        ],
    );
}
