//! The one-time values of a channel connection round trip, kept in `oauth_state` as SHA-256
//! hashes (the values themselves are only ever in the browser's hands).
//!
//! - A **state** is the OAuth `state` sent to the channel. It names the org (through its row, not
//!   its text) and is bound to the browser that started the flow: `GET /connect/...` sets a
//!   random cookie on that browser and the row keeps the cookie's hash. The callback consumes the
//!   state only when the same browser presents it with the same cookie, once, before it expires.
//!   A seller who is sent someone else's authorisation link therefore cannot connect their shop
//!   to that someone's org: their browser lacks the cookie.
//! - A **ticket** lets a browser app start a flow it cannot attach a bearer token to (a
//!   navigation carries no `Authorization` header, and a GraphQL answer cannot set a cookie on
//!   our origin for another site's page): the GraphQL authorize-URL query returns
//!   `/connect/{kind}?ticket=…`, a one-time value bound to the org that asked, valid a few
//!   minutes. Opening it sets the cookie and redirects to the channel. Whoever opens a ticket
//!   starts a flow for the ticket's org, so it must be opened by the person who asked for it;
//!   it is short-lived and single-use to keep that window small, and the callback page names
//!   the org the shop was connected to.
//!
//! Consuming is one conditional `UPDATE` (unused, unexpired, matching), so two replicas or two
//! tabs can never both use one value. Every refusal says why; nothing is stored by a refused
//! callback.

use chrono::{Duration, Utc};
use entities::oauth_state;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::ConnectKind;
use crate::error::{Error, Result};
use crate::ledger::raw::sha256_hex;
use crate::org::{self, OrgRef};

/// How long a seller has between starting a connection and coming back from the channel; the
/// browser cookie lives as long.
pub const STATE_TTL_SECS: i64 = 10 * 60;
/// How long a ticket from an authorize-URL query can wait to be opened.
pub const TICKET_TTL_SECS: i64 = 5 * 60;
/// Rows this long past their expiry are deleted when new ones are made (until then a replay is
/// told it is a replay rather than unknown).
const KEEP_EXPIRED_SECS: i64 = 60 * 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    Ticket,
    State,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Ticket => "TICKET",
            Self::State => "STATE",
        }
    }
}

/// 256 random bits, URL-safe: a ticket, a state or a browser cookie.
pub fn random_value() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// A one-time ticket that starts a connection of `kind` for `org_id` (and account `subject`,
/// when the channel's page is per account) without a bearer token.
///
/// # Errors
/// Database failures.
pub async fn issue_ticket(
    db: &impl ConnectionTrait,
    org_id: i64,
    kind: ConnectKind,
    subject: Option<&str>,
) -> Result<String> {
    issue(
        db,
        Issue {
            org_id,
            kind,
            purpose: Purpose::Ticket,
            browser_hash: None,
            subject,
            ttl_secs: TICKET_TTL_SECS,
        },
    )
    .await
}

/// Uses `ticket` up and returns its org and account. With `viewer_org` (the request also
/// carried a token), the ticket must be that org's.
///
/// # Errors
/// FORBIDDEN for another org's ticket; BAD_USER_INPUT for an unknown, used or expired one.
pub async fn redeem_ticket(
    db: &impl ConnectionTrait,
    ticket: &str,
    kind: ConnectKind,
    viewer_org: Option<i64>,
) -> Result<Consumed> {
    let hash = sha256_hex(ticket.as_bytes());
    let now = Utc::now();
    let mut update = claim(&hash, kind, Purpose::Ticket);
    if let Some(org) = viewer_org {
        update = update.filter(oauth_state::Column::OrgId.eq(org));
    }
    if update.exec(db).await?.rows_affected == 1 {
        return consumed(db, &hash).await;
    }
    let refuse = |why: &str| Error::bad_input(format!("invalid ticket: {why}: ask for a new one"));
    let row = find(db, &hash, kind, Purpose::Ticket)
        .await?
        .ok_or_else(|| refuse("unknown ticket"))?;
    if viewer_org.is_some_and(|org| org != row.org_id) {
        return Err(Error::Forbidden(
            "this ticket was issued for another org than your token's".to_owned(),
        ));
    }
    Err(refuse(if row.consumed_at.is_some() {
        "it was already used"
    } else if row.expires_at <= now {
        "it expired"
    } else {
        "it was used by another request"
    }))
}

/// A one-time OAuth `state` for `org_id`, bound to the browser whose cookie is `browser` and
/// to the account `subject` the round trip is for (when the channel's page is per account).
///
/// # Errors
/// Database failures.
pub async fn issue_state(
    db: &impl ConnectionTrait,
    org_id: i64,
    kind: ConnectKind,
    browser: &str,
    subject: Option<&str>,
) -> Result<String> {
    issue(
        db,
        Issue {
            org_id,
            kind,
            purpose: Purpose::State,
            browser_hash: Some(sha256_hex(browser.as_bytes())),
            subject,
            ttl_secs: STATE_TTL_SECS,
        },
    )
    .await
}

