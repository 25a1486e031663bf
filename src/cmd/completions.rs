//! `sitegen completions <shell>`: the shell's completion script, from the same clap
//! definition as the help texts, so it always knows every command and option.

use super::{CmdResult, Console};
use crate::cli::Cli;
use clap::CommandFactory;
use clap_complete::Shell;

pub(crate) fn run(shell: Shell, console: &Console) -> CmdResult {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "sitegen", &mut script);
    console.print(&String::from_utf8_lossy(&script))?;
    Ok(())
}
