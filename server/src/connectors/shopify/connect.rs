//! Installing the app on a Shopify shop (`/connect/shopify?shop=NAME.myshopify.com`, or the
//! GraphQL `shopifyAuthorizeUrl(shop:)`): the shop domain is validated (only
//! `*.myshopify.com`), our one-time `state` is bound to the org, the browser and the shop, the
//! seller approves the scopes at `https://{shop}/admin/oauth/authorize`, and Shopify redirects
//! back with `code`, `hmac`, `shop`, `state` and `timestamp`. The callback's `hmac` is checked
//! (constant time) before the state is used or the code exchanged, the shop must be the one the
//! state was bound to, and the offline token is exchanged at
//! `https://{shop}/admin/oauth/access_token` and sealed. A refused or mismatched state, a bad
//! `hmac` or a foreign domain stores nothing.

use async_trait::async_trait;
use entities::shop;
use sea_orm::{ActiveModelTrait, Set};
use subtle::ConstantTimeEq;

use super::client::{exchange_code, ShopifyClient};
use super::credentials::ShopifyCredentials;
use super::{queries, CHANNEL, SHOP_STREAM};
use crate::connect::{with_params, ConnectKind};
use crate::connectors::catalog;
use crate::connectors::credentials::seal;
use crate::connectors::seam::{CallbackParams, Connected, OAuthFlow};
use crate::connectors::ShopStatus;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::sync::schedule_now;

/// Shopify's one flow.
pub static FLOWS: &[&dyn OAuthFlow] = &[&InstallFlow];

/// `/connect/shopify`: a merchant installs the app on their shop.
#[derive(Clone, Copy, Debug, Default)]
pub struct InstallFlow;

/// Fails unless a Shopify app is configured.
///
/// # Errors
/// What is missing, naming the settings.
pub fn require_app(state: &AppState) -> Result<()> {
    let app = &state.config.channels.shopify;
    if app.api_key.trim().is_empty() || app.api_secret.expose().is_empty() {
        return Err(Error::bad_input(
            "no Shopify app is configured: set shopify.api_key and shopify.api_secret \
             (PNL_SHOPIFY__API_KEY, PNL_SHOPIFY__API_SECRET, or [shopify] in pnl.toml)",
        ));
    }
    Ok(())
}

/// `shop` as a Shopify shop domain (`NAME.myshopify.com`, lower case), or an error naming it.
/// Anything else — another host, a path, a port, credentials, a custom domain — is refused, so
/// neither the browser nor the code exchange is ever sent elsewhere.
///
/// # Errors
/// BAD_USER_INPUT naming the value.
pub fn shop_domain(shop: &str) -> Result<String> {
    let domain = shop.trim().to_ascii_lowercase();
    let name = domain.strip_suffix(".myshopify.com").unwrap_or_default();
    let valid = !name.is_empty()
        && name.len() <= 60
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-');
    if valid {
        Ok(domain)
    } else {
        Err(Error::bad_input(format!(
            "shop: {shop:?} is not a Shopify shop domain; give the shop's NAME.myshopify.com \
             domain (Settings → Domains in the Shopify admin)"
        )))
    }
}

/// The hex HMAC-SHA256 Shopify signs a callback with: every query parameter except `hmac` (and
/// the legacy `signature`), sorted by name, as `name=value` joined by `&`, keyed by the app
/// secret. `%`, `&` (and `=` in names) are escaped as Shopify's libraries do.
pub fn callback_hmac(secret: &str, params: &CallbackParams) -> String {
    let mut pairs: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k.as_str() != "hmac" && k.as_str() != "signature")
        .map(|(k, v)| {
            let key = k
                .replace('%', "%25")
                .replace('&', "%26")
                .replace('=', "%3D");
            let value = v.replace('%', "%25").replace('&', "%26");
            (key, value)
        })
        .collect();
    pairs.sort();
    let message = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    hex::encode(crate::crypto::hmac_sha256(
        secret.as_bytes(),
        message.as_bytes(),
    ))
}

/// Whether `params` carry the right `hmac` for `secret` (constant-time comparison).
pub fn verify_callback(secret: &str, params: &CallbackParams) -> bool {
    let Some(given) = params.get("hmac") else {
        return false;
    };
    let expected = callback_hmac(secret, params);
    !secret.is_empty()
        && expected
            .as_bytes()
            .ct_eq(given.trim().to_ascii_lowercase().as_bytes())
            .into()
}

#[async_trait]
impl OAuthFlow for InstallFlow {
    fn kind(&self) -> ConnectKind {
        ConnectKind::new("shopify", "SHOPIFY")
    }

    fn ready(&self, state: &AppState) -> Result<()> {
        require_app(state)
    }

