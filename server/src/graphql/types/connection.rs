//! Relay cursor connections: page-size limits and opaque cursors over row ids.

use async_graphql::connection::{Connection, Edge, EmptyFields, OpaqueCursor};
use async_graphql::{ErrorExtensions, OutputType};

use crate::error::Error;

/// Page size when `first` is not given.
pub const DEFAULT_PAGE_SIZE: i32 = 50;
/// Largest `first` accepted.
pub const MAX_PAGE_SIZE: i32 = 500;

/// A connection whose cursors are opaque row ids.
pub type IdConnection<T> = Connection<OpaqueCursor<i64>, T, EmptyFields, EmptyFields>;

/// Validated paging arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    /// Rows to return.
    pub limit: u64,
    /// Return rows after this id.
    pub after: Option<i64>,
}

impl Page {
    /// Checks `first` (1..=500) and decodes `after`.
    ///
    /// # Errors
    /// BAD_USER_INPUT naming the argument.
    pub fn parse(first: Option<i32>, after: Option<&str>) -> async_graphql::Result<Self> {
        let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&first) {
            return Err(Error::bad_input(format!(
                "first must be between 1 and {MAX_PAGE_SIZE}, got {first}"
            ))
            .extend());
        }
        let after = match after {
            None => None,
            Some(cursor) => Some(
                <OpaqueCursor<i64> as async_graphql::connection::CursorType>::decode_cursor(cursor)
                    .map_err(|_| {
                        Error::bad_input(format!("after: invalid cursor {cursor:?}")).extend()
                    })?
                    .0,
            ),
        };
        Ok(Self {
            limit: u64::try_from(first).unwrap_or(50),
            after,
        })
    }
}

/// Builds a connection from `(id, node)` pairs.
pub fn connection<T: OutputType>(
    page: Page,
    nodes: impl IntoIterator<Item = (i64, T)>,
    has_next_page: bool,
) -> IdConnection<T> {
    let mut connection = Connection::new(page.after.is_some(), has_next_page);
    connection.edges.extend(
        nodes
            .into_iter()
            .map(|(id, node)| Edge::new(OpaqueCursor(id), node)),
    );
    connection
}
