//! The run memo: a build whose input files, code, switches and day are those of the
//! build that made the live site, and whose "now" crosses no article's publish time
//! since, would make the very same site. It then reads the input files' bytes (no
//! parsing), checks that the live site still has every file, writes the change lists (all
//! empty) and reports what that build reported, warnings included. Anything else, and
//! any doubt, runs the whole pipeline. See README, "Build safety".

use super::{BuildError, BuildOptions, BuildReport, now_in, preview_reason};
use crate::diag::Diagnostic;
use crate::load::{self, InputDigest};
use crate::plan::Plan;
use crate::write::report::{self, Report};
use crate::write::{WriteStats, run_memo};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

/// Bumped when what the memo holds or means changes.
const FORMAT: u32 = 2;

/// What one build was made from and what it reported.
#[derive(Debug, Serialize, Deserialize)]
struct RunMemo {
    format: u32,
    /// [`key`] of the build, in hex.
    key: String,
    timezone: String,
    /// The site is the same for a "now" from `from` (an article's publish time or the
    /// start of time) up to, but not including, `until` (the next one, if any).
    from: Option<NaiveDateTime>,
    until: Option<NaiveDateTime>,
    articles: usize,
    future_articles: usize,
    pages: usize,
    files: usize,
    /// The length of the page memo it wrote: one lost or damaged since is written again.
    page_memo_len: u64,
    warnings: Vec<Diagnostic>,
    next_publish: Option<NaiveDateTime>,
    next_publish_iso: Option<String>,
    /// The report folder's other files (name, text).
    extra: Vec<(String, String)>,
    /// The digests (`InputDigest::schedule` and `::modified`, in hex) of the locks as this
    /// build left them, each when its text is the one a build formats from what it reads:
    /// the next build whose entries are the same need not format it again to compare.
    #[serde(default)]
    schedule_lock: Option<String>,
    #[serde(default)]
    modified_lock: Option<String>,
}

/// Which locks are known to hold the text a build formats from their entries (see
/// `RunMemo::schedule_lock`).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct FormattedLocks {
    pub(super) schedule: bool,
    pub(super) modified: bool,
}

/// A hash of what a build's output depends on besides "now": the code, the input files,
/// the switches that change output or outcome (not `--render-all`, which only ignores
/// the memos), and the day (facts age by the day).
fn key(digest: InputDigest, opts: &BuildOptions, today: NaiveDate) -> String {
    let mut h = Xxh3::new();
    h.update(&FORMAT.to_le_bytes());
    h.update(env!("SITEGEN_CODE_ID").as_bytes());
    h.update(&digest.sources.to_le_bytes());
    h.update(&digest.locks.to_le_bytes());
    let switches = [opts.locked, opts.strict, opts.future];
    h.update(&switches.map(u8::from));
    h.update(opts.base_url.as_deref().unwrap_or("").as_bytes());
    h.update(today.to_string().as_bytes());
    format!("{:032x}", h.digest128())
}

/// The build's report, when the live site is what this build would make (see the module
/// doc); `None` to run the pipeline. `digest` is the input's, read before anything else.
pub(super) fn replay(
    opts: &BuildOptions,
    digest: Option<InputDigest>,
) -> Option<Result<BuildReport, BuildError>> {
    // `--render-all` asks for every page to be rendered, whatever the memos say.
    let digest = digest.filter(|_| !opts.render_all)?;
    let live = run_memo::open(&opts.root, &opts.output)?;
    let memo: RunMemo = serde_json::from_str(&live.memo).ok()?;
    let tz: chrono_tz::Tz = memo.timezone.parse().ok()?;
    let now = now_in(tz, opts).ok()?;
    let holds = memo.format == FORMAT
        && preview_reason(opts, tz).is_none()
        && memo.from.is_none_or(|from| from <= now)
        && memo.until.is_none_or(|until| now < until)
        && memo.key == key(digest, opts, now.date());
    if !holds || live.intact(memo.page_memo_len)? != memo.files {
        return None;
    }
    live.remove_leftovers()?;
    let report_dir = super::report_dir(opts);
    let changes = Report {
        next_publish: memo.next_publish_iso.clone(),
        extra: memo.extra,
        ..Report::default()
    };
    let written =
        report::prepare(&report_dir).and_then(|()| report::write_report(&report_dir, &changes));
    if let Err(e) = written {
        return Some(Err(BuildError::Write(e)));
    }
    Some(Ok(BuildReport {
        articles: memo.articles,
        future_articles: memo.future_articles,
        pages: memo.pages,
        rendered: 0,
        files: memo.files,
        stats: WriteStats {
            unchanged: memo.files,
            ..WriteStats::default()
        },
        warnings: memo.warnings,
        next_publish: memo.next_publish,
        next_publish_iso: memo.next_publish_iso,
        lock_updated: false,
        modified_updated: false,
        preview: None,
        report_dir,
        changes,
        replayed: true,
    }))
}

