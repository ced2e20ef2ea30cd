//! `/admin`: users, teams, settings and the system card (administrators only).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::ctx::{AdminMe, Layout};
use super::fmt;
use super::form::{Form, PageQuery};
use super::respond::{self, Flash, OrPage, PageResult, redirect_with};
use crate::error::{Error, FieldErrors};
use crate::settings::SettingsUpdate;
use crate::state::AppState;
use crate::teams::{self, TeamWithCount};
use crate::users::{self, AdminUpdate, NewUser, PromptFate, UserRow};

const PER_PAGE: i64 = 50;

pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub teams: String,
    pub created: String,
}

pub struct TeamChoice {
    pub id: String,
    pub name: String,
    pub checked: bool,
}

/// What the "new user" form holds (kept when validation fails).
#[derive(Default)]
pub struct NewUserForm {
    pub email: String,
    pub name: String,
    pub admin: bool,
    pub teams: Vec<String>,
}

/// Figures for the system card.
pub struct SystemView {
    pub backend: &'static str,
    pub users: i64,
    pub teams: usize,
    pub prompts: i64,
    pub version: &'static str,
    pub schema: String,
    pub size: String,
    pub last_backup: String,
    pub backup_problem: Option<String>,
    /// "3 file(s) kept", or why the backup folder cannot be listed.
    pub backup_files: String,
}

fn human_bytes(n: i64) -> String {
    let n = n.max(0) as f64;
    match n {
        n if n >= 1_073_741_824.0 => format!("{:.1} GiB", n / 1_073_741_824.0),
        n if n >= 1_048_576.0 => format!("{:.1} MiB", n / 1_048_576.0),
        n if n >= 1024.0 => format!("{:.0} KiB", n / 1024.0),
        n => format!("{n} bytes"),
    }
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage<'a> {
    l: &'a Layout,
    users: Vec<UserView>,
    page: i64,
    pages: i64,
    total: i64,
    teams: Vec<TeamWithCount>,
    tags: Vec<crate::tags::TagView>,
    team_choices: Vec<TeamChoice>,
    allow_registration: bool,
    system: SystemView,
    new_user: NewUserForm,
    errors: FieldErrors,
    /// 1.x's default administrator still accepts `admin123`.
    default_admin_password: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    page: Option<i64>,
}

fn user_view(u: UserRow, teams: &mut std::collections::HashMap<String, Vec<String>>) -> UserView {
    UserView {
        created: fmt::date(&u.created_at),
        name: u.name.unwrap_or_default(),
        teams: teams.remove(&u.id).unwrap_or_default().join(", "),
        id: u.id,
        email: u.email,
        role: u.role.to_string(),
    }
}

