//! Connecting Amazon (`/connect/amazon`): the seller consents in Seller Central (our one-time
//! `state` travels with it), Amazon redirects back with `spapi_oauth_code`,
//! `selling_partner_id` and `state`; the code is exchanged for a refresh token, the seller's
//! marketplaces are read (Sellers API), and one shop per region the seller sells in is stored
//! with the token sealed and its sync scheduled. The round trip itself (state bound to the org
//! and the browser, ticket, cookie) is shared ([`crate::connect`]).
//!
//! A shop is a seller in one region (`{selling_partner_id}@{NA|EU|FE}`): Finances event groups
//! and settlement reports are per seller and region, not per marketplace, and every line
//! carries its own currency. The shop's currency is its first marketplace's.

use std::collections::BTreeMap;

use async_trait::async_trait;
use entities::shop;
use sea_orm::{ActiveModelTrait, Set};

use super::auth::{exchange_code, Region};
use super::client::{AmazonClient, Participation};
use super::config::amazon_config;
use super::credentials::AmazonCredentials;
use super::error::AmazonError;
use super::{CHANNEL_OF, SHOP_STREAM};
use crate::connect::ConnectKind;
use crate::connectors::catalog;
use crate::connectors::credentials::seal;
use crate::connectors::seam::{CallbackParams, Connected, OAuthFlow};
use crate::connectors::ShopStatus;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::sync::schedule_now;

/// Amazon's one flow.
pub static FLOWS: &[&dyn OAuthFlow] = &[&SellerFlow];

/// `/connect/amazon`: a seller authorises the app in Seller Central.
#[derive(Clone, Copy, Debug, Default)]
pub struct SellerFlow;

#[async_trait]
impl OAuthFlow for SellerFlow {
    fn kind(&self) -> ConnectKind {
        ConnectKind::new("amazon", "AMAZON")
    }

    fn ready(&self, state: &AppState) -> Result<()> {
        super::connector::require_app(state)
    }

    fn authorize_url(
        &self,
        state: &AppState,
        nonce: &str,
        redirect_uri: &str,
        _subject: Option<&str>,
    ) -> Result<String> {
        let app = &state.config.channels.amazon;
        let config = app.client_config(Some(redirect_uri.to_owned()));
        Ok(config.consent_url(app.consent_region(), nonce))
    }

    fn code_params(&self) -> &'static [&'static str] {
        &["spapi_oauth_code"]
    }

    async fn complete(
        &self,
        state: &AppState,
        org_id: i64,
        code: &str,
        callback: &CallbackParams,
        _subject: Option<&str>,
    ) -> Result<Connected> {
        let seller = callback
            .get("selling_partner_id")
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::bad_input(
                    "Amazon's callback has no selling_partner_id: start again from /connect/amazon",
                )
            })?;
        let shops = connect_seller(state, org_id, seller, code).await?;
        Ok(Connected {
            count: shops.len(),
            noun: "Amazon seller account(s)",
            lines: shops
                .iter()
                .map(|s| format!("{} ({}) — backfill started", s.name, s.external_id))
                .collect(),
        })
    }
}

/// The shop id of `seller` in `region`.
pub fn shop_external_id(seller: &str, region: Region) -> String {
    format!("{seller}@{}", region.as_str())
}

fn refused(error: &AmazonError) -> Error {
    Error::bad_input(error.to_string())
}

/// Exchanges `code` and connects every region `seller` sells in; schedules their backfill.
///
/// # Errors
/// A refused code, a seller in no marketplace, Amazon failures, or database failures.
pub async fn connect_seller(
    state: &AppState,
    org_id: i64,
    seller: &str,
    code: &str,
) -> Result<Vec<shop::Model>> {
    let config = amazon_config(state);
    let http = reqwest::Client::new();
    let tokens = exchange_code(&http, &config, code)
        .await
        .map_err(|e| refused(&e))?;
    let refresh_token = tokens.refresh_token.ok_or_else(|| {
        Error::bad_input("Amazon's code exchange returned no refresh token: connect again")
    })?;
    // One refresh token serves every region; each region's host lists its marketplaces
    // (hosts that are one URL, as in the sandbox, are asked once).
    let mut asked = Vec::new();
    let mut regions: BTreeMap<&'static str, (Region, Vec<Participation>)> = BTreeMap::new();
    for region in [Region::Na, Region::Eu, Region::Fe] {
        let base = config.api_base.get(region).clone();
        if asked.contains(&base) {
            continue;
        }
        asked.push(base);
        let client = AmazonClient::new(http.clone(), config.clone(), region, refresh_token.clone());
        for participation in client
            .marketplace_participations()
            .await
            .map_err(|e| refused(&e))?
        {
            let Some(home) = Region::for_marketplace(&participation.marketplace_id) else {
                tracing::warn!(
                    marketplace = participation.marketplace_id,
                    "an Amazon marketplace outside the known table is skipped"
                );
                continue;
            };
            let entry = regions
                .entry(home.as_str())
                .or_insert_with(|| (home, Vec::new()));
            if !entry
                .1
                .iter()
                .any(|p| p.marketplace_id == participation.marketplace_id)
            {
                entry.1.push(participation);
            }
        }
    }
    if regions.is_empty() {
        return Err(Error::bad_input(format!(
            "Amazon seller {seller} takes part in no marketplace this server knows"
        )));
    }
    let sealed = seal(
        state,
        &AmazonCredentials {
            refresh_token,
            selling_partner_id: seller.to_owned(),
        },
    )?;
    let db = state.db.conn();
    let mut connected = Vec::new();
    for (region, marketplaces) in regions.into_values() {
        let countries: Vec<&str> = marketplaces
            .iter()
            .map(|m| m.country_code.as_str())
            .collect();
        let name = format!("Amazon {}", countries.join(", "));
        let currency = marketplaces
            .first()
            .map(|m| m.currency.clone())
            .filter(|c| !c.is_empty());
        let external_id = shop_external_id(seller, region);
        let row = catalog::ensure_shop(
            db,
            org_id,
            CHANNEL_OF,
            &external_id,
            &name,
            currency.as_deref(),
        )
        .await?;
        let mut active: shop::ActiveModel = row.into();
        active.name = Set(name);
        active.region = Set(Some(region.as_str().to_owned()));
        if let Some(currency) = currency {
            active.currency = Set(Some(currency));
        }
        active.credentials = Set(Some(sealed.clone()));
        active.status = Set(ShopStatus::Active.as_str().to_owned());
        active.status_message = Set(None);
        let row = active.update(db).await?;
        schedule_now(db, org_id, row.id, SHOP_STREAM).await?;
        connected.push(row);
    }
    state.sync.wake();
    Ok(connected)
}
