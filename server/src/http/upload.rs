//! `POST /graphql` with `multipart/form-data`: the GraphQL multipart request spec
//! (`operations`, `map`, then the files), read by async-graphql's own reader
//! (`async_graphql::http::receive_body`, what `async-graphql-axum`'s `GraphQLRequest` extractor
//! calls — used directly so the file size limit and the cut body can be told apart from a
//! malformed request). The token is checked from the headers before a byte of the body is read,
//! so an anonymous client cannot make the server read an upload-sized body.
//!
//! Memory: the body is streamed through multer; the file part is collected into one buffer
//! (`UploadValue::content`, a `Bytes`: async-graphql's `tempfile` feature is off), and the
//! import borrows that buffer — the file is never held twice.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_graphql::http::MultipartOptions;
use async_graphql::ParseRequestError;
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures::TryStreamExt;

use super::auth::viewer_from_headers;
use super::body_limit::is_cut;
use super::graphql::sanitize;
use super::media::Media;
use super::HttpState;
use crate::error::Error;

/// Executes one GraphQL multipart request.
pub(super) async fn execute(state: &HttpState, media: Media, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let viewer = match viewer_from_headers(&state.app, &parts.headers).await {
        Ok(Some(viewer)) => viewer,
        Ok(None) => {
            return Error::Unauthenticated(
                "an upload needs a token: send Authorization: Bearer <token>".to_owned(),
            )
            .into_response()
        }
        Err(error) => return error.into_response(),
    };
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let cut = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&cut);
    let reader = body
        .into_data_stream()
        .map_err(move |error| {
            if is_cut(&error) {
                seen.store(true, Ordering::Relaxed);
            }
            std::io::Error::other("the request body could not be read")
        })
        .into_async_read();
    let options =
        MultipartOptions::default().max_file_size(state.app.config.import.max_upload_bytes);
    let operation = match async_graphql::http::receive_body(content_type, reader, options).await {
        Ok(operation) => operation,
        // The body bound words a 413 with the limit.
        Err(_) if cut.load(Ordering::Relaxed) => {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response()
        }
        Err(ParseRequestError::PayloadTooLarge) => {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response()
        }
        Err(error) => {
            return Error::bad_input(format!(
                "the body is not a GraphQL multipart request (operations, map, files): {error}"
            ))
            .into_response()
        }
    };
    media.respond(&sanitize(
        state.schema.execute(operation.data(viewer)).await,
    ))
}
