//! Line diffs between two versions: unified text plus structured hunks whose changed lines
//! carry word-level highlights.

use serde::Serialize;
use std::time::{Duration, Instant};

use similar::{ChangeTag, DiffTag, InlineChange, TextDiff};

/// A run of text inside a line; `emphasized` marks the words that changed.
#[derive(Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Segment {
    pub text: String,
    pub emphasized: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Line {
    /// `equal`, `insert` or `delete`.
    pub kind: &'static str,
    /// 1-based line number in the old text (none for an insertion).
    #[schema(required = true)]
    pub old_line: Option<usize>,
    /// 1-based line number in the new text (none for a deletion).
    #[schema(required = true)]
    pub new_line: Option<usize>,
    pub text: String,
    pub segments: Vec<Segment>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Hunk {
    pub old_start: usize,
    pub old_lines: usize,
    pub new_start: usize,
    pub new_lines: usize,
    /// `@@ -a,b +c,d @@`
    pub header: String,
    pub lines: Vec<Line>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TextDiffView {
    pub unified: String,
    pub hunks: Vec<Hunk>,
    pub insertions: usize,
    pub deletions: usize,
    /// True when the texts were too large or too different to compare in detail: the line diff
    /// may then be coarser than the smallest one (whole blocks deleted and inserted), and `hunks`
    /// may stop before the end (the counts and `unified` still cover everything).
    pub truncated: bool,
}

/// How long the line diff may search for the smallest edit before settling for a coarser one.
pub const LINE_DEADLINE: Duration = Duration::from_millis(300);
/// How long the word-level highlighting of all hunks together may take.
pub const INLINE_BUDGET: Duration = Duration::from_millis(100);
/// Changed blocks larger than this (lines on either side) get no word-level highlighting.
pub const INLINE_MAX_LINES: usize = 40;
/// Lines longer than this (bytes) get no word-level highlighting.
pub const INLINE_MAX_LINE_BYTES: usize = 2_000;
/// At most this many lines are laid out in `hunks`.
pub const MAX_HUNK_LINES: usize = 5_000;

/// Diffs `old` and `new` line by line with 3 lines of context, within bounded time (see the
/// constants above). CPU-heavy for large texts: async callers use [`diff_off_runtime`].
pub fn diff(old: &str, new: &str, old_label: &str, new_label: &str) -> TextDiffView {
    let start = Instant::now();
    let d = TextDiff::configure()
        .deadline(start + LINE_DEADLINE)
        .diff_lines(old, new);
    let mut truncated = start.elapsed() >= LINE_DEADLINE;
    let unified = d
        .unified_diff()
        .context_radius(3)
        .header(old_label, new_label)
        .to_string();
    let inline_deadline = Instant::now() + INLINE_BUDGET;
    let mut hunks = Vec::new();
    let (mut insertions, mut deletions) = (0, 0);
    let mut shown = 0;
    for group in d.grouped_ops(3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        if shown >= MAX_HUNK_LINES {
            truncated = true;
            for op in &group {
                match op.tag() {
                    DiffTag::Insert => insertions += op.new_range().len(),
                    DiffTag::Delete => deletions += op.old_range().len(),
                    DiffTag::Replace => {
                        insertions += op.new_range().len();
                        deletions += op.old_range().len();
                    }
                    DiffTag::Equal => {}
                }
            }
            continue;
        }
        let old_start = first.old_range().start;
        let old_end = last.old_range().end;
        let new_start = first.new_range().start;
        let new_end = last.new_range().end;
        let mut lines = Vec::new();
        for op in &group {
            let inline = op.tag() == DiffTag::Replace
                && op.old_range().len() <= INLINE_MAX_LINES
                && op.new_range().len() <= INLINE_MAX_LINES
                && Instant::now() < inline_deadline
                && d.old_slices()[op.old_range()]
                    .iter()
                    .chain(&d.new_slices()[op.new_range()])
                    .all(|l| l.len() <= INLINE_MAX_LINE_BYTES);
            let changes: Box<dyn Iterator<Item = InlineChange<'_, str>>> = if inline {
                Box::new(d.iter_inline_changes_deadline(op, Some(inline_deadline)))
            } else {
                Box::new(d.iter_changes(op).map(InlineChange::from))
            };
            for change in changes {
                let kind = match change.tag() {
                    ChangeTag::Equal => "equal",
                    ChangeTag::Insert => {
                        insertions += 1;
                        "insert"
                    }
                    ChangeTag::Delete => {
                        deletions += 1;
                        "delete"
                    }
                };
                if shown + lines.len() >= MAX_HUNK_LINES {
                    // Counted above; not listed: one huge hunk stops at the cap too.
                    truncated = true;
                    continue;
                }
                let segments: Vec<Segment> = change
                    .iter_strings_lossy()
                    .map(|(emphasized, s)| Segment {
                        text: s.trim_end_matches(['\n', '\r']).to_string(),
                        emphasized,
                    })
                    .filter(|s| !s.text.is_empty())
                    .collect();
                let text: String = segments.iter().map(|s| s.text.as_str()).collect();
                lines.push(Line {
                    kind,
                    old_line: change.old_index().map(|i| i + 1),
                    new_line: change.new_index().map(|i| i + 1),
                    text,
                    segments,
                });
            }
        }
        shown += lines.len();
        let (ol, nl) = (old_end - old_start, new_end - new_start);
        let os = if ol == 0 { old_start } else { old_start + 1 };
        let ns = if nl == 0 { new_start } else { new_start + 1 };
        hunks.push(Hunk {
            old_start: os,
            old_lines: ol,
            new_start: ns,
            new_lines: nl,
            header: format!("@@ -{os},{ol} +{ns},{nl} @@"),
            lines,
        });
    }
    TextDiffView {
        unified,
        hunks,
        insertions,
        deletions,
        truncated,
    }
}

/// [`diff`] on the blocking pool, so a large comparison never holds up the async workers that
/// serve every other request.
pub async fn diff_off_runtime(
    old: String,
    new: String,
    old_label: String,
    new_label: String,
) -> crate::error::Result<TextDiffView> {
    crate::cpu::run(move || diff(&old, &new, &old_label, &new_label)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_diff_with_insert_delete_and_change() {
        let old = "alpha\nbeta gamma\ndelta\nepsilon\n";
        let new = "alpha\nbeta GAMMA\nepsilon\nzeta\n";
        let d = diff(old, new, "v1", "v2");
        assert!(d.unified.contains("-beta gamma\n"), "{}", d.unified);
        assert!(d.unified.contains("+beta GAMMA\n"), "{}", d.unified);
        assert!(d.unified.contains("-delta\n"));
        assert!(d.unified.contains("+zeta\n"));
        assert_eq!((d.insertions, d.deletions), (2, 2));
        assert_eq!(d.hunks.len(), 1);
        let changed = d.hunks[0]
            .lines
            .iter()
            .find(|l| l.kind == "insert" && l.text == "beta GAMMA")
            .expect("changed line");
        assert!(
            changed
                .segments
                .iter()
                .any(|s| s.emphasized && s.text == "GAMMA")
        );
        assert!(
            changed
                .segments
                .iter()
                .any(|s| !s.emphasized && s.text.starts_with("beta"))
        );
    }

    #[test]
    fn identical_texts_have_no_hunks() {
        let d = diff("same\n", "same\n", "a", "b");
        assert!(d.hunks.is_empty());
        assert_eq!(d.insertions + d.deletions, 0);
    }

    #[test]
    fn large_reversed_texts_are_compared_in_bounded_time() {
        let lines: Vec<String> = (0..60_000).map(|i| format!("line {i:05}\n")).collect();
        let old: String = lines.concat();
        let new: String = lines.iter().rev().cloned().collect();
        let start = Instant::now();
        let d = diff(&old, &new, "a", "b");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
        assert!(d.truncated);
        assert!(d.hunks.iter().map(|h| h.lines.len()).sum::<usize>() <= MAX_HUNK_LINES + 60_000);
        assert!(d.insertions > 0 && d.deletions > 0);
    }
}
