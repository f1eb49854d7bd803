//! The columns of the pivot's query, defined once.
//!
//! Each [`Column`] carries its alias, its SQL in one piece's SELECT (over one sums table joined
//! as `le`, see [`super::plan`]), and whether the outer query groups by it or sums it. The
//! SELECT lists, the GROUP BY and the reading of a row into an [`Aggregate`] are all built from
//! [`Column::ALL`], and every value is read back by its alias, so reordering the columns cannot
//! swap two values.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use sea_orm::QueryResult;

use super::fold::Aggregate;
use super::Dimension;
use crate::error::Result;
use crate::money::Currency;

/// One column of the pivot's query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Column {
    Channel,
    ShopId,
    CreatorId,
    ListingId,
    ProductId,
    Bucket,
    Status,
    Currency,
    Day,
    Amount,
    Quantity,
    SaleLines,
}

/// What a piece's SELECT needs to know to write each column.
pub(super) struct Shape<'a> {
    /// The requested dimensions: a dimension that is not requested is selected as a constant.
    pub(super) dims: &'a BTreeSet<Dimension>,
    /// SQL of a row's effective product id.
    pub(super) product: &'a str,
}

impl Column {
    /// Every column, in the order they are selected.
    pub(super) const ALL: [Self; 12] = [
        Self::Channel,
        Self::ShopId,
        Self::CreatorId,
        Self::ListingId,
        Self::ProductId,
        Self::Bucket,
        Self::Status,
        Self::Currency,
        Self::Day,
        Self::Amount,
        Self::Quantity,
        Self::SaleLines,
    ];

    /// The name the column is selected and read back as.
    pub(super) const fn alias(self) -> &'static str {
        match self {
            Self::Channel => "channel",
            Self::ShopId => "shop_id",
            Self::CreatorId => "creator_id",
            Self::ListingId => "listing_id",
            Self::ProductId => "product_id",
            Self::Bucket => "bucket",
            Self::Status => "status",
            Self::Currency => "currency",
            Self::Day => "day",
            Self::Amount => "amount",
            Self::Quantity => "quantity",
            Self::SaleLines => "sale_lines",
        }
    }

    /// Whether the outer query sums the column (else it groups by it).
    const fn summed(self) -> bool {
        matches!(self, Self::Amount | Self::Quantity | Self::SaleLines)
    }

    /// SQL of the column in one piece's SELECT; `day` is the piece's SQL of a row's day.
    fn piece_sql<'a>(self, shape: &Shape<'a>, day: &'a str) -> &'a str {
        let grouped = |dim: Dimension, column: &'static str, constant: &'static str| {
            if shape.dims.contains(&dim) {
                column
            } else {
                constant
            }
        };
        // Constants are cast so PostgreSQL sends BIGINT, as for the columns they stand in for.
        match self {
            Self::Channel => grouped(Dimension::Channel, "le.channel", "''"),
            Self::ShopId => grouped(Dimension::Shop, "le.shop_id", "CAST(0 AS BIGINT)"),
            Self::CreatorId => grouped(Dimension::Creator, "le.creator_id", "CAST(0 AS BIGINT)"),
            Self::ListingId => "le.listing_id",
            Self::ProductId => shape.product,
            Self::Bucket => "le.bucket",
            Self::Status => "le.status",
            Self::Currency => "le.currency",
            Self::Day => day,
            Self::Amount => "le.amount_minor",
            Self::Quantity => "le.quantity",
            Self::SaleLines => "le.sale_lines",
        }
    }
}

/// The SELECT list of one piece: `expression AS alias, …`.
pub(super) fn piece_list(shape: &Shape<'_>, day: &str) -> String {
    Column::ALL
        .iter()
        .map(|column| format!("{} AS {}", column.piece_sql(shape, day), column.alias()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The query over the union of the pieces' SELECTs: grouped by every key column, each summed
/// column summed.
pub(super) fn outer_sql(union: &str) -> String {
    let select: Vec<String> = Column::ALL
        .iter()
        .map(|column| {
            let alias = column.alias();
            if column.summed() {
                format!("CAST(SUM({alias}) AS BIGINT) AS {alias}")
            } else {
                alias.to_owned()
            }
        })
        .collect();
    let group: Vec<&str> = Column::ALL
        .iter()
        .filter(|column| !column.summed())
        .map(|column| column.alias())
        .collect();
    format!(
        "SELECT {} FROM ({union}) u GROUP BY {}",
        select.join(", "),
        group.join(", ")
    )
}

/// A row of the pivot's query, read by column.
pub(super) trait Cells {
    /// A text column.
    ///
    /// # Errors
    /// A missing column or a value of another type.
    fn text(&self, column: Column) -> Result<String>;
    /// An integer column.
    ///
    /// # Errors
    /// A missing column or a value of another type.
    fn int(&self, column: Column) -> Result<i64>;
    /// A date column.
    ///
    /// # Errors
    /// A missing column or a value of another type.
    fn date(&self, column: Column) -> Result<NaiveDate>;
}

impl Cells for QueryResult {
    fn text(&self, column: Column) -> Result<String> {
        Ok(self.try_get("", column.alias())?)
    }

    fn int(&self, column: Column) -> Result<i64> {
        Ok(self.try_get("", column.alias())?)
    }

    fn date(&self, column: Column) -> Result<NaiveDate> {
        Ok(self.try_get("", column.alias())?)
    }
}

/// Reads one row of the pivot's query.
///
/// # Errors
/// A missing column, a value of another type, or a bucket or currency the code does not know.
pub(super) fn read(row: &impl Cells) -> Result<Aggregate> {
    Ok(Aggregate {
        channel: row.text(Column::Channel)?,
        shop_id: row.int(Column::ShopId)?,
        creator_id: row.int(Column::CreatorId)?,
        listing_id: row.int(Column::ListingId)?,
        product_id: row.int(Column::ProductId)?,
        bucket: row.text(Column::Bucket)?.parse()?,
        settled: row.text(Column::Status)? == "SETTLED",
        currency: Currency::parse(&row.text(Column::Currency)?)?,
        day: row.date(Column::Day)?,
        amount_minor: row.int(Column::Amount)?,
        quantity: row.int(Column::Quantity)?,
        sale_lines: row.int(Column::SaleLines)?,
    })
}

#[cfg(test)]
mod tests;
