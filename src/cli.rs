//! Command-line arguments (clap derive); doc comments are the help text.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// sitegen: builds the 医保知识 site from topics/, cities/ and templates/.
#[derive(Parser, Debug)]
#[command(name = "sitegen", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Build the whole site into the output folder (replaced only if the build succeeds).
    Build(BuildArgs),
    /// Load and render everything without writing, and report every problem found.
    Check(CheckArgs),
    /// Serve the site on 127.0.0.1, rebuild on every change and reload open pages.
    Serve(ServeArgs),
}

/// Options shared by commands that load the site.
#[derive(Args, Debug, Clone)]
pub struct SiteArgs {
    /// The site folder (holding site.yaml, topics/, cities/, templates/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Treat "now" as this site-local datetime (`2026-02-03 06:39:37`); otherwise
    /// SOURCE_DATE_EPOCH, otherwise the clock.
    #[arg(long)]
    pub now: Option<String>,
    /// Publish articles dated after "now" too (for previews).
    #[arg(long)]
    pub future: bool,
    /// Override site.yaml's base_url (e.g. a preview under a sub-path).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Treat content warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Output folder (default: `public` in the site folder).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Fail if schedule.lock would change, instead of updating it (for CI).
    #[arg(long)]
    pub locked: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Output format for diagnostics.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Port on 127.0.0.1; 0 picks a free one (the URL is printed on the first line).
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Open the site in the desktop's browser once it is built.
    #[arg(long, value_enum, default_value = "yes")]
    pub open_browser: YesNo,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum YesNo {
    Yes,
    No,
}
