//! The SP-API handlers: Finances v0 (`listFinancialEventGroups`,
//! `listFinancialEventsByGroupId`), Reports 2021-06-30 (`getReports`, `getReportDocument`)
//! and the pre-signed document URL. Every operation passes [`guard`]: injected faults,
//! `x-amz-access-token`, then the (operation, seller) token bucket.

// Refusals are finished responses passed up with `?` to the handler, which returns them as
// they are; boxing them would only add noise to a test simulator.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};

use super::limits::Op;
use super::lwa::Refused;
use super::truth::AmazonWorld;
use super::wire::{self, J};
use crate::api::Shared;
use crate::rng::hash;
use crate::sandbox::lock;

type Params = Query<HashMap<String, String>>;
type Answer = Result<Response, Response>;

/// The settlement report type (reference B).
const SETTLEMENT_V2: &str = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2";

fn request_id() -> String {
    let h = hash(&[Utc::now().timestamp_nanos_opt().unwrap_or(0) as u64]);
    format!(
        "{:08x}-{:04x}-{:04x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xFFFF,
        h & 0xFFFF,
        hash(&[h]) >> 16
    )
}

/// An SP-API answer: the JSON text, `x-amzn-RequestId`, and `x-amzn-RateLimit-Limit`
/// when given (never on 429, reference A.1).
pub(super) fn answer(status: StatusCode, body: String, rate: Option<f64>) -> Response {
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    let headers = response.headers_mut();
    if let Ok(v) = request_id().parse() {
        headers.insert("x-amzn-RequestId", v);
    }
    if let Some(rate) = rate {
        if let Ok(v) = rate.to_string().parse() {
            headers.insert("x-amzn-RateLimit-Limit", v);
        }
    }
    response
}

/// `{"errors":[{"code","message","details"}]}`.
fn error(status: StatusCode, code: &str, message: &str, rate: Option<f64>) -> Response {
    let body = J::Obj(vec![(
        "errors",
        J::Arr(vec![J::Obj(vec![
            ("code", J::Str(code.to_owned())),
            ("message", J::Str(message.to_owned())),
            ("details", J::Str(String::new())),
        ])]),
    )]);
    answer(status, body.text(), rate)
}

/// Faults, the access token and the usage plan of `op`; the seller and its plan's rate.
pub(super) fn guard(s: &Shared, headers: &HeaderMap, op: Op) -> Result<(usize, f64), Response> {
    let amazon = &s.amazon;
    amazon.limits.count(op);
    match s.faults.amazon().on_request() {
        super::faults::AmazonInjected::Throttle => {
            amazon.limits.throttled(op);
            return Err(error(
                StatusCode::TOO_MANY_REQUESTS,
                "QuotaExceeded",
                "You exceeded your quota for the requested resource.",
                None,
            ));
        }
        super::faults::AmazonInjected::ServerError(500) => {
            return Err(error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalFailure",
                "We encountered an internal error. Please try again.",
                None,
            ));
        }
        super::faults::AmazonInjected::ServerError(_) => {
            return Err(error(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "Service is temporarily unavailable. Please try again.",
                None,
            ));
        }
        super::faults::AmazonInjected::None => {}
    }
    let token = headers
        .get("x-amz-access-token")
        .and_then(|v| v.to_str().ok());
    let seller = lock(&amazon.tokens)
        .seller_of(s, token)
        .map_err(|refused| {
            let message = match refused {
                Refused::Expired => "The access token you provided has expired.",
                Refused::Missing | Refused::Unknown => "Access to requested resource is denied.",
            };
            error(StatusCode::FORBIDDEN, "Unauthorized", message, None)
        })?;
    let quota = op.quota(&amazon.config.quotas);
    if !amazon.limits.admit(op, seller, quota) {
        amazon.limits.throttled(op);
        return Err(error(
            StatusCode::TOO_MANY_REQUESTS,
            "QuotaExceeded",
            "You exceeded your quota for the requested resource.",
            None,
        ));
    }
    Ok((seller, quota.rate))
}

fn invalid(message: &str, rate: f64) -> Response {
    error(StatusCode::BAD_REQUEST, "InvalidInput", message, Some(rate))
}

fn time_param(
    q: &HashMap<String, String>,
    key: &str,
    rate: f64,
) -> Result<Option<DateTime<Utc>>, Response> {
    match q.get(key).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| invalid(&format!("{key} is not an ISO 8601 date-time: {text}"), rate)),
    }
}

