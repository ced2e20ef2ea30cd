//! `/prompts` (my prompts), `/prompts/new`, `/prompts/:id/edit`: listing and the editor.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::cards::{self, Card, Chip, ListState};
use super::ctx::{Layout, Me};
use super::form::{Form, PageQuery};
use super::respond::{self, Flash, OrPage, PageResult, redirect_with};
use crate::error::{Error, FieldErrors, Problems};
use crate::prompts::chat::{self, Kind, Role};
use crate::prompts::variables::VarType;
use crate::prompts::{self, PromptFields, Scope, variables};
use crate::state::AppState;

const PER_PAGE: i64 = 24;

#[derive(Template)]
#[template(path = "prompts.html")]
struct ListPage<'a> {
    l: &'a Layout,
    s: ListState,
    cards: Vec<Card>,
    /// The table shows selection boxes for bulk actions.
    bulk: bool,
    chips: Vec<Chip>,
}

/// Tag chips of a list (`scope`): the ones filtering now first, then the most used; each
/// counts the prompts of this list that carry it.
pub async fn chips(state: &AppState, me: &Me, s: &ListState, scope: Scope) -> Vec<Chip> {
    let mut tags = crate::tags::in_scope(&state.db, &me.user, scope)
        .await
        .unwrap_or_default();
    tags.sort_by(|a, b| {
        b.count
            .prompts
            .cmp(&a.count.prompts)
            .then(a.name.cmp(&b.name))
    });
    let mut out: Vec<Chip> = s
        .tags
        .iter()
        .map(|t| {
            let count = tags
                .iter()
                .find(|x| x.name.eq_ignore_ascii_case(t))
                .map_or(0, |x| x.count.prompts);
            s.chip(t, count)
        })
        .collect();
    for t in tags.iter().take(16) {
        if !out.iter().any(|c| c.name.eq_ignore_ascii_case(&t.name)) {
            out.push(s.chip(&t.name, t.count.prompts));
        }
    }
    out
}

pub async fn list(
    State(state): State<AppState>,
    me: Me,
    PageQuery(pairs): PageQuery<Vec<(String, String)>>,
) -> PageResult {
    let (mut s, q) = ListState::parse("/prompts", &pairs, PER_PAGE, &me.user.id);
    // The favourites cover every prompt the viewer can read, not only their own.
    let (views, total) = prompts::list_own(&state.db, &me.user, &q)
        .await
        .or_page(&me.ctx)?;
    s.set_total(total);
    let cards = views.iter().map(|v| cards::card(v, "/prompts")).collect();
    let chips = chips(&state, &me, &s, Scope::Own).await;
    let mut l = me.ctx.layout(
        if s.favorites {
            "Favourites"
        } else {
            "My prompts"
        },
        "prompts",
    );
    l.q = s.q.clone();
    Ok(respond::ok(
        &me.ctx,
        &ListPage {
            l: &l,
            // Favourites include other people's prompts: bulk actions are for one's own.
            bulk: s.table && !s.favorites,
            s,
            cards,
            chips,
        },
    ))
}

/// One detected variable with its declaration, as the editor shows it.
#[derive(Default)]
pub struct VarField {
    pub name: String,
    pub description: String,
    pub default: String,
    /// The type's wire name (`string`, `enum`…), empty when untyped.
    pub kind: String,
    pub required: bool,
    /// An enum's values, comma-separated.
    pub values: String,
    /// The problems of this variable and of its default (empty when none).
    pub error: String,
    pub default_error: String,
}

impl VarField {
    pub fn is(&self, kind: &str) -> bool {
        self.kind == kind
    }

    /// The declaration the form describes. A variable marked required without a type is text.
    fn declaration(&self) -> variables::Declaration {
        let nonempty = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        let kind = parse_kind(&self.kind).or(self.required.then_some(VarType::Text));
        variables::Declaration {
            name: self.name.clone(),
            description: nonempty(&self.description),
            default: nonempty(&self.default),
            kind,
            required: self.required.then_some(true),
            values: (kind == Some(VarType::Enum)).then(|| {
                self.values
                    .split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_string)
                    .collect()
            }),
        }
    }
}

