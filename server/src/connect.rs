//! Connecting channel accounts: the OAuth round trips (a one-time `state` bound to the org and
//! to the browser that started the flow, see [`state`]), generic over the channel's
//! [`OAuthFlow`] found in the connector registry by its URL name (`/connect/{kind}`). What a
//! callback's code connects (shops, ad accounts, their sealed credentials and first syncs) is the
//! connector's. Used by the `/connect/{kind}` routes, the GraphQL queries and `pnl demo`.

pub mod state;

use crate::connectors::seam::OAuthFlow;
use crate::error::{Error, Result};
use crate::state::AppState;

/// What is being connected: an OAuth flow's URL name (`/connect/{name}`) and the spelling its
/// one-time values are stored under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectKind {
    name: &'static str,
    stored: &'static str,
}

impl ConnectKind {
    /// A kind whose routes are `/connect/{name}` and whose values are stored as `stored`.
    pub const fn new(name: &'static str, stored: &'static str) -> Self {
        Self { name, stored }
    }

    /// The URL name.
    pub fn name(self) -> &'static str {
        self.name
    }

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        self.stored
    }

    /// The route that starts the round trip; its callback is this plus `/callback`.
    pub fn path(self) -> String {
        format!("/connect/{}", self.name)
    }

    /// The name of the cookie that binds the round trip to the browser (one per kind, so a shop
    /// and an ad account can be connected side by side).
    pub fn cookie(self) -> String {
        format!("pnl_connect_{}", self.name.replace('-', "_"))
    }
}

/// The OAuth flow named `kind` (`/connect/{kind}`).
///
/// # Errors
/// NOT_FOUND, naming the kinds there are.
pub fn flow(state: &AppState, kind: &str) -> Result<&'static dyn OAuthFlow> {
    state.connectors.oauth(kind).ok_or_else(|| Error::NotFound {
        entity: "connection kind",
        id: kind.to_owned(),
    })
}

/// The OAuth flow named `kind`, given as the API argument `argument`.
///
/// # Errors
/// BAD_USER_INPUT naming the argument, the kind and the kinds there are.
pub fn flow_argument(
    state: &AppState,
    argument: &str,
    kind: &str,
) -> Result<&'static dyn OAuthFlow> {
    state.connectors.oauth(kind).ok_or_else(|| {
        let known: Vec<&str> = state.connectors.oauth_kinds().collect();
        Error::bad_input(format!(
            "{argument}: unknown connection kind {kind:?}; known kinds: {}",
            known.join(", ")
        ))
    })
}

/// The account a round trip of `flow` is for, from the value given for its
/// [`OAuthFlow::subject_param`]; `None` for flows without one.
///
/// # Errors
/// BAD_USER_INPUT when the flow needs an account and none or an invalid one was given.
pub fn subject_of(flow: &dyn OAuthFlow, value: Option<&str>) -> Result<Option<String>> {
    let Some(name) = flow.subject_param() else {
        return Ok(None);
    };
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(value) => flow.subject(value).map(Some),
        None => Err(Error::bad_input(format!(
            "missing {name}: connecting {} needs the {name} to connect",
            flow.kind().name()
        ))),
    }
}

/// A round trip just started: where to send the browser, and the cookie value to set on it.
#[derive(Clone, Debug)]
pub struct Started {
    /// The channel's authorisation page with our `state` and redirect URI.
    pub authorize_url: String,
    /// The browser binding: the cookie value whose hash the `state` keeps.
    pub browser: String,
}

/// `base` with `params` in its query.
///
/// # Errors
/// An invalid base URL (a configuration mistake), named.
pub fn with_params(base: &str, params: &[(&str, &str)]) -> Result<String> {
    reqwest::Url::parse_with_params(base, params)
        .map(String::from)
        .map_err(|e| Error::Internal(anyhow::anyhow!("invalid authorize URL {base}: {e}")))
}

/// Starts a round trip of `flow` for `org_id` in a browser: a fresh browser binding and a state
/// bound to it, to the org and to the account `subject` (see [`OAuthFlow::subject`]).
///
/// # Errors
/// No app configured, an invalid URL, or a database failure.
pub async fn start(
    state: &AppState,
    org_id: i64,
    flow: &dyn OAuthFlow,
    subject: Option<&str>,
) -> Result<Started> {
    flow.ready(state)?;
    let kind = flow.kind();
    let browser = self::state::random_value();
    let nonce = self::state::issue_state(state.db.conn(), org_id, kind, &browser, subject).await?;
    let redirect = format!("{}{}/callback", state.config.public_url(), kind.path());
    let authorize_url = flow.authorize_url(state, &nonce, &redirect, subject)?;
    Ok(Started {
        authorize_url,
        browser,
    })
}

/// The URL on this server that starts a round trip of `flow` for `org_id` (and account
/// `subject`, already validated by the flow) in whichever browser opens it first:
/// `/connect/{kind}?ticket=…`, one-time and valid [`state::TICKET_TTL_SECS`] seconds. For
/// browser apps, which cannot send a bearer token with a navigation.
///
/// # Errors
/// No app configured, an invalid URL, or a database failure.
pub async fn ticket_url(
    state: &AppState,
    org_id: i64,
    flow: &dyn OAuthFlow,
    subject: Option<&str>,
) -> Result<String> {
    flow.ready(state)?;
    let kind = flow.kind();
    let ticket = self::state::issue_ticket(state.db.conn(), org_id, kind, subject).await?;
    with_params(
        &format!("{}{}", state.config.public_url(), kind.path()),
        &[("ticket", &ticket)],
    )
}
