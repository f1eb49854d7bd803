//! The Shopify HTTP surface: Admin GraphQL (`/shopify/{shop}/admin/api/{version}/graphql.json`)
//! with cost accounting and throttling, the OAuth install (`/admin/oauth/authorize`,
//! `/admin/oauth/access_token`) and the bulk download host (`/shopify-bulk/{id}.jsonl`).

use std::collections::HashMap;

use async_graphql_parser::parse_query;
use async_graphql_parser::types::{DocumentOperations, OperationType};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::cost;
use super::exec::{Exec, GqlError};
use super::faults::ShopifyInjected;
use super::limits::Status;
use super::root::StoreRoot;
use super::sign::query_hmac;
use crate::api::Shared;
use crate::rng::hash;
use crate::sandbox::lock;

const INVALID_TOKEN: &str =
    "[API] Invalid API key or access token (unrecognized login or wrong password)";
const RATE_DOCS: &str = "https://shopify.dev/api/usage/rate-limits";

fn json_response(status: StatusCode, body: &Value, api_version: &str) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response();
    if let Ok(v) = api_version.parse() {
        response.headers_mut().insert("X-Shopify-API-Version", v);
    }
    response
}

fn cost_extension(requested: u64, actual: Option<u64>, status: Status) -> Value {
    json!({"cost": {
        "requestedQueryCost": requested,
        "actualQueryCost": actual,
        "throttleStatus": {
            "maximumAvailable": f64::from(status.maximum),
            "currentlyAvailable": status.available,
            "restoreRate": f64::from(status.restore_rate),
        },
    }})
}

fn throttled(requested: u64, status: Status) -> Value {
    json!({
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": RATE_DOCS}}],
        "extensions": cost_extension(requested, None, status),
    })
}

/// `POST /shopify/{shop}/admin/api/{version}/graphql.json`.
pub(crate) async fn graphql(
    State(s): State<Shared>,
    Path((shop, version)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let world = &s.shopify;
    let faults = s.faults.shopify();
    let Some(store) = world.store_index(&shop) else {
        return json_response(
            StatusCode::NOT_FOUND,
            &json!({"errors": "Not Found"}),
            &version,
        );
    };
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let query = request
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let vars: Map<String, Value> = request
        .get("variables")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let doc = parse_query(&query);
    let operation_name = request
        .get("operationName")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            doc.as_ref().ok().and_then(|d| match &d.operations {
                DocumentOperations::Multiple(ops) if ops.len() == 1 => {
                    ops.keys().next().map(ToString::to_string)
                }
                _ => None,
            })
        });
    let op_name = operation_name
        .clone()
        .unwrap_or_else(|| "anonymous".to_owned());
    lock(&world.stats)
        .entry(op_name.clone())
        .or_default()
        .requests += 1;
    let status_now = || lock(&world.buckets)[store].status();
    match faults.on_request() {
        ShopifyInjected::None => {}
        ShopifyInjected::Throttle => {
            lock(&world.stats).entry(op_name).or_default().throttled += 1;
            return json_response(StatusCode::OK, &throttled(0, status_now()), &version);
        }
        ShopifyInjected::Throttle429(secs) => {
            lock(&world.stats).entry(op_name).or_default().throttled += 1;
            let mut response = json_response(
                StatusCode::TOO_MANY_REQUESTS,
                &throttled(0, status_now()),
                &version,
            );
            if let Ok(v) = secs.to_string().parse() {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return response;
        }
        ShopifyInjected::ServerError(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return json_response(
                status,
                &json!({"errors": "Internal Server Error"}),
                &version,
            );
        }
    }
    let token = headers
        .get("X-Shopify-Access-Token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let generation = faults.generation(&shop);
    if lock(&world.tokens).get(token) != Some(&(store, generation)) {
        return json_response(
            StatusCode::UNAUTHORIZED,
            &json!({"errors": INVALID_TOKEN}),
            &version,
        );
    }
    let doc = match doc {
        Ok(doc) => doc,
        Err(e) => {
            let error = GqlError::new(format!("syntax error: {e}"), None);
            return json_response(
                StatusCode::OK,
                &json!({"errors": [error.value()]}),
                &version,
            );
        }
    };
    let operation = match (&doc.operations, &operation_name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .iter()
            .find(|(k, _)| k.as_str() == name)
            .map(|(_, op)| op),
        (DocumentOperations::Multiple(_), None) => None,
    };
    let Some(operation) = operation else {
        let error = GqlError::new("An operation name is required", None);
        return json_response(
            StatusCode::OK,
            &json!({"errors": [error.value()]}),
            &version,
        );
    };
    let mutation = operation.node.ty == OperationType::Mutation;
    let set = &operation.node.selection_set.node;
    let root_type = if mutation { "Mutation" } else { "QueryRoot" };
    if let Err(error) = world.schema.check(&doc, root_type, set) {
        return json_response(
            StatusCode::OK,
            &json!({"errors": [error.value()]}),
            &version,
        );
    }
    let requested = cost::requested(&doc, set, &vars, mutation);
    {
        let mut stats = lock(&world.stats);
        let entry = stats.entry(op_name.clone()).or_default();
        entry.max_requested_cost = entry.max_requested_cost.max(requested as u32);
    }
    let max = u64::from(world.config.max_query_cost);
    if requested > max {
        let body = json!({
            "errors": [{
                "message": format!("Query cost is {requested}, which exceeds the single query max cost limit ({max}).\n\nSee {RATE_DOCS} for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n"),
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": max, "documentation": RATE_DOCS},
            }],
            "extensions": cost_extension(requested, None, status_now()),
        });
        return json_response(StatusCode::OK, &body, &version);
    }
    let admitted = lock(&world.buckets)[store].take(requested as u32);
    if !admitted {
        lock(&world.stats).entry(op_name).or_default().throttled += 1;
        return json_response(
            StatusCode::OK,
            &throttled(requested, status_now()),
            &version,
        );
    }
    let base = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| format!("http://{h}"))
        .unwrap_or_default();
    let root = StoreRoot {
        world,
        faults,
        store,
        base,
    };
    let mut exec = Exec {
        doc: &doc,
        vars: &vars,
        root: &root,
        actual: 0,
        bulk: false,
        children: Vec::new(),
    };
    let result = exec.object(&json!({ "__typename": root_type }), set);
    let actual = if mutation {
        10
    } else {
        exec.actual.saturating_sub(1).min(requested)
    };
    lock(&world.buckets)[store].refund((requested - actual.min(requested)) as u32);
    let body = match result {
        Ok(data) => {
            lock(&world.stats).entry(op_name).or_default().ok += 1;
            json!({"data": data, "extensions": cost_extension(requested, Some(actual), status_now())})
        }
        Err(error) => {
            json!({"errors": [error.value()], "extensions": cost_extension(requested, Some(actual), status_now())})
        }
    };
    json_response(StatusCode::OK, &body, &version)
}