/// The editor's choice of types: wire name and label (`""`: untyped, optional text).
pub const VAR_TYPES: &[(&str, &str)] = &[
    ("", "Any text (untyped)"),
    ("text", "Text, several lines"),
    ("string", "One line"),
    ("number", "Number"),
    ("integer", "Whole number"),
    ("boolean", "Yes / no"),
    ("enum", "One of a list"),
];

fn parse_kind(s: &str) -> Option<VarType> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_string())).ok()
}

fn kind_name(k: Option<VarType>) -> String {
    k.and_then(|k| serde_json::to_value(k).ok())
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// One message of a chat prompt in the editor.
#[derive(Clone, Default)]
pub struct MessageField {
    pub role: String,
    pub content: String,
    /// The problem shown next to the message.
    pub error: String,
}

/// The roles the editor offers: wire name and label.
pub const ROLES: &[(&str, &str)] = &[
    ("system", "System"),
    ("user", "User"),
    ("assistant", "Assistant"),
];

/// What the editor's buttons other than Save ask for: the form comes back changed, nothing is
/// saved (so adding or removing a message works without JavaScript).
enum EditOp {
    AddMessage,
    RemoveMessage(usize),
    /// Show the fields of the kind chosen (text: one body; chat: messages).
    SwitchKind,
}

impl EditOp {
    fn from_form(f: &Form) -> Option<EditOp> {
        match f.get("op") {
            "add-message" => Some(EditOp::AddMessage),
            "switch-kind" => Some(EditOp::SwitchKind),
            op => op
                .strip_prefix("remove-message-")
                .and_then(|n| n.parse().ok())
                .map(EditOp::RemoveMessage),
        }
    }
}

/// What the editor holds (kept as typed when saving fails).
#[derive(Default)]
pub struct Editor {
    pub title: String,
    pub body: String,
    /// `text` or `chat`.
    pub kind: String,
    /// A chat prompt's messages (at least one shown).
    pub messages: Vec<MessageField>,
    /// The config as typed (JSON object text; empty: none).
    pub config: String,
    pub notes: String,
    pub model_hints: String,
    pub tags: String,
    pub visibility: String,
    pub team_id: String,
    pub message: String,
    pub vars: Vec<VarField>,
    /// The name in its namespace as typed; `name_was` the current one (unchanged: no rename).
    pub name: String,
    pub name_was: String,
    pub namespace: String,
    /// The prompt had a typed schema when the editor opened: choosing no type for every
    /// variable then means optional text, not "keep the old types".
    pub had_schema: bool,
}

impl Editor {
    fn from_form(f: &Form) -> Editor {
        let body = f.get("body").replace("\r\n", "\n");
        let kind = if f.get("kind") == "chat" {
            "chat"
        } else {
            "text"
        };
        let roles = f.all("msg.role");
        let contents = f.all("msg.content");
        let messages: Vec<MessageField> = roles
            .iter()
            .zip(contents.iter().chain(std::iter::repeat(&String::new())))
            .map(|(role, content)| MessageField {
                role: role.clone(),
                content: content.replace("\r\n", "\n"),
                error: String::new(),
            })
            .collect();
        let source = if kind == "chat" {
            messages
                .iter()
                .map(|m| m.content.as_str())
                .collect::<Vec<_>>()
                .join("\n#\n")
        } else {
            body.clone()
        };
        let vars = variables::names(&source)
            .into_iter()
            .map(|name| VarField {
                description: f.get(&format!("var.{name}.description")).trim().to_string(),
                default: f.get(&format!("var.{name}.default")).to_string(),
                kind: f.get(&format!("var.{name}.type")).trim().to_string(),
                required: f.checked(&format!("var.{name}.required")),
                values: f.get(&format!("var.{name}.values")).to_string(),
                name,
                ..VarField::default()
            })
            .collect();
        Editor {
            title: f.get("title").to_string(),
            body,
            kind: kind.to_string(),
            messages,
            config: f.get("config").replace("\r\n", "\n"),
            notes: f.get("notes").replace("\r\n", "\n"),
            model_hints: f.get("modelHints").to_string(),
            tags: f.get("tags").to_string(),
            visibility: f.get("visibility").to_string(),
            team_id: f.get("teamId").to_string(),
            message: f.get("message").to_string(),
            vars,
            name: f.get("name").trim().to_string(),
            name_was: f.get("name_was").to_string(),
            namespace: f.get("namespace").to_string(),
            had_schema: f.checked("had_schema"),
        }
    }

    fn from_view(v: &prompts::PromptView) -> Editor {
        let p = &v.prompt;
        let decls = variables::from_text(p.variables.as_deref());
        Editor {
            title: p.title.clone(),
            body: p.body.clone(),
            kind: p.kind.as_str().to_string(),
            messages: chat::messages_from_text(p.messages.as_deref())
                .unwrap_or_default()
                .into_iter()
                .map(|m| MessageField {
                    role: m.role.as_str().to_string(),
                    content: m.content,
                    error: String::new(),
                })
                .collect(),
            config: match chat::config_value(p.config.as_deref()) {
                serde_json::Value::Null => String::new(),
                v => serde_json::to_string_pretty(&v).unwrap_or_default(),
            },
            notes: p.notes.clone().unwrap_or_default(),
            model_hints: p.model_hints.clone().unwrap_or_default(),
            tags: v.tag_names().join(", "),
            visibility: p.visibility.to_string(),
            team_id: p.team_id.clone().unwrap_or_default(),
            message: String::new(),
            vars: decls
                .into_iter()
                .map(|d| VarField {
                    kind: kind_name(d.kind),
                    required: d.is_required(),
                    values: d.values.unwrap_or_default().join(", "),
                    name: d.name,
                    description: d.description.unwrap_or_default(),
                    default: d.default.unwrap_or_default(),
                    ..VarField::default()
                })
                .collect(),
            name: v.name.clone().unwrap_or_default(),
            name_was: v.name.clone().unwrap_or_default(),
            namespace: v.namespace.clone().unwrap_or_default(),
            had_schema: variables::is_schema(&variables::from_text(p.variables.as_deref())),
        }
    }

    /// The declarations as the form sets them. Untyped everywhere on a prompt that had a
    /// schema: optional text, typed as such (the service would keep the old types otherwise).
    fn declarations(&self) -> Vec<variables::Declaration> {
        let mut decls: Vec<_> = self.vars.iter().map(VarField::declaration).collect();
        if self.had_schema && !variables::is_schema(&decls) {
            for d in &mut decls {
                d.kind = Some(VarType::Text);
            }
        }
        decls
    }

    /// Applies a button other than Save to the form.
    fn apply(&mut self, op: EditOp) {
        match op {
            EditOp::AddMessage => {
                let role = match self.messages.last().map(|m| m.role.as_str()) {
                    Some("user") => "assistant",
                    _ => "user",
                };
                self.messages.push(MessageField {
                    role: role.into(),
                    ..MessageField::default()
                });
            }
            EditOp::RemoveMessage(i) => {
                if i < self.messages.len() {
                    self.messages.remove(i);
                }
            }
            EditOp::SwitchKind => {}
        }
        if self.kind == "chat" && self.messages.is_empty() {
            // Text becoming chat: its body, read as messages when it is written as them,
            // else as one user message.
            self.messages = match chat::parse_text(&self.body) {
                Ok(ms) => ms
                    .into_iter()
                    .map(|m| MessageField {
                        role: m.role.as_str().into(),
                        content: m.content,
                        error: String::new(),
                    })
                    .collect(),
                Err(_) => vec![MessageField {
                    role: "user".into(),
                    content: self.body.clone(),
                    error: String::new(),
                }],
            };
        }
        if self.kind == "text" && self.body.trim().is_empty() && !self.messages.is_empty() {
            self.body = chat::to_text(&self.chat_messages());
        }
    }

    /// The messages as typed, with roles the rules will check.
    fn chat_messages(&self) -> Vec<chat::Message> {
        self.messages
            .iter()
            .map(|m| chat::Message {
                role: Role::parse(&m.role).unwrap_or(Role::User),
                content: m.content.clone(),
            })
            .collect()
    }

    pub fn is_chat(&self) -> bool {
        self.kind == "chat"
    }

    /// The edge's raw fields: every field present (the editor shows them all). A config
    /// that is not JSON is a problem of the field `config`.
    fn fields(&self, p: &mut Problems) -> PromptFields {
        let text = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
        let nonempty = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        let chat = self.kind == "chat";
        let config = if self.config.trim().is_empty() {
            Some(None)
        } else {
            match serde_json::from_str::<serde_json::Value>(&self.config) {
                Ok(v) => Some(Some(v)),
                Err(e) => {
                    p.add("config", format!("is not valid JSON: {e}"));
                    None
                }
            }
        };
        PromptFields {
            title: Some(self.title.clone()),
            body: (!chat).then(|| self.body.clone()),
            kind: Some(
                Kind::parse(&self.kind)
                    .unwrap_or_default()
                    .as_str()
                    .to_string(),
            ),
            messages: chat.then(|| {
                self.messages
                    .iter()
                    .map(|m| (m.role.clone(), m.content.clone()))
                    .collect()
            }),
            config,
            variables: Some(self.declarations()),
            notes: Some(text(&self.notes)),
            model_hints: Some(text(&self.model_hints)),
            tags: Some(
                self.tags
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
            // Absent (no choice sent) keeps the current visibility; a new prompt is private.
            visibility: nonempty(&self.visibility),
            team_id: Some(nonempty(&self.team_id)),
            message: Some(self.message.clone()),
            // Unchanged or empty: no rename (a new prompt's name comes from its title).
            name: Some(self.name.clone()).filter(|n| !n.is_empty() && *n != self.name_was),
        }
    }
}

pub struct TeamOption {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "editor.html")]
struct EditorPage<'a> {
    l: &'a Layout,
    action: String,
    cancel: String,
    is_new: bool,
    e: Editor,
    teams: Vec<TeamOption>,
    all_tags: Vec<String>,
    errors: FieldErrors,
    /// The field that gets the focus: the first one in error, else the title of a new prompt.
    focus: &'static str,
    types: &'static [(&'static str, &'static str)],
    roles: &'static [(&'static str, &'static str)],
}