/// Which locks (read as `digest`) hold the text the last build left in them and knew to
/// be as a build formats it (see `RunMemo::schedule_lock`); neither whenever in doubt, nor
/// with `--render-all`, which trusts no memo.
pub(super) fn formatted_locks(opts: &BuildOptions, digest: Option<InputDigest>) -> FormattedLocks {
    let memo = digest.filter(|_| !opts.render_all).and_then(|digest| {
        let text = std::fs::read_to_string(opts.output.join(run_memo::FILE)).ok()?;
        let memo: RunMemo = serde_json::from_str(&text).ok()?;
        (memo.format == FORMAT).then_some((memo, digest))
    });
    let Some((memo, digest)) = memo else {
        return FormattedLocks::default();
    };
    let holds = |kept: &Option<String>, now: u128| kept.as_deref() == Some(&*hex(now));
    FormattedLocks {
        schedule: holds(&memo.schedule_lock, digest.schedule),
        modified: holds(&memo.modified_lock, digest.modified),
    }
}

fn hex(digest: u128) -> String {
    format!("{digest:032x}")
}

/// The run memo text for a build that made `built` from the input read as `before`, with
/// its locks written; empty when the build cannot vouch for its site: a preview (whose
/// dates are not recorded), or input that changed while it ran. `formatted`: the build
/// left each lock as a build formats it (it wrote or compared that text, or found it so
/// already).
pub(super) fn record(
    opts: &BuildOptions,
    before: Option<InputDigest>,
    plan: &Plan,
    built: &BuildReport,
    page_memo: &str,
    timezone: chrono_tz::Tz,
    formatted: FormattedLocks,
) -> String {
    let after = load::digest(&opts.root);
    let locks_written = built.lock_updated || built.modified_updated;
    let (Some(before), Some(after)) = (before, after) else {
        return String::new();
    };
    let same = before.sources == after.sources && (locks_written || before.locks == after.locks);
    if built.preview.is_some() || !same {
        return String::new();
    }
    let now = plan.now;
    let times =
        (plan.lock.iter().map(|s| s.publish_at)).chain(plan.articles.iter().map(|a| a.publish_at));
    let (mut from, mut until) = (None::<NaiveDateTime>, None::<NaiveDateTime>);
    for t in times.chain(built.next_publish) {
        if t <= now {
            from = from.max(Some(t));
        } else {
            until = Some(until.map_or(t, |u| u.min(t)));
        }
    }
    let memo = RunMemo {
        format: FORMAT,
        key: key(after, opts, now.date()),
        timezone: timezone.name().to_string(),
        from,
        until,
        articles: built.articles,
        future_articles: built.future_articles,
        pages: built.pages,
        files: built.files,
        page_memo_len: page_memo.len() as u64,
        warnings: built.warnings.clone(),
        next_publish: built.next_publish,
        next_publish_iso: built.next_publish_iso.clone(),
        extra: built.changes.extra.clone(),
        schedule_lock: formatted.schedule.then(|| hex(after.schedule)),
        modified_lock: formatted.modified.then(|| hex(after.modified)),
    };
    serde_json::to_string(&memo).unwrap_or_default()
}
