//! Generated Shopify orders: line items with the TikTok catalogue's seller SKUs, discounts,
//! taxes, shipping, tips, transactions with Shopify Payments fees, refunds, and orders the
//! TikTok app mirrored in. Each order is kept as its Admin GraphQL object (JSON), with the
//! facts the Payments ledger needs beside it.

use serde_json::{json, Value};

use super::config::ShopifyStoreSpec;
use super::wire::{bag, connection, gid, money, time};
use crate::money::{from_usd_cents, pct, Minor};
use crate::rng::Rng;
use crate::world::World;

/// The rng stream of Shopify orders.
const STREAM: u64 = 101;
/// The numeric app id the TikTok app writes as `sourceName`.
pub(crate) const TIKTOK_SOURCE_NAME: &str = "4383523";
/// Shopify Payments' processing fee: 2.9 % + 0.30.
const FEE_BP: i64 = 290;
const FEE_FIXED_CENTS: i64 = 30;

/// A payment an order received or gave back through a gateway.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    /// The order transaction's legacy id.
    pub(crate) transaction_id: u64,
    /// Unix time processed.
    pub(crate) at: i64,
    /// Positive for a sale, positive for a refund too (the ledger signs it).
    pub(crate) amount: Minor,
    /// Processing fee (sales only).
    pub(crate) fee: Minor,
    /// The refund's legacy id, for refunds.
    pub(crate) refund: Option<u64>,
}

/// One generated order and what its money did.
#[derive(Debug, Clone)]
pub(crate) struct GenOrder {
    /// Its Admin GraphQL `Order` object.
    pub(crate) value: Value,
    pub(crate) legacy_id: u64,
    pub(crate) name: String,
    pub(crate) created: i64,
    pub(crate) updated: i64,
    pub(crate) gateway: String,
    pub(crate) test: bool,
    pub(crate) cancelled: bool,
    pub(crate) mirrored_from: Option<String>,
    pub(crate) total: Minor,
    /// Sales and refunds through Shopify Payments (empty for other gateways).
    pub(crate) sale: Option<Payment>,
    pub(crate) refunds: Vec<Payment>,
    /// Refunded in total, through any gateway.
    pub(crate) refunded: Minor,
}

/// What every order of a store is generated from.
pub(crate) struct Ctx<'a> {
    pub(crate) seed: u64,
    pub(crate) store: usize,
    pub(crate) spec: &'a ShopifyStoreSpec,
    pub(crate) digits: u32,
    pub(crate) tiktok: &'a World,
    /// Last day (days since 1970) with orders; refunds after it are not generated.
    pub(crate) last_day: i64,
}

/// Legacy ids: a store's orders, transactions, refunds, … never collide.
pub(crate) fn legacy(store: usize, kind: u64, n: u64) -> u64 {
    5_000_000_000_000 + (store as u64) * 100_000_000_000 + kind * 10_000_000_000 + n
}

/// Every order of `day`, numbering from `*seq`.
pub(crate) fn day_orders(ctx: &Ctx<'_>, day: i64, seq: &mut u64) -> Vec<GenOrder> {
    let mut rng = Rng::stream(&[ctx.seed, STREAM, ctx.store as u64, day as u64]);
    let count = rng.binomial_around(ctx.spec.orders_per_day);
    let tiktok_orders = if ctx.tiktok.shops().is_empty()
        || day < ctx.tiktok.order_first_day()
        || day > ctx.tiktok.last_day_number()
    {
        None
    } else {
        Some(ctx.tiktok.day_orders(0, day))
    };
    let mut out = Vec::with_capacity(count as usize);
    let mut mirrored_used = 0usize;
    for _ in 0..count {
        *seq += 1;
        let mirror = rng.chance(u64::from(ctx.spec.mirrored_per_mille));
        let tiktok_id = if mirror {
            let id = tiktok_orders
                .as_ref()
                .and_then(|orders| orders.get(mirrored_used).map(|o| o.id.clone()))
                .unwrap_or_else(|| {
                    format!(
                        "5{:017}",
                        crate::rng::hash(&[ctx.seed, *seq]) % 10u64.pow(17)
                    )
                });
            mirrored_used += 1;
            Some(id)
        } else {
            None
        };
        out.push(order(ctx, &mut rng, day, *seq, tiktok_id));
    }
    out
}

