//! Settlement reports through the Reports API 2021-06-30 (reference B.1): list the
//! automatically created `GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2` reports, fetch a
//! document's pre-signed URL, download it (bounded) and gunzip it when Amazon says GZIP.
//! The pre-signed URL is a credential for five minutes: it is never logged nor put in an
//! error.

use std::io::Read;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;

use super::client::AmazonClient;
use super::error::AmazonError;
use super::rate::Operation;

/// The settlement report type.
pub const SETTLEMENT_V2: &str = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2";

/// One listed settlement report.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SettlementReport {
    /// `reportId`.
    pub report_id: String,
    /// `reportDocumentId` (present once the report is DONE).
    #[serde(default)]
    pub report_document_id: Option<String>,
    /// `processingStatus` (`DONE`, `IN_PROGRESS`, ...).
    pub processing_status: String,
    /// `createdTime`.
    pub created_time: DateTime<Utc>,
    /// `dataStartTime`: the settlement's start.
    #[serde(default)]
    pub data_start_time: Option<DateTime<Utc>>,
    /// `dataEndTime`: the settlement's end.
    #[serde(default)]
    pub data_end_time: Option<DateTime<Utc>>,
}

/// One page of `getReports`.
#[derive(Clone, Debug)]
pub struct ReportPage {
    /// The exact response body.
    pub body: String,
    /// The reports on it.
    pub reports: Vec<SettlementReport>,
    /// `nextToken`; None on the last page.
    pub next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reports {
    #[serde(default)]
    reports: Vec<SettlementReport>,
    #[serde(default)]
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    url: String,
    #[serde(default)]
    compression_algorithm: Option<String>,
}

impl AmazonClient {
    /// One page of settlement V2 reports created since `created_since` (Amazon's default:
    /// 90 days back, as long as it keeps them). With a `next_token` the other arguments are
    /// not sent, as the API requires.
    ///
    /// # Errors
    /// See [`AmazonError`].
    pub async fn list_settlement_reports(
        &self,
        created_since: Option<DateTime<Utc>>,
        next_token: Option<&str>,
    ) -> Result<ReportPage, AmazonError> {
        let path = "/reports/2021-06-30/reports";
        let query = match next_token {
            Some(token) => vec![("nextToken", token.to_owned())],
            None => {
                let mut q = vec![
                    ("reportTypes", SETTLEMENT_V2.to_owned()),
                    ("pageSize", "100".to_owned()),
                ];
                if let Some(since) = created_since {
                    q.push((
                        "createdSince",
                        since.to_rfc3339_opts(SecondsFormat::Secs, true),
                    ));
                }
                q
            }
        };
        let body = self.get(Operation::GetReports, path, &query).await?;
        let parsed: Reports = serde_json::from_str(&body).map_err(|e| {
            AmazonError::upstream(path, Some(200), format!("not a getReports answer: {e}"))
        })?;
        Ok(ReportPage {
            body,
            reports: parsed.reports,
            next_token: parsed.next_token.filter(|t| !t.is_empty()),
        })
    }

    /// The bytes of report document `document_id`, decompressed when Amazon says GZIP, at
    /// most `max_document_bytes` either way.
    ///
    /// # Errors
    /// See [`AmazonError`]; a document over the bound or a broken gzip stream is `Upstream`.
    pub async fn download_report_document(
        &self,
        document_id: &str,
    ) -> Result<Vec<u8>, AmazonError> {
        let path = format!("/reports/2021-06-30/documents/{document_id}");
        let body = self.get(Operation::GetReportDocument, &path, &[]).await?;
        let document: Document = serde_json::from_str(&body).map_err(|e| {
            // serde quotes no values on a shape error, but say only where it broke.
            AmazonError::upstream(
                &path,
                Some(200),
                format!(
                    "not a report document (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        let what = format!("report document {document_id}");
        let limit = self.config.max_document_bytes;
        // The pre-signed URL is S3's: no access token, no usage plan.
        let mut response = self
            .http
            .get(&document.url)
            .send()
            .await
            .map_err(|e| AmazonError::network(&what, e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(AmazonError::upstream(
                &what,
                Some(status.as_u16()),
                format!("the download answered HTTP {}", status.as_u16()),
            ));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| AmazonError::network(&what, e))?
        {
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > limit {
                return Err(AmazonError::upstream(
                    &what,
                    Some(status.as_u16()),
                    format!("larger than {limit} bytes"),
                ));
            }
        }
        let gzip = document
            .compression_algorithm
            .is_some_and(|a| a.eq_ignore_ascii_case("GZIP"));
        tracing::debug!(
            document_id,
            bytes = bytes.len(),
            gzip,
            "downloaded an Amazon report document"
        );
        if !gzip {
            return Ok(bytes);
        }
        gunzip(&bytes, limit).map_err(|reason| AmazonError::upstream(&what, None, reason))
    }
}

/// `bytes` gunzipped, at most `limit` bytes.
///
/// # Errors
/// A broken stream, or more than `limit` bytes once decompressed.
pub fn gunzip(bytes: &[u8], limit: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| format!("not a gzip stream: {e}"))?;
    if out.len() as u64 > limit {
        return Err(format!("larger than {limit} bytes once decompressed"));
    }
    Ok(out)
}