async fn show(
    state: &AppState,
    me: &AdminMe,
    status: StatusCode,
    page: i64,
    new_user: NewUserForm,
    errors: FieldErrors,
) -> PageResult {
    let ctx = &me.ctx;
    let page = page.max(1);
    let (rows, total) = users::list(&state.db, me.admin, PER_PAGE, (page - 1) * PER_PAGE)
        .await
        .or_page(ctx)?;
    let ids: Vec<String> = rows.iter().map(|u| u.id.clone()).collect();
    let mut memberships = teams::names_by_user(&state.db, &ids).await.or_page(ctx)?;
    let users = rows
        .into_iter()
        .map(|u| user_view(u, &mut memberships))
        .collect();
    let teams = teams::list(&state.db).await.or_page(ctx)?;
    let team_choices = teams
        .iter()
        .map(|t| TeamChoice {
            id: t.id.clone(),
            name: t.name.clone(),
            checked: new_user.teams.contains(&t.id),
        })
        .collect();
    let tags = crate::tags::list(&state.db, &me.user).await.or_page(ctx)?;
    let settings = crate::settings::get(&state.db).await.or_page(ctx)?;
    let info = crate::ops::system::info(state).await.or_page(ctx)?;
    let system = SystemView {
        backend: info.backend,
        users: total,
        teams: teams.len(),
        prompts: info.count("Prompt"),
        version: info.version,
        schema: format!("{} of {}", info.schema_version, info.latest_schema_version),
        size: info
            .database_bytes
            .map(human_bytes)
            .unwrap_or_else(|| "unknown".into()),
        last_backup: match (&info.backups.last_success_at, &info.backups.last_backup) {
            (Some(at), Some(b)) => format!(
                "{} ({}, {})",
                super::fmt::ago(at),
                b.name,
                human_bytes(b.bytes as i64)
            ),
            (Some(at), None) => super::fmt::ago(at),
            _ => "none yet".into(),
        },
        backup_problem: info.backups.last_ok.filter(|ok| !ok).map(|_| {
            info.backups
                .last_error
                .clone()
                .unwrap_or_else(|| "failed".into())
        }),
        backup_files: match (info.backup_files, &info.backup_dir_problem) {
            (Some(n), _) => format!("{n} file(s) kept"),
            (None, Some(problem)) => problem.clone(),
            (None, None) => String::new(),
        },
    };
    let l = ctx.layout("Administration", "admin");
    Ok(respond::render(
        ctx,
        status,
        &AdminPage {
            l: &l,
            users,
            page,
            pages: ((total + PER_PAGE - 1) / PER_PAGE).max(1),
            total,
            teams,
            tags,
            team_choices,
            allow_registration: settings.allow_registration,
            system,
            new_user,
            errors,
            default_admin_password: crate::users::default_admin_password_in_use(&state.db)
                .await
                .unwrap_or(false),
        },
    ))
}

pub async fn page(
    State(state): State<AppState>,
    me: AdminMe,
    PageQuery(q): PageQuery<ListQuery>,
) -> PageResult {
    show(
        &state,
        &me,
        StatusCode::OK,
        q.page.unwrap_or(1),
        NewUserForm::default(),
        FieldErrors::new(),
    )
    .await
}

pub async fn create_user(State(state): State<AppState>, me: AdminMe, form: Form) -> PageResult {
    let kept = NewUserForm {
        email: form.get("email").to_string(),
        name: form.get("name").to_string(),
        admin: form.get("role") == "ADMIN",
        teams: form.all("teams"),
    };
    let input = NewUser {
        email: Some(kept.email.clone()),
        password: Some(form.get("password").to_string()),
        name: Some(kept.name.clone()),
        role: Some(form.opt("role").unwrap_or("USER").to_string()),
        teams: Some(kept.teams.clone()),
        ..NewUser::default()
    };
    match users::create(&state.db, me.admin, &input).await {
        Ok(u) => Ok(redirect_with(
            "/admin#users",
            Flash::ok(format!("Account {} created.", u.email)),
        )),
        Err(e @ (Error::Invalid { .. } | Error::Conflict { .. })) => {
            let mut errors = respond::field_errors(&e);
            if let Error::Conflict { message, .. } = &e {
                errors.insert("email".into(), message.to_lowercase());
            }
            show(&state, &me, e.status(), 1, kept, errors).await
        }
        Err(e) => Err(respond::error_page(&me.ctx, &e).into()),
    }
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage<'a> {
    l: &'a Layout,
    u: UserView,
    is_admin: bool,
    is_me: bool,
    team_choices: Vec<TeamChoice>,
    others: Vec<UserView>,
}

