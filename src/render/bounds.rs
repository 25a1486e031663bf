//! Resource bounds of content templates (the Tera strings and bodies in topic and city
//! files), so a template bomb is an error at its file and line, never an aborted process
//! or a build that runs for hours.
//!
//! Tera 2 bounds one `range()` call (100,000 items) and component recursion (depth 20)
//! but nothing else, and has no hook that counts the work of an expression, so sitegen
//! bounds what can multiply work or size, per rendered content template:
//! - an output budget ([`MAX_OUTPUT`]): the writer refuses bytes past it;
//! - an iteration budget ([`MAX_ITERATIONS`] units): `range()` and `split` are sitegen's,
//!   counting every item of every call in the render (nested `range(end=100000)` loops
//!   stop at once), and every other `for` loop counts the items it runs over: its list is
//!   passed through [`LOOP_ITEMS`] (see [`count_loops`]), so nested loops over a long city
//!   list or a split string stop at the budget too, at the loop's line. An item costs one
//!   unit per started KiB of the template's text and of the longest string it can read
//!   ([`item_cost`]): what one pass of a loop body can do grows with both, so a loop over
//!   a long value, or a long loop body, gets fewer passes;
//! - a work bound: a template whose text, times the longest string it can read, passes
//!   [`MAX_WORK`] is not rendered — filters on a long value written thousands of times
//!   in a row would otherwise take hours without any loop;
//! - a bytes budget ([`MAX_MADE`]) over the strings `replace` and `join` make in one
//!   render (each result is also refused past [`MAX_OUTPUT`]): the filters that can
//!   multiply a string cannot do it over and over;
//! - no `{% set %}` / `{% set_global %}` (checked when templates are compiled, see
//!   [`set_tag_line`]): without assignment a value can only grow as far as the expression
//!   written in the file, so a string cannot be doubled 64 times; and at most
//!   [`MAX_JOINS`] `~` in one tag ([`long_join_line`]), as each `~` copies what is joined
//!   so far.

use std::cell::Cell;
use std::io::{self, Write};
use tera::{Error, Kwargs, State, TeraResult, Value};

/// The most bytes one content template may produce for one article.
pub(crate) const MAX_OUTPUT: usize = 32 * 1024 * 1024;
/// The most iteration units one content template may spend for one article (an item of
/// a loop costs [`item_cost`] units).
pub(crate) const MAX_ITERATIONS: u64 = 1_000_000;
/// The most bytes `replace` and `join` may make in all in one render.
pub(crate) const MAX_MADE: usize = 4 * MAX_OUTPUT;
/// The largest product of a template's text length and the longest string it can read
/// (both in bytes) that is rendered: 4 GiB of byte-steps, some seconds of filter work.
pub(crate) const MAX_WORK: u64 = 1 << 32;
/// The most `~` joins in one tag.
pub(crate) const MAX_JOINS: usize = 64;
/// The context key under which a content context carries the byte length of the longest
/// string in it (see [`note_longest`]).
const LONGEST: &str = "__sitegen_longest";

thread_local! {
    /// Iteration units left in the render running on this thread.
    static ITERATIONS_LEFT: Cell<u64> = const { Cell::new(MAX_ITERATIONS) };
    /// What one loop item costs in the render running on this thread.
    static ITEM_COST: Cell<u64> = const { Cell::new(1) };
    /// Bytes `replace` and `join` may still make in the render running on this thread.
    static MADE_LEFT: Cell<usize> = const { Cell::new(MAX_MADE) };
}

/// Records in `ctx` that no string a template can read in it is longer than `longest`
/// bytes, which prices its loops (see [`item_cost`]); see [`longest_string`].
pub(crate) fn note_longest(ctx: &mut tera::Context, longest: usize) {
    ctx.insert(LONGEST, &longest);
}