/// The editor's fields in page order, with the name each error message starts with.
const EDITOR_FIELDS: &[(&str, &str)] = &[
    ("title", "Title"),
    ("name", "Name"),
    ("kind", "Kind"),
    ("body", "Prompt"),
    ("messages", "Messages"),
    ("config", "Config"),
    ("variables", "Variables"),
    ("notes", "Notes"),
    ("message", "Change note"),
    ("tags", "Tags"),
    ("visibility", "Visibility"),
    ("teamId", "Team"),
    ("modelHints", "Model hints"),
];

/// Each problem as a sentence that names its field ("Title is required").
fn labelled(errors: FieldErrors) -> FieldErrors {
    errors
        .into_iter()
        .map(|(k, m)| {
            if let Some(rest) = k.strip_prefix("messages.") {
                let (n, field) = rest.split_once('.').unwrap_or((rest, ""));
                let n = n.parse::<usize>().map_or(0, |n| n + 1);
                let text = match field {
                    "role" => format!("Message {n}: the role {m}"),
                    "content" => format!("Message {n}: the text {m}"),
                    _ => format!("Message {n} {m}"),
                };
                return (k, text);
            }
            let text = match k.strip_prefix("variables.") {
                Some(rest) => match rest.strip_suffix(".default") {
                    Some(n) if !n.is_empty() => format!("The default of {n}: {m}"),
                    _ => format!("Variable {rest}: {m}"),
                },
                None => {
                    let label = EDITOR_FIELDS
                        .iter()
                        .find(|(f, _)| *f == k)
                        .map_or(k.as_str(), |(_, l)| l);
                    format!("{label} {m}")
                }
            };
            (k, text)
        })
        .collect()
}