    fn subject_param(&self) -> Option<&'static str> {
        Some("shop")
    }

    fn subject(&self, value: &str) -> Result<String> {
        shop_domain(value)
    }

    fn authorize_url(
        &self,
        state: &AppState,
        nonce: &str,
        redirect_uri: &str,
        subject: Option<&str>,
    ) -> Result<String> {
        let app = &state.config.channels.shopify;
        let shop = shop_domain(subject.unwrap_or_default())?;
        with_params(
            &format!("{}/admin/oauth/authorize", app.shop_base(&shop)),
            &[
                ("client_id", app.api_key.trim()),
                ("scope", app.scopes.trim()),
                ("redirect_uri", redirect_uri),
                ("state", nonce),
            ],
        )
    }

    fn verify_callback(&self, state: &AppState, callback: &CallbackParams) -> Result<()> {
        let secret = state.config.channels.shopify.api_secret.expose();
        if verify_callback(secret, callback) {
            Ok(())
        } else {
            tracing::warn!("refused a Shopify install callback with a wrong or missing hmac");
            Err(Error::Unauthenticated(
                "the callback's hmac is missing or wrong: it was not sent by Shopify for this \
                 app; nothing was connected"
                    .to_owned(),
            ))
        }
    }

    fn code_params(&self) -> &'static [&'static str] {
        &["code"]
    }

    async fn complete(
        &self,
        state: &AppState,
        org_id: i64,
        code: &str,
        callback: &CallbackParams,
        subject: Option<&str>,
    ) -> Result<Connected> {
        let given = shop_domain(callback.get("shop").map_or("", String::as_str))?;
        if subject != Some(given.as_str()) {
            return Err(Error::bad_input(format!(
                "the callback names shop {given} but this authorisation was started for {}: \
                 nothing was connected; start again from /connect/shopify?shop=…",
                subject.unwrap_or("no shop")
            )));
        }
        let row = connect_shop(state, org_id, &given, code).await?;
        Ok(Connected {
            count: 1,
            noun: "Shopify shop(s)",
            lines: vec![format!(
                "{} ({}) — backfill started",
                row.name, row.external_id
            )],
        })
    }
}

/// Exchanges `code` for `shop`'s offline token, reads the shop's name and currency, stores the
/// shop with its token sealed and schedules its backfill.
///
/// # Errors
/// A refused code, Shopify failures, or database failures.
pub async fn connect_shop(
    state: &AppState,
    org_id: i64,
    shop: &str,
    code: &str,
) -> Result<shop::Model> {
    let app = &state.config.channels.shopify;
    let http = reqwest::Client::new();
    let (access_token, scope) = exchange_code(app, &http, shop, code)
        .await
        .map_err(|e| Error::bad_input(e.to_string()))?;
    let client = ShopifyClient::new(app, http, shop, access_token.clone());
    let page = client
        .query(queries::SHOP, serde_json::json!({}))
        .await
        .map_err(|e| Error::bad_input(e.to_string()))?;
    let info = &page.data["shop"];
    let name = info["name"].as_str().unwrap_or(shop).to_owned();
    let currency = info["currencyCode"]
        .as_str()
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    let sealed = seal(
        state,
        &ShopifyCredentials {
            access_token,
            scope,
        },
    )?;
    let db = state.db.conn();
    let row = catalog::ensure_shop(db, org_id, CHANNEL, shop, &name, currency.as_deref()).await?;
    let mut active: shop::ActiveModel = row.into();
    active.name = Set(name);
    if let Some(currency) = currency {
        active.currency = Set(Some(currency));
    }
    active.credentials = Set(Some(sealed));
    active.status = Set(ShopStatus::Active.as_str().to_owned());
    active.status_message = Set(None);
    let row = active.update(db).await?;
    schedule_now(db, org_id, row.id, SHOP_STREAM).await?;
    state.sync.wake();
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> CallbackParams {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn only_myshopify_domains_are_shops() {
        assert_eq!(
            shop_domain(" Acme-Store.myshopify.com ").unwrap(),
            "acme-store.myshopify.com"
        );
        for bad in [
            "",
            "acme.com",
            "myshopify.com",
            ".myshopify.com",
            "evil.com/.myshopify.com",
            "acme.myshopify.com.evil.com",
            "a@b.myshopify.com",
            "acme.myshopify.com:443",
            "https://acme.myshopify.com",
            "-acme.myshopify.com",
            "ac me.myshopify.com",
        ] {
            assert!(shop_domain(bad).is_err(), "{bad:?} passed");
        }
    }

    #[test]
    fn the_documented_example_verifies() {
        // shopify.dev "Verify a request" example: secret `hush`.
        let mut query = params(&[
            ("code", "0907a61c0c8d55e99db179b68161bc00"),
            ("shop", "some-shop.myshopify.com"),
            ("state", "0.6784241404160823"),
            ("timestamp", "1337178173"),
        ]);
        let hmac = callback_hmac("hush", &query);
        assert_eq!(
            hmac,
            "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"
        );
        query.insert("hmac".to_owned(), hmac);
        assert!(verify_callback("hush", &query));
        assert!(!verify_callback("other", &query));
        query.insert("shop".to_owned(), "other-shop.myshopify.com".to_owned());
        assert!(!verify_callback("hush", &query));
        query.remove("hmac");
        assert!(!verify_callback("hush", &query));
    }
}