fn page_size(
    q: &HashMap<String, String>,
    key: &str,
    default: usize,
    rate: f64,
) -> Result<usize, Response> {
    match q.get(key) {
        None => Ok(default),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| invalid(&format!("{key} must be between 1 and 100"), rate)),
    }
}

/// The window rules of Finances v0 (reference A.2): `Before` defaults to now − 2 min, must
/// come with `After`, both must be more than 2 minutes ago; more than 180 days apart gives
/// an empty answer (`Ok(None)`).
#[allow(clippy::type_complexity)]
fn window(
    q: &HashMap<String, String>,
    (after_key, before_key): (&str, &str),
    default_span: Duration,
    rate: f64,
) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>, Response> {
    let latest = Utc::now() - Duration::minutes(2);
    let (after, before) = (
        time_param(q, after_key, rate)?,
        time_param(q, before_key, rate)?,
    );
    if before.is_some() && after.is_none() {
        return Err(invalid(&format!("{before_key} requires {after_key}"), rate));
    }
    if before.is_some_and(|b| b > latest) || after.is_some_and(|a| a > latest) {
        return Err(invalid(
            &format!(
                "{after_key} and {before_key} must be more than 2 minutes before the request time"
            ),
            rate,
        ));
    }
    let before = before.unwrap_or(latest);
    let after = after.unwrap_or(before - default_span);
    if before < after {
        return Err(invalid(&format!("{after_key} is after {before_key}"), rate));
    }
    Ok((before - after <= Duration::days(180)).then_some((after, before)))
}

/// Virtual pages over `len` items in pages of `size`: an empty page after the first one and
/// another before the token runs out, as Amazon serves them. Returns the item range of page
/// `v` and whether another page follows.
fn virtual_page(len: usize, size: usize, v: usize) -> (std::ops::Range<usize>, bool) {
    if len == 0 {
        return (0..0, false);
    }
    let chunks = len.div_ceil(size);
    let pages = chunks + 2;
    let range = match v {
        0 => 0..size.min(len),
        1 => 0..0,
        v if v <= chunks => (v - 1) * size..(v * size).min(len),
        _ => 0..0,
    };
    (range, v + 1 < pages)
}

fn fingerprint(text: &str) -> u64 {
    hash(&text.bytes().map(u64::from).collect::<Vec<_>>())
}

fn encode_token(v: usize, print: u64) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{v}|{print:016x}"))
}

