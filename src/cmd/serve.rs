//! `sitegen serve`

use super::{Outcome, options};
use crate::cli::{ServeArgs, YesNo};
use crate::diag::{Diagnostic, Origin, render_human};
use crate::serve::{self, ServeOptions};

pub fn run(args: &ServeArgs) -> Outcome {
    if args.site.base_url.is_some() {
        let d = Diagnostic::error(
            Origin::file("--base-url"),
            "serve uses its own address as the base URL",
        )
        .with_hint(
            "leave out --base-url; use `sitegen build --base-url …` for previews hosted elsewhere",
        );
        eprintln!("{}", render_human(&d, false));
        return Outcome::Usage;
    }
    let build = match options(&args.site, None, false) {
        Ok(o) => o,
        Err(d) => {
            eprintln!("{}", render_human(&d, false));
            return Outcome::Usage;
        }
    };
    match serve::run(ServeOptions {
        build,
        port: args.port,
        open_browser: args.open_browser == YesNo::Yes,
    }) {
        Ok(()) => Outcome::Success,
        Err(message) => {
            eprintln!("error: {message}");
            Outcome::Problems
        }
    }
}
