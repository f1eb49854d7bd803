//! What a brand maintains beside the ledger: effective-dated unit costs per master product
//! (with optional landed-cost components) and daily FX rates. COGS and conversions in the P&L
//! read these; nothing here touches the ledger.

pub mod csv_input;
pub mod fx;
pub mod unit_cost;
