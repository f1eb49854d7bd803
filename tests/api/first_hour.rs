//! What a newcomer and standard GraphQL tooling meet first: the introspection query, media types,
//! the cost model's limits, documented arguments and scalars, and bad input named clearly.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_code, fixture, TestApp};

async fn introspect(app: &TestApp, token: &str) -> Value {
    let query = std::fs::read_to_string(fixture("introspection-query.graphql")).unwrap();
    let data = app.gql_ok(token, &query, json!({})).await;
    data["__schema"].clone()
}

#[tokio::test]
async fn the_standard_introspection_query_passes_the_limits() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "pnl:read");
    let schema = introspect(&app, &token).await;
    let types = schema["types"].as_array().unwrap();
    let scalar = |name: &str| {
        types
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("scalar {name} missing"))
            .clone()
    };
    assert_eq!(
        scalar("Date")["specifiedByURL"],
        "https://scalars.graphql.org/andimarek/local-date.html"
    );
    assert_eq!(
        scalar("DateTime")["specifiedByURL"],
        "https://scalars.graphql.org/andimarek/date-time.html"
    );
    for name in ["Date", "DateTime", "Decimal"] {
        let description = scalar(name)["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            description.len() > 40,
            "{name} is described: {description:?}"
        );
    }
    assert!(types.iter().all(|t| t["name"] != "NaiveDate"));
}

#[tokio::test]
async fn every_argument_has_a_description() {
    let app = TestApp::spawn().await;
    let schema = introspect(&app, &app.token("acme", "pnl:read")).await;
    let mut bare = Vec::new();
    for kind in schema["types"].as_array().unwrap() {
        let type_name = kind["name"].as_str().unwrap();
        if type_name.starts_with("__") {
            continue;
        }
        for field in kind["fields"].as_array().into_iter().flatten() {
            for arg in field["args"].as_array().unwrap() {
                if arg["description"].as_str().is_none_or(str::is_empty) {
                    bare.push(format!("{type_name}.{}({})", field["name"], arg["name"]));
                }
            }
        }
    }
    assert!(bare.is_empty(), "arguments without a description: {bare:?}");
}

#[tokio::test]
async fn the_answer_follows_the_accept_header() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "pnl:read");
    let post = |accept: &'static str, query: &'static str| {
        app.client
            .post(app.url("/graphql"))
            .bearer_auth(&token)
            .header("Accept", accept)
            .json(&json!({ "query": query }))
            .send()
    };
    let content_type = |response: &reqwest::Response| {
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned()
    };

    let json_answer = post("application/json", "{ me { org } }").await.unwrap();
    assert_eq!(json_answer.status(), StatusCode::OK);
    assert!(content_type(&json_answer).starts_with("application/json"));

    let graphql_answer = post("application/graphql-response+json", "{ me { org } }")
        .await
        .unwrap();
    assert!(content_type(&graphql_answer).starts_with("application/graphql-response+json"));

    // A document that does not parse: 400 and no `data` under the GraphQL media type …
    let unparsable = post("application/graphql-response+json", "{")
        .await
        .unwrap();
    assert_eq!(unparsable.status(), StatusCode::BAD_REQUEST);
    let body: Value = unparsable.json().await.unwrap();
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    // … and 200, still without `data`, for legacy JSON clients.
    let legacy = post("application/json", "{ nope }").await.unwrap();
    assert_eq!(legacy.status(), StatusCode::OK);
    let body: Value = legacy.json().await.unwrap();
    assert!(body.get("data").is_none(), "{body}");

    let unreadable = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&token)
        .header("Content-Type", "application/json")
        .body("{\"query\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(unreadable.status(), StatusCode::BAD_REQUEST);
    let body: Value = unreadable.json().await.unwrap();
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("the body is not a GraphQL request"),
        "{message}"
    );
    assert!(
        !message.contains("InvalidRequest("),
        "no Rust debug text: {message}"
    );

    let not_json = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&token)
        .header("Content-Type", "text/plain")
        .body("{ me { org } }")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

