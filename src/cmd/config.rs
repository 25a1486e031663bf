//! Raw arguments → checked options, as ripgrep's low-level → high-level arguments and
//! just's arguments → config: the site folder, `--jobs`, `--now` and `SOURCE_DATE_EPOCH`
//! are checked here, once, and every problem is a usage error (exit 2) naming what is
//! wrong. Commands then run on options they need not question.

use super::{Console, Failure};
use crate::cli::{BuildArgs, Command, Format, NewCommand, SiteArgs, YesNo};
use crate::diag::{Diagnostic, Origin};
use crate::load::parse_datetime;
use crate::pipeline::{BuildOptions, Now};
use crate::serve::ServeOptions;
use chrono::{DateTime, Utc};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// A command with its checked options.
pub(crate) enum Task<'a> {
    Build(BuildOptions),
    Check(CheckOptions),
    Explain(ExplainOptions),
    Coverage(CoverageOptions),
    New(&'a NewCommand),
    Serve(ServeOptions),
    Completions(clap_complete::Shell),
}

/// Checked options of `sitegen check`.
pub(crate) struct CheckOptions {
    pub(crate) build: BuildOptions,
    pub(crate) format: Format,
}

/// Checked options of `sitegen coverage`.
pub(crate) struct CoverageOptions {
    pub(crate) build: BuildOptions,
    pub(crate) format: Format,
    /// Where coverage.html goes (default: beside the output folder, as the change lists).
    pub(crate) report_dir: Option<PathBuf>,
}

/// Checked options of `sitegen explain`.
pub(crate) struct ExplainOptions {
    pub(crate) build: BuildOptions,
    pub(crate) city: String,
    pub(crate) topic: String,
    pub(crate) format: Format,
}

/// What a site folder holds at least one of.
const SITE_MARKS: [&str; 3] = ["site.yaml", "topics", "cities"];

/// The last second of the year 9999 (UTC), the latest `SOURCE_DATE_EPOCH` taken.
const LAST_EPOCH: i64 = 253_402_300_799;

/// Checks a command's arguments.
pub(crate) fn task<'a>(command: &'a Command, console: &Console) -> Result<Task<'a>, Failure> {
    Ok(match command {
        Command::Build(args) => Task::Build(build(args, console)?),
        Command::Check(args) => {
            let mut build = site(&args.site, args.base_url.base_url.clone())?;
            build.render_all = args.render_all;
            build.progress = console.progress("checking");
            build.verbose = console.verbose();
            Task::Check(CheckOptions {
                build,
                format: args.format,
            })
        }
        Command::Explain(args) => Task::Explain(ExplainOptions {
            build: BuildOptions {
                // Future articles too: they have a title and headings all the same.
                future: true,
                ..site(&args.site, args.base_url.base_url.clone())?
            },
            city: args.city.clone(),
            topic: args.topic.clone(),
            format: args.format,
        }),
        Command::Coverage(args) => Task::Coverage(CoverageOptions {
            build: BuildOptions {
                verbose: console.verbose(),
                ..site(&args.site, None)?
            },
            format: args.format,
            report_dir: args.report_dir.clone(),
        }),
        Command::New(args) => Task::New(args),
        Command::Serve(args) => Task::Serve(ServeOptions {
            build: site(&args.site, None)?,
            port: args.port,
            open_browser: args.open_browser == YesNo::Yes,
            quiet: console.quiet(),
        }),
        Command::Completions(args) => Task::Completions(args.shell),
    })
}

fn build(args: &BuildArgs, console: &Console) -> Result<BuildOptions, Failure> {
    let site = site(&args.site, args.base_url.base_url.clone())?;
    Ok(BuildOptions {
        output: args
            .output
            .clone()
            .unwrap_or_else(|| site.root.join("public")),
        locked: args.locked,
        render_all: args.render_all,
        report_dir: args.report_dir.clone(),
        progress: console.progress("building"),
        verbose: console.verbose(),
        ..site
    })
}