async fn show_editor(
    state: &AppState,
    me: &Me,
    status: StatusCode,
    id: Option<&str>,
    mut e: Editor,
    errors: FieldErrors,
) -> PageResult {
    let teams = crate::teams::of_user(&state.db, &me.user.id)
        .await
        .or_page(&me.ctx)?
        .into_iter()
        .map(|t| TeamOption {
            id: t.id,
            name: t.name,
        })
        .collect();
    let all_tags = crate::tags::list(&state.db, &me.user)
        .await
        .or_page(&me.ctx)?
        .into_iter()
        .map(|t| t.name)
        .collect();
    let (title, action, cancel) = match id {
        Some(id) => (
            format!("Edit {}", e.title),
            format!("/prompts/{id}/edit"),
            format!("/prompts/{id}"),
        ),
        None => (
            "New prompt".to_string(),
            "/prompts/new".to_string(),
            "/prompts".to_string(),
        ),
    };
    let l = me.ctx.layout(title, "prompts");
    let focus = EDITOR_FIELDS
        .iter()
        .map(|(f, _)| *f)
        .find(|f| errors.contains_key(*f))
        .unwrap_or(if id.is_none() { "title" } else { "" });
    let errors = labelled(errors);
    for (i, m) in e.messages.iter_mut().enumerate() {
        m.error = ["role", "content"]
            .iter()
            .filter_map(|f| errors.get(&format!("messages.{i}.{f}")))
            .chain(errors.get(&format!("messages.{i}")))
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
    }
    if e.is_chat() && e.messages.is_empty() {
        e.messages.push(MessageField {
            role: "system".into(),
            ..MessageField::default()
        });
    }
    for v in &mut e.vars {
        let key = format!("variables.{}", v.name);
        v.error = errors.get(&key).cloned().unwrap_or_default();
        v.default_error = errors
            .get(&format!("{key}.default"))
            .cloned()
            .unwrap_or_default();
    }
    Ok(respond::render(
        &me.ctx,
        status,
        &EditorPage {
            l: &l,
            action,
            cancel,
            is_new: id.is_none(),
            e,
            teams,
            all_tags,
            errors,
            focus,
            types: VAR_TYPES,
            roles: ROLES,
        },
    ))
}

