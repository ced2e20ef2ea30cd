//! `promptvault user create|list|set-password|set-role`.

use crate::auth::Admin;
use std::io::BufRead;

use anyhow::{Context, bail};
use clap::Subcommand;

use crate::config::Config;
use crate::users::{self, AdminUpdate, NewUser};

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account (use --admin for an administrator).
    Create {
        #[arg(long)]
        email: String,
        /// Password; when omitted it is read from standard input (one line).
        #[arg(long, env = "PROMPTVAULT_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        admin: bool,
    },
    /// List accounts.
    List,
    /// Set a new password (read from standard input when --password is omitted).
    SetPassword {
        #[arg(long)]
        email: String,
        #[arg(long, env = "PROMPTVAULT_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Make an account ADMIN or USER.
    SetRole {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["ADMIN", "USER", "admin", "user"])]
        role: String,
    },
}

fn password_or_stdin(password: Option<String>) -> anyhow::Result<String> {
    if let Some(p) = password {
        return Ok(p);
    }
    eprintln!("password (one line on standard input):");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub async fn run(config: Config, cmd: UserCommand) -> anyhow::Result<()> {
    let db = crate::db::connect(&config.database_url, 2).await?;
    crate::db::migrate::run(&db).await?;
    let result = run_on(&db, cmd).await;
    db.close().await;
    result
}

async fn run_on(db: &crate::db::Db, cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Create {
            email,
            password,
            name,
            admin,
        } => {
            let password = password_or_stdin(password)?;
            let input = NewUser {
                email: Some(email),
                password: Some(password),
                name,
                role: Some(if admin { "ADMIN" } else { "USER" }.into()),
                ..NewUser::default()
            };
            let user = users::create(db, Admin::operator(), &input)
                .await
                .map_err(explain)?;
            println!("created {} ({}) id={}", user.email, user.role, user.id);
        }
        UserCommand::List => {
            let (list, total) = users::list(db, Admin::operator(), i64::MAX, 0)
                .await
                .map_err(explain)?;
            println!("{:<26} {:<6} {:<20} EMAIL", "ID", "ROLE", "TEAM");
            for u in list {
                println!(
                    "{:<26} {:<6} {:<20} {}",
                    u.id,
                    u.role,
                    u.team.unwrap_or_default(),
                    u.email
                );
            }
            println!("{total} account(s)");
        }
        UserCommand::SetPassword { email, password } => {
            let user = find(db, &email).await?;
            let password = password_or_stdin(password)?;
            let update = AdminUpdate {
                password: Some(password),
                ..AdminUpdate::default()
            };
            users::admin_update(db, Admin::operator(), &user.id, &update)
                .await
                .map_err(explain)?;
            println!(
                "password changed for {}; their sessions were signed out",
                user.email
            );
        }
        UserCommand::SetRole { email, role } => {
            let user = find(db, &email).await?;
            let update = AdminUpdate {
                role: Some(role),
                ..AdminUpdate::default()
            };
            let user = users::admin_update(db, Admin::operator(), &user.id, &update)
                .await
                .map_err(explain)?;
            println!("{} is now {}", user.email, user.role);
        }
    }
    Ok(())
}

async fn find(db: &crate::db::Db, email: &str) -> anyhow::Result<users::UserRow> {
    match users::by_email(db, email).await.map_err(explain)? {
        Some(u) => Ok(u),
        None => bail!("no account with email {email}"),
    }
}

/// A service error as a one-line message naming the bad fields.
fn explain(e: crate::error::Error) -> anyhow::Error {
    match e {
        crate::error::Error::Invalid { details, .. } => {
            let parts: Vec<String> = details.iter().map(|(k, v)| format!("{k} {v}")).collect();
            anyhow::anyhow!("invalid input: {}", parts.join("; "))
        }
        other => anyhow::anyhow!("{other}"),
    }
}
