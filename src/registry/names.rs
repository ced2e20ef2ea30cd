//! Names programs use: namespaces (a user's handle, a team's slug: one space for both) and
//! prompt names inside a namespace.
//!
//! Rules (the only place they live):
//! - A namespace is 1–64 characters: lower-case ASCII letters, digits, `-` and `_`, starting
//!   with a letter or digit. A handle is suggested from the email's local part at creation, a
//!   slug from the team name; a taken one gets `-2`, `-3`, …
//! - A prompt name is one or more such segments (each up to 64 characters) joined by `/`
//!   (folders: `support/reply`), at most 200 characters. It is suggested from the title and is
//!   unique in the prompt's namespace: its team's when the prompt belongs to a team
//!   (`teamId`), its owner's otherwise. Names never contain `:`, `?`, `#`, `%`, `.` or spaces,
//!   so a name can never be read as an action or a query.
//! - Renaming (a handle, a slug or a prompt) keeps the old name as an alias: it still resolves,
//!   and answers say which name is current. A new owner of an alias name takes it over.
//! - Every prompt has exactly one current name, in its current namespace ([`repair`] restores
//!   that after changes made in bulk: migrations, imports, deleted teams, transferred prompts).

use std::collections::HashSet;

use crate::db::dynamic::{Arg, execute, fetch_all};
use crate::db::{self, Tx};

pub const MAX_SEGMENT: usize = 64;
pub const MAX_NAME: usize = 200;

fn segment_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_SEGMENT
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// A namespace as typed by a user: checked, never changed.
pub fn parse_namespace(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    if segment_ok(s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "must be 1–{MAX_SEGMENT} lower-case letters, digits, '-' or '_', starting with a letter or digit"
        ))
    }
}

/// A prompt name as typed by a user: checked, never changed.
pub fn parse_prompt_name(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    if !s.is_empty() && s.len() <= MAX_NAME && s.split('/').all(segment_ok) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "must be lower-case letters, digits, '-' or '_' (segments of up to {MAX_SEGMENT}, \
             starting with a letter or digit), with '/' between folders, at most {MAX_NAME} characters"
        ))
    }
}

/// A slug suggested from free text: lower-case ASCII letters and digits, other runs become `-`.
pub fn slugify(text: &str, fallback: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= max {
            break;
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        fallback.to_string()
    } else {
        out
    }
}

/// The handle suggested for an email address (its local part).
pub fn handle_for_email(email: &str) -> String {
    let local = email.split('@').next().unwrap_or_default();
    slugify(local, "user", 40)
}

/// Room kept for a number: `-2` … `-999999`.
const NUMBER_ROOM: usize = 7;

/// What numbered variants of `base` start with: `base` itself, or `base` shortened so that
/// `stem-N` fits in `max` characters for every N up to 999,999. One stem for all numbers, so
/// the taken ones are found by one range of the key ([`taken_variants`]).
pub fn numbered_stem(base: &str, max: usize) -> String {
    let mut stem = base.to_string();
    while stem.len() + NUMBER_ROOM > max && !stem.is_empty() {
        stem.pop();
    }
    stem.trim_end_matches(['-', '/']).to_string()
}

/// `base`, or `stem-2`, `stem-3`, … ([`numbered_stem`]): the first that is not in `taken`.
pub fn first_free(base: &str, taken: &HashSet<String>, max: usize) -> String {
    if !taken.contains(base) {
        return base.to_string();
    }
    let stem = numbered_stem(base, max);
    for n in 2.. {
        let candidate = format!("{stem}-{n}");
        if !taken.contains(&candidate) {
            return candidate;
        }
    }
    unreachable!("an unbounded range always finds a free name")
}

/// The longest a free variant of the prompt name `base` may be ([`first_free`] appends `-2`,
/// `-3`, … to its last segment): the whole at most [`MAX_NAME`], the last segment at most
/// [`MAX_SEGMENT`].
pub fn prompt_name_room(base: &str) -> usize {
    let folders = base.rfind('/').map_or(0, |i| i + 1);
    (folders + MAX_SEGMENT).min(MAX_NAME)
}

/// A name as a lookup may use it: a valid name, or (for names given before the segment rule
/// was enforced on generated names) any name of at most [`MAX_NAME`] printable characters.
pub fn lookup_name(raw: &str) -> Option<String> {
    if let Ok(name) = parse_prompt_name(raw) {
        return Some(name);
    }
    let s = raw.trim();
    (!s.is_empty() && s.len() <= MAX_NAME && s.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| s.to_string())
}

