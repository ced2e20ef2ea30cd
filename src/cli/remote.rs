//! The commands that talk to a server: `get` (a prompt by name, cached), `pull` and `push`
//! (prompts as files). They need no configuration file or database: only the server's URL and
//! an API token.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;

use crate::client::{Cache, Client, ClientError, Selector, Source, files, sync};

/// Where the server is and who asks.
#[derive(Args, Debug, Clone)]
pub struct Server {
    /// The server, e.g. https://prompts.example.com or http://127.0.0.1:3000.
    #[arg(long, env = "PROMPTVAULT_URL", value_name = "URL")]
    url: Option<String>,
    /// An API token (create one on the account page).
    #[arg(
        long,
        env = "PROMPTVAULT_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    token: Option<String>,
    /// Seconds to wait for the server before giving up (or using the cache).
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    timeout: u64,
}

impl Server {
    fn client(&self) -> anyhow::Result<Client> {
        let Some(url) = self.url.as_deref().filter(|u| !u.trim().is_empty()) else {
            bail!(
                "no server: set PROMPTVAULT_URL or pass --url https://HOST (or http://HOST:PORT)"
            );
        };
        Ok(Client::with_timeout(
            url,
            self.token.as_deref(),
            std::time::Duration::from_secs(self.timeout.max(1)),
        )?)
    }
}

#[derive(Args, Debug)]
pub struct GetArgs {
    /// The prompt: namespace/name (the name may contain /).
    name: String,
    /// The label to fetch (default production; latest is the newest version).
    #[arg(long, conflicts_with = "version")]
    label: Option<String>,
    /// A version number instead of a label.
    #[arg(long)]
    version: Option<i32>,
    /// Fill a variable (repeat for more): renders the prompt.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// With --var: a variable left without a value is an error.
    #[arg(long)]
    strict: bool,
    /// Print the whole JSON answer instead of the text.
    #[arg(long)]
    json: bool,
    /// Cache directory (default: PROMPTVAULT_CACHE_DIR, else the platform cache dir).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Use no cache at all.
    #[arg(long, conflicts_with = "cache_dir")]
    no_cache: bool,
    #[command(flatten)]
    server: Server,
}

