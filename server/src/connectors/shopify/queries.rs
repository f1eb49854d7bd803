//! The Admin GraphQL documents the connector sends, verbatim. They are the contract between the
//! client, the sync, the saved-file importer (a saved answer to one of these is an importable
//! file) and the sandbox's simulator: every field read anywhere is asked for here.
//!
//! Page sizes keep each query's requested cost under Shopify's single-query limit (1,000 points
//! [U]: the limit and the cost formula are not published exactly; Shopify counts 1 per object
//! and `2 + first × child cost` per connection).

/// Money in shop and presentment currency. Books use `shopMoney`.
pub const MONEY_BAG: &str = "fragment PnlMoney on MoneyBag { shopMoney { amount currencyCode } \
                             presentmentMoney { amount currencyCode } }";

/// The shop: its domain, name and currency (the currency of every ledger line).
pub const SHOP: &str = "query PnlShop { shop { id name myshopifyDomain currencyCode \
                        ianaTimezone } }";

/// Everything an order's money needs: its lines, shipping, taxes, discounts, payment
/// transactions with their fees, its refunds, and what tells a mirrored order apart.
pub const ORDER_FIELDS: &str = r"fragment PnlOrder on Order {
  id legacyResourceId name createdAt processedAt updatedAt cancelledAt test
  sourceName sourceIdentifier tags app { name } customAttributes { key value }
  currencyCode presentmentCurrencyCode displayFinancialStatus paymentGatewayNames taxesIncluded
  totalPriceSet { ...PnlMoney }
  totalTipReceivedSet { ...PnlMoney }
  lineItems(first: 5) {
    nodes {
      id sku name quantity
      variant { id legacyResourceId sku }
      product { id legacyResourceId }
      originalUnitPriceSet { ...PnlMoney }
      discountAllocations { allocatedAmountSet { ...PnlMoney } }
      taxLines { priceSet { ...PnlMoney } rate title }
    }
    pageInfo { hasNextPage endCursor }
  }
  shippingLines(first: 2) {
    nodes {
      id title
      originalPriceSet { ...PnlMoney }
      discountAllocations { allocatedAmountSet { ...PnlMoney } }
      taxLines { priceSet { ...PnlMoney } rate title }
    }
  }
  transactions(first: 4) {
    id kind status gateway processedAt test
    amountSet { ...PnlMoney }
    fees { id type rateName flatFeeName amount { amount currencyCode } taxAmount { amount currencyCode } }
  }
  refunds(first: 2) {
    id legacyResourceId createdAt note
    totalRefundedSet { ...PnlMoney }
    refundLineItems(first: 5) {
      nodes {
        id quantity restockType restocked
        lineItem { id sku }
        subtotalSet { ...PnlMoney }
        totalTaxSet { ...PnlMoney }
      }
    }
    refundShippingLines(first: 1) {
      nodes { id subtotalAmountSet { ...PnlMoney } taxAmountSet { ...PnlMoney } }
    }
    orderAdjustments(first: 1) {
      nodes { id reason amountSet { ...PnlMoney } taxAmountSet { ...PnlMoney } }
    }
    transactions(first: 2) {
      nodes {
        id kind status gateway processedAt
        amountSet { ...PnlMoney }
        fees { id type rateName flatFeeName amount { amount currencyCode } taxAmount { amount currencyCode } }
      }
    }
  }
}";

/// The most orders one page of [`ORDERS`] (or ids one [`ORDERS_BY_ID`]) may ask for: one
/// [`ORDER_FIELDS`] costs 299 points by the rule above, so 3 orders cost 899 (4 would pass the
/// 1,000-point single-query limit and Shopify answers `MAX_COST_EXCEEDED`). Orders with more
/// line items than a page holds are completed with [`ORDER_LINE_ITEMS`]; backfills use bulk
/// operations, which have no cost limit.
pub const ORDERS_PAGE_SIZE: u32 = 3;

/// A page of orders. `$query` is Shopify search syntax, e.g.
/// `updated_at:>='2026-11-01T00:00:00Z' AND updated_at:<'2026-11-02T00:00:00Z'`.
pub const ORDERS: &str = r"query PnlOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { ...PnlOrder }
    pageInfo { hasNextPage endCursor }
  }
}";

/// Orders by id (gids), e.g. the orders of a page of balance transactions or of webhooks.
pub const ORDERS_BY_ID: &str = r"query PnlOrdersById($ids: [ID!]!) {
  nodes(ids: $ids) { ...PnlOrder }
}";

