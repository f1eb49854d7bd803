//! The `amazon.finances` stream of one shop (a seller in one region): event groups (payouts),
//! every event of each group the window touches, then the settlement reports created in the
//! window. Both sources of the same money post it once (see the module doc of
//! [`crate::connectors::amazon`]).
//!
//! Windows follow Finances v0's rules (reference A.2): group filters at most 180 days apart and
//! ending more than 2 minutes before now. A group is re-read whole while the window touches it
//! (its end is at or after the window's start, or it is still Open), so events that arrive up
//! to 48 hours late are read by the engine's overlap window (3 days by default). Groups that
//! started up to [`GROUP_REACH`] before the window are listed too, since a group that began
//! before the cursor may end inside the window.

use chrono::{DateTime, Duration, Utc};
use entities::shop;

use super::client::{AmazonClient, RawPage, Window as CallWindow};
use super::config::amazon_config;
use super::credentials::AmazonCredentials;
use super::error::AmazonError;
use super::model::{Envelope, FinancialEventGroup, GroupsPayload};
use super::{finances, settlement, Region, AMAZON};
use crate::connectors::credentials::open;
use crate::connectors::ingest::{ingest, Batch, IngestReport};
use crate::connectors::seam::{ConnectorError, Progress, ProgressFn, Window};
use crate::connectors::{Failure, Normalized};
use crate::error::Error;
use crate::ledger::mapping::FeeMapper;
use crate::state::AppState;

/// How long before the window's start a group may have started and still be read.
pub const GROUP_REACH: Duration = Duration::days(35);
/// Finances refuses a `…Before` less than 2 minutes before now; keep clear of it.
const SETTLE_MARGIN: Duration = Duration::minutes(3);
/// The longest window Finances answers (longer ones answer empty, not an error).
const MAX_SPAN: Duration = Duration::days(180);

/// Raw record kinds of this stream.
pub const GROUPS_KIND: &str = "amazon.finances.v0.event_groups";
/// One group's events (every page, joined).
pub const EVENTS_KIND: &str = "amazon.finances.v0.group_events";

impl From<AmazonError> for ConnectorError {
    fn from(error: AmazonError) -> Self {
        match error {
            AmazonError::Reauthorize { .. } => Self::Reauthorize(error.to_string()),
            AmazonError::RateLimited { .. } => Self::RateLimited {
                retry_after: None,
                message: error.to_string(),
            },
            AmazonError::Upstream { .. } => Self::Upstream(error.to_string()),
        }
    }
}

/// What one pull did.
#[derive(Clone, Debug, Default)]
pub struct SyncReport {
    /// Groups read whole.
    pub groups: usize,
    /// Settlement reports read.
    pub reports: usize,
    /// What ingest did.
    pub ingest: IngestReport,
}

/// The client of `shop` (its region's host, its seller's refresh token).
///
/// # Errors
/// A shop without credentials or region.
pub fn shop_client(state: &AppState, shop: &shop::Model) -> crate::error::Result<AmazonClient> {
    let credentials: AmazonCredentials = open(
        state,
        shop.credentials.as_deref(),
        &format!("shop {}", shop.id),
    )?;
    let region = match shop
        .region
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("NA") => Region::Na,
        Some("EU") => Region::Eu,
        Some("FE") => Region::Fe,
        other => {
            return Err(Error::bad_input(format!(
                "Amazon shop {} ({}) has no region (NA, EU or FE) but {other:?}: connect it again",
                shop.id, shop.external_id
            )))
        }
    };
    Ok(AmazonClient::new(
        reqwest::Client::new(),
        amazon_config(state),
        region,
        credentials.refresh_token,
    ))
}

/// Pulls `window` of `shop`; a revoked grant also marks the shop NEEDS_REAUTH.
///
/// # Errors
/// See [`ConnectorError`]. What was ingested before a failure stays ingested.
pub async fn sync_shop(
    state: &AppState,
    shop: &shop::Model,
    window: Window,
    progress: ProgressFn<'_>,
) -> Result<SyncReport, ConnectorError> {
    let client = shop_client(state, shop)?;
    let result = pull(state, &client, shop, window, progress).await;
    crate::connectors::catalog::mark_refused_grant(state.db.conn(), shop, result).await
}

struct Pull<'a> {
    state: &'a AppState,
    client: &'a AmazonClient,
    shop: &'a shop::Model,
    report: SyncReport,
}

impl Pull<'_> {
    async fn post(
        &mut self,
        kind: &str,
        source_id: &str,
        payload: String,
        normalized: Normalized,
    ) -> Result<(), ConnectorError> {
        let batch = Batch::with_raw(AMAZON, self.shop.id, kind, source_id, payload, normalized);
        self.report
            .ingest
            .absorb(ingest(&self.state.db, self.shop.org_id, batch).await?);
        Ok(())
    }

    /// Every group that started in `from..to`, in windows Finances answers, with their pages.
    async fn groups(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(Vec<FinancialEventGroup>, Vec<RawPage>), ConnectorError> {
        let mut groups = Vec::new();
        let mut pages = Vec::new();
        let mut after = from;
        while after < to {
            let before = (after + MAX_SPAN).min(to);
            let call = CallWindow {
                after,
                before: Some(before),
            };
            let mut token: Option<String> = None;
            loop {
                let page = self
                    .client
                    .list_financial_event_groups(&call, token.as_deref())
                    .await?;
                let envelope: Envelope<GroupsPayload> =
                    serde_json::from_str(&page.body).map_err(|e| {
                        ConnectorError::Upstream(format!(
                            "Amazon listFinancialEventGroups: an answer that is not a group \
                             list (line {}, column {})",
                            e.line(),
                            e.column()
                        ))
                    })?;
                if let Some(payload) = envelope.payload {
                    groups.extend(payload.financial_event_group_list);
                }
                token = page.next_token.clone();
                pages.push(page);
                if token.is_none() {
                    break;
                }
            }
            after = before;
        }
        Ok((groups, pages))
    }
}

