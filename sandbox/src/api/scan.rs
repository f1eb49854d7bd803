//! Cursor paging over orders in creation order, day by day.
//!
//! Orders of a day are sorted by creation time, so `(day, index)` orders them all. A page
//! scans forward (or backward) from the cursor; the total is counted once, on the first
//! page, and carried in the token. Cost per page: the page plus skipped non-matches.

use super::envelope::ApiError;
use super::paging::{self, Cursor};
use crate::world::{Order, World};

/// What to scan.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scan {
    pub(crate) shop: usize,
    /// First and last creation day (inclusive).
    pub(crate) days: (i64, i64),
    pub(crate) descending: bool,
}

/// A page of orders, the next page token and the total number of matches.
pub(crate) type ScanPage = (Vec<Order>, String, usize);

impl Scan {
    fn day_order(&self) -> Box<dyn Iterator<Item = i64>> {
        let (lo, hi) = self.days;
        if self.descending {
            Box::new((lo..=hi).rev())
        } else {
            Box::new(lo..=hi)
        }
    }

    /// Counts every match.
    fn count(&self, world: &World, pred: &dyn Fn(&Order) -> bool) -> usize {
        self.day_order()
            .map(|day| {
                world
                    .day_orders(self.shop, day)
                    .iter()
                    .filter(|o| pred(o))
                    .count()
            })
            .sum()
    }

    /// One page of matches from the position in `token`.
    pub(crate) fn page(
        &self,
        world: &World,
        tag: &str,
        token: Option<&str>,
        size: usize,
        pred: &dyn Fn(&Order) -> bool,
    ) -> Result<ScanPage, ApiError> {
        let start = paging::cursor(tag, token)?;
        let total = match start {
            Some(c) => c.total,
            None => self.count(world, pred),
        };
        let mut out = Vec::with_capacity(size);
        for day in self.day_order() {
            if let Some(c) = start {
                let before = if self.descending {
                    day > c.day
                } else {
                    day < c.day
                };
                if before {
                    continue;
                }
            }
            let orders = world.day_orders(self.shop, day);
            let mut idxs: Vec<usize> = (0..orders.len()).collect();
            if self.descending {
                idxs.reverse();
            }
            for i in idxs {
                if let Some(c) = start.filter(|c| c.day == day) {
                    let skip = if self.descending {
                        i > c.idx as usize
                    } else {
                        i < c.idx as usize
                    };
                    if skip {
                        continue;
                    }
                }
                let order = &orders[i];
                if !pred(order) {
                    continue;
                }
                if out.len() == size {
                    let next = Cursor {
                        day,
                        idx: i as u32,
                        total,
                    };
                    return Ok((out, paging::cursor_token(tag, next), total));
                }
                out.push(order.clone());
            }
        }
        Ok((out, String::new(), total))
    }
}

/// Creation-day bounds for `[ge, lt)` creation-time filters within `[first, last]`.
pub(crate) fn day_bounds(first: i64, last: i64, ge: Option<i64>, lt: Option<i64>) -> (i64, i64) {
    let day = crate::world::DAY;
    let lo = ge.map_or(first, |g| first.max(g.div_euclid(day)));
    let hi = lt.map_or(last, |l| last.min((l - 1).div_euclid(day)));
    (lo, hi)
}