pub async fn new_page(State(state): State<AppState>, me: Me) -> PageResult {
    let e = Editor {
        visibility: "PRIVATE".into(),
        kind: "text".into(),
        ..Editor::default()
    };
    show_editor(&state, &me, StatusCode::OK, None, e, FieldErrors::new()).await
}

fn form_failure(e: &Error) -> Option<FieldErrors> {
    match e {
        Error::Invalid { details, .. } => Some(details.clone()),
        Error::Conflict {
            code: "name_taken", ..
        } => Some(FieldErrors::from([(
            "name".to_string(),
            "is taken: another prompt in this namespace has this name".to_string(),
        )])),
        _ => None,
    }
}

pub async fn create(State(state): State<AppState>, me: Me, form: Form) -> PageResult {
    let mut e = Editor::from_form(&form);
    if let Some(op) = EditOp::from_form(&form) {
        e.apply(op);
        return show_editor(&state, &me, StatusCode::OK, None, e, FieldErrors::new()).await;
    }
    let mut p = Problems::default();
    let created = match e.fields(&mut p).into_new_with(&mut p) {
        Ok(new) => prompts::create(&state.db, &me.user, &new).await,
        Err(err) => Err(err),
    };
    match created {
        Ok(v) => Ok(redirect_with(
            &format!("/prompts/{}", v.prompt.id),
            Flash::ok("Prompt saved."),
        )),
        Err(err) => match form_failure(&err) {
            Some(errors) => show_editor(&state, &me, err.status(), None, e, errors).await,
            None => Err(respond::error_page(&me.ctx, &err).into()),
        },
    }
}