pub async fn get(a: GetArgs) -> anyhow::Result<()> {
    let mut values = BTreeMap::new();
    for v in &a.vars {
        let Some((k, val)) = v.split_once('=') else {
            bail!("--var {v:?}: write NAME=VALUE");
        };
        if k.trim().is_empty() {
            bail!("--var {v:?}: the variable name is empty");
        }
        values.insert(k.trim().to_string(), val.to_string());
    }
    let sel = match (a.version, &a.label) {
        (Some(n), _) if n < 1 => bail!("--version must be 1 or more"),
        (Some(n), _) => Selector::Version(n),
        (None, Some(l)) => Selector::Label(l.clone()),
        (None, None) => Selector::label(crate::registry::DEFAULT_LABEL),
    };
    let mut client = a.server.client()?;
    if !a.no_cache {
        match a.cache_dir.clone().or_else(Cache::default_dir) {
            Some(dir) => client = client.with_cache(Cache::new(dir)),
            None => eprintln!(
                "promptvault: no cache directory (set PROMPTVAULT_CACHE_DIR): fetching without a cache"
            ),
        }
    }
    let got = client.fetch(&a.name, &sel).await.map_err(|e| match e {
        ClientError::Server {
            status: 404,
            ref message,
            ..
        } if message.contains("labelled") => {
            anyhow::anyhow!("{e}\n(on the command line: --label latest, or --version N)")
        }
        other => other.into(),
    })?;
    if let Source::Cache { reason } = &got.source {
        eprintln!(
            "promptvault: {reason}; serving the cached copy of {}/{} (version {})",
            got.prompt.namespace, got.prompt.name, got.prompt.version
        );
    }
    if let Some(r) = &got.prompt.requested {
        eprintln!(
            "promptvault: {r} is an old name of {}/{}",
            got.prompt.namespace, got.prompt.name
        );
    }
    let mut out = std::io::stdout().lock();
    if a.vars.is_empty() && !a.strict {
        if a.json {
            writeln!(out, "{}", serde_json::to_string_pretty(&got.prompt.raw)?)?;
        } else {
            out.write_all(got.prompt.body.as_bytes())?;
        }
        return Ok(());
    }
    let rendered = got.prompt.render(&values, a.strict).map_err(|e| match e {
        ClientError::Values { message, fields } => anyhow::anyhow!(
            "{message} ({}/{} version {}):\n{}",
            got.prompt.namespace,
            got.prompt.name,
            got.prompt.version,
            fields
                .iter()
                .map(|(k, v)| format!("  {k}: {v}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        other => other.into(),
    })?;
    if !rendered.missing.is_empty() {
        eprintln!(
            "promptvault: no value for {} (left as {{{{…}}}})",
            rendered.missing.join(", ")
        );
    }
    if a.json {
        let v = got.prompt.rendered_json(&rendered);
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        out.write_all(rendered.text.as_bytes())?;
    }
    Ok(())
}

#[derive(Args, Debug)]
pub struct PullArgs {
    /// The folder to write (created when missing): DIR/<namespace>/<name>.md.
    dir: PathBuf,
    /// Delete the .md files under the namespace folders that no longer stand for a prompt.
    #[arg(long)]
    prune: bool,
    #[command(flatten)]
    server: Server,
}

pub async fn pull(a: PullArgs) -> anyhow::Result<()> {
    let client = a.server.client()?;
    let catalog = sync::catalog(&client).await?;
    std::fs::create_dir_all(&a.dir)
        .with_context(|| format!("cannot create {}", a.dir.display()))?;
    let (paths, written) = sync::write_all(&a.dir, &catalog)
        .with_context(|| format!("cannot write under {}", a.dir.display()))?;
    let stale: Vec<PathBuf> = files::read_dir(&a.dir)?
        .into_iter()
        .map(|f| f.path)
        .filter(|p| !paths.contains(p))
        .collect();
    for p in &stale {
        if a.prune {
            std::fs::remove_file(p).with_context(|| format!("cannot delete {}", p.display()))?;
            println!("deleted {}", p.display());
        } else {
            eprintln!(
                "promptvault: {} stands for no prompt on the server (kept; --prune deletes it)",
                p.display()
            );
        }
    }
    println!(
        "{} prompt(s) in {}: {written} file(s) written, {} unchanged",
        catalog.len(),
        a.dir.display(),
        catalog.len() - written
    );
    Ok(())
}

#[derive(Args, Debug)]
pub struct PushArgs {
    /// The folder of prompt files (as `pull` writes it).
    dir: PathBuf,
    /// Compare only: print the differences, exit 1 when the folder and the server differ,
    /// 0 when they are equal, 2 when they could not be compared.
    #[arg(long, conflicts_with_all = ["dry_run", "label"])]
    check: bool,
    /// Print what would be created and updated, change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Point this label (e.g. staging) at the new version of every prompt pushed.
    #[arg(long, value_name = "LABEL")]
    label: Option<String>,
    #[command(flatten)]
    server: Server,
}

/// Exit status of `push --check` when the folder and the server differ.
pub const DIFFER: u8 = 1;
/// Exit status of `push --check` when they could not be compared.
pub const TROUBLE: u8 = 2;

pub async fn push(a: PushArgs) -> anyhow::Result<()> {
    let planned = plan(&a).await;
    let plan = match planned {
        Ok(p) => p,
        Err(e) if a.check => {
            eprintln!("error: {e:#}");
            return Err(super::Exit(TROUBLE).into());
        }
        Err(e) => return Err(e),
    };
    if let Some(l) = &a.label {
        crate::registry::parse_label(l).map_err(|p| anyhow::anyhow!("--label {l:?} {p}"))?;
    }
    let lines = plan.lines();
    if a.check || a.dry_run {
        for l in &lines {
            println!("{l}");
        }
        let summary = format!(
            "{} to create, {} to update, {} unchanged, {} only on the server, {} error(s)",
            plan.steps
                .iter()
                .filter(|s| matches!(s.action, sync::Action::Create))
                .count(),
            plan.steps
                .iter()
                .filter(|s| matches!(s.action, sync::Action::Update(_)))
                .count(),
            plan.unchanged,
            plan.only_on_server.len(),
            plan.errors.len()
        );
        if a.check {
            if plan.in_step() {
                println!("in step: {} prompt(s) equal", plan.unchanged);
                return Ok(());
            }
            println!("differs: {summary}");
            if !plan.errors.is_empty() {
                return Err(super::Exit(TROUBLE).into());
            }
            return Err(super::Exit(DIFFER).into());
        }
        println!("dry run, nothing changed: {summary}");
        return Ok(());
    }
    for (p, e) in &plan.errors {
        eprintln!("error: {}: {e}", p.display());
    }
    for n in &plan.only_on_server {
        eprintln!("promptvault: {n} has no file (kept on the server)");
    }
    let client = a.server.client()?;
    let done = sync::apply(&client, &plan, a.label.as_deref()).await;
    for n in &done.created {
        println!("created {n}");
    }
    for n in &done.updated {
        println!("updated {n}");
    }
    for (n, l, v) in &done.labelled {
        println!("label   {n}: {l} -> version {v}");
    }
    for (p, e) in &done.errors {
        eprintln!("error: {}: {e}", p.display());
    }
    println!(
        "{} created, {} updated, {} unchanged",
        done.created.len(),
        done.updated.len(),
        plan.unchanged
    );
    let failed = plan.errors.len() + done.errors.len();
    if failed > 0 {
        bail!("{failed} file(s) could not be pushed");
    }
    Ok(())
}

async fn plan(a: &PushArgs) -> anyhow::Result<sync::Plan> {
    let found = read_folder(&a.dir)?;
    let client = a.server.client()?;
    let catalog = sync::catalog(&client).await?;
    Ok(sync::plan(found, &catalog))
}

fn read_folder(dir: &Path) -> anyhow::Result<Vec<files::Found>> {
    files::read_dir(dir).with_context(|| format!("cannot read the folder {}", dir.display()))
}