struct Line {
    value: Value,
    net: Minor,
    tax: Minor,
    sku: String,
    id: String,
    unit: Minor,
    unit_discount: Minor,
    unit_tax: Minor,
}

fn tax_of(net: Minor, included: bool) -> Minor {
    // 8 % on top, or the 20 % VAT inside a price that includes it.
    if included {
        crate::money::round_div(i128::from(net) * 20, 120) as Minor
    } else {
        pct(net, 800)
    }
}

#[allow(clippy::too_many_lines)]
fn order(ctx: &Ctx<'_>, rng: &mut Rng, day: i64, seq: u64, tiktok_id: Option<String>) -> GenOrder {
    let (d, cur, store) = (ctx.digits, ctx.spec.currency.as_str(), ctx.store);
    let included = ctx.spec.taxes_included;
    let legacy_id = legacy(store, 0, seq);
    let id = gid("Order", legacy_id);
    let name = format!("#{}", 1000 + seq);
    let created = day * 86_400 + rng.range(0, 86_399);
    let test = tiktok_id.is_none() && rng.chance(10);
    let cancelled = !test && tiktok_id.is_none() && rng.chance(20);
    let gateway = if tiktok_id.is_some() {
        "TikTok"
    } else if test {
        "bogus"
    } else {
        match rng.below(20) {
            0 => "paypal",
            1 => "manual",
            _ => "shopify_payments",
        }
    };
    let skus = ctx
        .tiktok
        .shops()
        .first()
        .map(|_| &ctx.tiktok.shop(0).catalog.skus);
    let line_count = if rng.chance(20) {
        7
    } else {
        rng.range(1, 3) as usize
    };
    let discounted = rng.chance(300);
    let mut lines = Vec::new();
    for n in 0..line_count {
        let (sku, title, product, variant, price) = match skus.filter(|s| !s.is_empty()) {
            Some(skus) => {
                let i = rng.index(skus.len());
                let s = &skus[i];
                let cents = s.price.max(100);
                (
                    s.seller_sku.to_owned(),
                    format!("{} - {}", s.product_name, s.sku_name),
                    s.product as u64,
                    i as u64,
                    from_usd_cents(cents, cur),
                )
            }
            None => (
                "SANDBOX-SKU".to_owned(),
                "Sandbox product".to_owned(),
                0,
                0,
                from_usd_cents(1999, cur),
            ),
        };
        let quantity = rng.range(1, 3);
        let unit_discount = if discounted { pct(price, 1000) } else { 0 };
        let net = (price - unit_discount) * quantity;
        let tax = tax_of(net, included);
        let line_id = gid("LineItem", legacy(store, 1, seq * 10 + n as u64));
        let allocations: Vec<Value> = if discounted {
            vec![
                json!({"__typename": "DiscountAllocation", "allocatedAmountSet": bag(unit_discount * quantity, d, cur)}),
            ]
        } else {
            Vec::new()
        };
        let value = json!({
            "__typename": "LineItem", "id": line_id, "sku": sku, "name": title, "quantity": quantity,
            "variant": {"__typename": "ProductVariant", "id": gid("ProductVariant", 40_000_000_000 + variant),
                        "legacyResourceId": (40_000_000_000 + variant).to_string(), "sku": sku},
            "product": {"__typename": "Product", "id": gid("Product", 8_000_000_000 + product),
                        "legacyResourceId": (8_000_000_000 + product).to_string()},
            "originalUnitPriceSet": bag(price, d, cur),
            "discountAllocations": allocations,
            "taxLines": [{"__typename": "TaxLine", "priceSet": bag(tax, d, cur),
                          "rate": if included { 0.2 } else { 0.08 }, "title": if included { "VAT" } else { "State Tax" }}],
        });
        let unit_tax = tax_of(price - unit_discount, included);
        lines.push(Line {
            value,
            net,
            tax,
            sku,
            id: line_id,
            unit: price,
            unit_discount,
            unit_tax,
        });
    }
    let shipping = if rng.chance(600) {
        from_usd_cents(599, cur)
    } else {
        0
    };
    let shipping_discount = if shipping > 0 && rng.chance(150) {
        shipping
    } else {
        0
    };
    let shipping_tax = if included {
        tax_of(shipping - shipping_discount, true)
    } else {
        0
    };
    let mut shipping_lines = Vec::new();
    if shipping > 0 {
        let alloc: Vec<Value> = if shipping_discount > 0 {
            vec![
                json!({"__typename": "DiscountAllocation", "allocatedAmountSet": bag(shipping_discount, d, cur)}),
            ]
        } else {
            Vec::new()
        };
        shipping_lines.push(json!({
            "__typename": "ShippingLine", "id": gid("ShippingLine", legacy(store, 2, seq)), "title": "Standard",
            "originalPriceSet": bag(shipping, d, cur), "discountAllocations": alloc,
            "taxLines": if included { json!([{"__typename": "TaxLine", "priceSet": bag(shipping_tax, d, cur), "rate": 0.2, "title": "VAT"}]) } else { json!([]) },
        }));
    }
    let tip = if rng.chance(30) {
        from_usd_cents(200, cur)
    } else {
        0
    };
    let lines_net: Minor = lines.iter().map(|l| l.net).sum();
    let lines_tax: Minor = lines.iter().map(|l| l.tax).sum();
    let tax_on_top = if included { 0 } else { lines_tax };
    let total = lines_net + shipping - shipping_discount + tax_on_top + tip;

    let mut transactions = Vec::new();
    let sale_id = legacy(store, 3, seq * 10);
    let sale_at = created + 5;
    let fee = if gateway == "shopify_payments" {
        pct(total, FEE_BP) + from_usd_cents(FEE_FIXED_CENTS, cur)
    } else {
        0
    };
    let fees: Vec<Value> = if fee > 0 {
        vec![
            json!({"__typename": "TransactionFee", "id": gid("TransactionFee", legacy(store, 4, seq)),
            "type": "processing_fee", "rateName": "Shopify Payments", "flatFeeName": "Shopify Payments transaction fee",
            "amount": money(fee, d, cur), "taxAmount": money(0, d, cur)}),
        ]
    } else {
        Vec::new()
    };
    let kind = if cancelled { "AUTHORIZATION" } else { "SALE" };
    transactions.push(json!({"__typename": "OrderTransaction", "id": gid("OrderTransaction", sale_id),
        "kind": kind, "status": "SUCCESS", "gateway": gateway, "processedAt": time(sale_at), "test": test,
        "amountSet": bag(total, d, cur), "fees": fees}));
    if cancelled {
        transactions.push(json!({"__typename": "OrderTransaction", "id": gid("OrderTransaction", sale_id + 1),
            "kind": "VOID", "status": "SUCCESS", "gateway": gateway, "processedAt": time(created + 3600), "test": test,
            "amountSet": bag(total, d, cur), "fees": []}));
    }

    // Refunds: about one order in eight, one to four days later, if that day has come.
    let mut refunds = Vec::new();
    let mut refund_payments = Vec::new();
    let mut refunded = 0;
    let mut updated = created + 5;
    let refund_day = day + rng.range(1, 4);
    if !cancelled && !test && rng.chance(125) && refund_day <= ctx.last_day {
        let at = refund_day * 86_400 + rng.range(0, 86_399);
        let refund_id = legacy(store, 5, seq);
        let line = &lines[0];
        let restock = rng.chance(600);
        let subtotal = line.unit - line.unit_discount;
        let line_tax = line.unit_tax;
        let ship_back = if shipping > 0 && rng.chance(300) {
            shipping - shipping_discount
        } else {
            0
        };
        let adjustment = if rng.chance(100) {
            -from_usd_cents(50, cur)
        } else {
            0
        };
        let amount = subtotal + if included { 0 } else { line_tax } + ship_back + adjustment;
        let txn_id = legacy(store, 3, seq * 10 + 5);
        let mut rsl = Vec::new();
        if ship_back > 0 {
            rsl.push(json!({"__typename": "RefundShippingLine", "id": gid("RefundShippingLine", legacy(store, 6, seq)),
                "subtotalAmountSet": bag(ship_back, d, cur), "taxAmountSet": bag(0, d, cur)}));
        }
        let mut adjustments = Vec::new();
        if adjustment != 0 {
            adjustments.push(json!({"__typename": "OrderAdjustment", "id": gid("OrderAdjustment", legacy(store, 7, seq)),
                "reason": "REFUND_DISCREPANCY", "amountSet": bag(adjustment, d, cur), "taxAmountSet": bag(0, d, cur)}));
        }
        refunds.push(json!({
            "__typename": "Refund", "id": gid("Refund", refund_id), "legacyResourceId": refund_id.to_string(),
            "createdAt": time(at), "note": if restock { Value::from("Returned") } else { Value::Null },
            "totalRefundedSet": bag(amount, d, cur),
            "refundLineItems": connection(vec![json!({"__typename": "RefundLineItem",
                "id": gid("RefundLineItem", legacy(store, 8, seq)), "quantity": 1,
                "restockType": if restock { "RETURN" } else { "NO_RESTOCK" }, "restocked": restock,
                "lineItem": {"__typename": "LineItem", "id": line.id, "sku": line.sku},
                "subtotalSet": bag(subtotal, d, cur), "totalTaxSet": bag(line_tax, d, cur)})]),
            "refundShippingLines": connection(rsl),
            "orderAdjustments": connection(adjustments),
            "transactions": connection(vec![json!({"__typename": "OrderTransaction", "id": gid("OrderTransaction", txn_id),
                "kind": "REFUND", "status": "SUCCESS", "gateway": gateway, "processedAt": time(at),
                "amountSet": bag(amount, d, cur), "fees": []})]),
        }));
        transactions.push(json!({"__typename": "OrderTransaction", "id": gid("OrderTransaction", txn_id),
            "kind": "REFUND", "status": "SUCCESS", "gateway": gateway, "processedAt": time(at), "test": false,
            "amountSet": bag(amount, d, cur), "fees": []}));
        refunded = amount;
        updated = at;
        refund_payments.push(Payment {
            transaction_id: txn_id,
            at,
            amount,
            fee: 0,
            refund: Some(refund_id),
        });
    }
    if cancelled {
        updated = created + 3600;
    }
    let status = if cancelled {
        "VOIDED"
    } else if refunded == 0 {
        "PAID"
    } else if refunded >= total {
        "REFUNDED"
    } else {
        "PARTIALLY_REFUNDED"
    };
    let (source_name, app, tags, attributes) = match &tiktok_id {
        Some(t) => (
            TIKTOK_SOURCE_NAME,
            "TikTok",
            json!(["TikTok", "TikTok Shop"]),
            json!([{"__typename": "Attribute", "key": "tiktok_order_id", "value": t}]),
        ),
        None => ("web", "Online Store", json!([]), json!([])),
    };
    let value = json!({
        "__typename": "Order", "id": id, "legacyResourceId": legacy_id.to_string(), "name": name,
        "createdAt": time(created), "processedAt": time(created), "updatedAt": time(updated),
        "cancelledAt": if cancelled { Value::from(time(created + 3600)) } else { Value::Null },
        "test": test, "sourceName": source_name, "sourceIdentifier": tiktok_id,
        "tags": tags, "app": {"__typename": "OrderApp", "name": app}, "customAttributes": attributes,
        "currencyCode": cur, "presentmentCurrencyCode": cur, "displayFinancialStatus": status,
        "paymentGatewayNames": [gateway], "taxesIncluded": included,
        "totalPriceSet": bag(total, d, cur), "totalTipReceivedSet": bag(tip, d, cur),
        "lineItems": connection(lines.into_iter().map(|l| l.value).collect()),
        "shippingLines": connection(shipping_lines),
        "transactions": transactions, "refunds": refunds,
    });
    let sale = (gateway == "shopify_payments" && !cancelled).then_some(Payment {
        transaction_id: sale_id,
        at: sale_at,
        amount: total,
        fee,
        refund: None,
    });
    let refunds = if gateway == "shopify_payments" {
        refund_payments
    } else {
        Vec::new()
    };
    GenOrder {
        value,
        legacy_id,
        name,
        created,
        updated,
        gateway: gateway.to_owned(),
        test,
        cancelled,
        mirrored_from: tiktok_id,
        total,
        sale,
        refunds,
        refunded,
    }
}