pub async fn edit_page(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
) -> PageResult {
    let v = prompts::get(&state.db, &me.user, &id)
        .await
        .or_page(&me.ctx)?;
    if !v.can_edit {
        return Err(respond::error_page(
            &me.ctx,
            &Error::Forbidden("Only the owner can edit this prompt.".into()),
        )
        .into());
    }
    let e = Editor::from_view(&v);
    show_editor(
        &state,
        &me,
        StatusCode::OK,
        Some(&id),
        e,
        FieldErrors::new(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let mut e = Editor::from_form(&form);
    if let Some(op) = EditOp::from_form(&form) {
        e.apply(op);
        return show_editor(
            &state,
            &me,
            StatusCode::OK,
            Some(&id),
            e,
            FieldErrors::new(),
        )
        .await;
    }
    let mut p = Problems::default();
    let updated = match e.fields(&mut p).into_changes_with(&mut p) {
        Ok(changes) => prompts::update_reporting(&state.db, &me.user, &id, &changes).await,
        Err(err) => Err(err),
    };
    match updated {
        Ok((_, true)) => Ok(redirect_with(
            &format!("/prompts/{id}"),
            Flash::ok("Changes saved."),
        )),
        Ok((_, false)) => Ok(redirect_with(
            &format!("/prompts/{id}"),
            Flash::ok("Nothing changed: no new version was saved."),
        )),
        Err(err) => match form_failure(&err) {
            Some(errors) => show_editor(&state, &me, err.status(), Some(&id), e, errors).await,
            None => Err(respond::error_page(&me.ctx, &err).into()),
        },
    }
}

/// `POST /prompts/bulk`: the table view's bulk actions on the selected prompts.
pub async fn bulk(State(state): State<AppState>, me: Me, form: Form) -> PageResult {
    let back = respond::safe_next(form.opt("back"))
        .unwrap_or("/prompts?view=table")
        .to_string();
    let ids = form.all("ids");
    let ops = form.all("op");
    let op = if ops.iter().any(|o| o == "delete") {
        "delete".to_string()
    } else if ops.iter().any(|o| o == "export") {
        "export".to_string()
    } else {
        form.get("op").to_string()
    };
    if op == "export" {
        let items = crate::importexport::export_selected(&state.db, &me.user, &ids)
            .await
            .or_flash(&back)?;
        let format = form.opt("format").unwrap_or("json");
        return crate::importexport::api::download(items, format)
            .await
            .or_flash(&back);
    }
    let action = crate::prompts::api::bulk_action(&op, form.opt("tag"), form.opt("visibility"))
        .or_flash(&back)?;
    let n = prompts::bulk(&state.db, &me.user, &ids, &action)
        .await
        .or_flash(&back)?;
    let plural = if n == 1 { "" } else { "s" };
    let flash = match action {
        prompts::BulkAction::Delete if ids.len() <= super::flash::UNDO_MAX => {
            Flash::ok_undo(format!("{n} prompt{plural} moved to the trash."), &ids)
        }
        prompts::BulkAction::Delete => Flash::ok(format!(
            "{n} prompt{plural} moved to the trash: restore them from the Trash."
        )),
        prompts::BulkAction::AddTag(_) => Flash::ok(format!("{n} prompt{plural} tagged.")),
        prompts::BulkAction::SetVisibility(_) => Flash::ok(format!("{n} prompt{plural} changed.")),
    };
    Ok(redirect_with(&back, flash))
}
