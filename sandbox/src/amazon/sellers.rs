//! The Sellers API's `getMarketplaceParticipations`
//! (`GET /sellers/v1/marketplaceParticipations`): the marketplaces the token's seller sells in,
//! as Amazon shapes them (`{payload: [{marketplace, participation}]}`, camelCase).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::api::{answer, guard};
use super::limits::Op;
use super::wire::J;
use crate::api::Shared;

/// Country code and language of the marketplaces the sandbox seeds.
fn locale_of(marketplace_id: &str) -> (&'static str, &'static str, &'static str) {
    match marketplace_id {
        "A1PA6795UKMFR9" => ("DE", "de_DE", "www.amazon.de"),
        "A1F83G8C2ARO7P" => ("GB", "en_GB", "www.amazon.co.uk"),
        "A1VC38T7YXB528" => ("JP", "ja_JP", "www.amazon.co.jp"),
        "A2EUQ1WTGCTBG2" => ("CA", "en_CA", "www.amazon.ca"),
        _ => ("US", "en_US", "www.amazon.com"),
    }
}

/// `GET /sellers/v1/marketplaceParticipations`.
pub(crate) async fn participations(
    State(s): State<Shared>,
    headers: HeaderMap,
) -> Result<Response, Response> {
    let op = Op::GetMarketplaceParticipations;
    let (seller, rate) = guard(&s, &headers, op)?;
    let spec = &s.amazon.sellers()[seller].spec;
    let (country, language, domain) = locale_of(&spec.marketplace_id);
    let entry = J::Obj(vec![
        (
            "marketplace",
            J::Obj(vec![
                ("id", J::Str(spec.marketplace_id.clone())),
                ("countryCode", J::Str(country.to_owned())),
                ("name", J::Str(spec.marketplace_name.clone())),
                ("defaultCurrencyCode", J::Str(spec.currency.clone())),
                ("defaultLanguageCode", J::Str(language.to_owned())),
                ("domainName", J::Str(domain.to_owned())),
            ]),
        ),
        (
            "participation",
            J::Obj(vec![
                ("isParticipating", J::Bool(true)),
                ("hasSuspendedListings", J::Bool(false)),
            ]),
        ),
    ]);
    s.amazon.limits.ok(op);
    Ok(answer(
        StatusCode::OK,
        J::Obj(vec![("payload", J::Arr(vec![entry]))]).text(),
        Some(rate),
    ))
}
