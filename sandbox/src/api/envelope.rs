//! The `{code, message, request_id, data}` envelope shared by every simulated host.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::RngCore;
use serde_json::{json, Map, Value};

/// Shop API code for every parameter problem (reference §1.6).
pub(crate) const INVALID_PARAM: i64 = 36009004;

/// A fresh request id in TikTok's style: UTC time `YYYYMMDDhhmmss` and 20 hex digits.
pub(crate) fn request_id() -> String {
    let mut bytes = [0u8; 10];
    rand::rng().fill_bytes(&mut bytes);
    let time = chrono::Utc::now().format("%Y%m%d%H%M%S");
    format!("{time}{}", hex::encode_upper(bytes))
}

/// An error answer of any simulated host.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: i64,
    message: String,
    /// Marketing API errors carry `data: {}`, shop API errors `data: null`.
    ads: bool,
}

impl ApiError {
    /// An error with an explicit HTTP status and code.
    pub(crate) fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            ads: false,
        }
    }

    /// A shop-API parameter error: HTTP 400, code 36009004.
    pub(crate) fn param(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, INVALID_PARAM, message)
    }

    /// A Marketing API error: HTTP 200 with a non-zero code (reference §6).
    pub(crate) fn ads(code: i64, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::OK,
            code,
            message: message.into(),
            ads: true,
        }
    }

    /// The business code (for tests).
    #[cfg(test)]
    pub(crate) fn code(&self) -> i64 {
        self.code
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let data = if self.ads { json!({}) } else { Value::Null };
        let body = json!({
            "code": self.code,
            "message": self.message,
            "request_id": request_id(),
            "data": data,
        });
        (self.status, Json(body)).into_response()
    }
}

fn success(message: &str, data: Value) -> Response {
    let mut body = Map::new();
    body.insert("code".to_owned(), json!(0));
    body.insert("message".to_owned(), json!(message));
    body.insert("request_id".to_owned(), json!(request_id()));
    body.insert("data".to_owned(), data);
    (StatusCode::OK, Json(Value::Object(body))).into_response()
}

/// A shop-API success envelope.
pub(crate) fn ok(data: Value) -> Response {
    success("Success", data)
}

/// A Marketing API success envelope.
pub(crate) fn ads_ok(data: Value) -> Response {
    success("OK", data)
}

/// Result of a handler.
pub(crate) type ApiResult = Result<Response, ApiError>;
