//! Mirrored orders: orders another marketplace sold (and was paid for) and pushed into
//! Shopify for fulfilment or inventory, e.g. TikTok Shop, Amazon (MCF), Walmart, eBay, Etsy.
//! Their money is the marketplace's, already in the ledger through that channel's connector;
//! posting them from Shopify too would count the sale twice. This module only recognises them
//! (pure); the caller skips them, lists them with the rule that matched, and checks
//! [`external_order_ids`] against orders another connected channel owns.
//!
//! Shopify's own channels are never mirrors, whatever a rule says: the Online Store (`web`),
//! Point of Sale (`pos`), draft orders (`shopify_draft_order`), the Shop app, Facebook &
//! Instagram, and Google & YouTube sell through Shopify's checkout, and Shopify Payments (or the
//! shop's gateway) takes their money.

use super::model::Order;

/// Source names, app names and tags that mark a mirrored order (an org setting).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MirrorRules {
    /// Matched case-insensitively against `sourceName`, `app.name` and each tag: equal, or
    /// contained as a whole word run (`TikTok` matches the app `TikTok Shop` and the tag
    /// `tiktok-order` is matched by `tiktok`).
    pub source_names: Vec<String>,
}

impl Default for MirrorRules {
    fn default() -> Self {
        Self {
            source_names: [
                "tiktok",
                "tiktok shop",
                "amazon",
                "amazon mcf",
                "walmart",
                "ebay",
                "etsy",
                "temu",
                "shein",
                "target plus",
                "mercado libre",
            ]
            .iter()
            .map(|name| (*name).to_owned())
            .collect(),
        }
    }
}

/// Which rule recognised a mirrored order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MirrorRule {
    /// The order's `sourceName`.
    SourceName,
    /// The app that created it.
    App,
    /// One of its tags.
    Tag,
    /// Its external order id is an order another connected channel owns (the caller's check).
    ExternalOrderId,
}

impl MirrorRule {
    /// Stored / API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SourceName => "SOURCE_NAME",
            Self::App => "APP",
            Self::Tag => "TAG",
            Self::ExternalOrderId => "EXTERNAL_ORDER_ID",
        }
    }
}

/// A rule that matched, and the value it matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MirrorMatch {
    /// The rule.
    pub rule: MirrorRule,
    /// The order's value that matched (the source name, app name or tag as sent).
    pub value: String,
}

/// Shopify's own sales channels, by `sourceName` or app name (lower case): never mirrors.
const OWN_CHANNELS: &[&str] = &[
    "web",
    "online store",
    "pos",
    "point of sale",
    "shopify_draft_order",
    "draft orders",
    "shop",
    "shop app",
    "shopify mobile",
    "iphone",
    "android",
    "facebook & instagram",
    "facebook",
    "instagram",
    "google & youtube",
    "google",
];

fn normalise(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `value` names one of `rules` (whole words, case-insensitive).
fn names(value: &str, rules: &MirrorRules) -> bool {
    let value = format!(" {} ", normalise(value));
    rules.source_names.iter().any(|name| {
        let name = normalise(name);
        !name.is_empty() && value.contains(&format!(" {name} "))
    })
}

fn own_channel(value: &str) -> bool {
    let value = value.trim().to_lowercase();
    OWN_CHANNELS.contains(&value.as_str())
}

/// The rule that makes `order` a mirror of another channel's order, if one does: its
/// `sourceName`, then the app that created it, then its tags. An order of Shopify's own
/// channels is never one.
pub fn classify(order: &Order, rules: &MirrorRules) -> Option<MirrorMatch> {
    let source = order.source_name.as_deref().unwrap_or_default();
    let app = order
        .app
        .as_ref()
        .and_then(|app| app.name.as_deref())
        .unwrap_or_default();
    if own_channel(source) || own_channel(app) {
        return None;
    }
    if !source.is_empty() && names(source, rules) {
        return Some(MirrorMatch {
            rule: MirrorRule::SourceName,
            value: source.to_owned(),
        });
    }
    if !app.is_empty() && names(app, rules) {
        return Some(MirrorMatch {
            rule: MirrorRule::App,
            value: app.to_owned(),
        });
    }
    order
        .tags
        .iter()
        .find(|tag| names(tag, rules))
        .map(|tag| MirrorMatch {
            rule: MirrorRule::Tag,
            value: tag.clone(),
        })
}

/// Candidate ids of the order in the channel that sold it: `sourceIdentifier`, and the values
/// of custom attributes whose key names an order id (`TikTok Order ID`, `Amazon Order Id`,
/// `marketplace_order_id`, …). The caller checks them against orders other channels own.
pub fn external_order_ids(order: &Order) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut push = |value: &str| {
        let value = value.trim();
        if !value.is_empty() && !ids.iter().any(|id| id == value) {
            ids.push(value.to_owned());
        }
    };
    if let Some(source) = order.source_identifier.as_deref() {
        push(source);
    }
    for attribute in &order.custom_attributes {
        let key = normalise(&attribute.key).replace(' ', "");
        if key.contains("orderid") || key.contains("ordernumber") || key.contains("orderno") {
            if let Some(value) = attribute.value.as_deref() {
                push(value);
            }
        }
    }
    ids
}
