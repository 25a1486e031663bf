//! Resource bounds of content templates (the Tera strings and bodies in topic and city
//! files), so a template bomb is an error at its file and line, never an aborted process.
//!
//! Tera 2 bounds one `range()` call (100,000 items) and component recursion (depth 20)
//! but nothing else, so sitegen adds, per rendered content template:
//! - an output budget ([`MAX_OUTPUT`]): the writer refuses bytes past it;
//! - an iteration budget ([`MAX_ITERATIONS`]): `range()` is sitegen's, counting every item
//!   of every call in the render (nested `range(end=100000)` loops stop at once);
//! - size checks in the filters that can multiply a string (`replace`, `join`);
//! - no `{% set %}` / `{% set_global %}` (checked when templates are compiled, see
//!   [`set_tag_line`]): without assignment a value can only grow as far as the expression
//!   written in the file, so a string cannot be doubled 64 times.

use std::cell::Cell;
use std::io::{self, Write};
use tera::{Error, Kwargs, State, TeraResult, Value};

/// The most bytes one content template may produce for one article.
pub const MAX_OUTPUT: usize = 32 * 1024 * 1024;
/// The most `range()` items one content template may iterate over for one article.
pub const MAX_ITERATIONS: u64 = 1_000_000;

thread_local! {
    /// Iterations left in the render running on this thread.
    static ITERATIONS_LEFT: Cell<u64> = const { Cell::new(MAX_ITERATIONS) };
}

/// What went over budget in a render, for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    Output,
    Iterations,
}

impl Exceeded {
    /// The editor-facing message.
    pub fn message(self) -> String {
        match self {
            Exceeded::Output => format!(
                "the template produces more than {} MiB of text for one article",
                MAX_OUTPUT / (1024 * 1024)
            ),
            Exceeded::Iterations => {
                format!("the template's loops run more than {MAX_ITERATIONS} times for one article")
            }
        }
    }
}

/// Renders `name` within the budgets; `Err` holds Tera's error and, when a budget was the
/// cause, which one.
pub fn render(
    tera: &tera::Tera,
    name: &str,
    ctx: &tera::Context,
) -> Result<String, (Error, Option<Exceeded>)> {
    ITERATIONS_LEFT.with(|left| left.set(MAX_ITERATIONS));
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
            let cause = if out.over || too_large(&e) {
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

/// Registers the bounded `range`, `replace` and `join` on a content Tera instance.
pub fn register(tera: &mut tera::Tera) {
    tera.register_function("range", range);
    tera.register_filter("replace", replace);
    tera.register_filter("join", join);
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
    let left = ITERATIONS_LEFT.with(|l| l.get());
    if len > i128::from(left) {
        ITERATIONS_LEFT.with(|l| l.set(0));
        return Err(Error::message(format!(
            "`range` would take the loops past {MAX_ITERATIONS} iterations in this article"
        )));
    }
    ITERATIONS_LEFT.with(|l| l.set(left - len as u64));
    Ok((0..len).map(|i| start + i * step).collect())
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
    Ok(out)
}

/// The 1-based line of the first `{% set … %}` or `{% set_global … %}` tag in a content
/// template's source, if any.
pub fn set_tag_line(source: &str) -> Option<(u32, u32)> {
    let mut rest = source;
    let mut offset = 0;
    while let Some(i) = rest.find("{%") {
        let after = rest[i + 2..].trim_start_matches(['-', '+']).trim_start();
        let word: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if word == "set" || word == "set_global" {
            let at = offset + i;
            let before = &source[..at];
            let line = before.matches('\n').count() as u32 + 1;
            let column = before[before.rfind('\n').map_or(0, |p| p + 1)..]
                .chars()
                .count() as u32
                + 1;
            return Some((line, column));
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
        t.add_raw_template("t", source).unwrap();
        t
    }

    fn run(source: &str) -> Result<String, Option<Exceeded>> {
        let mut ctx = tera::Context::new();
        ctx.insert("s", &"长".repeat(4096));
        render(&tera(source), "t", &ctx).map_err(|(_, cause)| cause)
    }

    #[test]
    fn ordinary_templates_render_as_with_tera() {
        assert_eq!(
            run("{% for i in range(end=3) %}{{ i }}{% endfor %}").unwrap(),
            "012"
        );
        assert_eq!(
            run("{% for i in range(start=10, end=0, step_by=-4) %}{{ i }},{% endfor %}").unwrap(),
            "10,6,2,"
        );
        assert_eq!(
            run("{{ \"a-b\" | replace(from=\"-\", to=\"+\") }}").unwrap(),
            "a+b"
        );
        assert_eq!(run("{{ [1, \"x\"] | join(sep=\"、\") }}").unwrap(), "1、x");
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

    #[test]
    fn set_tags_are_found_with_their_line() {
        assert_eq!(set_tag_line("a\n{% set x = 1 %}"), Some((2, 1)));
        assert_eq!(set_tag_line("ab {%- set_global x = 1 %}"), Some((1, 4)));
        assert_eq!(set_tag_line("{{ settings }}{% if a %}{% endif %}"), None);
        assert_eq!(set_tag_line("{% setting %}"), None);
    }
}