/// Every page of `group`'s events.
async fn events(client: &AmazonClient, group: &str) -> Result<Vec<RawPage>, AmazonError> {
    let mut pages = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_financial_events_by_group(group, None, token.as_deref())
            .await?;
        token = page.next_token.clone();
        pages.push(page);
        if token.is_none() {
            return Ok(pages);
        }
    }
}

/// Aborts the group reader when the pull stops early (an error while posting).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn joined(pages: &[RawPage]) -> String {
    crate::connectors::joined_pages(pages.iter().map(|p| p.body.as_str()))
}

/// Whether the pull reads `group`'s events: it is open, or it ends at or after `from`.
fn touches(group: &FinancialEventGroup, from: DateTime<Utc>) -> bool {
    let open = group
        .processing_status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("open"));
    open || group
        .financial_event_group_end
        .is_none_or(|end| end >= from)
}

/// Pulls `window` of `shop` through `client`.
///
/// # Errors
/// See [`ConnectorError`].
pub async fn pull(
    state: &AppState,
    client: &AmazonClient,
    shop: &shop::Model,
    window: Window,
    progress: ProgressFn<'_>,
) -> Result<SyncReport, ConnectorError> {
    let mapper = FeeMapper::load(state.db.conn(), shop.org_id).await?;
    let mut pull = Pull {
        state,
        client,
        shop,
        report: SyncReport::default(),
    };
    let step = |name: &str, done: usize, total: Option<usize>| {
        progress(Progress {
            step: name.to_owned(),
            done,
            total,
        });
    };
    let to = window.to.min(Utc::now() - SETTLE_MARGIN);
    let from = window.from - GROUP_REACH;

    // 1. Groups: the payouts, each with Amazon's total.
    step("event groups", 0, None);
    let (groups, pages) = pull.groups(from, to).await?;
    let mut payouts = Normalized::default();
    for page in &pages {
        payouts.extend(finances::normalize_groups(page.body.as_bytes()));
    }
    let source = format!("{}..{}", from.timestamp(), to.timestamp());
    pull.post(GROUPS_KIND, &source, joined(&pages), payouts)
        .await?;

    // 2. Each group the window touches, read whole (all pages normalised together: keys repeated
    //    in a group are numbered across its pages).
    //    Reading runs ahead of posting (one group in flight), so the pull is bound by Amazon's
    //    usage plan, not by the ledger's writes.
    let chosen: Vec<FinancialEventGroup> = groups
        .into_iter()
        .filter(|g| touches(g, window.from))
        .collect();
    let total = chosen.len();
    let (sender, mut fetched) = tokio::sync::mpsc::channel(1);
    let reader = {
        let client = client.clone();
        tokio::spawn(async move {
            for group in chosen {
                let pages = events(&client, &group.financial_event_group_id).await;
                let failed = pages.is_err();
                if sender.send((group, pages)).await.is_err() || failed {
                    return;
                }
            }
        })
    };
    let _abort = AbortOnDrop(reader);
    let mut done = 0;
    while let Some((group, pages)) = fetched.recv().await {
        step("group events", done, Some(total));
        let pages = pages?;
        let bodies: Vec<&[u8]> = pages.iter().map(|p| p.body.as_bytes()).collect();
        let normalized = finances::normalize_events(&group, &bodies, &mapper);
        pull.post(
            EVENTS_KIND,
            &group.financial_event_group_id,
            joined(&pages),
            normalized,
        )
        .await?;
        pull.report.groups += 1;
        done += 1;
    }
    if done < total {
        return Err(ConnectorError::Upstream(format!(
            "Amazon: {done} of {total} event groups were read before the reader stopped"
        )));
    }
    step("group events", total, Some(total));

    // 3. Settlement reports created in the window: the same money again (posted once), and the
    //    settlement's own total as a second assertion of the same payout.
    step("settlement reports", 0, None);
    let mut reports = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_settlement_reports(Some(from), token.as_deref())
            .await?;
        reports.extend(page.reports);
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    let ready: Vec<_> = reports
        .into_iter()
        .filter(|r| r.processing_status.eq_ignore_ascii_case("DONE"))
        .filter_map(|r| r.report_document_id.clone().map(|doc| (r, doc)))
        .collect();
    for (done, (report, document)) in ready.iter().enumerate() {
        step("settlement reports", done, Some(ready.len()));
        let bytes = client.download_report_document(document).await?;
        let name = format!("settlement report {}", report.report_id);
        let normalized = match settlement::parse_with(&bytes, &name, &mapper) {
            Ok(normalized) => normalized,
            Err(error) => {
                // A report we cannot read is listed with the sync's failures; the API's events
                // already carry its money.
                tracing::warn!(report = report.report_id, %error, "an Amazon settlement report could not be read");
                Normalized {
                    failures: vec![Failure {
                        position: name.clone(),
                        reason: error.to_string(),
                    }],
                    ..Normalized::default()
                }
            }
        };
        // The raw record is the document's text in the character set it was written in.
        let payload = match std::str::from_utf8(&bytes) {
            Ok(text) => text.to_owned(),
            Err(_) => settlement::decode::decode(&bytes)
                .map(|(text, _)| text)
                .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned()),
        };
        pull.post(
            settlement::SOURCE_KIND,
            &report.report_id,
            payload,
            normalized,
        )
        .await?;
        pull.report.reports += 1;
    }
    step("settlement reports", ready.len(), Some(ready.len()));
    Ok(pull.report)
}
