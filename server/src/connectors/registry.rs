//! The connectors this build knows: one line per channel in [`CONNECTORS`], looked up by
//! channel, by stream, by OAuth kind, by webhook name or by file format.

use super::seam::{Connector, FileFormat, OAuthFlow, StreamTarget, WebhookReceiver};
use crate::error::{Error, Result};
use crate::ledger::{Channel, FeeBucket};

/// Every connector, in the order files are offered to them for detection.
pub static CONNECTORS: &[&dyn Connector] = &[
    &super::tiktok::TikTok,
    &super::amazon::Amazon,
    &super::shopify::Shopify,
];

/// The GraphQL queries of connectors that have channel-specific ones (merged into the query
/// root); one field per such connector.
#[derive(Default, async_graphql::MergedObject)]
pub struct ConnectorQueries(
    super::tiktok::graphql::TikTokQuery,
    super::shopify::graphql::ShopifyQuery,
);

/// The GraphQL mutations of connectors that have channel-specific ones (merged into the
/// mutation root); one field per such connector.
#[derive(Default, async_graphql::MergedObject)]
pub struct ConnectorMutations(
    super::tiktok::graphql::TikTokMutation,
    super::shopify::graphql::ShopifyMutation,
);

/// The connectors of this server, held in the application state.
#[derive(Clone, Copy)]
pub struct Registry {
    connectors: &'static [&'static dyn Connector],
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.connectors.iter().map(|c| c.name()))
            .finish()
    }
}

impl Default for Registry {
    fn default() -> Self {
        Self::builtin()
    }
}

impl Registry {
    /// Every connector of this build ([`CONNECTORS`]).
    pub fn builtin() -> Self {
        Self {
            connectors: CONNECTORS,
        }
    }

    /// Every connector.
    pub fn all(&self) -> impl Iterator<Item = &'static dyn Connector> {
        self.connectors.iter().copied()
    }

    /// The connector of `channel`.
    ///
    /// # Errors
    /// A channel no connector serves (its shops cannot sync), named.
    pub fn channel(&self, channel: Channel) -> Result<&'static dyn Connector> {
        self.all().find(|c| c.channel() == channel).ok_or_else(|| {
            Error::bad_input(format!(
                "no connector serves channel {}: its shops cannot sync",
                channel.as_str()
            ))
        })
    }

    /// The connector of a stored stream name, and what the stream is about.
    pub fn stream(&self, stream: &str) -> Option<(&'static dyn Connector, StreamTarget)> {
        self.all()
            .find_map(|c| c.parse_stream(stream).map(|target| (c, target)))
    }

    /// The OAuth flow whose URL name is `kind` (`/connect/{kind}`).
    pub fn oauth(&self, kind: &str) -> Option<&'static dyn OAuthFlow> {
        self.all()
            .flat_map(|c| c.oauth().iter().copied())
            .find(|flow| flow.kind().name() == kind)
    }

    /// The URL names of every OAuth flow, in registry order.
    pub fn oauth_kinds(&self) -> impl Iterator<Item = &'static str> {
        self.all()
            .flat_map(|c| c.oauth().iter())
            .map(|flow| flow.kind().name())
    }

    /// The webhook receiver named `name` (`/webhooks/{name}`).
    pub fn webhook(&self, name: &str) -> Option<&'static dyn WebhookReceiver> {
        self.all()
            .filter(|c| c.name() == name)
            .find_map(|c| c.webhook())
    }

    /// Every file format, with its connector.
    pub fn formats(&self) -> impl Iterator<Item = (&'static dyn Connector, FileFormat)> {
        self.all()
            .flat_map(|c| c.formats().iter().map(move |format| (c, *format)))
    }

    /// The format named `name`, with its connector.
    pub fn format(&self, name: &str) -> Option<(&'static dyn Connector, FileFormat)> {
        self.formats().find(|(_, format)| format.name == name)
    }

    /// Every connector's built-in label table.
    pub fn label_tables(
        &self,
    ) -> impl Iterator<Item = (Channel, &'static [(&'static str, FeeBucket)])> {
        self.all().map(|c| (c.channel(), c.labels()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_streams_kinds_and_formats_are_unique() {
        let registry = Registry::builtin();
        let mut seen = std::collections::HashSet::new();
        for connector in registry.all() {
            assert!(seen.insert(connector.name()), "{}", connector.name());
            assert!(
                registry
                    .stream(connector.shop_stream())
                    .map(|(c, _)| c.name())
                    == Some(connector.name()),
                "{} owns its shop stream",
                connector.name()
            );
        }
        let mut kinds = std::collections::HashSet::new();
        for flow in registry.all().flat_map(|c| c.oauth().iter()) {
            assert!(kinds.insert(flow.kind().name()), "{}", flow.kind().name());
        }
        let mut formats = std::collections::HashSet::new();
        for (_, format) in registry.formats() {
            assert!(formats.insert(format.name), "{}", format.name);
        }
        assert!(registry.oauth("no-such-channel").is_none());
        assert_eq!(registry.oauth_kinds().count(), kinds.len());
        assert!(registry.webhook("no-such-channel").is_none());
    }
}