/// The options every command that loads the site shares.
fn site(args: &SiteArgs, base_url: Option<String>) -> Result<BuildOptions, Failure> {
    site_folder(&args.root).map_err(Failure::usage)?;
    if let Some(n) = args.jobs {
        if n == 0 {
            return Err(Failure::usage(
                Diagnostic::error(Origin::file("--jobs"), "--jobs must be at least 1")
                    .with_hint("leave it out to use one thread per core"),
            ));
        }
        // Ignored if a pool already exists (only in tests calling commands twice).
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
    let now =
        now(args.now.as_deref(), std::env::var_os("SOURCE_DATE_EPOCH")).map_err(Failure::usage)?;
    Ok(BuildOptions {
        future: args.future,
        base_url,
        strict: args.strict,
        ..BuildOptions::new(args.root.clone(), now)
    })
}

/// Refuses a folder that is no site (none of site.yaml, topics/, cities/), before anything
/// is loaded, watched or written. A site that lacks one of them is the loader's to report,
/// file by file (exit 1).
fn site_folder(root: &Path) -> Result<(), Diagnostic> {
    let shown = if root == Path::new(".") {
        "the current folder".to_string()
    } else {
        format!("`{}`", root.display())
    };
    let hint = "run sitegen in the site's folder (the one holding site.yaml, topics/ and \
                cities/), or name it with --root DIR";
    if !root.is_dir() {
        return Err(
            Diagnostic::error(Origin::file("--root"), format!("{shown} is not a folder"))
                .with_hint(hint),
        );
    }
    if SITE_MARKS.iter().all(|m| !root.join(m).exists()) {
        return Err(Diagnostic::error(
            Origin::file(root),
            format!("{shown} is not a sitegen site: it has no site.yaml, topics/ or cities/"),
        )
        .with_hint(hint));
    }
    Ok(())
}

/// "Now": `--now` (site-local), else `SOURCE_DATE_EPOCH` (years 1970–9999), else the clock.
fn now(arg: Option<&str>, epoch: Option<OsString>) -> Result<Now, Diagnostic> {
    if let Some(s) = arg {
        return parse_datetime(s).map(Now::Local).ok_or_else(|| {
            Diagnostic::error(
                Origin::file("--now"),
                format!("`{s}` is not a valid date and time"),
            )
            .with_hint("write `--now \"2026-02-03 06:39:37\"` (site time zone)")
        });
    }
    let Some(epoch) = epoch else {
        return Ok(Now::Instant(Utc::now()));
    };
    let text = epoch.to_string_lossy();
    let problem = |what: &str| {
        Diagnostic::error(
            Origin::file("SOURCE_DATE_EPOCH"),
            format!("SOURCE_DATE_EPOCH is `{text}`, {what}"),
        )
        .with_hint(
            "set it to the seconds since 1970-01-01 00:00 UTC (e.g. `1767573600`), or unset it; \
             --now overrides it",
        )
    };
    let secs: i64 = text
        .trim()
        .parse()
        .map_err(|_| problem("not a whole number of seconds"))?;
    DateTime::<Utc>::from_timestamp(secs, 0)
        .filter(|_| (0..=LAST_EPOCH).contains(&secs))
        .map(Now::Instant)
        .ok_or_else(|| problem("outside the years 1970 to 9999"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::render_human;

    fn epoch(value: &str) -> Result<Now, String> {
        now(None, Some(value.into())).map_err(|d| render_human(&d, false))
    }

    #[test]
    fn source_date_epoch_is_taken_within_the_years_1970_to_9999() {
        assert!(matches!(epoch("0"), Ok(Now::Instant(t)) if t.timestamp() == 0));
        assert!(
            matches!(epoch(" 1767573600\n"), Ok(Now::Instant(t)) if t.timestamp() == 1767573600)
        );
        assert!(matches!(epoch("253402300799"), Ok(Now::Instant(_))));
        for out in ["-1", "253402300800", "99999999999999"] {
            let e = epoch(out).unwrap_err();
            assert!(e.contains("outside the years 1970 to 9999"), "{e}");
        }
    }

    #[test]
    fn a_bad_source_date_epoch_is_named() {
        assert_eq!(
            epoch("yesterday").unwrap_err(),
            "error: SOURCE_DATE_EPOCH is `yesterday`, not a whole number of seconds\n\
             --> SOURCE_DATE_EPOCH\n |\n\
             help: set it to the seconds since 1970-01-01 00:00 UTC (e.g. `1767573600`), or \
             unset it; --now overrides it"
        );
        assert!(epoch("").is_err());
        assert!(epoch("1.5").is_err());
    }

    #[test]
    fn now_beats_source_date_epoch() {
        let t = now(Some("2026-02-03 06:39:37"), Some("junk".into())).unwrap();
        assert!(matches!(t, Now::Local(_)));
    }
}
