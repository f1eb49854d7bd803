//! Partner apps: registered per org with a client id, a hashed secret and the scopes they may
//! receive; they obtain short-lived tokens with the OAuth 2.0 client-credentials grant. Revoking
//! a client stops its tokens at once, because every request with a partner token checks it.

use base64::Engine;
use chrono::Utc;
use entities::{api_client, org};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use subtle::ConstantTimeEq;

use super::Scopes;
use crate::error::{Error, Result};
use crate::ledger::raw::sha256_hex;
use crate::org::OrgRef;

/// A registered partner app, without its secret.
#[derive(Clone, Debug)]
pub struct PartnerApp {
    /// The public client id.
    pub client_id: String,
    /// A human name.
    pub name: String,
    /// The org it acts for.
    pub org: OrgRef,
    /// The most it may be granted.
    pub scopes: Scopes,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// A newly created partner app and its secret, shown once.
#[derive(Clone, Debug)]
pub struct NewPartner {
    /// The app.
    pub app: PartnerApp,
    /// The client secret; only its hash is stored.
    pub client_secret: String,
}

/// Registers a partner app for `org`.
///
/// # Errors
/// An empty name, or a database failure.
pub async fn create(
    db: &impl ConnectionTrait,
    org: &OrgRef,
    name: &str,
    scopes: &Scopes,
) -> Result<NewPartner> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::bad_input("partner name must not be empty"));
    }
    let client_id = format!("pnl_{}", hex::encode(rand::random::<[u8; 12]>()));
    let client_secret =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    api_client::ActiveModel {
        org_id: Set(org.id),
        client_id: Set(client_id.clone()),
        name: Set(name.to_owned()),
        secret_hash: Set(sha256_hex(client_secret.as_bytes())),
        scopes: Set(scopes.to_string()),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(NewPartner {
        app: PartnerApp {
            client_id,
            name: name.to_owned(),
            org: org.clone(),
            scopes: scopes.clone(),
            revoked: false,
        },
        client_secret,
    })
}

/// Revokes `client_id`; its existing tokens stop working on their next request.
///
/// # Errors
/// [`Error::NotFound`] for an unknown client, or a database failure.
pub async fn revoke(db: &impl ConnectionTrait, client_id: &str) -> Result<PartnerApp> {
    let row = find_row(db, client_id)
        .await?
        .ok_or_else(|| not_found(client_id))?;
    let mut active: api_client::ActiveModel = row.into();
    if active.revoked_at.as_ref().is_none() {
        active.revoked_at = Set(Some(Utc::now()));
    }
    let row = active.update(db).await?;
    to_app(db, row).await
}

/// Checks a client id and secret; `None` when either is wrong or the client is revoked.
///
/// # Errors
/// Database failures.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    client_id: &str,
    secret: &str,
) -> Result<Option<PartnerApp>> {
    let Some(row) = find_row(db, client_id).await? else {
        // Hash anyway so an unknown client id takes as long as a wrong secret.
        let _ = sha256_hex(secret.as_bytes());
        return Ok(None);
    };
    let given = sha256_hex(secret.as_bytes());
    let matches: bool = given.as_bytes().ct_eq(row.secret_hash.as_bytes()).into();
    if !matches || row.revoked_at.is_some() {
        return Ok(None);
    }
    to_app(db, row).await.map(Some)
}

/// Whether `client_id` exists for `org_id` and is not revoked.
///
/// # Errors
/// Database failures.
pub async fn is_active(db: &impl ConnectionTrait, client_id: &str, org_id: i64) -> Result<bool> {
    Ok(find_row(db, client_id)
        .await?
        .is_some_and(|row| row.org_id == org_id && row.revoked_at.is_none()))
}

/// The partner apps of `org`.
///
/// # Errors
/// Database failures.
pub async fn list(db: &impl ConnectionTrait, org: &OrgRef) -> Result<Vec<PartnerApp>> {
    let rows = api_client::Entity::find()
        .filter(api_client::Column::OrgId.eq(org.id))
        .order_by_asc(api_client::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| PartnerApp {
            revoked: row.revoked_at.is_some(),
            scopes: Scopes::parse_lenient(&row.scopes),
            client_id: row.client_id,
            name: row.name,
            org: org.clone(),
        })
        .collect())
}

async fn find_row(db: &impl ConnectionTrait, client_id: &str) -> Result<Option<api_client::Model>> {
    Ok(api_client::Entity::find()
        .filter(api_client::Column::ClientId.eq(client_id))
        .one(db)
        .await?)
}

async fn to_app(db: &impl ConnectionTrait, row: api_client::Model) -> Result<PartnerApp> {
    let org = org::Entity::find_by_id(row.org_id)
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("partner app {} has no org", row.client_id))?;
    Ok(PartnerApp {
        revoked: row.revoked_at.is_some(),
        scopes: Scopes::parse_lenient(&row.scopes),
        client_id: row.client_id,
        name: row.name,
        org: OrgRef {
            id: org.id,
            key: org.key,
        },
    })
}

fn not_found(client_id: &str) -> Error {
    Error::NotFound {
        entity: "partner app",
        id: client_id.to_owned(),
    }
}