/// `GET /shopify/{shop}/admin/oauth/authorize`: the merchant approves at once; redirects to
/// `redirect_uri?code&hmac&host&shop&state&timestamp`.
pub(crate) async fn authorize(
    State(s): State<Shared>,
    Path(shop): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let world = &s.shopify;
    let Some(store) = world.store_index(&shop) else {
        return (StatusCode::NOT_FOUND, "There is no store at this address").into_response();
    };
    if q.get("client_id").map(String::as_str) != Some(world.config.api_key.as_str()) {
        return (
            StatusCode::BAD_REQUEST,
            "Oauth error invalid_request: The client_id provided is invalid",
        )
            .into_response();
    }
    let Some(redirect) = q.get("redirect_uri") else {
        return (
            StatusCode::BAD_REQUEST,
            "Oauth error invalid_request: The redirect_uri is missing",
        )
            .into_response();
    };
    let timestamp = chrono::Utc::now().timestamp();
    let code = format!(
        "{:016x}{:016x}",
        hash(&[world.seed, 61, store as u64, timestamp as u64]),
        hash(&[rand::random::<u64>()])
    );
    let scope = q.get("scope").cloned().unwrap_or_default();
    lock(&world.codes).insert(code.clone(), (store, scope));
    let host = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        format!("{shop}/admin"),
    );
    let mut params = vec![
        ("code".to_owned(), code),
        ("host".to_owned(), host),
        ("shop".to_owned(), shop),
        ("timestamp".to_owned(), timestamp.to_string()),
    ];
    if let Some(state) = q.get("state") {
        params.push(("state".to_owned(), state.clone()));
    }
    let hmac = query_hmac(&world.config.api_secret, &params);
    params.push(("hmac".to_owned(), hmac));
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    let separator = if redirect.contains('?') { '&' } else { '?' };
    let location = format!("{redirect}{separator}{}", query.join("&"));
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// Percent-encodes a query value.
pub(crate) fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `POST /shopify/{shop}/admin/oauth/access_token` (JSON or form body).
pub(crate) async fn access_token(
    State(s): State<Shared>,
    Path(shop): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let world = &s.shopify;
    let refuse = |error: &str, description: &str| {
        (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": error, "error_description": description})),
        )
            .into_response()
    };
    let Some(store) = world.store_index(&shop) else {
        return (StatusCode::NOT_FOUND, "There is no store at this address").into_response();
    };
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let fields: HashMap<String, String> = if is_json {
        serde_json::from_slice::<Map<String, Value>>(&body)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k, v.to_owned())))
            .collect()
    } else {
        serde_urlencoded_pairs(&body)
    };
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    if field("client_id") != world.config.api_key
        || field("client_secret") != world.config.api_secret
    {
        return refuse("invalid_client", "Client credentials cannot be found");
    }
    let grant = lock(&world.codes).remove(field("code"));
    let Some((code_store, scope)) = grant.filter(|(code_store, _)| *code_store == store) else {
        return refuse(
            "invalid_request",
            "The authorization code was not found or was already used",
        );
    };
    let token = world.issue_token(code_store, s.faults.shopify().generation(&shop));
    let scope = if scope.is_empty() {
        "read_orders".to_owned()
    } else {
        scope
    };
    (
        StatusCode::OK,
        axum::Json(json!({"access_token": token, "scope": scope})),
    )
        .into_response()
}

fn serde_urlencoded_pairs(body: &[u8]) -> HashMap<String, String> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `GET /shopify-bulk/{id}.jsonl?…X-Goog-Signature=…`: the JSONL, streamed in chunks.
pub(crate) async fn download(
    State(s): State<Shared>,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let denied = || {
        (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/xml")],
            "<?xml version='1.0' encoding='UTF-8'?><Error><Code>SignatureDoesNotMatch</Code><Message>Access denied.</Message></Error>")
            .into_response()
    };
    let Some(legacy) = file
        .strip_suffix(".jsonl")
        .and_then(|n| n.parse::<u64>().ok())
    else {
        return denied();
    };
    let signature = q
        .get("X-Goog-Signature")
        .map(String::as_str)
        .unwrap_or_default();
    let Some(jsonl) = super::bulk::download(&s.shopify, legacy, signature) else {
        return denied();
    };
    let chunks: Vec<Result<Bytes, std::io::Error>> = jsonl
        .as_bytes()
        .chunks(16 * 1024)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let body = axum::body::Body::from_stream(futures::stream::iter(chunks));
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/jsonl")],
        body,
    )
        .into_response()
}
