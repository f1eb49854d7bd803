//! Tokens `pnl token` signed, recorded by their `jti` so that they can be listed and revoked.
//! Revocation works like a partner app's: every request with a token of this server that carries
//! a `jti` looks it up, so a revoked token stops at its next request. Tokens this server signed
//! without recording them (the demo's, a partner's) and tokens from before `jti` existed are not
//! in the table and stay valid until they expire.

use chrono::{DateTime, Utc};
use entities::{issued_token, org};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::jwt::{JwtKeys, SignedToken, TokenRequest};
use super::Scopes;
use crate::error::{Error, Result};
use crate::org::OrgRef;

/// A recorded token, without the token itself.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    /// Its `jti`.
    pub jti: String,
    /// Its `sub`.
    pub subject: String,
    /// The scopes it grants.
    pub scopes: Scopes,
    /// When it was signed.
    pub issued_at: DateTime<Utc>,
    /// Its `exp`.
    pub expires_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<issued_token::Model> for IssuedToken {
    fn from(row: issued_token::Model) -> Self {
        Self {
            scopes: Scopes::parse_lenient(&row.scopes),
            jti: row.jti,
            subject: row.subject,
            issued_at: row.created_at,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
        }
    }
}

/// Signs a token for `org` and records it, so that it can be listed and revoked.
///
/// # Errors
/// A lifetime that overflows the clock, a signing or database failure.
pub async fn issue(
    db: &impl ConnectionTrait,
    keys: &JwtKeys,
    org: &OrgRef,
    subject: &str,
    scopes: &Scopes,
    ttl: std::time::Duration,
) -> Result<SignedToken> {
    let signed = keys.sign_with_id(&TokenRequest {
        subject,
        org: &org.key,
        scopes,
        ttl,
        client_id: None,
    })?;
    issued_token::ActiveModel {
        org_id: Set(org.id),
        jti: Set(signed.jti.clone()),
        subject: Set(subject.to_owned()),
        scopes: Set(scopes.to_string()),
        created_at: Set(Utc::now()),
        expires_at: Set(signed.expires_at),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(signed)
}

/// Revokes the token `jti`; with `org`, only a token of that org (another org's is not found).
/// Revoking twice keeps the first time.
///
/// # Errors
/// [`Error::NotFound`] for a `jti` that was not recorded (for `org`), or a database failure.
pub async fn revoke(
    db: &impl ConnectionTrait,
    jti: &str,
    org: Option<i64>,
) -> Result<(i64, IssuedToken)> {
    let mut find = issued_token::Entity::find().filter(issued_token::Column::Jti.eq(jti));
    if let Some(org) = org {
        find = find.filter(issued_token::Column::OrgId.eq(org));
    }
    let row = find.one(db).await?.ok_or_else(|| Error::NotFound {
        entity: "token",
        id: jti.to_owned(),
    })?;
    if row.revoked_at.is_none() {
        issued_token::Entity::update_many()
            .col_expr(
                issued_token::Column::RevokedAt,
                Expr::value(Some(Utc::now())),
            )
            .filter(issued_token::Column::Id.eq(row.id))
            .filter(issued_token::Column::RevokedAt.is_null())
            .exec(db)
            .await?;
    }
    let row = issued_token::Entity::find_by_id(row.id)
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("token {jti} vanished while being revoked"))?;
    Ok((row.org_id, row.into()))
}

/// Whether the token `jti` was recorded and revoked.
///
/// # Errors
/// Database failures.
pub async fn is_revoked(db: &impl ConnectionTrait, jti: &str) -> Result<bool> {
    Ok(issued_token::Entity::find()
        .filter(issued_token::Column::Jti.eq(jti))
        .one(db)
        .await?
        .is_some_and(|row| row.revoked_at.is_some()))
}

/// The org `org_key` (none when it has no row yet) and whether the token `jti` is revoked
/// ([`is_revoked`]): what every request with a recorded token asks, in one round trip.
///
/// # Errors
/// Database failures.
pub async fn org_and_revoked(
    db: &impl ConnectionTrait,
    org_key: &str,
    jti: &str,
) -> Result<Option<(OrgRef, bool)>> {
    let revoked = Query::select()
        .expr(Expr::val(1))
        .from(issued_token::Entity)
        .and_where(issued_token::Column::Jti.eq(jti))
        .and_where(issued_token::Column::RevokedAt.is_not_null())
        .to_owned();
    let row: Option<(i64, String, bool)> = org::Entity::find()
        .select_only()
        .columns([org::Column::Id, org::Column::Key])
        .column_as(Expr::exists(revoked), "revoked")
        .filter(org::Column::Key.eq(org_key))
        .into_tuple()
        .one(db)
        .await?;
    Ok(row.map(|(id, key, revoked)| (OrgRef { id, key }, revoked)))
}

/// The recorded tokens of `org`, oldest first.
///
/// # Errors
/// Database failures.
pub async fn list(db: &impl ConnectionTrait, org: i64) -> Result<Vec<IssuedToken>> {
    Ok(issued_token::Entity::find()
        .filter(issued_token::Column::OrgId.eq(org))
        .order_by_asc(issued_token::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(IssuedToken::from)
        .collect())
}
