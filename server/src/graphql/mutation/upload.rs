//! `importFile` (a GraphQL multipart upload) and the org's statement mappings.

use async_graphql::{Context, Object, ResultExt, Upload};

use crate::auth::Scope;
use crate::error::Error;
use crate::graphql::types::upload::{ImportReport, StatementMappingInfo};
use crate::graphql::ContextExt;
use crate::import::{import_upload, UploadOptions};
use crate::money::Currency;
use crate::statements::stored;

/// Upload and mapping mutations.
#[derive(Default)]
pub(crate) struct UploadMutation;

#[Object]
impl UploadMutation {
    /// Imports one file sent as a GraphQL multipart request (`Upload`), like `pnl import`:
    /// without `mapping`, any format `pnl import` detects; with it, a statement read through
    /// a built-in mapping or one the org saved. A bad row refuses the whole file
    /// (BAD_USER_INPUT naming file, row, column and value; nothing stored) unless
    /// `skipBadRows`. Re-importing posts only what is new. Needs `connectors:write`.
    async fn import_file(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file (a multipart part named in the request's `map`).")] file: Upload,
        #[graphql(desc = "A built-in mapping's name or one of the org's (`statementMappings`).")]
        mapping: Option<String>,
        #[graphql(
            default = false,
            desc = "With a mapping: post the readable rows and list the rest."
        )]
        skip_bad_rows: bool,
        #[graphql(desc = "Without a mapping: the currency of files that name none.")]
        currency: Option<String>,
        #[graphql(desc = "The shop's external id (default: one imported shop per channel).")]
        shop: Option<String>,
    ) -> async_graphql::Result<ImportReport> {
        let viewer = ctx.viewer_with(Scope::ConnectorsWrite)?;
        let currency = currency
            .map(|code| Currency::parse(&code))
            .transpose()
            .map_err(|error| Error::bad_input(format!("currency: {error}")))
            .extend()?;
        // The file's one buffer (see `http::upload`), borrowed by the import.
        let upload = file.value(ctx)?;
        let options = UploadOptions {
            mapping,
            skip_bad_rows,
            currency,
            shop,
        };
        let db = &ctx.state()?.db;
        let report = import_upload(
            db,
            viewer.org.id,
            &upload.filename,
            &upload.content,
            &options,
        )
        .await
        .extend()?;
        Ok(ImportReport::new(upload.filename, report))
    }

    /// Saves a statement mapping (TOML, as `pnl import --mapping FILE.toml` reads) under `name`
    /// for the org, replacing the org's earlier one of that name. The name is 1 to 64
    /// characters of a-z, 0-9 and -, and not a built-in's. Needs `admin`.
    async fn save_statement_mapping(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The name uploads will give as `mapping`.")] name: String,
        #[graphql(desc = "The mapping, checked before it is saved.")] toml: String,
    ) -> async_graphql::Result<StatementMappingInfo> {
        let viewer = ctx.viewer_with(Scope::Admin)?;
        let db = ctx.state()?.db.conn();
        let info = stored::save(db, viewer.org.id, &name, &toml)
            .await
            .extend()?;
        Ok(info.into())
    }

    /// Deletes one of the org's statement mappings (lines it booked stay). Needs `admin`.
    async fn delete_statement_mapping(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mapping's name.")] name: String,
    ) -> async_graphql::Result<bool> {
        let viewer = ctx.viewer_with(Scope::Admin)?;
        let db = ctx.state()?.db.conn();
        stored::delete(db, viewer.org.id, &name).await.extend()?;
        Ok(true)
    }
}
