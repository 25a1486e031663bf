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
    /// Fail if schedule.lock or modified.lock would change, instead of updating them (for CI).
    #[arg(long)]
    pub locked: bool,
    /// Folder for the change lists (added/changed/removed/submit.txt) and next-publish.txt
    /// (default: `<output>-report` beside the output folder, never inside it).
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
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