/// The byte length of the longest string in `v` (map keys included).
pub(crate) fn longest_string(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::String(s) => s.len(),
        serde_json::Value::Array(items) => items.iter().map(longest_string).max().unwrap_or(0),
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| k.len().max(longest_string(v)))
            .max()
            .unwrap_or(0),
        _ => 0,
    }
}

/// What one loop item costs for a template of `text` bytes that can read strings of up to
/// `longest` bytes: one unit, plus one per started KiB of each.
pub(crate) fn item_cost(text: usize, longest: usize) -> u64 {
    1 + (text as u64).div_ceil(1024) + (longest as u64).div_ceil(1024)
}

/// What went over budget in a render, for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exceeded {
    Output,
    Iterations,
    /// `replace` and `join` made more than [`MAX_MADE`] bytes in all.
    Made,
    /// The template's text times the longest string it reads passes [`MAX_WORK`].
    Work {
        text: usize,
        longest: usize,
    },
}

impl Exceeded {
    /// The editor-facing message.
    pub(crate) fn message(self) -> String {
        match self {
            Exceeded::Output => format!(
                "the template produces more than {} MiB of text for one article",
                MAX_OUTPUT / (1024 * 1024)
            ),
            Exceeded::Iterations => {
                format!("the template's loops run more than {MAX_ITERATIONS} times for one article")
            }
            Exceeded::Made => format!(
                "the template's `replace` and `join` make more than {} MiB of text for one article",
                MAX_MADE >> 20
            ),
            Exceeded::Work { text, longest } => format!(
                "the template ({} KiB) is too long for the longest value it reads ({} KiB): together they pass {} GiB of work for one article",
                text.div_ceil(1024),
                longest.div_ceil(1024),
                MAX_WORK >> 30
            ),
        }
    }
}

/// Renders `name`, whose text is `text` bytes long, within the budgets; `Err` holds
/// Tera's error and, when a budget was the cause, which one.
pub(crate) fn render(
    tera: &tera::Tera,
    name: &str,
    text: usize,
    ctx: &tera::Context,
) -> Result<String, (Error, Option<Exceeded>)> {
    let longest = ctx
        .get(LONGEST)
        .and_then(|v| v.as_u128())
        .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
    if (text as u64).saturating_mul(longest as u64) > MAX_WORK {
        let e = Error::message("the template is too long for the values it reads");
        return Err((e, Some(Exceeded::Work { text, longest })));
    }
    ITERATIONS_LEFT.with(|left| left.set(MAX_ITERATIONS));
    ITEM_COST.with(|cost| cost.set(item_cost(text, longest)));
    MADE_LEFT.with(|left| left.set(MAX_MADE));
    let mut out = Capped {
        bytes: Vec::new(),
        over: false,
    };
    let result = tera.render_to(name, ctx, &mut out);
    let iterations_spent = ITERATIONS_LEFT.with(|left| left.get()) == 0;
    match result {
        Ok(()) => Ok(String::from_utf8(out.bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())),
        Err(e) => {
            let made_spent = MADE_LEFT.with(|left| left.get()) == 0;
            let cause = if out.over {
                Some(Exceeded::Output)
            } else if made_spent {
                Some(Exceeded::Made)
            } else if too_large(&e) {
                Some(Exceeded::Output)
            } else if iterations_spent {
                Some(Exceeded::Iterations)
            } else {
                None
            };
            Err((e, cause))
        }
    }
}

/// Whether `e` is a filter's refusal to build a string past [`MAX_OUTPUT`].
fn too_large(e: &Error) -> bool {
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        if s.to_string().contains(TOO_LARGE) {
            return true;
        }
        source = s.source();
    }
    false
}

const TOO_LARGE: &str = "would be larger than the output budget";

