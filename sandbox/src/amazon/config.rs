//! Configuration of the simulated Amazon sellers, app credentials and usage plans.

use std::time::Duration;

/// The simulated Selling Partner API: sellers, the LWA app and the per-operation usage plans.
#[derive(Debug, Clone)]
pub struct AmazonSandboxConfig {
    /// The sellers (at most 10). Default: a US seller (NA, USD) and a DE seller (EU, EUR).
    pub sellers: Vec<AmazonSellerSpec>,
    /// Days of history, ending yesterday relative to the sandbox's `today`. Default 90.
    pub history_days: u32,
    /// Mean number of orders per seller per day. Default 10.
    pub orders_per_day: u32,
    /// LWA client id of the app. Default `"amzn1.application-oa2-client.sandbox"`.
    pub lwa_client_id: String,
    /// LWA client secret of the app. Default `"sandbox_lwa_secret"`.
    pub lwa_client_secret: String,
    /// SP-API application id (the consent URL's `application_id`).
    /// Default `"amzn1.sp.solution.sandbox"`.
    pub application_id: String,
    /// The redirect URI registered for the app, used by the consent page when the request
    /// names none. Default: none (the consent request must carry `redirect_uri`).
    pub redirect_uri: Option<String>,
    /// Lifetime of access tokens (`expires_in`). Default 3600 s, as LWA issues them.
    pub access_token_ttl: Duration,
    /// Usage plans per operation. Default: the documented ones.
    pub quotas: AmazonQuotas,
}

impl Default for AmazonSandboxConfig {
    fn default() -> Self {
        Self {
            sellers: vec![AmazonSellerSpec::us(), AmazonSellerSpec::de()],
            history_days: 90,
            orders_per_day: 10,
            lwa_client_id: "amzn1.application-oa2-client.sandbox".to_owned(),
            lwa_client_secret: "sandbox_lwa_secret".to_owned(),
            application_id: "amzn1.sp.solution.sandbox".to_owned(),
            redirect_uri: None,
            access_token_ttl: Duration::from_secs(3600),
            quotas: AmazonQuotas::default(),
        }
    }
}

/// One selling partner with one marketplace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmazonSellerSpec {
    /// The selling partner id (`selling_partner_id` of the consent callback).
    pub seller_id: String,
    /// The marketplace id, e.g. `ATVPDKIKX0DER` (US) or `A1PA6795UKMFR9` (DE).
    pub marketplace_id: String,
    /// `NA`, `EU` or `FE`.
    pub region: String,
    /// ISO 4217 currency of the marketplace (two decimals are assumed).
    pub currency: String,
    /// `MarketplaceName` as Finances v0 reports it (`Amazon.com`, `Amazon.de`).
    pub marketplace_name: String,
}

impl AmazonSellerSpec {
    /// A US seller on Amazon.com (NA, USD).
    pub fn us() -> Self {
        Self::new("A3SANDB0XUS001", "ATVPDKIKX0DER", "NA", "USD", "Amazon.com")
    }

    /// A German seller on Amazon.de (EU, EUR).
    pub fn de() -> Self {
        Self::new("A2SANDB0XDE001", "A1PA6795UKMFR9", "EU", "EUR", "Amazon.de")
    }

    fn new(seller: &str, marketplace: &str, region: &str, currency: &str, name: &str) -> Self {
        Self {
            seller_id: seller.to_owned(),
            marketplace_id: marketplace.to_owned(),
            region: region.to_owned(),
            currency: currency.to_owned(),
            marketplace_name: name.to_owned(),
        }
    }

    /// Whether the marketplace is the US one (marketplace facilitator tax, US file dates).
    pub(crate) fn is_us(&self) -> bool {
        self.marketplace_id == "ATVPDKIKX0DER"
    }
}

/// A usage plan: tokens added per second and the bucket size (reference A.1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quota {
    /// Requests per second added to the bucket.
    pub rate: f64,
    /// Bucket size.
    pub burst: u32,
}

impl Quota {
    /// A plan of `rate` requests per second and `burst`.
    pub fn new(rate: f64, burst: u32) -> Self {
        Self { rate, burst }
    }
}

/// Usage plans of the simulated operations; each (operation, seller) pair has its own bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AmazonQuotas {
    /// `listFinancialEventGroups` and `listFinancialEventsByGroupId`: 0.5/s, burst 30.
    pub finances: Quota,
    /// `getReports`: 0.0222/s, burst 10.
    pub get_reports: Quota,
    /// `getReportDocument`: 0.0167/s, burst 15.
    pub get_report_document: Quota,
}

impl Default for AmazonQuotas {
    fn default() -> Self {
        Self {
            finances: Quota::new(0.5, 30),
            get_reports: Quota::new(0.0222, 10),
            get_report_document: Quota::new(0.0167, 15),
        }
    }
}

impl AmazonQuotas {
    /// Every operation on the same plan (tests: e.g. 10/s, burst 5).
    pub fn all(quota: Quota) -> Self {
        Self {
            finances: quota,
            get_reports: quota,
            get_report_document: quota,
        }
    }
}
