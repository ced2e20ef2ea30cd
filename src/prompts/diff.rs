//! Line diffs between two versions: unified text plus structured hunks whose changed lines
//! carry word-level highlights.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

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
    pub old_line: Option<usize>,
    /// 1-based line number in the new text (none for a deletion).
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
}

/// Diffs `old` and `new` line by line with 3 lines of context.
pub fn diff(old: &str, new: &str, old_label: &str, new_label: &str) -> TextDiffView {
    let d = TextDiff::from_lines(old, new);
    let unified = d
        .unified_diff()
        .context_radius(3)
        .header(old_label, new_label)
        .to_string();
    let mut hunks = Vec::new();
    let (mut insertions, mut deletions) = (0, 0);
    for group in d.grouped_ops(3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old_start = first.old_range().start;
        let old_end = last.old_range().end;
        let new_start = first.new_range().start;
        let new_end = last.new_range().end;
        let mut lines = Vec::new();
        for op in &group {
            for change in d.iter_inline_changes(op) {
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
    }
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
}
