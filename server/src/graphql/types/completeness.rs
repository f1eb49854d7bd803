//! What an answer is built on, as the API shows it (see `crate::pnl::completeness`).

use async_graphql::{SimpleObject, ID};

use super::scalars::{Date, DateTime};
use crate::ledger::Channel;
use crate::pnl::completeness::{
    Completeness as DomainCompleteness, Source as DomainSource, SourceKind, SourceState,
};

/// The sources behind an answer, and whether they are all healthy and reach the range's end.
#[derive(Clone, Debug, SimpleObject)]
pub struct Completeness {
    /// False when any source is paused, failed, needs re-authorisation, or has not yet covered
    /// the range's end (or today, for a range that ends later): the figures may then be missing
    /// money — see each source's `gap`.
    pub complete: bool,
    /// Every source that feeds the answer.
    pub sources: Vec<DataSource>,
}

/// One source of the ledger: a synced shop, an ad account, or imported statements.
#[derive(Clone, Debug, SimpleObject)]
pub struct DataSource {
    /// What it is.
    pub kind: SourceKind,
    /// Its channel.
    pub channel: Channel,
    /// The shop it is, or whose ad spend it carries.
    pub shop_id: Option<ID>,
    /// Shop or ad account name.
    pub name: String,
    /// How it is: its sync's state, NEEDS_REAUTH or DEAUTHORIZED when its grant is gone,
    /// IMPORTED for files.
    pub state: SourceState,
    /// When it last synced well.
    pub last_success_at: Option<DateTime>,
    /// The latest day (org time zone) its data reaches.
    pub covered_through: Option<Date>,
    /// Why it leaves the answer incomplete, in words (e.g. "PAUSED (synced up to 2026-01-20):
    /// …"); null when it is complete for the range.
    pub gap: Option<String>,
}

impl From<DomainSource> for DataSource {
    fn from(source: DomainSource) -> Self {
        Self {
            kind: source.kind,
            channel: source.channel,
            shop_id: source.shop_id.map(ID::from),
            name: source.name,
            state: source.state,
            last_success_at: source.last_success_at.map(Into::into),
            covered_through: source.covered_through.map(Into::into),
            gap: source.gap,
        }
    }
}

impl From<DomainCompleteness> for Completeness {
    fn from(completeness: DomainCompleteness) -> Self {
        Self {
            complete: completeness.complete,
            sources: completeness.sources.into_iter().map(Into::into).collect(),
        }
    }
}
