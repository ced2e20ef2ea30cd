//! Markdown export: one document per prompt — a metadata header between `---` lines (values
//! JSON-encoded, which YAML readers accept), the body, then the notes. A chat prompt's body is
//! its messages' plain text form: each message under a `## system` / `## user` /
//! `## assistant` heading, below the prompt's `# title`; its config is in the header.

use super::Exported;

fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

pub fn render(items: &[Exported]) -> String {
    let mut out = String::new();
    for e in items {
        let p = &e.prompt;
        let tags: Vec<String> = e.tags.iter().map(|t| q(&t.tag.name)).collect();
        out.push_str("---\n");
        out.push_str(&format!("title: {}\n", q(&p.title)));
        out.push_str(&format!("id: {}\n", q(&p.id)));
        out.push_str(&format!("visibility: {}\n", p.visibility));
        out.push_str(&format!("tags: [{}]\n", tags.join(", ")));
        if p.kind != crate::prompts::chat::Kind::Text {
            out.push_str(&format!("kind: {}\n", p.kind.as_str()));
        }
        if let Some(c) = &p.config {
            out.push_str(&format!("config: {c}\n"));
        }
        if let Some(v) = p.variables.as_deref().filter(|v| *v != "[]") {
            out.push_str(&format!("variables: {v}\n"));
        }
        if let Some(h) = &p.model_hints {
            out.push_str(&format!("modelHints: {}\n", q(h)));
        }
        out.push_str(&format!("versions: {}\n", e.versions.len()));
        out.push_str(&format!("createdAt: {}\n", crate::db::iso(&p.created_at)));
        out.push_str(&format!("updatedAt: {}\n", crate::db::iso(&p.updated_at)));
        out.push_str("---\n\n");
        out.push_str(&format!("# {}\n\n", p.title));
        out.push_str(p.body.trim_end());
        out.push_str("\n\n");
        if let Some(n) = &p.notes {
            out.push_str("## Notes\n\n");
            out.push_str(n.trim_end());
            out.push_str("\n\n");
        }
    }
    out
}
