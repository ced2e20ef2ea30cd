//! The history page's diff: the service's line diff laid out side by side or inline, with the
//! changed words emphasised.

use askama::Template;

use super::ctx::Layout;
use crate::prompts::diff::Line;
use crate::prompts::versions::DiffView;

pub struct VersionView {
    pub id: String,
    pub version: i32,
    pub author: String,
    pub when: String,
    pub when_iso: String,
    pub message: String,
    pub current: bool,
    /// The labels pointing at this version.
    pub labels: Vec<String>,
    /// `text` or `chat`.
    pub kind: &'static str,
}

pub struct Seg {
    pub text: String,
    pub em: bool,
    /// Whitespace shown with visible marks (`·` space, `→` tab): a changed line's trailing
    /// whitespace, or a change that is only whitespace.
    pub ws: bool,
}

/// Spaces and tabs as visible marks.
fn visible_ws(t: &str) -> String {
    t.chars()
        .map(|c| match c {
            ' ' => '·',
            '\t' => '→',
            '\u{a0}' => '⍽',
            c => c,
        })
        .collect()
}

/// On a changed line, whitespace that makes the difference is made visible.
fn show_whitespace(mut segs: Vec<Seg>) -> Vec<Seg> {
    for s in &mut segs {
        if s.em && !s.text.is_empty() && s.text.trim().is_empty() {
            s.text = visible_ws(&s.text);
            s.ws = true;
        }
    }
    if let Some(last) = segs.last_mut()
        && !last.ws
    {
        let kept = last.text.trim_end_matches([' ', '\t', '\u{a0}']).len();
        if kept < last.text.len() {
            let tail = last.text.split_off(kept);
            let em = last.em;
            segs.push(Seg {
                text: visible_ws(&tail),
                em,
                ws: true,
            });
        }
    }
    segs
}

/// One side of a side-by-side row; `kind` is `eq`, `del`, `add` or `none` (no line).
pub struct Cell {
    pub num: String,
    pub kind: &'static str,
    pub segs: Vec<Seg>,
}

pub struct SplitRow {
    pub left: Cell,
    pub right: Cell,
}

pub struct InlineRow {
    pub kind: &'static str,
    pub old: String,
    pub new: String,
    pub sign: &'static str,
    pub segs: Vec<Seg>,
}

pub struct HunkView {
    pub header: String,
    pub split: Vec<SplitRow>,
    pub inline: Vec<InlineRow>,
}

pub struct Shown {
    pub from: i32,
    pub to: i32,
    pub from_id: String,
    pub to_id: String,
    pub changed: String,
    pub title: Option<(String, String)>,
    /// The kinds when they differ.
    pub kind: Option<(String, String)>,
    /// The configs (pretty JSON, `none` when there is none) when they differ.
    pub config: Option<(String, String)>,
    pub insertions: usize,
    pub deletions: usize,
    /// Too large to compare in full detail (see `TextDiffView::truncated`).
    pub truncated: bool,
    pub split: bool,
    pub hunks: Vec<HunkView>,
}

#[derive(Template)]
#[template(path = "history.html")]
pub struct DiffPage<'a> {
    pub l: &'a Layout,
    pub id: String,
    pub title: String,
    pub can_edit: bool,
    pub versions: Vec<VersionView>,
    pub d: Shown,
    /// Labels offered by the per-version promote forms (empty: no forms).
    pub choices: Vec<String>,
}

fn kind(line: &Line) -> &'static str {
    match line.kind {
        "insert" => "add",
        "delete" => "del",
        _ => "eq",
    }
}

fn segs(line: &Line) -> Vec<Seg> {
    let text = |t: &str| t.trim_end_matches(['\n', '\r']).to_string();
    let segs = if line.segments.is_empty() {
        vec![Seg {
            text: text(&line.text),
            em: false,
            ws: false,
        }]
    } else {
        line.segments
            .iter()
            .map(|s| Seg {
                text: text(&s.text),
                em: s.emphasized && line.kind != "equal",
                ws: false,
            })
            .collect()
    };
    if line.kind == "equal" {
        segs
    } else {
        show_whitespace(segs)
    }
}

