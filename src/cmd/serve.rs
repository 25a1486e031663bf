//! `sitegen serve`: runs the preview server on checked options (`--base-url` is not one of
//! them: the server's own address is the base URL).

use super::{CmdResult, Failure};
use crate::diag::{Diagnostic, Origin};
use crate::serve::{self, ServeOptions};

pub(crate) fn run(opts: ServeOptions) -> CmdResult {
    serve::run(opts).map_err(|message| {
        Failure::problem(Diagnostic::error(Origin::file("sitegen serve"), message))
    })
}