fn decode_token(token: &str, print: u64, rate: f64) -> Result<usize, Response> {
    let bad = || {
        invalid(
            "Invalid NextToken: it does not belong to this request's arguments",
            rate,
        )
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (v, p) = text.split_once('|').ok_or_else(bad)?;
    if p != format!("{print:016x}") {
        return Err(bad());
    }
    v.parse().map_err(|_| bad())
}

fn page_args(q: &HashMap<String, String>, extra: &str) -> String {
    let mut keys: Vec<_> = q
        .iter()
        .filter(|(k, _)| k.as_str() != "NextToken")
        .collect();
    keys.sort();
    format!("{extra}{keys:?}")
}

fn ok(s: &Shared, op: Op, body: &J, rate: f64) -> Answer {
    s.amazon.limits.ok(op);
    Ok(answer(StatusCode::OK, body.text(), Some(rate)))
}

/// `GET /finances/v0/financialEventGroups`.
pub(crate) async fn groups(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Params,
) -> Answer {
    let op = Op::ListFinancialEventGroups;
    let (seller, rate) = guard(&s, &headers, op)?;
    let size = page_size(&q, "MaxResultsPerPage", 10, rate)?;
    // ⚠ [U] the default span of StartedAfter is undocumented; 90 days is assumed.
    let span = window(
        &q,
        (
            "FinancialEventGroupStartedAfter",
            "FinancialEventGroupStartedBefore",
        ),
        Duration::days(90),
        rate,
    )?;
    let seller_world = &s.amazon.sellers()[seller];
    let chosen: Vec<_> = match span {
        Some((after, before)) => seller_world
            .groups
            .iter()
            .filter(|g| g.start >= after && g.start < before)
            .collect(),
        None => Vec::new(),
    };
    let print = fingerprint(&page_args(&q, "groups"));
    let v = match q.get("NextToken") {
        Some(t) => decode_token(t, print, rate)?,
        None => 0,
    };
    let (range, more) = virtual_page(chosen.len(), size, v);
    let list = J::Arr(
        chosen[range]
            .iter()
            .map(|g| wire::group(g, &seller_world.spec))
            .collect(),
    );
    let next = more.then(|| encode_token(v + 1, print));
    ok(
        &s,
        op,
        &wire::payload("FinancialEventGroupList", list, next),
        rate,
    )
}

/// `GET /finances/v0/financialEventGroups/{eventGroupId}/financialEvents`.
pub(crate) async fn events(
    State(s): State<Shared>,
    Path(group_id): Path<String>,
    headers: HeaderMap,
    Query(q): Params,
) -> Answer {
    let op = Op::ListFinancialEventsByGroupId;
    let (seller, rate) = guard(&s, &headers, op)?;
    let size = page_size(&q, "MaxResultsPerPage", 100, rate)?;
    let Some(group) = s.amazon.group(seller, &group_id) else {
        return Err(error(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("financial event group {group_id} not found"),
            Some(rate),
        ));
    };
    let span = if q.contains_key("PostedAfter") || q.contains_key("PostedBefore") {
        window(
            &q,
            ("PostedAfter", "PostedBefore"),
            Duration::days(180),
            rate,
        )?
    } else {
        Some((group.start, group.end))
    };
    let dropped = s
        .faults
        .amazon()
        .is_dropped(&group_id)
        .then(|| s.amazon.droppable(&group_id))
        .flatten();
    let chosen: Vec<_> = match span {
        Some((after, before)) => group
            .events
            .iter()
            .filter(|e| e.posted >= after && e.posted < before)
            .filter(|e| !dropped.is_some_and(|d| std::ptr::eq(*e, d)))
            .collect(),
        None => Vec::new(),
    };
    let print = fingerprint(&page_args(&q, &group_id));
    let v = match q.get("NextToken") {
        Some(t) => decode_token(t, print, rate)?,
        None => 0,
    };
    let (range, more) = virtual_page(chosen.len(), size, v);
    let spec = &s.amazon.sellers()[seller].spec;
    let list = wire::financial_events(chosen[range].iter().copied(), spec);
    let next = more.then(|| encode_token(v + 1, print));
    ok(&s, op, &wire::payload("FinancialEvents", list, next), rate)
}

/// When a group's settlement report is created: two hours after the group closes.
fn created(end: DateTime<Utc>) -> DateTime<Utc> {
    end + Duration::hours(2)
}

/// `GET /reports/2021-06-30/reports?reportTypes&createdSince&pageSize&nextToken`.
pub(crate) async fn reports(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Params,
) -> Answer {
    let op = Op::GetReports;
    let (seller, rate) = guard(&s, &headers, op)?;
    let now = Utc::now();
    let (since, offset) = match q.get("nextToken") {
        Some(token) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(token)
                .unwrap_or_default();
            let text = String::from_utf8(bytes).unwrap_or_default();
            let parsed = text.split_once('|').and_then(|(since, offset)| {
                Some((
                    DateTime::from_timestamp(since.parse().ok()?, 0)?,
                    offset.parse::<usize>().ok()?,
                ))
            });
            parsed.ok_or_else(|| invalid("Invalid nextToken", rate))?
        }
        None => {
            if q.get("reportTypes").is_none_or(String::is_empty) {
                return Err(invalid("reportTypes or nextToken is required", rate));
            }
            // Reports are kept 90 days; createdSince defaults to 90 days back (reference B.1).
            let since = time_param(&q, "createdSince", rate)?.unwrap_or(now - Duration::days(90));
            (since, 0)
        }
    };
    let size = page_size(&q, "pageSize", 10, rate)?;
    let wanted = q
        .get("reportTypes")
        .is_none_or(|t| t.split(',').any(|t| t == SETTLEMENT_V2));
    let seller_world = &s.amazon.sellers()[seller];
    let mut listed: Vec<(usize, DateTime<Utc>)> = seller_world
        .groups
        .iter()
        .enumerate()
        .filter(|(_, g)| !g.open && wanted)
        .map(|(i, g)| (i, created(g.end)))
        .filter(|(_, c)| *c >= since && *c <= now && *c >= now - Duration::days(90))
        .collect();
    listed.sort_by_key(|&(_, created)| std::cmp::Reverse(created));
    let page: Vec<J> = listed
        .iter()
        .skip(offset)
        .take(size)
        .map(|&(i, c)| report(&s.amazon, seller, i, c))
        .collect();
    let mut body = vec![("reports", J::Arr(page))];
    if offset + size < listed.len() {
        let token = format!("{}|{}", since.timestamp(), offset + size);
        body.push((
            "nextToken",
            J::Str(base64::engine::general_purpose::STANDARD.encode(token)),
        ));
    }
    ok(&s, op, &J::Obj(body), rate)
}