pub async fn user_page(
    State(state): State<AppState>,
    me: AdminMe,
    Path(id): Path<String>,
) -> PageResult {
    let ctx = &me.ctx;
    let user = users::get(&state.db, &id).await.or_page(ctx)?;
    let mine: Vec<String> = teams::of_user(&state.db, &id)
        .await
        .or_page(ctx)?
        .into_iter()
        .map(|t| t.id)
        .collect();
    let team_choices = teams::list(&state.db)
        .await
        .or_page(ctx)?
        .into_iter()
        .map(|t| TeamChoice {
            checked: mine.contains(&t.id),
            id: t.id,
            name: t.name,
        })
        .collect();
    let (everyone, _) = users::list(&state.db, me.admin, 200, 0)
        .await
        .or_page(ctx)?;
    let others = everyone
        .into_iter()
        .filter(|u| u.id != id)
        .map(|u| UserView {
            name: u.name.clone().unwrap_or_default(),
            created: String::new(),
            teams: String::new(),
            role: u.role.to_string(),
            id: u.id,
            email: u.email,
        })
        .collect();
    let is_admin = user.is_admin();
    let is_me = user.id == me.user.id;
    let mut memberships = teams::names_by_user(&state.db, std::slice::from_ref(&user.id))
        .await
        .or_page(ctx)?;
    let u = user_view(user, &mut memberships);
    let l = ctx.layout(format!("User {}", u.email), "admin");
    Ok(respond::ok(
        ctx,
        &UserPage {
            l: &l,
            u,
            is_admin,
            is_me,
            team_choices,
            others,
        },
    ))
}

pub async fn update_user(
    State(state): State<AppState>,
    me: AdminMe,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let back = format!("/admin/users/{id}");
    let input = AdminUpdate {
        name: Some(form.get("name").to_string()),
        role: form.opt("role").map(str::to_string),
        teams: Some(form.all("teams")),
        ..AdminUpdate::default()
    };
    users::admin_update(&state.db, me.admin, &id, &input)
        .await
        .or_flash(&back)?;
    Ok(redirect_with(&back, Flash::ok("User saved.")))
}

pub async fn reset_password(
    State(state): State<AppState>,
    me: AdminMe,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let back = format!("/admin/users/{id}");
    let input = AdminUpdate {
        password: Some(form.get("password").to_string()),
        ..AdminUpdate::default()
    };
    users::admin_update(&state.db, me.admin, &id, &input)
        .await
        .or_flash(&back)?;
    Ok(redirect_with(
        &back,
        Flash::ok("Password reset. The user was signed out everywhere."),
    ))
}

pub async fn delete_user(
    State(state): State<AppState>,
    me: AdminMe,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let back = format!("/admin/users/{id}");
    let fate = match form.get("prompts") {
        "delete" => PromptFate::Delete,
        "transfer" if !form.get("to").is_empty() => PromptFate::TransferTo(form.get("to").into()),
        "transfer" => {
            return Ok(redirect_with(
                &back,
                Flash::error("Choose who receives the prompts."),
            ));
        }
        _ => PromptFate::Keep,
    };
    users::delete(&state.db, me.admin, &id, fate)
        .await
        .or_flash(&back)?;
    Ok(redirect_with("/admin#users", Flash::ok("User deleted.")))
}

pub async fn create_team(State(state): State<AppState>, me: AdminMe, form: Form) -> PageResult {
    let team = teams::create(&state.db, me.admin, form.get("name"))
        .await
        .or_flash("/admin#teams")?;
    Ok(redirect_with(
        "/admin#teams",
        Flash::ok(format!("Team {} created.", team.name)),
    ))
}

#[derive(Template)]
#[template(path = "admin_team.html")]
struct TeamPage<'a> {
    l: &'a Layout,
    id: String,
    name: String,
    members: Vec<teams::Member>,
}

pub async fn team_page(
    State(state): State<AppState>,
    me: AdminMe,
    Path(id): Path<String>,
) -> PageResult {
    let ctx = &me.ctx;
    let team = teams::find(&state.db, &id).await.or_page(ctx)?;
    if team.id != id {
        return Err(respond::error_page(ctx, &Error::not_found()).into());
    }
    let members = teams::members(&state.db, &id).await.or_page(ctx)?;
    let l = ctx.layout(format!("Team {}", team.name), "admin");
    Ok(respond::ok(
        ctx,
        &TeamPage {
            l: &l,
            id: team.id,
            name: team.name,
            members,
        },
    ))
}