const README_SELECTION: &str = "pageInfo { hasNextPage endCursor } edges { node { entryKey seq \
     reversalOf bucket label amount { amount currency } status rawRecordId } }";

#[tokio::test]
async fn the_documented_page_of_500_is_reachable_and_a_refusal_says_by_how_much() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "pnl:read");
    let page = format!("{{ ledgerEntries(first: 500) {{ {README_SELECTION} }} }}");
    app.gql_ok(&token, &page, json!({})).await;

    let report = r#"pnl(range: {from: "2026-01-01", to: "2026-12-31"}, groupBy: [SKU]) {
        rows { netSales { amount } contributionProfit { amount } margin } }"#;
    let many: String = (0..20).map(|i| format!("r{i}: {report} ")).collect();
    let (_, body) = app
        .gql(Some(&token), &format!("{{ {many} }}"), json!({}))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("query complexity is ") && message.contains("the limit is 2000 ("),
        "{message}"
    );
}

/// A value of `type_ref` that passes validation (the named type `name` of the innermost type).
fn valid_value(types: &BTreeMap<String, Value>, type_ref: &Value) -> String {
    match type_ref["kind"].as_str().unwrap() {
        "NON_NULL" => valid_value(types, &type_ref["ofType"]),
        "LIST" => format!("[{}]", valid_value(types, &type_ref["ofType"])),
        _ => {
            let name = type_ref["name"].as_str().unwrap();
            let kind = &types[name];
            match (kind["kind"].as_str().unwrap(), name) {
                ("SCALAR", "Date") => "\"2026-01-01\"".to_owned(),
                ("SCALAR", "DateTime") => "\"2026-01-01T00:00:00Z\"".to_owned(),
                ("SCALAR", "Decimal") => "\"1\"".to_owned(),
                ("SCALAR", "Int" | "Float") => "1".to_owned(),
                ("SCALAR", "Boolean") => "true".to_owned(),
                ("SCALAR", _) => "\"USD\"".to_owned(),
                ("ENUM", _) => kind["enumValues"][0]["name"].as_str().unwrap().to_owned(),
                ("INPUT_OBJECT", _) => {
                    let fields: Vec<String> = kind["inputFields"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|f| f["type"]["kind"] == "NON_NULL")
                        .map(|f| {
                            let name = f["name"].as_str().unwrap();
                            format!("{name}: {}", valid_value(types, &f["type"]))
                        })
                        .collect();
                    format!("{{{}}}", fields.join(", "))
                }
                other => panic!("unexpected input type {other:?}"),
            }
        }
    }
}

/// Where one of our scalars sits among the arguments of a field: the argument path as the
/// error names it, the scalar, and the literal arguments with that spot left as `$v`.
struct Spot {
    path: String,
    /// The variable type that fits the spot (`Date!` where the argument is required).
    scalar: String,
    arguments: String,
}

fn named(type_ref: &Value) -> (&str, bool) {
    let mut inner = type_ref;
    let required = type_ref["kind"] == "NON_NULL";
    while inner["name"].is_null() {
        inner = &inner["ofType"];
    }
    (inner["name"].as_str().unwrap(), required)
}

