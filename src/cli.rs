//! Raw command-line arguments (clap derive); doc comments are the help text. Nothing here
//! is checked beyond its type: `cmd::config` turns these into the options commands run on.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// sitegen: builds the 医保知识 site from topics/, cities/ and templates/.
#[derive(Parser, Debug)]
#[command(name = "sitegen", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes, before or after its name.
#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Colour in messages: `auto` when the stream is a terminal (off with NO_COLOR set to
    /// anything but empty; forced on with CLICOLOR_FORCE set to anything but 0).
    #[arg(
        long,
        value_enum,
        default_value = "auto",
        global = true,
        value_name = "WHEN"
    )]
    pub color: ColorWhen,
    /// Print only problems: no summary or rebuild lines, no progress bar.
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more: for `build`, each stage's time and every page added, changed or removed.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
}

/// When messages are coloured.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Build the whole site into the output folder (replaced only if the build succeeds).
    Build(BuildArgs),
    /// Load and render everything without writing, and report every problem found.
    Check(CheckArgs),
    /// Show where every value of one article comes from (site, topic, city or city × topic).
    Explain(ExplainArgs),
    /// Show how local each article is: its own values, fact ages, local share and nearest
    /// twin, worst first; also writes coverage.html to the report folder.
    Coverage(CoverageArgs),
    /// Write a new, commented city or topic file to start from.
    #[command(subcommand)]
    New(NewCommand),
    /// Serve the site on 127.0.0.1, rebuild on every change and reload open pages.
    Serve(ServeArgs),
    /// Print a shell's completion script for sitegen (e.g. `sitegen completions bash`).
    Completions(CompletionsArgs),
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
    /// Treat content warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
}

/// `--base-url`, for the commands whose output carries URLs (not `serve`, which uses its
/// own address).
#[derive(Args, Debug, Clone)]
pub struct BaseUrlArgs {
    /// Override site.yaml's base_url (e.g. a preview under a sub-path).
    #[arg(long)]
    pub base_url: Option<String>,
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    #[command(flatten)]
    pub base_url: BaseUrlArgs,
    /// Output folder (default: `public` in the site folder).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Fail if schedule.lock or modified.lock would change, instead of updating them (for CI).
    #[arg(long)]
    pub locked: bool,
    /// Render every page again instead of taking unchanged ones from the page memo
    /// (`.sitegen-pages` in the output folder).
    #[arg(long)]
    pub render_all: bool,
    /// Folder for the change lists (added/changed/removed/submit.txt) and next-publish.txt
    /// (default: `<output>-report` beside the output folder, never inside it).
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    #[command(flatten)]
    pub base_url: BaseUrlArgs,
    /// Output format for diagnostics.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Render and lint every page again instead of taking the warnings of unchanged pages
    /// from the last build's page memo (`public/.sitegen-pages`).
    #[arg(long)]
    pub render_all: bool,
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

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The city: its slug (`yueyang`) or name (`岳阳`).
    pub city: String,
    /// The topic: its slug (`canbaodi-biangeng`) or name (`参保地变更`).
    pub topic: String,
    #[command(flatten)]
    pub site: SiteArgs,
    #[command(flatten)]
    pub base_url: BaseUrlArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct CoverageArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Output format: the text report, or JSON (for CI).
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Folder for coverage.html (default: `public-report` beside the output folder, as
    /// for `build`'s change lists).
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum NewCommand {
    /// Write cities/<slug>.yaml for a new city, with a proposed pinyin slug.
    City(NewCityArgs),
    /// Write topics/<slug>.md, a topic skeleton that passes `sitegen check`.
    Topic(NewTopicArgs),
}

#[derive(Args, Debug)]
pub struct NewCityArgs {
    /// The city's name as shown on the site, e.g. `岳阳`.
    pub name: String,
    /// The province, e.g. `湖南`.
    #[arg(long)]
    pub province: Option<String>,
    /// The slug (URL part); default: the name's pinyin.
    #[arg(long)]
    pub slug: Option<String>,
    /// The site folder.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

#[derive(Args, Debug)]
pub struct NewTopicArgs {
    /// The topic's slug (file name and URL part), e.g. `canbaodi-biangeng`.
    pub slug: String,
    /// The topic's name as shown on the site, e.g. `参保地变更`.
    #[arg(long)]
    pub name: Option<String>,
    /// The site folder.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    pub shell: clap_complete::Shell,
}