pub async fn rename_team(
    State(state): State<AppState>,
    me: AdminMe,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let back = format!("/admin/teams/{id}");
    teams::rename(&state.db, me.admin, &id, form.get("name"))
        .await
        .or_flash(&back)?;
    Ok(redirect_with(&back, Flash::ok("Team renamed.")))
}

pub async fn delete_team(
    State(state): State<AppState>,
    me: AdminMe,
    Path(id): Path<String>,
) -> PageResult {
    teams::delete(&state.db, me.admin, &id)
        .await
        .or_flash(&format!("/admin/teams/{id}"))?;
    Ok(redirect_with("/admin#teams", Flash::ok("Team deleted.")))
}

pub async fn add_member(
    State(state): State<AppState>,
    me: AdminMe,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let back = format!("/admin/teams/{id}");
    let user = users::by_email(&state.db, form.get("email"))
        .await
        .and_then(|u| u.ok_or_else(|| Error::invalid_field("email", "no account has this email")))
        .or_flash(&back)?;
    teams::add_member(&state.db, me.admin, &id, &user.id)
        .await
        .or_flash(&back)?;
    Ok(redirect_with(
        &back,
        Flash::ok(format!("{} added to the team.", user.email)),
    ))
}

pub async fn remove_member(
    State(state): State<AppState>,
    me: AdminMe,
    Path((id, user_id)): Path<(String, String)>,
) -> PageResult {
    let back = format!("/admin/teams/{id}");
    teams::remove_member(&state.db, me.admin, &id, &user_id)
        .await
        .or_flash(&back)?;
    Ok(redirect_with(&back, Flash::ok("Member removed.")))
}

pub async fn save_settings(State(state): State<AppState>, me: AdminMe, form: Form) -> PageResult {
    let input = SettingsUpdate {
        allow_registration: Some(form.checked("allowRegistration")),
    };
    crate::settings::update(&state.db, me.admin, &input)
        .await
        .or_flash("/admin#settings")?;
    Ok(redirect_with(
        "/admin#settings",
        Flash::ok("Settings saved."),
    ))
}

pub async fn create_tag(State(state): State<AppState>, me: AdminMe, form: Form) -> PageResult {
    let tag = crate::tags::create(&state.db, me.admin, form.get("name"))
        .await
        .or_flash("/admin#tags")?;
    Ok(redirect_with(
        "/admin#tags",
        Flash::ok(format!("Tag {} created.", tag.name)),
    ))
}

pub async fn rename_tag(
    State(state): State<AppState>,
    me: AdminMe,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    crate::tags::rename(&state.db, me.admin, &id, form.get("name"))
        .await
        .or_flash("/admin#tags")?;
    Ok(redirect_with("/admin#tags", Flash::ok("Tag renamed.")))
}

pub async fn merge_tag(
    State(state): State<AppState>,
    me: AdminMe,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let into = crate::tags::merge(&state.db, me.admin, &id, form.get("into"))
        .await
        .or_flash("/admin#tags")?;
    Ok(redirect_with(
        "/admin#tags",
        Flash::ok(format!("Tags merged into {}.", into.name)),
    ))
}

pub async fn delete_tag(
    State(state): State<AppState>,
    me: AdminMe,
    Path(id): Path<String>,
) -> PageResult {
    crate::tags::delete(&state.db, me.admin, &id)
        .await
        .or_flash("/admin#tags")?;
    Ok(redirect_with("/admin#tags", Flash::ok("Tag deleted.")))
}

/// "Back up now" on the System card: the same backup as `POST /api/admin/backups`.
pub async fn back_up_now(State(state): State<AppState>, _me: AdminMe) -> PageResult {
    let report = crate::ops::schedule::run_now(&state)
        .await
        .map_err(crate::error::Error::from)
        .or_flash("/admin#system")?;
    Ok(redirect_with(
        "/admin#system",
        Flash::ok(format!(
            "Backup {} written ({} rows).",
            report.name, report.rows
        )),
    ))
}
