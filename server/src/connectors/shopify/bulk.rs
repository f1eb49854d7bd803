//! The bulk export of [`super::queries::BULK_ORDERS`] (JSONL), assembled one order at a time.
//!
//! Shopify writes each object on its own line; objects of a nested connection (line items,
//! shipping lines) are lines of their own with `__parentId`, and Shopify's bulk-operation docs
//! say they follow their parent. So an order is complete when the next order starts (or the
//! file ends), and the assembler holds one order at a time, never the file. A child whose parent
//! is not the order being read breaks that rule: it is refused, naming its line, rather than
//! attached to the wrong order or dropped. Lines of other connections (of the order or of its
//! line items) are skipped: they carry no money the normalisers read.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::model::{gid_type, LineItem, Order, ShippingLine};
use crate::error::{Error, Result};

/// Assembles orders from the JSONL lines of a bulk export, in order.
#[derive(Debug, Default)]
pub struct OrderAssembler {
    current: Option<Order>,
    /// Ids of the current order's children: a deeper connection's lines name them as parent.
    children: Vec<String>,
}

fn read<T: DeserializeOwned>(line_no: usize, value: Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        Error::bad_input(format!("line {line_no}: {path}: {}", error.into_inner()))
    })
}

impl OrderAssembler {
    /// A new assembler.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads line `line_no` (1-based, for messages); returns the previous order when this line
    /// starts a new one.
    ///
    /// # Errors
    /// A line that is not JSON, does not match its object, or is a child whose order is not
    /// the one being read, naming the line.
    pub fn push(&mut self, line_no: usize, line: &str) -> Result<Option<Order>> {
        let line = line.trim();
        if line.is_empty() {
            return Ok(None);
        }
        let value: Value = serde_json::from_str(line)
            .map_err(|error| Error::bad_input(format!("line {line_no}: not JSON: {error}")))?;
        let id = value
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::bad_input(format!("line {line_no}: no \"id\"")))?
            .to_owned();
        let Some(parent) = value.get("__parentId") else {
            if gid_type(&id) != Some("Order") {
                return Err(Error::bad_input(format!(
                    "line {line_no}: {id} is not an order (a bulk export of orders has orders \
                     at its top level)"
                )));
            }
            let order: Order = read(line_no, value)?;
            self.children.clear();
            return Ok(self.current.replace(order));
        };
        let parent = parent.as_str().unwrap_or_default().to_owned();
        // A line of a connection nested in a line item (not asked for by our query, but a
        // wider export may have one) carries no money we read: skipped, if it is in place.
        if self.children.contains(&parent) {
            return Ok(None);
        }
        let Some(order) = self.current.as_mut().filter(|order| order.id == parent) else {
            let reading = self
                .current
                .as_ref()
                .map_or("no order yet", |order| order.id.as_str());
            return Err(Error::bad_input(format!(
                "line {line_no}: {id} belongs to {parent}, but the order being read is \
                 {reading}: children must follow their order"
            )));
        };
        match gid_type(&id) {
            Some("LineItem") => order
                .line_items
                .nodes
                .push(read::<LineItem>(line_no, value)?),
            Some("ShippingLine") => order
                .shipping_lines
                .nodes
                .push(read::<ShippingLine>(line_no, value)?),
            // Another connection of the order (fulfillments, metafields, …): nothing we book.
            _ => {}
        }
        self.children.push(id);
        Ok(None)
    }

    /// The last order, at the end of the file.
    ///
    /// # Errors
    /// None today; kept fallible so a truncated export can be refused here.
    pub fn finish(&mut self) -> Result<Option<Order>> {
        Ok(self.current.take())
    }
}

/// Cuts a bulk export's lines into raw records that each hold whole orders: the line that
/// starts an order, and so finishes the one before (when [`OrderAssembler::push`] returns
/// it), opens the next record's lines, and an order's children stay with it. Each stored chunk
/// then reads alone as the saved file it is.
#[derive(Debug, Default)]
pub struct ChunkLines {
    /// Lines of the orders finished since the last record was taken.
    done: Vec<String>,
    /// Lines of the order being read.
    pending: Vec<String>,
}

impl ChunkLines {
    /// Adds `line`; `starts_order` when the assembler finished an order on it.
    pub fn push(&mut self, line: String, starts_order: bool) {
        if starts_order {
            self.done.append(&mut self.pending);
        }
        self.pending.push(line);
    }

    /// The lines of every order finished so far (a record's JSONL), leaving the order being
    /// read for the next record.
    pub fn take(&mut self) -> Vec<String> {
        std::mem::take(&mut self.done)
    }

    /// Every line left, at the end of the export.
    pub fn finish(&mut self) -> Vec<String> {
        let mut rest = std::mem::take(&mut self.done);
        rest.append(&mut self.pending);
        rest
    }
}

/// Every order of a whole JSONL text (for saved files; the sync streams through
/// [`OrderAssembler`] instead).
///
/// # Errors
/// As [`OrderAssembler::push`].
pub fn read_all(text: &str) -> Result<Vec<Order>> {
    let mut assembler = OrderAssembler::new();
    let mut orders = Vec::new();
    for (index, line) in text.lines().enumerate() {
        orders.extend(assembler.push(index + 1, line)?);
    }
    orders.extend(assembler.finish()?);
    Ok(orders)
}
