//! `sitegen check` and the content lint: every mistake of the `mistakes` fixture is
//! reported at once with its file:line:col, in a pinned format.

use crate::support::Site;

const NOW: &str = "2026-03-01 00:00:00";

/// Every problem of tests/fixtures/mistakes, as `severity file:line:col message`.
/// One line per mistake; a mistake repeated across articles is folded into one.
const EXPECTED: &[&str] = &[
    "error cities/aaa.yaml:2:1 unknown key `provnce`, expected one of name, province, slug, values, topics, skip, extras, sources, former_slugs",
    "error cities/bbb.yaml:4:7 expected a list of strings, found a string",
    "error cities/ccc.yaml:4:10 unknown topic `alpah`",
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
    "warning topics/alpha.md:31:1 heading `备注:` has no text before the next heading (article fff/alpha) — and 5 more articles",
    "error topics/beta.md:15:8 undefined variable `chanel` (rendering article ccc/alpha) — and 7 more articles",
    "error topics/delta.md:13:18 Found `}` but expected }}.",
    "error topics/gamma.md:15:7 Invalid type for the value, expected `f64` but got `string` (rendering article ccc/gamma) — and 6 more articles",
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

#[test]
fn human_report_is_pinned() {
    let site = Site::fixture("mistakes");
    let err = site.run(&["check", "--now", NOW]).fails_with(1).stderr();
    let expected = "\
error: `materials`: expected a list of strings, found a string
 --> cities/fff.yaml:6:18
  |
6 |       materials: 身份证
  |                  ^^
  |
help: topics/alpha.md:13:5 sets `materials` as a list of strings; write the same shape here (`[a, b]` or one `- item` per line)
";
    assert!(err.contains(expected), "{err}");
    let expected = "\
error: undefined variable `chanel` (rendering article ccc/alpha) — and 7 more articles
  --> topics/beta.md:15:8
   |
15 | 可以通过{{ chanel }}查询。
   |            ^
   |
help: did you mean `channel`? (values are set under `defaults:` in the topic, under `values:` in the city file, or in site.yaml)
";
    assert!(err.contains(expected), "{err}");
    assert!(
        err.ends_with("sitegen check: 10 error(s), 9 warning(s)\n"),
        "{err}"
    );
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
    let text = site
        .read("site.yaml")
        .replace("Asia/Shanghai", "Asia/Shanghia");
    site.write("site.yaml", &text);
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
    assert!(run.stderr().contains("has no source"), "{}", run.stderr());
    let before = site.snapshot("public");
    let err = site
        .run(&["build", "--now", NOW, "--strict"])
        .fails_with(1)
        .stderr();
    assert!(
        err.contains("error: 甲城 value `office` has no source"),
        "{err}"
    );
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

/// `check --strict --future` of the real site with one file changed: exit 1 and the
/// diagnostics of that file.
fn strict_on_real_site(file: &str, text: &str) -> Vec<String> {
    let site = Site::real();
    site.write(file, text);
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
    let site = Site::real();
    let text = site.read("cities/yueyang.yaml")
        + &format!(
            "values:\n  query_hotline: \"{RETIREES}\"\nsources:\n  query_hotline: {{note: 窗口电话确认, verified: 2026-11-01}}\n"
        );
    let got = strict_on_real_site("cities/yueyang.yaml", &text);
    assert_eq!(
        got,
        [
            "error cities/yueyang.yaml:19:18 岳阳 value `query_hotline` is not about 缴费记录查询: only 4 of its 16 distinguishing characters appear elsewhere in topics/jiaofei-jilu.md (not: 休住例报政构…)"
        ],
    );
}

#[test]
fn the_seed_defect_through_a_city_topic_value_is_an_error() {
    let site = Site::real();
    let text = site.read("cities/yueyang.yaml")
        + &format!(
            "  jiaofei-jilu:\n    values:\n      query_hotline: \"{RETIREES}\"\n    sources:\n      query_hotline: {{note: 窗口电话确认, verified: 2026-11-01}}\n"
        );
    let text = text.replace("extras: [jiaofei-jilu, baoxiao-fanwei]\n", "");
    let text = text.replace(
        "topics:\n",
        "extras: [jiaofei-jilu, baoxiao-fanwei]\ntopics:\n",
    );
    let got = strict_on_real_site("cities/yueyang.yaml", &text);
    assert_eq!(
        got,
        [
            "error cities/yueyang.yaml:20:22 岳阳 value `query_hotline` is not about 缴费记录查询: only 4 of its 16 distinguishing characters appear elsewhere in topics/jiaofei-jilu.md (not: 休住例报政构…)"
        ],
    );
}

#[test]
fn the_seed_defect_pasted_into_a_topic_body_is_an_error() {
    let site = Site::real();
    let topic = site.read("topics/jiaofei-jilu.md");
    let legit = "不方便去医保中心的，也可以就近到社保服务大厅或便民服务点咨询，同样带好身份证和医保卡，请工作人员协助查询。能不能现场打印，以当地网点的实际安排为准。";
    assert!(topic.contains(legit));
    let got = strict_on_real_site("topics/jiaofei-jilu.md", &topic.replace(legit, RETIREES));
    assert_eq!(
        got,
        [
            "error topics/jiaofei-jilu.md:58:1 “退休人员在定点医疗机构住院的，医保报销比…” is not about 缴费记录查询: only 4 of its 15 distinguishing characters appear elsewhere in topics/jiaofei-jilu.md (not: 休住例报政策…)"
        ],
    );
}
