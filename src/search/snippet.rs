//! Highlighted snippets: a short window of the text around the first match, HTML-escaped, with
//! matched words wrapped in `<mark>…</mark>`. Safe to insert into a page as it is.

use super::query::light_stem;

/// Marks placed by the database (PostgreSQL `ts_headline`) before escaping; private-use
/// characters, so they cannot come from the text itself in practice.
pub const OPEN: char = '\u{E000}';
pub const CLOSE: char = '\u{E001}';

const WINDOW_WORDS: usize = 24;

/// Does `word` (any case) match one of the query's words?
fn matches(word: &str, terms: &[(String, bool)]) -> bool {
    let w = word.to_lowercase();
    terms.iter().any(|(t, prefix)| {
        if *prefix {
            w.starts_with(t.as_str())
        } else {
            w == *t
                || (t.chars().count() >= 3
                    && w.starts_with(&light_stem(t))
                    && light_stem(&w) == light_stem(t))
        }
    })
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            OPEN => out.push_str("<mark>"),
            CLOSE => out.push_str("</mark>"),
            c => out.push(c),
        }
    }
    out
}

/// A snippet from the first of `texts` that contains a match (or the start of the first text).
pub fn make(texts: &[&str], terms: &[(String, bool)]) -> String {
    for text in texts {
        if let Some(s) = window(text, terms) {
            return s;
        }
    }
    let first = texts
        .iter()
        .find(|t| !t.trim().is_empty())
        .copied()
        .unwrap_or_default();
    let words: Vec<&str> = first.split_whitespace().take(WINDOW_WORDS).collect();
    let more = first.split_whitespace().nth(WINDOW_WORDS).is_some();
    escape(&words.join(" ")) + if more { " …" } else { "" }
}

fn window(text: &str, terms: &[(String, bool)]) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let core = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    let hit = words.iter().position(|w| matches(&core(w), terms))?;
    let start = hit.saturating_sub(WINDOW_WORDS / 3);
    let end = (start + WINDOW_WORDS).min(words.len());
    let mut out = String::new();
    if start > 0 {
        out.push_str("… ");
    }
    for (i, w) in words[start..end].iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let c = core(w);
        if !c.is_empty() && matches(&c, terms) {
            // Keep punctuation around the word outside the mark.
            let lead = &w[..w.find(c.as_str()).unwrap_or(0)];
            let trail = &w[lead.len() + c.len()..];
            out.push_str(&escape(lead));
            out.push_str("<mark>");
            out.push_str(&escape(&c));
            out.push_str("</mark>");
            out.push_str(&escape(trail));
        } else {
            out.push_str(&escape(w));
        }
    }
    if end < words.len() {
        out.push_str(" …");
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(words: &[&str]) -> Vec<(String, bool)> {
        words.iter().map(|w| (w.to_string(), false)).collect()
    }

    #[test]
    fn marks_matches_and_escapes_the_rest() {
        let s = make(
            &["Please <b>summarize</b> the documents, quickly."],
            &t(&["document"]),
        );
        assert_eq!(
            s,
            "Please &lt;b&gt;summarize&lt;/b&gt; the <mark>documents</mark>, quickly."
        );
    }

    #[test]
    fn falls_back_to_the_start_and_windows_long_text() {
        assert_eq!(
            make(&["", "no match here"], &t(&["zebra"])),
            "no match here"
        );
        let long = format!("{} target {}", "a ".repeat(100), "b ".repeat(100));
        let s = make(&[&long], &t(&["target"]));
        assert!(s.starts_with("… ") && s.ends_with(" …") && s.contains("<mark>target</mark>"));
    }

    #[test]
    fn database_marks_become_html() {
        assert_eq!(
            escape("a \u{E000}b\u{E001} <c>"),
            "a <mark>b</mark> &lt;c&gt;"
        );
    }
}
