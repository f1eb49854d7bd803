//! The headline figures of a range against the range before it (`kpis`).

use async_graphql::SimpleObject;

use super::completeness::Completeness;
use super::pnl::PnlRow;
use super::scalars::{Date, Decimal};
use crate::error::Result;
use crate::pnl::kpis::{Kpi, KpiChange as DomainChange, Kpis as DomainKpis};

/// A range's totals next to the equally long range just before it, with the change of each
/// headline figure.
#[derive(Clone, Debug, SimpleObject)]
pub struct Kpis {
    /// The reporting currency of every amount.
    pub currency: String,
    /// First day of the previous range.
    pub previous_from: Date,
    /// Last day of the previous range (the day before the range starts).
    pub previous_to: Date,
    /// The range's P&L over every channel.
    pub current: PnlRow,
    /// The previous range's P&L over every channel.
    pub previous: PnlRow,
    /// Net sales, contribution profit, margin, ad spend, ROAS, TACoS and refund rate, in this
    /// order, each with its change.
    pub changes: Vec<KpiChange>,
    /// The sources the answer is built on, and whether they all reach its end.
    pub completeness: Completeness,
}

/// One headline figure now and before.
#[derive(Clone, Debug, SimpleObject)]
pub struct KpiChange {
    /// Which figure.
    pub kpi: Kpi,
    /// True for amounts in the reporting currency (net sales, contribution profit, ad spend),
    /// false for ratios.
    pub is_money: bool,
    /// Its value in the range (null where undefined, e.g. a margin without net sales).
    pub current: Option<Decimal>,
    /// Its value in the previous range.
    pub previous: Option<Decimal>,
    /// For money: (current − previous) / |previous|, 4 decimals, null when previous is zero.
    /// For ratios: current − previous. Null without both values.
    pub change: Option<Decimal>,
}

impl From<DomainChange> for KpiChange {
    fn from(c: DomainChange) -> Self {
        Self {
            kpi: c.kpi,
            is_money: c.kpi.is_money(),
            current: c.current.map(Into::into),
            previous: c.previous.map(Into::into),
            change: c.change.map(Into::into),
        }
    }
}

impl Kpis {
    /// Converts the domain answer, built on `completeness`.
    ///
    /// # Errors
    /// Overflow.
    pub fn try_from_domain(kpis: DomainKpis, completeness: Completeness) -> Result<Self> {
        Ok(Self {
            currency: kpis.currency.as_str().to_owned(),
            previous_from: kpis.previous_from.into(),
            previous_to: kpis.previous_to.into(),
            current: PnlRow::try_from_domain(&kpis.current)?,
            previous: PnlRow::try_from_domain(&kpis.previous)?,
            changes: kpis.changes.into_iter().map(Into::into).collect(),
            completeness,
        })
    }
}
