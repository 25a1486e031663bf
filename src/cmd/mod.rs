//! Commands: each takes checked options ([`config`]) and a [`Console`], prints its result,
//! and returns `Ok` or a [`Failure`] that `main` prints once and turns into the exit code.

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod completions;
pub(crate) mod config;
pub(crate) mod console;
pub(crate) mod coverage;
pub(crate) mod explain;
pub(crate) mod new;
mod progress_bar;
pub(crate) mod serve;

use crate::cli::Cli;
use crate::diag::{Diagnostic, Diagnostics, Origin};
use config::Task;
pub use console::Console;
use std::io;
use std::path::Path;

/// What a command gives back: nothing more to say, or why it failed.
pub type CmdResult = Result<(), Failure>;

/// Why a command failed: what to print (once, by `main`) and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    /// Ready to print: sorted, repeats across articles folded, source lines attached.
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// A last line after the diagnostics, e.g. that the output folder was not changed.
    pub(crate) closing: Option<String>,
}

/// The exit codes of a failure (success is 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Problems in the site, or the output could not be written (1).
    Problems,
    /// Wrong usage: an argument, a variable or the folder is not what it must be (2).
    Usage,
}

impl Exit {
    /// The exit for these problems: 1, except when every error is about `--now` (one the
    /// site's time zone skips is only found once site.yaml is read): wrong usage, 2.
    pub(crate) fn of<'a>(items: impl Iterator<Item = &'a Diagnostic>) -> Exit {
        let mut errors = items.filter(|d| d.is_error()).peekable();
        let usage = errors.peek().is_some() && errors.all(|d| d.origin.file == Path::new("--now"));
        if usage { Exit::Usage } else { Exit::Problems }
    }

    pub fn code(self) -> u8 {
        match self {
            Exit::Problems => 1,
            Exit::Usage => 2,
        }
    }
}

impl Failure {
    /// A usage problem (exit 2).
    pub(crate) fn usage(d: Diagnostic) -> Failure {
        Failure {
            exit: Exit::Usage,
            ..Failure::problem(d)
        }
    }

    /// One problem in the site or its output (exit 1).
    pub(crate) fn problem(d: Diagnostic) -> Failure {
        Failure {
            exit: Exit::Problems,
            diagnostics: vec![d],
            closing: None,
        }
    }

    /// Problems in the site (exit 1, see [`Exit::of`]), prepared for printing with source
    /// lines from `root`.
    pub(crate) fn problems(items: Diagnostics, root: &Path) -> Failure {
        Failure {
            exit: Exit::of(items.iter()),
            diagnostics: items.prepared(root),
            closing: None,
        }
    }

    /// A failure the command has already shown (e.g. as JSON on stdout).
    pub(crate) fn shown(exit: Exit) -> Failure {
        Failure {
            exit,
            diagnostics: Vec::new(),
            closing: None,
        }
    }

    /// How many of its diagnostics are errors.
    pub(crate) fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// The same failure, with a last line.
    pub(crate) fn closing(mut self, line: impl Into<String>) -> Failure {
        self.closing = Some(line.into());
        self
    }
}

/// Printing failed for another reason than a closed pipe (a full disk behind `>`).
impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::problem(
            Diagnostic::error(Origin::file("<output>"), format!("cannot print: {e}"))
                .with_hint("check where the output is redirected to (disk space, permissions)"),
        )
    }
}

/// Checks the arguments and runs the command.
pub fn run(cli: &Cli, console: &Console) -> CmdResult {
    match config::task(&cli.command, console)? {
        Task::Build(opts) => build::run(&opts, console),
        Task::Check(opts) => check::run(&opts, console),
        Task::Explain(opts) => explain::run(&opts, console),
        Task::Coverage(opts) => coverage::run(&opts, console),
        Task::New(args) => new::run(args, console),
        Task::Serve(opts) => serve::run(opts),
        Task::Completions(shell) => completions::run(shell, console),
    }
}

/// Prints a failure: its diagnostics, then its last line. Errors while printing are
/// dropped: there is nowhere left to report them.
pub fn print_failure(console: &Console, failure: &Failure) {
    let _ = console.diagnostics(&failure.diagnostics);
    if let Some(line) = &failure.closing {
        let _ = console.problem_line(line);
    }
}
