//! Where commands print: the result on stdout, diagnostics and summaries on stderr, in
//! colour when the stream is a terminal (or `--color` / the environment say so), and
//! silenced by `-q` or widened by `-v`. A closed pipe (`| head`) is not an error: once a
//! stream is found closed, everything written to it afterwards is dropped quietly.

use super::progress_bar;
use crate::cli::{ColorWhen, GlobalArgs};
use crate::diag::{Diagnostic, color_enabled, render_human};
use crate::progress::Progress;
use anstream::stream::{AsLockedWrite, RawStream};
use anstream::{AutoStream, ColorChoice};
use std::cell::{Cell, RefCell};
use std::io::{self, IsTerminal, Stderr, Stdout, Write};

/// How much a command prints besides its result and its problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Verbosity {
    /// `-q`: problems only.
    Quiet,
    Normal,
    /// `-v`: stage timings and the pages written too.
    Verbose,
}

/// The process's two output streams, as commands see them.
pub struct Console {
    out: Stream<Stdout>,
    err: Stream<Stderr>,
    verbosity: Verbosity,
    /// Whether stderr is coloured (diagnostics are rendered for it).
    err_color: bool,
    /// Whether stderr is a terminal a progress bar can be drawn on.
    err_terminal: bool,
}

impl Console {
    /// The console the global options ask for, on the real stdout and stderr.
    pub fn new(args: &GlobalArgs) -> Console {
        let verbosity = if args.quiet {
            Verbosity::Quiet
        } else if args.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        };
        let forced = match args.color {
            ColorWhen::Auto => None,
            ColorWhen::Always => Some(true),
            ColorWhen::Never => Some(false),
        };
        let env = |name: &str| std::env::var_os(name);
        let out_color = color_enabled(forced, io::stdout().is_terminal(), env);
        let err_terminal = io::stderr().is_terminal();
        let err_color = color_enabled(forced, err_terminal, env);
        // Recorded for code that prints by itself (serve's rebuild loop: `diag::stderr_color`).
        ColorChoice::write_global(choice(err_color));
        Console {
            out: Stream::new(io::stdout(), out_color),
            err: Stream::new(io::stderr(), err_color),
            verbosity,
            err_color,
            err_terminal,
        }
    }

    /// Prints a command's result on stdout, as it is.
    pub(crate) fn print(&self, text: &str) -> io::Result<()> {
        self.out.write(text)
    }

    /// Prints a command's result as pretty JSON on stdout (`--format json`).
    pub(crate) fn print_json(&self, value: &impl serde::Serialize) -> io::Result<()> {
        let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".into());
        self.out.write(&format!("{text}\n"))
    }

    /// Prints diagnostics on stderr, each followed by a blank line.
    pub(crate) fn diagnostics(&self, items: &[Diagnostic]) -> io::Result<()> {
        for d in items {
            self.err
                .write(&format!("{}\n\n", render_human(d, self.err_color)))?;
        }
        Ok(())
    }

    /// Prints a line about a problem, an error or a warning (never silenced).
    pub(crate) fn problem_line(&self, line: &str) -> io::Result<()> {
        self.err.write(&format!("{line}\n"))
    }

    /// Prints a summary line on stderr, unless `-q`.
    pub(crate) fn summary(&self, line: &str) -> io::Result<()> {
        if self.verbosity == Verbosity::Quiet {
            return Ok(());
        }
        self.err.write(&format!("{line}\n"))
    }

    /// Prints a detail line on stderr, only with `-v`.
    pub(crate) fn detail(&self, line: &str) -> io::Result<()> {
        if self.verbosity < Verbosity::Verbose {
            return Ok(());
        }
        self.err.write(&format!("{line}\n"))
    }

    /// Whether `-q` asks for problems only.
    pub(crate) fn quiet(&self) -> bool {
        self.verbosity == Verbosity::Quiet
    }

    /// Whether `-v` asks for details.
    pub(crate) fn verbose(&self) -> bool {
        self.verbosity == Verbosity::Verbose
    }

    /// A progress handle for a long stage: a bar on stderr when it is a terminal and not
    /// `-q`, shown once the stage has run for about a second; otherwise nothing.
    pub(crate) fn progress(&self, what: &'static str) -> Progress {
        if self.err_terminal && self.verbosity > Verbosity::Quiet {
            progress_bar::on_stderr(what)
        } else {
            Progress::default()
        }
    }
}

/// One output stream; remembers that its reader went away.
struct Stream<W: RawStream + AsLockedWrite> {
    sink: RefCell<AutoStream<W>>,
    closed: Cell<bool>,
}

impl<W: RawStream + AsLockedWrite> Stream<W> {
    fn new(raw: W, color: bool) -> Stream<W> {
        Stream {
            sink: RefCell::new(AutoStream::new(raw, choice(color))),
            closed: Cell::new(false),
        }
    }

    /// Writes and flushes `text`; a closed pipe ends the stream quietly, any other
    /// failure (a full disk behind `>`) is returned.
    fn write(&self, text: &str) -> io::Result<()> {
        if self.closed.get() {
            return Ok(());
        }
        let mut sink = self.sink.borrow_mut();
        match sink.write_all(text.as_bytes()).and_then(|()| sink.flush()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed.set(true);
                Ok(())
            }
            other => other,
        }
    }
}

fn choice(color: bool) -> ColorChoice {
    if color {
        ColorChoice::Always
    } else {
        ColorChoice::Never
    }
}