/// A writer that refuses bytes past [`MAX_OUTPUT`].
struct Capped {
    bytes: Vec<u8>,
    over: bool,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_OUTPUT {
            self.over = true;
            return Err(io::Error::other("output budget exceeded"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Registers the bounded `range`, `split`, `replace` and `join`, and [`LOOP_ITEMS`], on a
/// content Tera instance.
pub(crate) fn register(tera: &mut tera::Tera) {
    tera.register_function("range", range);
    tera.register_function(LOOP_ITEMS, loop_items);
    tera.register_filter("split", split);
    tera.register_filter("replace", replace);
    tera.register_filter("join", join);
}

/// The function every counted `for` loop's list goes through (see [`count_loops`]).
pub(crate) const LOOP_ITEMS: &str = "__sitegen_loop_items";

/// Takes `n` items from the iteration budget, or refuses (and spends it) when fewer are
/// left; `what` names the caller in the message.
fn spend(n: usize, what: &str) -> TeraResult<()> {
    let left = ITERATIONS_LEFT.with(|l| l.get());
    let n = u64::try_from(n)
        .unwrap_or(u64::MAX)
        .saturating_mul(ITEM_COST.with(|c| c.get()));
    if n > left {
        ITERATIONS_LEFT.with(|l| l.set(0));
        return Err(Error::message(format!(
            "{what} would take the loops past {MAX_ITERATIONS} iterations in this article"
        )));
    }
    ITERATIONS_LEFT.with(|l| l.set(left - n));
    Ok(())
}

/// A loop's list, unchanged, once its items are taken from the budget: array items, map
/// entries, a string's characters (what Tera iterates over).
fn loop_items(kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    let items = kwargs.must_get::<Value>("items")?;
    spend(items.len().unwrap_or(0), "this `for` loop")?;
    Ok(items)
}

/// Tera's `split(pat)`, counting the pieces against the budget before making them.
fn split(val: &str, kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    let pat = kwargs.must_get::<&str>("pat")?;
    let pieces = if pat.is_empty() {
        val.chars().count() + 2
    } else {
        val.matches(pat).count() + 1
    };
    spend(pieces, "`split`")?;
    Ok(val
        .split(pat)
        .map(Value::from)
        .collect::<Vec<Value>>()
        .into())
}

/// Rewrites every `{% for … in LIST %}` of a content template whose list is not a plain
/// `range(…)` call (counted by `range` itself) to `{% for … in __sitegen_loop_items(
/// items=(LIST)) %}`, on the same line, so each loop takes its items from the budget.
pub(crate) fn count_loops(source: &str) -> String {
    rewritten(source).map(|(_, new)| new).collect()
}

/// A line's 1-based column in the original text, from its `column` in the text
/// [`count_loops`] made of it (a Tera error's place): inside a rewritten tag, the same
/// offset into the original tag, at most its last character.
pub(crate) fn original_column(line: &str, column: u32) -> u32 {
    let wanted = column.saturating_sub(1) as usize;
    let (mut old_at, mut new_at) = (0, 0);
    for (old, new) in rewritten(line) {
        let (old_len, new_len) = (old.chars().count(), new.chars().count());
        if wanted < new_at + new_len {
            let inside = (wanted - new_at).min(old_len.saturating_sub(1));
            return (old_at + inside + 1) as u32;
        }
        old_at += old_len;
        new_at += new_len;
    }
    (old_at + wanted.saturating_sub(new_at) + 1) as u32
}

/// The pieces of `source`, each with what [`count_loops`] makes of it: text and tags as
/// they are, counted `for` tags rewritten.
fn rewritten(source: &str) -> impl Iterator<Item = (&str, String)> {
    let mut rest = source;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let piece = match rest.find("{%") {
            Some(0) => match tag_end(rest) {
                Some(end) => {
                    let tag = &rest[..end];
                    rest = &rest[end..];
                    return Some((tag, counted_for(tag).unwrap_or_else(|| tag.to_string())));
                }
                None => rest,
            },
            Some(i) => &rest[..i],
            None => rest,
        };
        rest = &rest[piece.len()..];
        Some((piece, piece.to_string()))
    })
}

/// The byte length of the tag at the start of `s` (through its `%}`), skipping quoted
/// strings; `None` when it is not closed.
fn tag_end(s: &str) -> Option<usize> {
    scan_tag(s.as_bytes(), 2, b'%').1
}

/// `tag` (`{%- for k, v in LIST -%}`) with its list counted; `None` when it is no `for`
/// tag or its list is a `range(…)` call.
fn counted_for(tag: &str) -> Option<String> {
    let inner = &tag[2..tag.len() - 2];
    let open = inner.len() - inner.trim_start_matches(['-', '+']).len();
    let close = inner.len() - inner.trim_end_matches(['-', '+']).len();
    let body = inner[open..inner.len() - close].trim();
    let vars_and_list = body.strip_prefix("for")?;
    if !vars_and_list.starts_with(char::is_whitespace) {
        return None;
    }
    let at = vars_and_list.find(" in ")?;
    let (vars, list) = (&vars_and_list[..at], vars_and_list[at + 4..].trim());
    if list.starts_with("range(") || list.is_empty() {
        return None;
    }
    Some(format!(
        "{{%{} for {} in {LOOP_ITEMS}(items=({list})) {}%}}",
        &inner[..open],
        vars.trim(),
        &inner[inner.len() - close..]
    ))
}

/// Tera's `range(start=0, end, step_by=1)`, counted against the iteration budget.
fn range(kwargs: Kwargs, _: &State) -> TeraResult<Vec<i128>> {
    let start = kwargs.get::<i128>("start")?.unwrap_or_default();
    let end = kwargs.must_get::<i128>("end")?;
    let step = kwargs.get::<i128>("step_by")?.unwrap_or(1);
    if step == 0 {
        return Err(Error::message(
            "Function `range` was called with a `step_by` argument of 0",
        ));
    }
    if start > end && step > 0 {
        return Err(Error::message(
            "Function `range` was called with a `start` argument greater than the `end` one",
        ));
    }
    let span = if step > 0 {
        end.checked_sub(start)
    } else {
        start.checked_sub(end)
    };
    let step_size = step.checked_abs();
    let len = match (span, step_size) {
        (Some(span), Some(s)) if span > 0 => (span - 1) / s + 1,
        (Some(_), Some(_)) => 0,
        _ => i128::MAX,
    };
    spend(usize::try_from(len).unwrap_or(usize::MAX), "`range`")?;
    Ok((0..len).map(|i| start + i * step).collect())
}

/// Takes `len` bytes from what `replace` and `join` may make in this render, or refuses.
fn make(len: usize, what: &str) -> TeraResult<()> {
    let left = MADE_LEFT.with(|l| l.get());
    if len > left {
        MADE_LEFT.with(|l| l.set(0));
        return Err(Error::message(format!(
            "{what} {TOO_LARGE}: the strings made by `replace` and `join` in this text pass {} MiB",
            MAX_MADE >> 20
        )));
    }
    MADE_LEFT.with(|l| l.set(left - len));
    Ok(())
}

/// Tera's `replace(from, to)`, refusing a result past the output budget.
fn replace(val: &str, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let from = kwargs.must_get::<&str>("from")?;
    let to = kwargs.must_get::<&str>("to")?;
    let count = if from.is_empty() {
        val.chars().count() + 1
    } else {
        val.matches(from).count()
    };
    let len = (val.len() - count * from.len()).saturating_add(count.saturating_mul(to.len()));
    if len > MAX_OUTPUT {
        return Err(Error::message(format!("`replace` {TOO_LARGE}")));
    }
    make(len, "`replace`")?;
    Ok(val.replace(from, to))
}

/// Tera's `join(sep="")` over a list, refusing a result past the output budget.
fn join(val: Vec<Value>, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let sep = kwargs.get::<&str>("sep")?.unwrap_or("");
    let mut out = String::new();
    for (i, v) in val.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        match v.as_str() {
            Some(s) => out.push_str(s),
            None => out.push_str(&v.to_string()),
        }
        if out.len() > MAX_OUTPUT {
            return Err(Error::message(format!("`join` {TOO_LARGE}")));
        }
    }
    make(out.len(), "`join`")?;
    Ok(out)
}

/// The 1-based line and column of the first tag (`{{ … }}` or `{% … %}`) of a content
/// template's source that joins more than [`MAX_JOINS`] times with `~` (outside quoted
/// strings), with the count.
pub(crate) fn long_join_line(source: &str) -> Option<(u32, u32, usize)> {
    let bytes = source.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'{' && matches!(bytes[i + 1], b'{' | b'%') {
            let close = if bytes[i + 1] == b'{' { b'}' } else { b'%' };
            let (joins, end) = scan_tag(bytes, i + 2, close);
            if joins > MAX_JOINS {
                let (line, column) = line_column(source, i);
                return Some((line, column, joins));
            }
            i = end.unwrap_or(bytes.len());
        } else {
            i += 1;
        }
    }
    None
}

