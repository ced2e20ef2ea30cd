//! The user's search syntax, parsed once and rendered safely for each backend.
//!
//! Syntax: words (all must match), `"quoted phrases"`, `-word` / `-"phrase"` to exclude, and
//! `word*` for a prefix. Anything else — unbalanced quotes, FTS operators (`AND`, `NEAR`, `:`,
//! `^`, parentheses), SQL fragments, any Unicode — is reduced to plain words, so no input can
//! change the structure of the backend query.

/// One term of a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    Word(String),
    Prefix(String),
    Phrase(Vec<String>),
}

impl Term {
    /// The words of this term (one, or the phrase's).
    pub fn words(&self) -> Vec<&str> {
        match self {
            Term::Word(w) | Term::Prefix(w) => vec![w.as_str()],
            Term::Phrase(ws) => ws.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub include: Vec<Term>,
    pub exclude: Vec<Term>,
}

/// At most this many terms are used; the rest of a very long query is ignored.
const MAX_TERMS: usize = 16;
/// Words are cut to this many characters.
const MAX_WORD: usize = 64;

/// Splits text into lower-case words of letters and digits.
pub fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(MAX_WORD).collect::<String>().to_lowercase())
        .collect()
}

impl ParsedQuery {
    pub fn parse(input: &str) -> ParsedQuery {
        let mut q = ParsedQuery::default();
        let mut rest = input.trim();
        while !rest.is_empty() && q.include.len() + q.exclude.len() < MAX_TERMS {
            let negate = rest.starts_with('-');
            if negate {
                rest = &rest[1..];
            }
            let (term, tail) = if let Some(after) = rest.strip_prefix('"') {
                // A phrase runs to the closing quote, or to the end when it is unbalanced.
                let (inside, tail) = after.split_once('"').unwrap_or((after, ""));
                let ws = words_of(inside);
                let term = match ws.len() {
                    0 => None,
                    1 => ws.into_iter().next().map(Term::Word),
                    _ => Some(Term::Phrase(ws)),
                };
                (term, tail)
            } else {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                let (token, tail) = rest.split_at(end);
                let prefix = token.ends_with('*');
                let mut ws = words_of(token);
                let term = match ws.len() {
                    0 => None,
                    1 if prefix => ws.pop().map(Term::Prefix),
                    1 => ws.pop().map(Term::Word),
                    // "foo-bar" or "e.g." are one token of several words: a phrase.
                    _ => Some(Term::Phrase(ws)),
                };
                (term, tail)
            };
            if let Some(term) = term {
                let list = if negate {
                    &mut q.exclude
                } else {
                    &mut q.include
                };
                if !list.contains(&term) {
                    list.push(term);
                }
            }
            rest = tail.trim_start();
        }
        q
    }

    pub fn is_empty(&self) -> bool {
        self.include.is_empty()
    }

    /// Every word to highlight in results.
    pub fn highlight_words(&self) -> Vec<(String, bool)> {
        self.include
            .iter()
            .flat_map(|t| {
                let prefix = matches!(t, Term::Prefix(_));
                t.words().into_iter().map(move |w| (w.to_string(), prefix))
            })
            .collect()
    }

    /// FTS5 MATCH expression: every word quoted as a string, so it is never an operator.
    pub fn fts5(&self) -> String {
        let render = |t: &Term| match t {
            Term::Word(w) => format!("\"{w}\""),
            Term::Prefix(w) => format!("\"{w}\"*"),
            Term::Phrase(ws) => format!("\"{}\"", ws.join(" ")),
        };
        let mut out = self
            .include
            .iter()
            .map(render)
            .collect::<Vec<_>>()
            .join(" ");
        for t in &self.exclude {
            out.push_str(" NOT ");
            out.push_str(&render(t));
        }
        out
    }

    /// PostgreSQL `to_tsquery('english', …)` text. Words are letters and digits only, so they
    /// cannot form tsquery operators.
    pub fn tsquery(&self) -> String {
        let render = |t: &Term| match t {
            Term::Word(w) => w.clone(),
            Term::Prefix(w) => format!("{w}:*"),
            Term::Phrase(ws) => format!("({})", ws.join(" <-> ")),
        };
        let mut parts: Vec<String> = self.include.iter().map(render).collect();
        parts.extend(self.exclude.iter().map(|t| format!("!{}", render(t))));
        parts.join(" & ")
    }

