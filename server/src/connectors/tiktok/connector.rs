//! TikTok's side of the seam: its streams (`tiktok.shop` for a shop's orders and finance,
//! `tiktok.ads:{advertiser}` for an ad account's spend; stored spellings unchanged), its pulls,
//! and where its OAuth flows, webhook receiver, file formats and label table are. Its errors
//! become [`ConnectorError`]s here and nowhere else.

use async_trait::async_trait;
use entities::{ad_account, raw_record, shop, sync_state};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::ads::sync_ads;
use super::credentials::{ads_target, save_tokens, shop_client};
use super::error::TikTokError;
use super::sync::{sync_shop, ShopTarget, SyncError};
use super::{connect, import, labels, webhooks};
use crate::connectors::seam::{
    replay_as_file, shop_currency, Connector, ConnectorError, FileBatch, FileContext, FileFormat,
    FileInput, OAuthFlow, Progress, ProgressFn, Replayed, StreamTarget, WebhookReceiver, Window,
};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ledger::{Channel, FeeBucket};
use crate::money::Currency;
use crate::state::AppState;

/// The stream of a TikTok shop's orders and finance.
pub const SHOP_STREAM: &str = "tiktok.shop";
/// The stream prefix of a TikTok Ads account (`tiktok.ads:{advertiser}`).
pub const ADS_STREAM: &str = "tiktok.ads:";

/// A TikTok stream, parsed from its stored name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TikTokStream {
    /// A shop's orders and finance ([`SHOP_STREAM`]).
    Shop,
    /// An ad account's spend ([`ADS_STREAM`] + advertiser id).
    Ads {
        /// The advertiser id.
        advertiser: String,
    },
}

impl TikTokStream {
    /// Parses a stored stream name; `None` when it is not TikTok's.
    pub fn parse(stream: &str) -> Option<Self> {
        if stream == SHOP_STREAM {
            return Some(Self::Shop);
        }
        stream
            .strip_prefix(ADS_STREAM)
            .filter(|advertiser| !advertiser.is_empty())
            .map(|advertiser| Self::Ads {
                advertiser: advertiser.to_owned(),
            })
    }

    /// The stored name.
    pub fn stored(&self) -> String {
        match self {
            Self::Shop => SHOP_STREAM.to_owned(),
            Self::Ads { advertiser } => format!("{ADS_STREAM}{advertiser}"),
        }
    }
}

impl From<SyncError> for ConnectorError {
    fn from(error: SyncError) -> Self {
        match error {
            SyncError::TikTok(error @ TikTokError::Reauthorize { .. }) => {
                Self::Reauthorize(error.to_string())
            }
            SyncError::TikTok(error) => Self::Upstream(error.to_string()),
            SyncError::Ledger(error) => Self::Store(error),
        }
    }
}

/// TikTok Shop and TikTok Ads (one channel: ad spend is booked to the shop it advertises).
#[derive(Clone, Copy, Debug, Default)]
pub struct TikTok;

#[async_trait]
impl Connector for TikTok {
    fn channel(&self) -> Channel {
        Channel::TikTokShop
    }