/// Every spot of a Date, DateTime or Decimal among `args`, with valid values elsewhere.
fn spots(types: &BTreeMap<String, Value>, args: &[Value]) -> Vec<Spot> {
    let render = |args: &[Value], skip: Option<(&str, String)>| -> String {
        args.iter()
            .filter_map(|arg| {
                let name = arg["name"].as_str().unwrap();
                if let Some((spot, value)) = &skip {
                    if *spot == name {
                        return Some(format!("{name}: {value}"));
                    }
                }
                (arg["type"]["kind"] == "NON_NULL")
                    .then(|| format!("{name}: {}", valid_value(types, &arg["type"])))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut found = Vec::new();
    for arg in args {
        let name = arg["name"].as_str().unwrap();
        let (type_name, required) = named(&arg["type"]);
        match types[type_name]["kind"].as_str().unwrap() {
            "SCALAR" if ["Date", "DateTime", "Decimal"].contains(&type_name) => found.push(Spot {
                path: name.to_owned(),
                scalar: format!("{type_name}{}", if required { "!" } else { "" }),
                arguments: render(args, Some((name, "$v".to_owned()))),
            }),
            "INPUT_OBJECT" => {
                let fields = types[type_name]["inputFields"].as_array().unwrap();
                for inner in spots(types, fields) {
                    let object = format!("{{{}}}", inner.arguments);
                    found.push(Spot {
                        path: format!("{name}.{}", inner.path),
                        scalar: inner.scalar,
                        arguments: render(args, Some((name, object))),
                    });
                }
            }
            _ => {}
        }
    }
    found
}

const MALFORMED: [(&str, &[&str]); 3] = [
    (
        "Date",
        &["10/01/2026", "2026-02-30", "2026-1-5", "+262000-01-01"],
    ),
    (
        "DateTime",
        &["yesterday", "2026-01-31", "2026-01-31T09:30:00"],
    ),
    ("Decimal", &["abc", "twenty", "1,234.56", "1e3"]),
];

#[tokio::test]
async fn every_scalar_argument_refuses_malformed_values_by_name() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "admin");
    let schema = introspect(&app, &token).await;
    let types: BTreeMap<String, Value> = schema["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
        .collect();
    let mut checked = 0;
    for (root, keyword) in [("QueryRoot", "query"), ("MutationRoot", "mutation")] {
        for field in types[root]["fields"].as_array().unwrap() {
            let (returns, _) = named(&field["type"]);
            let selection = match types[returns]["kind"].as_str().unwrap() {
                "OBJECT" => " { __typename }",
                _ => "",
            };
            for spot in spots(&types, field["args"].as_array().unwrap()) {
                let scalar = spot.scalar.trim_end_matches('!');
                let (_, formats) = MALFORMED.iter().find(|(s, _)| *s == scalar).unwrap();
                for bad in *formats {
                    let field_name = field["name"].as_str().unwrap();
                    let literal = spot.arguments.replace("$v", &format!("{bad:?}"));
                    let by_literal = format!("{keyword} {{ {field_name}({literal}){selection} }}");
                    let by_variable = format!(
                        "{keyword}($v: {}) {{ {field_name}({}){selection} }}",
                        spot.scalar, spot.arguments
                    );
                    for (query, variables) in
                        [(by_literal, json!({})), (by_variable, json!({ "v": bad }))]
                    {
                        let (status, body) = app.gql(Some(&token), &query, variables).await;
                        assert_eq!(status, StatusCode::OK, "{query}: {body}");
                        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{query}: {body}");
                        let message = body["errors"][0]["message"].as_str().unwrap();
                        assert!(
                            message.contains(&format!("\"{}\"", spot.path))
                                && message.contains("expected "),
                            "{query}: the message names the argument and the format: {message}"
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} malformed values were tried");
}

#[tokio::test]
async fn currency_codes_in_any_case_are_normalised_and_unknown_ones_named() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "costs:write");
    let set = r#"mutation($base: String!) { setFxRate(day: "2026-01-02", base: $base, quote: "usd", rate: "1.25") { base quote rate } }"#;
    let data = app.gql_ok(&token, set, json!({ "base": "gbp" })).await;
    assert_eq!(
        data["setFxRate"],
        json!({ "base": "GBP", "quote": "USD", "rate": "1.25" })
    );
    let (_, body) = app.gql(Some(&token), set, json!({ "base": "usdx" })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(
        body["errors"][0]["message"],
        "base: unknown currency code \"usdx\"; expected an ISO 4217 code such as \"USD\" (any \
         letter case)"
    );
}
