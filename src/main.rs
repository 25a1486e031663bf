//! Entry point: parse arguments, run the command, print its failure once, and turn the
//! outcome into the exit code (0 success, 1 problems in the site, 2 wrong usage).

use clap::Parser;
use sitegen::cli::Cli;
use sitegen::cmd::{self, Console};
use std::process::ExitCode;

/// Builds allocate many small strings and values on every core; mimalloc's per-thread
/// heaps make that about a fifth cheaper than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` come here too, on stdout; a closed pipe is fine.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let console = Console::new(&cli.global);
    match cmd::run(&cli, &console) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            cmd::print_failure(&console, &failure);
            ExitCode::from(failure.exit.code())
        }
    }
}