/// The namespace (user or team id) a prompt's name lives in.
pub fn scope_of(user_id: &str, team_id: Option<&str>) -> String {
    team_id.unwrap_or(user_id).to_string()
}

/// The names `sql_head` selects that [`first_free`] must avoid for `base` within `max`
/// characters: `base` and those starting with its numbered stem and `-`. A range of the
/// primary key (names compare byte by byte on every backend, and `.` follows `-`), so the work
/// is the number of such names, not the size of the namespace (a `LIKE` read every name of the
/// namespace on SQLite: each create of a repeated title by an owner of 20,000 prompts).
async fn taken_variants(
    tx: &mut Tx,
    sql_head: &str,
    base: &str,
    max: usize,
    mut args: Vec<Arg>,
) -> sqlx::Result<HashSet<String>> {
    let stem = numbered_stem(base, max);
    let mut all = args.clone();
    all.push(Arg::S(base.to_string()));
    all.append(&mut args);
    all.push(Arg::S(format!("{stem}-")));
    all.push(Arg::S(format!("{stem}.")));
    // Two look-ups, not one with `OR`: SQLite answered the `OR` by reading every name of the
    // scope (2–4 ms a create at 10,000 names, on the one writer).
    let rows: Vec<(String,)> = fetch_all(
        tx,
        format!(
            "{sql_head} AND \"name\" = ? UNION ALL {sql_head} AND \"name\" >= ? AND \"name\" < ?"
        ),
        &all,
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Gives a user or team (exactly one of them) a new current namespace `wanted` (or the first
/// free variant of it when `exact` is false); the previous current one becomes an alias.
/// Returns the name given; `Ok(None)` when `exact` and the name is taken by someone else.
pub async fn set_namespace(
    tx: &mut Tx,
    user_id: Option<&str>,
    team_id: Option<&str>,
    wanted: &str,
    exact: bool,
) -> sqlx::Result<Option<String>> {
    let owner = user_id.or(team_id).unwrap_or_default();
    let existing: Vec<(Option<String>, Option<String>)> = fetch_all(
        tx,
        "SELECT \"userId\", \"teamId\" FROM \"Namespace\" WHERE \"name\" = ?".into(),
        &[Arg::S(wanted.to_string())],
    )
    .await?;
    let mine = existing
        .first()
        .is_some_and(|(u, t)| u.as_deref().or(t.as_deref()) == Some(owner));
    let name = if mine || existing.is_empty() {
        wanted.to_string()
    } else if exact {
        return Ok(None);
    } else {
        let taken = taken_variants(
            tx,
            "SELECT \"name\" FROM \"Namespace\" WHERE 1 = 1",
            wanted,
            MAX_SEGMENT,
            vec![],
        )
        .await?;
        first_free(wanted, &taken, MAX_SEGMENT)
    };
    let (col, id) = if let Some(u) = user_id {
        ("userId", u)
    } else {
        ("teamId", team_id.unwrap_or_default())
    };
    execute(
        tx,
        format!("UPDATE \"Namespace\" SET \"isCurrent\" = ? WHERE \"{col}\" = ?"),
        &[Arg::B(false), Arg::S(id.to_string())],
    )
    .await?;
    if mine {
        execute(
            tx,
            "UPDATE \"Namespace\" SET \"isCurrent\" = ? WHERE \"name\" = ?".into(),
            &[Arg::B(true), Arg::S(name.clone())],
        )
        .await?;
        return Ok(Some(name));
    }
    let mut name = name;
    for _ in 0..8 {
        let inserted = insert_absent(
            tx,
            "\"Namespace\" (\"name\", \"userId\", \"teamId\", \"isCurrent\", \"createdAt\") VALUES (?, ?, ?, ?, ?)",
            &[
                Arg::S(name.clone()),
                Arg::N(user_id.map(str::to_string)),
                Arg::N(team_id.map(str::to_string)),
                Arg::B(true),
                Arg::T(db::now()),
            ],
        )
        .await?;
        if inserted {
            return Ok(Some(name));
        }
        if exact {
            return Ok(None);
        }
        // Taken at the same moment by another transaction: the next free variant.
        let taken = taken_variants(
            tx,
            "SELECT \"name\" FROM \"Namespace\" WHERE 1 = 1",
            wanted,
            MAX_SEGMENT,
            vec![],
        )
        .await?;
        let mut taken = taken;
        taken.insert(name.clone());
        name = first_free(wanted, &taken, MAX_SEGMENT);
    }
    Err(sqlx::Error::Protocol(
        "no free namespace after 8 tries".into(),
    ))
}

/// `INSERT` that does nothing when the key is taken (no error, so PostgreSQL's transaction
/// stays usable); whether the row went in.
async fn insert_absent(tx: &mut Tx, into: &str, args: &[Arg]) -> sqlx::Result<bool> {
    let sql = match tx.backend() {
        crate::db::Backend::Sqlite => format!("INSERT OR IGNORE INTO {into}"),
        crate::db::Backend::Postgres => format!("INSERT INTO {into} ON CONFLICT DO NOTHING"),
        crate::db::Backend::MySql => format!("INSERT IGNORE INTO {into}"),
    };
    Ok(execute(tx, sql, args).await? == 1)
}

/// Gives prompt `prompt_id` the current name `wanted` in `scope` (or the first free variant
/// when `exact` is false); its previous current names become aliases. A name that is an alias
/// of another prompt in the same scope is taken over only when `exact` (an explicit rename).
/// `Ok(None)`: `exact` and the name is another prompt's current name.
pub async fn set_prompt_name(
    tx: &mut Tx,
    prompt_id: &str,
    scope: &str,
    wanted: &str,
    exact: bool,
) -> sqlx::Result<Option<String>> {
    set_name(tx, prompt_id, scope, wanted, exact, false).await
}

/// [`set_prompt_name`]; `fresh`: the prompt was created in this transaction (it has no names
/// to demote).
pub(crate) async fn set_name(
    tx: &mut Tx,
    prompt_id: &str,
    scope: &str,
    wanted: &str,
    exact: bool,
    fresh: bool,
) -> sqlx::Result<Option<String>> {
    let existing: Vec<(String, bool)> = fetch_all(
        tx,
        "SELECT \"promptId\", \"isCurrent\" FROM \"PromptName\" WHERE \"scope\" = ? AND \"name\" = ?"
            .into(),
        &[Arg::S(scope.to_string()), Arg::S(wanted.to_string())],
    )
    .await?;
    let name = match existing.first() {
        None => wanted.to_string(),
        Some((p, _)) if p == prompt_id => wanted.to_string(),
        Some((_, false)) if exact => {
            execute(
                tx,
                "DELETE FROM \"PromptName\" WHERE \"scope\" = ? AND \"name\" = ?".into(),
                &[Arg::S(scope.to_string()), Arg::S(wanted.to_string())],
            )
            .await?;
            wanted.to_string()
        }
        Some(_) if exact => return Ok(None),
        Some(_) => {
            let taken = taken_variants(
                tx,
                "SELECT \"name\" FROM \"PromptName\" WHERE \"scope\" = ?",
                wanted,
                prompt_name_room(wanted),
                vec![Arg::S(scope.to_string())],
            )
            .await?;
            first_free(wanted, &taken, prompt_name_room(wanted))
        }
    };
    if !fresh {
        execute(
            tx,
            "UPDATE \"PromptName\" SET \"isCurrent\" = ? WHERE \"promptId\" = ?".into(),
            &[Arg::B(false), Arg::S(prompt_id.to_string())],
        )
        .await?;
    }
    let mine = existing.first().is_some_and(|(p, _)| p == prompt_id) && name == wanted;
    if mine {
        execute(
            tx,
            "UPDATE \"PromptName\" SET \"isCurrent\" = ? WHERE \"scope\" = ? AND \"name\" = ?"
                .into(),
            &[
                Arg::B(true),
                Arg::S(scope.to_string()),
                Arg::S(name.clone()),
            ],
        )
        .await?;
        return Ok(Some(name));
    }
    let mut name = name;
    for _ in 0..8 {
        let inserted = insert_absent(
            tx,
            "\"PromptName\" (\"scope\", \"name\", \"promptId\", \"isCurrent\", \"createdAt\") VALUES (?, ?, ?, ?, ?)",
            &[
                Arg::S(scope.to_string()),
                Arg::S(name.clone()),
                Arg::S(prompt_id.to_string()),
                Arg::B(true),
                Arg::T(db::now()),
            ],
        )
        .await?;
        if inserted {
            return Ok(Some(name));
        }
        if exact {
            return Ok(None);
        }
        let mut taken = taken_variants(
            tx,
            "SELECT \"name\" FROM \"PromptName\" WHERE \"scope\" = ?",
            wanted,
            prompt_name_room(wanted),
            vec![Arg::S(scope.to_string())],
        )
        .await?;
        taken.insert(name.clone());
        name = first_free(wanted, &taken, prompt_name_room(wanted));
    }
    Err(sqlx::Error::Protocol(
        "no free prompt name after 8 tries".into(),
    ))
}

/// The name suggested for a prompt with this title.
pub fn suggest_prompt_name(title: &str) -> String {
    slugify(title, "prompt", MAX_SEGMENT)
}

/// Restores the rules after changes made in bulk: every user and team has a current
/// namespace, every prompt a current name in its current namespace (a name left in another
/// namespace stays there as an alias). Cheap when nothing is missing (three queries).
pub async fn repair(tx: &mut Tx) -> sqlx::Result<u64> {
    let mut fixed = 0;
    let users: Vec<(String, String)> = fetch_all(
        tx,
        "SELECT u.\"id\", u.\"email\" FROM \"User\" u WHERE NOT EXISTS (SELECT 1 FROM \"Namespace\" n \
         WHERE n.\"userId\" = u.\"id\" AND n.\"isCurrent\" = ?) ORDER BY u.\"createdAt\", u.\"id\""
            .into(),
        &[Arg::B(true)],
    )
    .await?;
    for (id, email) in users {
        set_namespace(tx, Some(&id), None, &handle_for_email(&email), false).await?;
        fixed += 1;
    }
    let teams: Vec<(String, String)> = fetch_all(
        tx,
        "SELECT t.\"id\", t.\"name\" FROM \"Team\" t WHERE NOT EXISTS (SELECT 1 FROM \"Namespace\" n \
         WHERE n.\"teamId\" = t.\"id\" AND n.\"isCurrent\" = ?) ORDER BY t.\"createdAt\", t.\"id\""
            .into(),
        &[Arg::B(true)],
    )
    .await?;
    for (id, name) in teams {
        set_namespace(tx, None, Some(&id), &slugify(&name, "team", 40), false).await?;
        fixed += 1;
    }
    let prompts: Vec<(String, String, String, Option<String>)> = fetch_all(
        tx,
        "SELECT p.\"id\", p.\"title\", p.\"userId\", p.\"teamId\" FROM \"Prompt\" p \
         WHERE NOT EXISTS (SELECT 1 FROM \"PromptName\" n WHERE n.\"promptId\" = p.\"id\" \
         AND n.\"isCurrent\" = ? AND n.\"scope\" = COALESCE(p.\"teamId\", p.\"userId\")) \
         ORDER BY p.\"createdAt\", p.\"id\""
            .into(),
        &[Arg::B(true)],
    )
    .await?;
    let named = prompts
        .iter()
        .map(|(id, title, user, team)| (id.clone(), title.clone(), scope_of(user, team.as_deref())))
        .collect::<Vec<_>>();
    Ok(fixed + name_in_bulk(tx, &named).await?)
}

/// Gives each `(prompt id, title, scope)` a current name suggested from its title, in bulk: the
/// names taken in those scopes are read once (one query per scope), any current name the
/// prompts had becomes an alias, and the new names go in by multi-row inserts. Import and
/// [`repair`] use it, so a thousand prompts cost a few statements, not three each.
pub async fn name_in_bulk(tx: &mut Tx, prompts: &[(String, String, String)]) -> sqlx::Result<u64> {
    if prompts.is_empty() {
        return Ok(0);
    }
    let mut taken: std::collections::HashMap<String, HashSet<String>> = Default::default();
    let scopes: HashSet<&String> = prompts.iter().map(|p| &p.2).collect();
    if scopes.len() > 50 {
        // Many namespaces (a repair after a migration): one pass over every name.
        let all: Vec<(String, String)> = fetch_all(
            tx,
            "SELECT \"scope\", \"name\" FROM \"PromptName\"".into(),
            &[],
        )
        .await?;
        for (scope, name) in all {
            taken.entry(scope).or_default().insert(name);
        }
    } else {
        for scope in scopes {
            let names: Vec<(String,)> = fetch_all(
                tx,
                "SELECT \"name\" FROM \"PromptName\" WHERE \"scope\" = ?".into(),
                &[Arg::S(scope.clone())],
            )
            .await?;
            taken.insert(scope.clone(), names.into_iter().map(|n| n.0).collect());
        }
    }
    let now = db::now();
    let mut rows: Vec<(String, String, String)> = Vec::with_capacity(prompts.len());
    for (id, title, scope) in prompts {
        let set = taken.entry(scope.clone()).or_default();
        let wanted = suggest_prompt_name(title);
        let name = first_free(&wanted, set, prompt_name_room(&wanted));
        set.insert(name.clone());
        rows.push((scope.clone(), name, id.clone()));
    }
    for chunk in prompts.chunks(400) {
        let ids: Vec<Arg> = chunk.iter().map(|p| Arg::S(p.0.clone())).collect();
        let mut args = vec![Arg::B(false)];
        args.extend(ids.iter().cloned());
        execute(
            tx,
            format!(
                "UPDATE \"PromptName\" SET \"isCurrent\" = ? WHERE \"promptId\" IN ({})",
                crate::db::dynamic::marks(ids.len())
            ),
            &args,
        )
        .await?;
    }
    for chunk in rows.chunks(200) {
        let mut args = Vec::with_capacity(chunk.len() * 5);
        for (scope, name, id) in chunk {
            args.push(Arg::S(scope.clone()));
            args.push(Arg::S(name.clone()));
            args.push(Arg::S(id.clone()));
            args.push(Arg::B(true));
            args.push(Arg::T(now));
        }
        let values = vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        execute(
            tx,
            format!(
                "INSERT INTO \"PromptName\" (\"scope\", \"name\", \"promptId\", \"isCurrent\", \"createdAt\") \
                 VALUES {values}"
            ),
            &args,
        )
        .await?;
    }
    Ok(rows.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rules() {
        assert_eq!(
            parse_prompt_name("support/reply").as_deref(),
            Ok("support/reply")
        );
        assert!(parse_prompt_name("Support").is_err());
        assert!(parse_prompt_name("a//b").is_err());
        assert!(parse_prompt_name("/a").is_err());
        assert!(parse_prompt_name("a/").is_err());
        assert!(parse_prompt_name("a:render").is_err());
        assert!(parse_prompt_name("a.b").is_err());
        assert!(parse_prompt_name("-a").is_err());
        assert!(parse_prompt_name(&"a".repeat(201)).is_err());
        assert!(parse_namespace("a/b").is_err());
        assert_eq!(parse_namespace("ann_2").as_deref(), Ok("ann_2"));
    }

    #[test]
    fn suggestions_are_valid_names() {
        for title in [
            "Hello, World!",
            "Café au lait",
            "   ",
            "日本語",
            "a--b",
            "x".repeat(300).as_str(),
        ] {
            let s = suggest_prompt_name(title);
            assert!(parse_prompt_name(&s).is_ok(), "{title:?} -> {s:?}");
        }
        assert_eq!(suggest_prompt_name("Hello, World!"), "hello-world");
        assert_eq!(handle_for_email("Ann.Lee+x@example.com"), "ann-lee-x");
        assert_eq!(handle_for_email("ÉMILE@example.com"), "mile");
        assert_eq!(handle_for_email("@example.com"), "user");
    }

    #[test]
    fn first_free_counts_up() {
        let taken: HashSet<String> = ["a", "a-2"].iter().map(|s| s.to_string()).collect();
        assert_eq!(first_free("a", &taken, 200), "a-3");
        assert_eq!(first_free("b", &taken, 200), "b");
        // A long name is shortened once, so every number shares one stem (found by one range).
        let long = "x".repeat(64);
        let stem = "x".repeat(57);
        let mut taken: HashSet<String> = [long.clone()].into_iter().collect();
        for n in 2..13 {
            let next = first_free(&long, &taken, 64);
            assert_eq!(next, format!("{stem}-{n}"));
            assert!(next.starts_with(&numbered_stem(&long, 64)));
            taken.insert(next);
        }
        assert_eq!(numbered_stem("short", 64), "short");
        assert_eq!(
            numbered_stem(&format!("{}-{}", "a".repeat(56), "b".repeat(7)), 64),
            "a".repeat(56)
        );
        // A suggested name of a full segment stays a valid name when numbered.
        let full = suggest_prompt_name(&"word ".repeat(30));
        assert_eq!(full.len(), MAX_SEGMENT);
        let taken: HashSet<String> = [full.clone()].into_iter().collect();
        let next = first_free(&full, &taken, prompt_name_room(&full));
        assert!(parse_prompt_name(&next).is_ok(), "{next}");
        let folder = format!("{}/{}", "f".repeat(60), "x".repeat(64));
        let taken: HashSet<String> = [folder.clone()].into_iter().collect();
        let next = first_free(&folder, &taken, prompt_name_room(&folder));
        assert!(
            parse_prompt_name(&next).is_ok() && next.ends_with("-2"),
            "{next}"
        );
    }
}