fn report(amazon: &AmazonWorld, seller: usize, index: usize, created: DateTime<Utc>) -> J {
    let g = &amazon.sellers()[seller].groups[index];
    let spec = &amazon.config.sellers[seller];
    let s = |t: String| J::Str(t);
    J::Obj(vec![
        ("reportType", s(SETTLEMENT_V2.to_owned())),
        ("processingEndTime", s(wire::iso(created))),
        ("processingStatus", s("DONE".to_owned())),
        (
            "marketplaceIds",
            J::Arr(vec![s(spec.marketplace_id.clone())]),
        ),
        ("reportDocumentId", s(amazon.document_id(seller, index))),
        (
            "reportId",
            s(format!(
                "{}",
                50_000_000_000 + hash(&[g.start.timestamp() as u64, seller as u64]) % 9_000_000_000
            )),
        ),
        ("dataEndTime", s(wire::iso(g.end))),
        ("createdTime", s(wire::iso(created))),
        ("processingStartTime", s(wire::iso(created))),
        ("dataStartTime", s(wire::iso(g.start))),
    ])
}

fn signature(document_id: &str, date: i64) -> String {
    let print = fingerprint(&format!("{document_id}|{date}"));
    format!("{print:016x}{:016x}", hash(&[print]))
}

/// `GET /reports/2021-06-30/documents/{reportDocumentId}`: a pre-signed URL (5 minutes).
pub(crate) async fn document(
    State(s): State<Shared>,
    Path(document_id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let op = Op::GetReportDocument;
    let (seller, rate) = guard(&s, &headers, op)?;
    let Some((owner, index, _)) = s.amazon.document(&document_id) else {
        return Err(error(
            StatusCode::NOT_FOUND,
            "NotFound",
            "The report document was not found.",
            Some(rate),
        ));
    };
    if owner != seller {
        return Err(error(
            StatusCode::NOT_FOUND,
            "NotFound",
            "The report document was not found.",
            Some(rate),
        ));
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let date = Utc::now().timestamp();
    let url = format!(
        "http://{host}/sandbox-reports/{document_id}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={date}&X-Amz-Expires=300&X-Amz-Signature={}",
        signature(&document_id, date)
    );
    let mut body = vec![
        ("reportDocumentId", J::Str(document_id)),
        ("url", J::Str(url)),
    ];
    if AmazonWorld::compressed(index) {
        body.push(("compressionAlgorithm", J::Str("GZIP".to_owned())));
    }
    ok(&s, op, &J::Obj(body), rate)
}

/// `GET /sandbox-reports/{id}?X-Amz-…`: the document bytes behind the pre-signed URL (an
/// S3 object: no charset in its Content-Type, reference B.5).
pub(crate) async fn download(
    State(s): State<Shared>,
    Path(document_id): Path<String>,
    Query(q): Params,
) -> Response {
    let denied = |message: &str| {
        let xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>{message}</Message></Error>");
        (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/xml")],
            xml,
        )
            .into_response()
    };
    let date: i64 = q
        .get("X-Amz-Date")
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    if q.get("X-Amz-Signature").map(String::as_str) != Some(signature(&document_id, date).as_str())
    {
        return denied(
            "The request signature we calculated does not match the signature you provided.",
        );
    }
    if Utc::now().timestamp() - date > 300 {
        return denied("Request has expired");
    }
    let dropped = s
        .amazon
        .document(&document_id)
        .is_some_and(|(_, _, group)| s.faults.amazon().is_dropped(&group.id));
    match s.amazon.document_bytes_dropping(&document_id, dropped) {
        Some(bytes) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/octet-stream")],
            bytes,
        )
            .into_response(),
        None => denied("The specified key does not exist."),
    }
}