/// A state used up: the org it was made for and the account it was bound to.
#[derive(Clone, Debug)]
pub struct Consumed {
    /// The org.
    pub org: OrgRef,
    /// The account the round trip was started for, if any.
    pub subject: Option<String>,
}

/// Uses the returned `state` up and returns the org it was made for (and the account it was
/// bound to); `browser` is the cookie the callback request carried.
///
/// # Errors
/// BAD_USER_INPUT for an unknown, used or expired state, or one started in another browser.
pub async fn consume_state(
    db: &impl ConnectionTrait,
    state: &str,
    kind: ConnectKind,
    browser: Option<&str>,
) -> Result<Consumed> {
    let hash = sha256_hex(state.as_bytes());
    let now = Utc::now();
    if let Some(browser) = browser {
        let update = claim(&hash, kind, Purpose::State)
            .filter(oauth_state::Column::BrowserHash.eq(sha256_hex(browser.as_bytes())));
        if update.exec(db).await?.rows_affected == 1 {
            return consumed(db, &hash).await;
        }
    }
    let refuse = |why: &str| {
        Error::bad_input(format!(
            "invalid state: {why}; nothing was connected: start the connection again"
        ))
    };
    let row = find(db, &hash, kind, Purpose::State)
        .await?
        .ok_or_else(|| refuse("this authorisation was not started here"))?;
    Err(refuse(if row.consumed_at.is_some() {
        "this authorisation was already used"
    } else if row.expires_at <= now {
        "this authorisation expired"
    } else if browser.is_none() {
        "this browser did not start this authorisation (no connect cookie)"
    } else {
        "this authorisation was started in another browser"
    }))
}

/// What one issued value is bound to.
struct Issue<'a> {
    org_id: i64,
    kind: ConnectKind,
    purpose: Purpose,
    browser_hash: Option<String>,
    subject: Option<&'a str>,
    ttl_secs: i64,
}

async fn issue(db: &impl ConnectionTrait, issue: Issue<'_>) -> Result<String> {
    let Issue {
        org_id,
        kind,
        purpose,
        browser_hash,
        subject,
        ttl_secs,
    } = issue;
    let now = Utc::now();
    oauth_state::Entity::delete_many()
        .filter(oauth_state::Column::ExpiresAt.lt(now - Duration::seconds(KEEP_EXPIRED_SECS)))
        .exec(db)
        .await?;
    let value = random_value();
    oauth_state::ActiveModel {
        org_id: Set(org_id),
        kind: Set(kind.as_str().to_owned()),
        purpose: Set(purpose.as_str().to_owned()),
        nonce_hash: Set(sha256_hex(value.as_bytes())),
        browser_hash: Set(browser_hash),
        subject: Set(subject.map(str::to_owned)),
        created_at: Set(now),
        expires_at: Set(now + Duration::seconds(ttl_secs)),
        consumed_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(value)
}

/// The `UPDATE` that marks an unused, unexpired value of `kind` and `purpose` used.
fn claim(
    hash: &str,
    kind: ConnectKind,
    purpose: Purpose,
) -> sea_orm::UpdateMany<oauth_state::Entity> {
    let now = Utc::now();
    oauth_state::Entity::update_many()
        .col_expr(oauth_state::Column::ConsumedAt, Expr::value(Some(now)))
        .filter(oauth_state::Column::NonceHash.eq(hash))
        .filter(oauth_state::Column::Kind.eq(kind.as_str()))
        .filter(oauth_state::Column::Purpose.eq(purpose.as_str()))
        .filter(oauth_state::Column::ConsumedAt.is_null())
        .filter(oauth_state::Column::ExpiresAt.gt(now))
}

async fn find(
    db: &impl ConnectionTrait,
    hash: &str,
    kind: ConnectKind,
    purpose: Purpose,
) -> Result<Option<oauth_state::Model>> {
    Ok(oauth_state::Entity::find()
        .filter(oauth_state::Column::NonceHash.eq(hash))
        .one(db)
        .await?
        .filter(|row| row.kind == kind.as_str() && row.purpose == purpose.as_str()))
}

async fn row_of(db: &impl ConnectionTrait, hash: &str) -> Result<oauth_state::Model> {
    Ok(oauth_state::Entity::find()
        .filter(oauth_state::Column::NonceHash.eq(hash))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("a consumed connect value vanished"))?)
}

async fn consumed(db: &impl ConnectionTrait, hash: &str) -> Result<Consumed> {
    let row = row_of(db, hash).await?;
    Ok(Consumed {
        org: org::by_id(db, row.org_id).await?,
        subject: row.subject,
    })
}
