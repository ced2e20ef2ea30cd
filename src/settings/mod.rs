//! Instance-wide settings (one row in `Settings`).

pub mod api;
pub mod store;

use serde::Deserialize;

use crate::db::Db;
use crate::error::Result;
pub use store::Settings;

pub async fn get(db: &Db) -> Result<Settings> {
    let mut tx = db.read().await?;
    Ok(store::get(&mut tx).await?)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsUpdate {
    pub allow_registration: Option<bool>,
}

pub async fn update(db: &Db, _: crate::auth::Admin, input: &SettingsUpdate) -> Result<Settings> {
    let mut tx = db.write().await?;
    let mut s = store::get(&mut tx).await?;
    if let Some(v) = input.allow_registration {
        s.allow_registration = v;
    }
    store::save(&mut tx, &s).await?;
    tx.commit().await?;
    Ok(s)
}