/// The `~` outside quotes in the tag whose inside starts at `from` and ends at `close`
/// followed by `}`, and the index after the tag (`None` when it is not closed).
fn scan_tag(bytes: &[u8], from: usize, close: u8) -> (usize, Option<usize>) {
    let (mut joins, mut quote, mut i) = (0, None, from);
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if matches!(b, b'"' | b'\'' | b'`') => quote = Some(b),
            None if b == b'~' => joins += 1,
            None if b == close && bytes.get(i + 1) == Some(&b'}') => return (joins, Some(i + 2)),
            None => {}
        }
        i += 1;
    }
    (joins, None)
}

/// The 1-based line and column (in characters) of byte `at` of `source`.
pub(crate) fn line_column(source: &str, at: usize) -> (u32, u32) {
    let before = &source[..at];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before[before.rfind('\n').map_or(0, |p| p + 1)..]
        .chars()
        .count() as u32
        + 1;
    (line, column)
}

/// The 1-based line of the first `{% set … %}` or `{% set_global … %}` tag in a content
/// template's source, if any.
pub(crate) fn set_tag_line(source: &str) -> Option<(u32, u32)> {
    let mut rest = source;
    let mut offset = 0;
    while let Some(i) = rest.find("{%") {
        let after = rest[i + 2..].trim_start_matches(['-', '+']).trim_start();
        let word: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if word == "set" || word == "set_global" {
            return Some(line_column(source, offset + i));
        }
        offset += i + 2;
        rest = &rest[i + 2..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tera(source: &str) -> tera::Tera {
        let mut t = tera::Tera::new();
        t.autoescape_on(Vec::<&str>::new());
        register(&mut t);
        t.add_raw_template("t", &count_loops(source)).unwrap();
        t
    }

    fn run(source: &str) -> Result<String, Option<Exceeded>> {
        let mut ctx = tera::Context::new();
        ctx.insert("s", &"长".repeat(4096));
        ctx.insert("long", &vec!["项"; 20_000]);
        ctx.insert("csv", &"甲,".repeat(2_000));
        let map: std::collections::BTreeMap<String, u32> =
            (0..2000).map(|i| (format!("k{i}"), i)).collect();
        ctx.insert("map", &map);
        note_longest(&mut ctx, "甲,".repeat(2_000).len());
        render(&tera(source), "t", source.len(), &ctx).map_err(|(_, cause)| cause)
    }

    #[test]
    fn ordinary_templates_render_as_with_tera() {
        for (source, rendered) in [
            ("{% for i in range(end=3) %}{{ i }}{% endfor %}", "012"),
            (
                "{% for i in range(start=10, end=0, step_by=-4) %}{{ i }},{% endfor %}",
                "10,6,2,",
            ),
            ("{{ \"a-b\" | replace(from=\"-\", to=\"+\") }}", "a+b"),
            ("{{ [1, \"x\"] | join(sep=\"、\") }}", "1、x"),
            (
                "{%- for x in \"a,b\" | split(pat=\",\") -%}[{{ x }}]{%- endfor %}",
                "[a][b]",
            ),
            (
                "{% for k, v in {\"a\": 1} %}{{ k }}={{ v }}{% else %}none{% endfor %}",
                "a=1",
            ),
            ("{% for c in \"岳阳\" %}<{{ c }}>{% endfor %}", "<岳><阳>"),
            ("{% for x in [] %}x{% else %}none{% endfor %}", "none"),
            (
                "{% for x in long %}{% endfor %}{{ long | length }}",
                "20000",
            ),
        ] {
            assert_eq!(run(source).unwrap(), rendered, "{source}");
        }
    }

    #[test]
    fn loops_over_long_values_stop_at_the_iteration_budget() {
        for bomb in [
            "{% for a in long %}{% for b in long %}{% endfor %}{% endfor %}",
            "{% for a in long %}{% for b in csv | split(pat=\",\") %}{% endfor %}{% endfor %}",
            "{% for a in long %}{% for c in s %}{% endfor %}{% endfor %}",
            "{% for a in map %}{% for k, v in map %}{% endfor %}{% endfor %}",
            "{%- for a in long | reverse -%}{%- for b in long | sort -%}{%- endfor -%}{%- endfor -%}",
            "{% for a in long %}{% for b in range(end=100) %}{% for c in long %}{% endfor %}{% endfor %}{% endfor %}",
            "{% for a in long %}{{ csv | split(pat=\"\") | length }}{% endfor %}",
        ] {
            assert_eq!(run(bomb), Err(Some(Exceeded::Iterations)), "{bomb}");
        }
    }

    #[test]
    fn only_for_tags_are_rewritten_on_their_own_line() {
        let src = "a\n{%- for x in xs -%}\n{{ x }}{% endfor %}{% if \"%}\" %}{% endif %}\n{% for i in range(end=3) %}{% endfor %}";
        let out = count_loops(src);
        assert_eq!(out.lines().count(), src.lines().count());
        assert!(
            out.contains("{%- for x in __sitegen_loop_items(items=(xs)) -%}"),
            "{out}"
        );
        assert!(out.contains("{% if \"%}\" %}{% endif %}"), "{out}");
        assert!(out.contains("{% for i in range(end=3) %}"), "{out}");
        assert_eq!(
            count_loops("{% format %}{% for %}{% fork in x %}"),
            "{% format %}{% for %}{% fork in x %}"
        );
        assert_eq!(count_loops("{% for x in y"), "{% for x in y");
        assert_eq!(count_loops("a{%"), "a{%");
        // Places in the rewritten text map back to the text the editor wrote.
        let line = "岳阳{% for a in xs %}{% for b in ys %}{% endfor %}{% endfor %}x";
        let new = count_loops(line);
        let at = |needle: &str| new[..new.find(needle).unwrap()].chars().count() as u32 + 1;
        let old = |needle: &str| line[..line.find(needle).unwrap()].chars().count() as u32 + 1;
        assert_eq!(original_column(line, at("{% for b")), old("{% for b"));
        assert_eq!(
            original_column(line, at("{% endfor %}{% endfor %}x")),
            old("{% endfor %}{% endfor %}x")
        );
        let end = |t: &str| t.chars().count() as u32;
        assert_eq!(
            original_column(line, end(&new)),
            end(line),
            "the last character"
        );
        assert_eq!(original_column(line, 2), 2);
        let inner = original_column(line, at("(ys)"));
        assert!(
            (old("{% for b")..old("{% endfor")).contains(&inner),
            "{inner}"
        );
    }

    #[test]
    fn bombs_stop_at_a_budget() {
        let nested = "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}";
        assert_eq!(run(nested), Err(Some(Exceeded::Iterations)));
        let wide = "{% for i in range(end=100000) %}{{ s }}{% endfor %}";
        assert_eq!(run(wide), Err(Some(Exceeded::Output)));
        let square = "{{ s | replace(from=\"\", to=s) }}";
        assert_eq!(run(square), Err(Some(Exceeded::Output)));
        let joined = "{{ s | split(pat=\"\") | join(sep=s) }}";
        assert_eq!(run(joined), Err(Some(Exceeded::Output)));
        // The budget is per render: the next one starts afresh.
        assert_eq!(
            run("{% for i in range(end=2) %}{{ i }}{% endfor %}").unwrap(),
            "01"
        );
    }

    fn run_with(source: &str, big: &str) -> Result<String, Option<Exceeded>> {
        let mut ctx = tera::Context::new();
        ctx.insert("big", big);
        note_longest(&mut ctx, big.len());
        render(&tera(source), "t", source.len(), &ctx).map_err(|(_, cause)| cause)
    }

    #[test]
    fn work_on_long_values_is_bounded_too() {
        let big = "长".repeat(64 * 1024 / 3);
        // Each pass of this loop upper-cases 64 KiB: each item costs 66 units.
        let filter_loop =
            "{% for i in range(end=100000) %}{% if big | upper == \"\" %}{% endif %}{% endfor %}";
        assert_eq!(run_with(filter_loop, &big), Err(Some(Exceeded::Iterations)));
        assert_eq!(item_cost(10, big.len()), 66);
        assert_eq!(item_cost(0, 0), 1);
        assert_eq!(
            run_with(
                "{% for i in range(end=1000) %}{% endfor %}{{ big | length }}",
                &big
            )
            .unwrap(),
            big.chars().count().to_string()
        );
        // No loop, but the same filter written over and over on a long value.
        let repeated = "{% if big | upper == \"\" %}{% endif %}".repeat(2000);
        assert!(matches!(
            run_with(&repeated, &big),
            Err(Some(Exceeded::Work { .. }))
        ));
        // `replace` squaring a short string again and again: each result is small, all of
        // them together pass the bytes budget.
        let squares = "{{ big | replace(from=\"\", to=big) | length }}".repeat(40);
        assert_eq!(
            run_with(&squares, &"ab".repeat(1000)),
            Err(Some(Exceeded::Made))
        );
        assert_eq!(
            run_with(&squares[..squares.len() / 40], &"ab".repeat(1000)).unwrap(),
            "4004000"
        );
    }

    #[test]
    fn long_joins_are_found_with_their_line() {
        let chain = format!("{{{{ big{} }}}}", " ~ big".repeat(MAX_JOINS + 1));
        assert_eq!(
            long_join_line(&format!("a\nb {chain}")),
            Some((2, 3, MAX_JOINS + 1))
        );
        let ok = format!("{{{{ big{} }}}}", " ~ big".repeat(MAX_JOINS));
        assert_eq!(long_join_line(&ok.repeat(3)), None);
        let quoted = format!(
            "{{{{ \"{}\" }}}}{{% if a %}}~~{{% endif %}}",
            "~".repeat(200)
        );
        assert_eq!(long_join_line(&quoted), None);
        assert_eq!(long_join_line("{{ a ~"), None);
        assert_eq!(
            long_join_line(&format!("{{% if a{} %}}", " ~ b".repeat(70))),
            Some((1, 1, 70))
        );
    }

    #[test]
    fn set_tags_are_found_with_their_line() {
        assert_eq!(set_tag_line("a\n{% set x = 1 %}"), Some((2, 1)));
        assert_eq!(set_tag_line("ab {%- set_global x = 1 %}"), Some((1, 4)));
        assert_eq!(set_tag_line("{{ settings }}{% if a %}{% endif %}"), None);
        assert_eq!(set_tag_line("{% setting %}"), None);
    }
}