fn num(n: Option<usize>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

fn cell(line: &Line, old: bool) -> Cell {
    Cell {
        num: num(if old { line.old_line } else { line.new_line }),
        kind: kind(line),
        segs: segs(line),
    }
}

fn empty() -> Cell {
    Cell {
        num: String::new(),
        kind: "none",
        segs: Vec::new(),
    }
}

/// Pairs each run of deletions with the insertions that follow it, line by line.
fn split_rows(lines: &[Line]) -> Vec<SplitRow> {
    let mut rows = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].kind == "equal" {
            rows.push(SplitRow {
                left: cell(&lines[i], true),
                right: cell(&lines[i], false),
            });
            i += 1;
            continue;
        }
        let dels: Vec<&Line> = lines[i..]
            .iter()
            .take_while(|l| l.kind == "delete")
            .collect();
        i += dels.len();
        let adds: Vec<&Line> = lines[i..]
            .iter()
            .take_while(|l| l.kind == "insert")
            .collect();
        i += adds.len();
        for k in 0..dels.len().max(adds.len()) {
            rows.push(SplitRow {
                left: dels.get(k).map_or_else(empty, |l| cell(l, true)),
                right: adds.get(k).map_or_else(empty, |l| cell(l, false)),
            });
        }
    }
    rows
}

/// A config as shown on the page: pretty JSON, or `none`.
pub fn pretty_config(v: &serde_json::Value) -> String {
    if v.is_null() {
        "none".into()
    } else {
        serde_json::to_string_pretty(v).unwrap_or_default()
    }
}

pub fn build(d: &DiffView, split: bool) -> Shown {
    let hunks = d
        .body
        .hunks
        .iter()
        .map(|h| HunkView {
            header: h.header.clone(),
            split: if split {
                split_rows(&h.lines)
            } else {
                Vec::new()
            },
            inline: if split {
                Vec::new()
            } else {
                h.lines
                    .iter()
                    .map(|l| InlineRow {
                        kind: kind(l),
                        old: num(l.old_line),
                        new: num(l.new_line),
                        sign: match l.kind {
                            "insert" => "+",
                            "delete" => "−",
                            _ => " ",
                        },
                        segs: segs(l),
                    })
                    .collect()
            },
        })
        .collect();
    let changed = d
        .changed
        .iter()
        .map(|c| match *c {
            "modelHints" => "model hints",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(", ");
    Shown {
        from: d.from.version,
        to: d.to.version,
        from_id: d.from.id.clone(),
        to_id: d.to.id.clone(),
        changed,
        title: d.title.as_ref().map(|t| (t.from.clone(), t.to.clone())),
        kind: d.kind.as_ref().map(|t| (t.from.clone(), t.to.clone())),
        config: d
            .config
            .as_ref()
            .map(|c| (pretty_config(&c.from), pretty_config(&c.to))),
        insertions: d.body.insertions,
        deletions: d.body.deletions,
        truncated: d.body.truncated,
        split,
        hunks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompts::diff::diff;

    #[test]
    fn side_by_side_pairs_changed_lines() {
        let d = diff("a\nb\nc\n", "a\nB\nc\nd\n", "v1", "v2");
        let rows = split_rows(&d.hunks[0].lines);
        let kinds: Vec<(&str, &str)> = rows.iter().map(|r| (r.left.kind, r.right.kind)).collect();
        assert_eq!(
            kinds,
            vec![("eq", "eq"), ("del", "add"), ("eq", "eq"), ("none", "add")]
        );
        assert_eq!(rows[1].left.num, "2");
        assert_eq!(rows[3].right.num, "4");
    }
}
