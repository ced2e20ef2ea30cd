//! Markdown for prompt bodies, notes and previews, rendered safely: CommonMark through
//! `pulldown-cmark` where every piece of raw HTML is written as escaped text, link targets are
//! kept only for `http(s):`, `mailto:` and local addresses, and images become plain links (a
//! page never loads anything from elsewhere). The raw text stays what copy buttons copy.

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

/// Whether a link target may be followed: web and mail addresses and local paths or anchors.
/// Anything else (`javascript:`, `data:`, `vbscript:`, unknown schemes) is dropped.
fn safe_url(url: &str) -> bool {
    let u = url.trim();
    let lower: String = u
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:")
    {
        return true;
    }
    // Relative: no scheme before the first `/`, `?` or `#`.
    let head = u.split(['/', '?', '#']).next().unwrap_or_default();
    !head.contains(':') && !u.starts_with("//") && !u.starts_with("\\")
}

/// Markdown `text` as HTML that is safe to insert into a page as is.
pub fn to_html(text: &str) -> String {
    let opts = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(text, opts).map(|ev| match ev {
        // A prompt's line breaks are meant: each one is kept.
        Event::SoftBreak => Event::HardBreak,
        // Raw HTML is shown as the text it is.
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: if safe_url(&dest_url) {
                dest_url
            } else {
                CowStr::Borrowed("")
            },
            title,
            id,
        }),
        // An image is a link to it, labelled with its description: nothing loads by itself.
        Event::Start(Tag::Image {
            dest_url, title, ..
        }) => Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: if safe_url(&dest_url) {
                dest_url
            } else {
                CowStr::Borrowed("")
            },
            title,
            id: CowStr::Borrowed(""),
        }),
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        other => other,
    });
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    html::push_html(&mut out, events);
    autolink(&out)
}

/// Bare `http(s)://` addresses in text (outside tags and existing links) become links.
fn autolink(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut in_a = false;
    let mut in_code = false;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            let tag = &rest[..end];
            if tag.starts_with("<a ") || tag == "<a>" {
                in_a = true;
            } else if tag == "</a>" {
                in_a = false;
            } else if tag.starts_with("<code") {
                in_code = true;
            } else if tag == "</code>" {
                in_code = false;
            }
            out.push_str(tag);
            rest = &rest[end..];
            continue;
        }
        let end = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..end];
        if in_a || in_code {
            out.push_str(text);
        } else {
            link_text(text, &mut out);
        }
        rest = &rest[end..];
    }
    out
}

/// Escaped text with its `http(s)://` addresses wrapped in links.
fn link_text(text: &str, out: &mut String) {
    let mut rest = text;
    loop {
        let at = [rest.find("https://"), rest.find("http://")]
            .into_iter()
            .flatten()
            .min();
        let Some(at) = at else {
            out.push_str(rest);
            return;
        };
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let mut len = tail
            .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
            .unwrap_or(tail.len());
        // Trailing punctuation ends a sentence, not the address.
        while len > 0 && tail[..len].ends_with(['.', ',', ')', '!', '?', ':']) {
            len -= 1;
        }
        let url = &tail[..len];
        if url.len() <= "https://".len() {
            out.push_str(&tail[..len.max(1)]);
            rest = &tail[len.max(1)..];
            continue;
        }
        out.push_str("<a href=\"");
        out.push_str(url);
        out.push_str("\" rel=\"nofollow noopener\">");
        out.push_str(url);
        out.push_str("</a>");
        rest = &tail[len..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_basics() {
        let h = to_html("**bold** and *it*\n\n- a\n- b\n\n`code`");
        assert!(h.contains("<strong>bold</strong>"), "{h}");
        assert!(h.contains("<em>it</em>"));
        assert!(h.contains("<li>a</li>"));
        assert!(h.contains("<code>code</code>"));
    }

    #[test]
    fn raw_html_and_scripts_stay_text() {
        for evil in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "hello <b onmouseover=alert(1)>x</b>",
            "<iframe src=\"javascript:alert(1)\"></iframe>",
            "<svg onload=alert(1)>",
        ] {
            let h = to_html(evil);
            assert!(!h.contains("<script"), "{h}");
            assert!(!h.contains("<img"), "{h}");
            assert!(!h.contains("<b "), "{h}");
            assert!(!h.contains("<iframe"), "{h}");
            assert!(!h.contains("<svg"), "{h}");
            assert!(h.contains("&lt;"), "{h}");
        }
    }

    #[test]
    fn unsafe_links_lose_their_target() {
        for evil in [
            "[x](javascript:alert(1))",
            "[x](JavaScript:alert(1))",
            "[x]( javascript:alert(1))",
            "[x](java\tscript:alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "[x](vbscript:msgbox)",
            "<javascript:alert(1)>",
            "![x](javascript:alert(1))",
        ] {
            let h = to_html(evil).to_ascii_lowercase();
            for bad in [
                "href=\"java",
                "href=\" java",
                "href=\"data:",
                "href=\"vbscript:",
            ] {
                assert!(!h.contains(bad), "{evil} → {h}");
            }
        }
        let ok =
            to_html("[docs](https://example.com/a?b=1&c=2) [here](/prompts) [m](mailto:a@b.c)");
        assert!(
            ok.contains("href=\"https://example.com/a?b=1&amp;c=2\""),
            "{ok}"
        );
        assert!(ok.contains("href=\"/prompts\""));
        assert!(ok.contains("href=\"mailto:a@b.c\""));
    }

    #[test]
    fn images_are_links_and_urls_are_linked() {
        let h = to_html("![logo](https://example.com/x.png)");
        assert!(!h.contains("<img"), "{h}");
        assert!(
            h.contains("<a href=\"https://example.com/x.png\">logo</a>"),
            "{h}"
        );
        let h = to_html("See https://example.com/docs. And <https://a.example>");
        assert!(
            h.contains("<a href=\"https://example.com/docs\" rel=\"nofollow noopener\">"),
            "{h}"
        );
        assert!(h.contains("docs</a>."), "{h}");
        assert_eq!(h.matches("<a ").count(), 2, "{h}");
        let h = to_html("x https://e.example/?a=1&b=\"onmouseover=alert(1)");
        assert!(!h.contains("\" onmouseover"), "{h}");
    }
}
