use std::cell::RefCell;
use std::collections::BTreeSet;

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, Set};

use super::{outer_sql, piece_list, read, Cells, Column, Shape};
use crate::db::Db;
use crate::error::Result;
use crate::pnl::query::{aggregate, PnlFilter, PnlRequest, PRODUCT};
use crate::pnl::Dimension;

/// The aliases a SELECT list names (`… AS alias` or a bare column), in order; commas inside
/// parentheses do not separate items.
fn aliases(list: &str) -> Vec<String> {
    let (mut items, mut item, mut depth) = (Vec::new(), String::new(), 0);
    for c in list.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut item));
                continue;
            }
            _ => {}
        }
        item.push(c);
    }
    items.push(item);
    items
        .iter()
        .map(|item| item.trim().rsplit(" AS ").next().unwrap_or(item).to_owned())
        .collect()
}

/// The SELECT list of a `SELECT list FROM …` statement.
fn select_list<'a>(sql: &'a str, from: &str) -> &'a str {
    let start = sql.find("SELECT ").unwrap() + "SELECT ".len();
    let end = sql.find(from).unwrap();
    &sql[start..end]
}

/// A row whose every cell is told apart by its column, and that records what is read.
struct Recording {
    read: RefCell<Vec<Column>>,
}

impl Recording {
    fn note(&self, column: Column) -> i64 {
        self.read.borrow_mut().push(column);
        Column::ALL.iter().position(|c| *c == column).unwrap() as i64 + 100
    }
}

impl Cells for Recording {
    fn text(&self, column: Column) -> Result<String> {
        self.note(column);
        Ok(match column {
            Column::Channel => "TIKTOK_SHOP",
            Column::Bucket => "REFUNDS",
            Column::Status => "SETTLED",
            Column::Currency => "JPY",
            _ => "not text",
        }
        .to_owned())
    }

    fn int(&self, column: Column) -> Result<i64> {
        Ok(self.note(column))
    }

    fn date(&self, column: Column) -> Result<NaiveDate> {
        let n = self.note(column);
        Ok(NaiveDate::from_ymd_opt(2026, 1, u32::try_from(n - 99).unwrap()).unwrap())
    }
}

#[test]
fn every_selected_alias_is_read_and_every_read_alias_is_selected() {
    let dims: BTreeSet<Dimension> = [Dimension::Channel].into();
    let shape = Shape {
        dims: &dims,
        product: PRODUCT,
    };
    let piece = format!("SELECT {} FROM ledger_day le", piece_list(&shape, "le.day"));
    let outer = outer_sql(&piece);
    let in_piece = aliases(select_list(&piece, " FROM ledger_day"));
    let in_outer = aliases(select_list(&outer, " FROM ("));
    assert_eq!(in_piece, in_outer, "the pieces and the outer query agree");
    let selected: BTreeSet<&str> = in_outer.iter().map(String::as_str).collect();
    assert_eq!(selected.len(), in_outer.len(), "no alias twice: {outer}");

    let row = Recording {
        read: RefCell::new(Vec::new()),
    };
    read(&row).unwrap();
    let read_aliases: Vec<&str> = row.read.borrow().iter().map(|c| c.alias()).collect();
    let read_set: BTreeSet<&str> = read_aliases.iter().copied().collect();
    assert_eq!(read_set.len(), read_aliases.len(), "no column read twice");
    assert_eq!(read_set, selected);
    // The grouped columns are the selected ones that are not summed.
    let grouped = outer.split(" GROUP BY ").nth(1).unwrap();
    let summed: BTreeSet<&str> = ["amount", "quantity", "sale_lines"].into();
    assert_eq!(
        grouped.split(", ").collect::<BTreeSet<_>>(),
        &selected - &summed
    );
}

#[test]
fn each_field_is_read_from_its_own_column() {
    let row = Recording {
        read: RefCell::new(Vec::new()),
    };
    let aggregate = read(&row).unwrap();
    let n = |column: Column| Column::ALL.iter().position(|c| *c == column).unwrap() as i64 + 100;
    assert_eq!(aggregate.shop_id, n(Column::ShopId));
    assert_eq!(aggregate.creator_id, n(Column::CreatorId));
    assert_eq!(aggregate.listing_id, n(Column::ListingId));
    assert_eq!(aggregate.product_id, n(Column::ProductId));
    assert_eq!(aggregate.amount_minor, n(Column::Amount));
    assert_eq!(aggregate.quantity, n(Column::Quantity));
    assert_eq!(aggregate.sale_lines, n(Column::SaleLines));
    assert_eq!(
        aggregate.day.to_string(),
        format!("2026-01-{:02}", n(Column::Day) - 99)
    );
    assert_eq!(aggregate.channel, "TIKTOK_SHOP");
    assert_eq!(aggregate.bucket.to_string(), "REFUNDS");
    assert!(aggregate.settled);
    assert_eq!(aggregate.currency.as_str(), "JPY");
}

/// A sums row whose every value differs comes back from the real query with each value in
/// its own field (a swapped pair of columns fails here).
#[tokio::test]
async fn the_query_returns_each_value_in_its_own_field() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("pnl.db").display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let org = crate::org::ensure(db.conn(), "columns").await.unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 1, 14).unwrap();
    entities::ledger_day::ActiveModel {
        org_id: Set(org.id),
        day: Set(day),
        channel: Set("AMAZON".to_owned()),
        shop_id: Set(11),
        listing_id: Set(0),
        product_id: Set(17),
        creator_id: Set(13),
        bucket: Set("REFUNDS".to_owned()),
        status: Set("SETTLED".to_owned()),
        currency: Set("USD".to_owned()),
        amount_minor: Set(-2300),
        quantity: Set(-3),
        sale_lines: Set(5),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
    let dims: BTreeSet<Dimension> = [
        Dimension::Channel,
        Dimension::Shop,
        Dimension::Creator,
        Dimension::Day,
    ]
    .into();
    let request = PnlRequest {
        from: day,
        to: day,
        group_by: dims.iter().copied().collect(),
        filter: PnlFilter::default(),
        currency: None,
        time_zone: None,
    };
    let currency = crate::money::Currency::parse("USD").unwrap();
    let rows = aggregate(db.conn(), org.id, &request, &dims, currency)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(
        (
            row.channel.as_str(),
            row.shop_id,
            row.creator_id,
            row.listing_id,
            row.product_id
        ),
        ("AMAZON", 11, 13, 0, 17)
    );
    assert_eq!(row.bucket.to_string(), "REFUNDS");
    assert!(row.settled);
    assert_eq!((row.currency.as_str(), row.day), ("USD", day));
    assert_eq!(
        (row.amount_minor, row.quantity, row.sale_lines),
        (-2300, -3, 5)
    );
}