/// The rest of an order's line items when it has more than one page of them.
pub const ORDER_LINE_ITEMS: &str = r"query PnlOrderLineItems($id: ID!, $after: String) {
  order(id: $id) {
    id
    lineItems(first: 60, after: $after) {
      nodes {
        id sku name quantity
        variant { id legacyResourceId sku }
        product { id legacyResourceId }
        originalUnitPriceSet { ...PnlMoney }
        discountAllocations { allocatedAmountSet { ...PnlMoney } }
        taxLines { priceSet { ...PnlMoney } rate title }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}";

/// A page of Shopify Payments balance transactions (newest first is not assumed: the sync
/// reads by `processed_at` window). `$query` e.g. `processed_at:>='2026-11-01'`.
pub const BALANCE_TRANSACTIONS: &str = r"query PnlBalanceTransactions($first: Int!, $after: String, $query: String) {
  shopifyPaymentsAccount {
    balanceTransactions(first: $first, after: $after, query: $query, sortKey: PROCESSED_AT) {
      nodes {
        id type test transactionDate adjustmentReason
        sourceId sourceType sourceOrderTransactionId
        amount { amount currencyCode }
        fee { amount currencyCode }
        net { amount currencyCode }
        associatedOrder { id name }
        associatedPayout { id status }
        adjustmentsOrders { name orderTransactionId amount { amount currencyCode } fees { amount currencyCode } net { amount currencyCode } }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}";

/// A page of Shopify Payments payouts. `$query` e.g. `issued_at:>='2026-11-01'`.
pub const PAYOUTS: &str = r"query PnlPayouts($first: Int!, $after: String, $query: String) {
  shopifyPaymentsAccount {
    payouts(first: $first, after: $after, query: $query) {
      nodes {
        id legacyResourceId issuedAt status transactionType
        net { amount currencyCode }
        summary {
          adjustmentsFee { amount currencyCode } adjustmentsGross { amount currencyCode }
          chargesFee { amount currencyCode } chargesGross { amount currencyCode }
          refundsFee { amount currencyCode } refundsFeeGross { amount currencyCode }
          reservedFundsFee { amount currencyCode } reservedFundsGross { amount currencyCode }
          retriedPayoutsFee { amount currencyCode } retriedPayoutsGross { amount currencyCode }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}";

/// Starts a bulk export of orders (backfill). `$query` is the inner query's text: the
/// [`BULK_ORDERS`] document with its search filter filled in.
pub const BULK_RUN: &str = r"mutation PnlBulkRun($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message }
  }
}";

/// The bulk operation's state; `url` is the JSONL download once COMPLETED.
pub const BULK_POLL: &str = r"query PnlBulkPoll($id: ID!) {
  node(id: $id) {
    ... on BulkOperation { id status errorCode objectCount url partialDataUrl }
  }
}";

/// The inner query of a bulk order export (`{filter}` replaced by the search filter). Bulk
/// queries take no page sizes: nested connections come out as their own JSONL lines with a
/// `__parentId`, lists stay inline in their parent's line.
pub const BULK_ORDERS: &str = r#"{
  orders(query: "{filter}", sortKey: UPDATED_AT) {
    edges { node {
      id legacyResourceId name createdAt processedAt updatedAt cancelledAt test
      sourceName sourceIdentifier tags app { name } customAttributes { key value }
      currencyCode presentmentCurrencyCode displayFinancialStatus paymentGatewayNames taxesIncluded
      totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
      totalTipReceivedSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
      lineItems { edges { node {
        id sku name quantity
        variant { id legacyResourceId sku }
        product { id legacyResourceId }
        originalUnitPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
        discountAllocations { allocatedAmountSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } } }
        taxLines { priceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } } rate title }
      } } }
      shippingLines { edges { node {
        id title
        originalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
        discountAllocations { allocatedAmountSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } } }
        taxLines { priceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } } rate title }
      } } }
      transactions {
        id kind status gateway processedAt test
        amountSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
        fees { id type rateName flatFeeName amount { amount currencyCode } taxAmount { amount currencyCode } }
      }
      refunds {
        id legacyResourceId createdAt note
        totalRefundedSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
      }
    } }
  }
}"#;

/// A document with the fragments it uses appended (Shopify wants them in the same request).
pub fn with_fragments(query: &str) -> String {
    let mut document = query.to_owned();
    if query.contains("...PnlOrder") {
        document.push('\n');
        document.push_str(ORDER_FIELDS);
    }
    if document.contains("...PnlMoney") {
        document.push('\n');
        document.push_str(MONEY_BAG);
    }
    document
}