    fn name(&self) -> &'static str {
        "tiktok"
    }

    fn label(&self) -> &'static str {
        "TikTok Shop"
    }

    fn labels(&self) -> &'static [(&'static str, FeeBucket)] {
        labels::LABELS
    }

    fn ready(&self, state: &AppState) -> Result<()> {
        // Without an app, every call would go to TikTok's hosts signed with an empty key.
        if state.config.channels.tiktok.app_key.is_empty() {
            return Err(Error::bad_input(
                "no TikTok app is configured (tiktok.app_key is empty): set PNL_TIKTOK__APP_KEY \
                 and PNL_TIKTOK__APP_SECRET (or [tiktok] in pnl.toml), or, for the demo's shops, \
                 run this on the data directory of a running `pnl demo`",
            ));
        }
        Ok(())
    }

    fn shop_stream(&self) -> &'static str {
        SHOP_STREAM
    }

    fn ad_account_stream(&self, advertiser_id: &str) -> Option<String> {
        Some(
            TikTokStream::Ads {
                advertiser: advertiser_id.to_owned(),
            }
            .stored(),
        )
    }

    fn parse_stream(&self, stream: &str) -> Option<StreamTarget> {
        Some(match TikTokStream::parse(stream)? {
            TikTokStream::Shop => StreamTarget::Shop,
            TikTokStream::Ads { advertiser } => StreamTarget::AdAccount {
                advertiser_id: advertiser,
            },
        })
    }

    async fn pull(
        &self,
        state: &AppState,
        shop: &shop::Model,
        job: &sync_state::Model,
        window: Window,
        progress: ProgressFn<'_>,
    ) -> std::result::Result<(), ConnectorError> {
        match TikTokStream::parse(&job.stream) {
            Some(TikTokStream::Shop) => {
                let (client, credentials) = shop_client(state, shop)?;
                let target = ShopTarget {
                    org_id: job.org_id,
                    shop_id: shop.id,
                    currency: shop_currency(shop)?,
                    credentials: shop.credentials.clone(),
                };
                let result = sync_shop(
                    &state.db,
                    &client,
                    &target,
                    window.from,
                    window.to,
                    progress,
                )
                .await;
                save_tokens(state, shop, &credentials, &client).await?;
                result.map(|_| ()).map_err(Into::into)
            }
            Some(TikTokStream::Ads { advertiser }) => {
                let (client, target) = ads_target(state, job.org_id, &advertiser).await?;
                let today = window.to.with_timezone(&target.time_zone).date_naive();
                let start = window.from.with_timezone(&target.time_zone).date_naive();
                progress(Progress {
                    step: "ads".to_owned(),
                    done: 0,
                    total: None,
                });
                sync_ads(&state.db, &client, &target, start, today).await?;
                Ok(())
            }
            None => Err(ConnectorError::Upstream(format!(
                "unknown stream {}",
                job.stream
            ))),
        }
    }

    fn oauth(&self) -> &'static [&'static dyn OAuthFlow] {
        connect::FLOWS
    }

    fn webhook(&self) -> Option<&'static dyn WebhookReceiver> {
        Some(&webhooks::Receiver)
    }

    fn formats(&self) -> &'static [FileFormat] {
        import::FILE_FORMATS
    }

    fn detect(&self, input: &FileInput<'_>) -> Result<Option<FileFormat>> {
        import::detect_file(input)
    }

    fn normalize_file(
        &self,
        input: &FileInput<'_>,
        format: FileFormat,
        ctx: &FileContext<'_>,
    ) -> Result<FileBatch> {
        import::normalize_file(input, format, ctx)
    }

    /// An ads report's record is read as the saved report of its account: the account is its
    /// source id's prefix (`ADVERTISER:FROM..TO`), its time zone and currency the stored
    /// account's, as the sync read it. Everything else reads as a saved file.
    async fn replay(
        &self,
        db: &Db,
        record: &raw_record::Model,
        ctx: &FileContext<'_>,
    ) -> Result<Replayed> {
        if !record.source_kind.starts_with("tiktok_ads.") {
            return replay_as_file(self, record, ctx);
        }
        let advertiser = record
            .source_id
            .split_once(':')
            .map_or(record.source_id.as_str(), |(id, _)| id);
        let account = ad_account::Entity::find()
            .filter(ad_account::Column::OrgId.eq(record.org_id))
            .filter(ad_account::Column::AdvertiserId.eq(advertiser))
            .one(db.conn())
            .await?
            .ok_or_else(|| {
                Error::bad_input(format!("its ad account {advertiser} is no longer stored"))
            })?;
        let time_zone = account.time_zone.parse().map_err(|_| {
            Error::bad_input(format!(
                "ad account {advertiser} stores an unknown time zone {:?}",
                account.time_zone
            ))
        })?;
        let currency = match account.currency.as_deref() {
            Some(code) => Some(Currency::parse(code)?),
            None => ctx.currency,
        };
        let ctx = FileContext {
            advertiser: Some(advertiser),
            time_zone: Some(time_zone),
            currency,
            ..*ctx
        };
        replay_as_file(self, record, &ctx)
    }
}