    /// MySQL/MariaDB boolean-mode text for the words the FULLTEXT index holds (3+ characters),
    /// and the short words, which must be matched another way.
    pub fn mysql(&self) -> MySqlQuery {
        let mut out = MySqlQuery::default();
        let mut boolean = Vec::new();
        for (t, negate) in self
            .include
            .iter()
            .map(|t| (t, false))
            .chain(self.exclude.iter().map(|t| (t, true)))
        {
            let sign = if negate { '-' } else { '+' };
            match t {
                Term::Word(w) if w.chars().count() < 3 => out.short.push((w.clone(), negate)),
                Term::Word(w) => boolean.push(format!("{sign}{}*", light_stem(w))),
                Term::Prefix(w) if w.chars().count() < 3 => out.short.push((w.clone(), negate)),
                Term::Prefix(w) => boolean.push(format!("{sign}{w}*")),
                Term::Phrase(ws) => boolean.push(format!("{sign}\"{}\"", ws.join(" "))),
            }
        }
        if boolean.iter().any(|b| b.starts_with('+')) {
            out.boolean = Some(boolean.join(" "));
        } else if !boolean.is_empty() {
            // Only exclusions: FULLTEXT needs something to include, so exclusions become patterns.
            for t in &self.exclude {
                if let Term::Word(w) | Term::Prefix(w) = t {
                    out.short.push((w.clone(), true));
                }
            }
        }
        out
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct MySqlQuery {
    /// `MATCH … AGAINST (… IN BOOLEAN MODE)` text, when any indexed word is included.
    pub boolean: Option<String>,
    /// Words matched with a word-boundary pattern: (word, excluded).
    pub short: Vec<(String, bool)>,
}

/// A light English stemmer for backends without one: drops common suffixes so that a prefix
/// search on the stem finds the other forms ("running" → "run", "summarize" → "summariz").
pub fn light_stem(word: &str) -> String {
    let w = word.to_lowercase();
    for suffix in [
        "ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s", "e",
    ] {
        if let Some(stem) = w.strip_suffix(suffix)
            && stem.chars().count() >= 3
        {
            let mut stem = stem.to_string();
            // running -> runn -> run
            let chars: Vec<char> = stem.chars().collect();
            if chars.len() >= 4
                && chars[chars.len() - 1] == chars[chars.len() - 2]
                && !"lsz".contains(chars[chars.len() - 1])
            {
                stem.pop();
            }
            return stem;
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_words_phrases_exclusions_and_prefixes() {
        let q = ParsedQuery::parse(r#"Email "follow up" -draft summar* -"cold call""#);
        assert_eq!(
            q.include,
            vec![
                Term::Word("email".into()),
                Term::Phrase(vec!["follow".into(), "up".into()]),
                Term::Prefix("summar".into())
            ]
        );
        assert_eq!(
            q.exclude,
            vec![
                Term::Word("draft".into()),
                Term::Phrase(vec!["cold".into(), "call".into()])
            ]
        );
        assert_eq!(
            q.fts5(),
            r#""email" "follow up" "summar"* NOT "draft" NOT "cold call""#
        );
        assert_eq!(
            q.tsquery(),
            "email & (follow <-> up) & summar:* & !draft & !(cold <-> call)"
        );
    }

    #[test]
    fn hostile_input_is_reduced_to_words() {
        for input in [
            "\"unbalanced quote",
            "NEAR(a b) AND title:x OR ^y",
            "'; DROP TABLE \"Prompt\"; --",
            "a & b | !c <-> d:*",
            "\u{0}\u{1f600} ünïcödé ✓",
            "\"\"\"\"",
            "-",
            "*",
            "+a -b ~c",
        ] {
            let q = ParsedQuery::parse(input);
            for term in q.include.iter().chain(&q.exclude) {
                for w in term.words() {
                    assert!(w.chars().all(char::is_alphanumeric), "{input:?} gave {w:?}");
                }
            }
            let fts = q.fts5();
            assert_eq!(
                fts.matches('"').count() % 2,
                0,
                "{input:?}: quotes balanced in {fts}"
            );
        }
        assert!(ParsedQuery::parse("  -  * \"\" ").is_empty());
        assert_eq!(ParsedQuery::parse("AND").fts5(), "\"and\"");
    }

    #[test]
    fn mysql_handles_short_words_and_stems() {
        let q = ParsedQuery::parse("AI running -ml \"code review\"");
        let m = q.mysql();
        assert_eq!(m.boolean.as_deref(), Some("+run* +\"code review\""));
        assert_eq!(
            m.short,
            vec![("ai".to_string(), false), ("ml".to_string(), true)]
        );
        assert_eq!(light_stem("summarize"), "summariz");
        assert_eq!(light_stem("documents"), "document");
        assert_eq!(light_stem("cat"), "cat");
    }

    #[test]
    fn long_queries_are_capped() {
        let q = ParsedQuery::parse(&"word ".repeat(1000));
        assert_eq!(q.include.len(), 1, "duplicates merged");
        let many: String = (0..100).map(|i| format!("w{i} ")).collect();
        assert_eq!(ParsedQuery::parse(&many).include.len(), MAX_TERMS);
    }
}
