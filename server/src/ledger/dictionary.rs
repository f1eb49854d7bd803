//! Each org's dictionaries of the ledger's repeated texts: source kinds (`source_kind`, migration
//! `m20261207_000002_create_source_kind`) and channel labels (`ledger_label`, migration
//! `m20261211_000001_ledger_labels_as_ids`). A ledger row carries the ids; each name is stored
//! once per org. Only this module turns names into ids and back.

use std::collections::{BTreeSet, HashMap};

use entities::ledger_entry;
use sea_orm::sea_query::{Alias, Expr, OnConflict, Query};
use sea_orm::ConnectionTrait;

use crate::error::Result;

/// Names or ids per statement: a posting may bring thousands of distinct labels (a statement's
/// free-text descriptions), and each is a bind parameter.
const CHUNK: usize = 1000;

/// One of the dictionaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dictionary {
    /// `source_kind`: what kind of source a line came from.
    SourceKinds,
    /// `ledger_label`: the channel's name of a line's amount.
    Labels,
}

impl Dictionary {
    fn table(self) -> Alias {
        Alias::new(match self {
            Self::SourceKinds => "source_kind",
            Self::Labels => "ledger_label",
        })
    }
}

/// The ids of `names` in `org_id`'s `dictionary`, adding the names it lacks.
///
/// # Errors
/// Database failures.
pub(super) async fn ids<'a>(
    db: &impl ConnectionTrait,
    dictionary: Dictionary,
    org_id: i64,
    names: impl IntoIterator<Item = &'a str>,
) -> Result<HashMap<String, i64>> {
    let names: BTreeSet<&str> = names.into_iter().collect();
    if names.is_empty() {
        return Ok(HashMap::new());
    }
    let mut known = lookup(db, dictionary, org_id, &names).await?;
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| !known.contains_key(*name))
        .collect();
    for chunk in missing.chunks(CHUNK) {
        let mut insert = Query::insert();
        insert
            .into_table(dictionary.table())
            .columns([Alias::new("org_id"), Alias::new("name")])
            // Another posting may add the same name meanwhile: its row is the one to use.
            .on_conflict(
                OnConflict::columns([Alias::new("org_id"), Alias::new("name")])
                    .do_nothing()
                    .to_owned(),
            );
        for name in chunk {
            insert.values_panic([org_id.into(), (*name).into()]);
        }
        db.execute(db.get_database_backend().build(&insert)).await?;
    }
    if !missing.is_empty() {
        known = lookup(db, dictionary, org_id, &names).await?;
    }
    Ok(known)
}

/// The id of `name` in `org_id`'s `dictionary`, if it holds it.
///
/// # Errors
/// Database failures.
pub(super) async fn id_of(
    db: &impl ConnectionTrait,
    dictionary: Dictionary,
    org_id: i64,
    name: &str,
) -> Result<Option<i64>> {
    Ok(lookup(db, dictionary, org_id, &BTreeSet::from([name]))
        .await?
        .remove(name))
}

async fn lookup(
    db: &impl ConnectionTrait,
    dictionary: Dictionary,
    org_id: i64,
    names: &BTreeSet<&str>,
) -> Result<HashMap<String, i64>> {
    let names: Vec<&str> = names.iter().copied().collect();
    Ok(entries(db, dictionary, org_id, "name", &names)
        .await?
        .into_iter()
        .map(|(id, name)| (name, id))
        .collect())
}

/// The names of `ids` (of `org_id`) in `dictionary`.
///
/// # Errors
/// Database failures.
pub(super) async fn names(
    db: &impl ConnectionTrait,
    dictionary: Dictionary,
    org_id: i64,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, String>> {
    let ids: Vec<i64> = ids
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    Ok(entries(db, dictionary, org_id, "id", &ids)
        .await?
        .into_iter()
        .collect())
}

/// The (id, name) entries of `org_id`'s `dictionary` whose `column` is one of `values`.
async fn entries<V>(
    db: &impl ConnectionTrait,
    dictionary: Dictionary,
    org_id: i64,
    column: &str,
    values: &[V],
) -> Result<Vec<(i64, String)>>
where
    V: Into<sea_orm::Value> + Copy,
{
    let mut found = Vec::with_capacity(values.len());
    for chunk in values.chunks(CHUNK) {
        let select = Query::select()
            .columns([Alias::new("id"), Alias::new("name")])
            .from(dictionary.table())
            .and_where(Expr::col(Alias::new("org_id")).eq(org_id))
            .and_where(Expr::col(Alias::new(column)).is_in(chunk.iter().copied()))
            .to_owned();
        for row in db
            .query_all(db.get_database_backend().build(&select))
            .await?
        {
            found.push((row.try_get("", "id")?, row.try_get("", "name")?));
        }
    }
    Ok(found)
}

/// The source kinds' and labels' names of some rows of one org, to read the rows as the domain
/// sees them.
pub(crate) struct Names {
    source_kinds: HashMap<i64, String>,
    labels: HashMap<i64, String>,
}

impl Names {
    /// The names `rows` (all of `org_id`) refer to.
    ///
    /// # Errors
    /// Database failures.
    pub(crate) async fn of(
        db: &impl ConnectionTrait,
        org_id: i64,
        rows: &[ledger_entry::Model],
    ) -> Result<Self> {
        Ok(Self {
            source_kinds: names(
                db,
                Dictionary::SourceKinds,
                org_id,
                rows.iter().map(|row| row.source_kind_id),
            )
            .await?,
            labels: names(
                db,
                Dictionary::Labels,
                org_id,
                rows.iter().map(|row| row.label_id),
            )
            .await?,
        })
    }

    /// `row`'s source kind.
    ///
    /// # Errors
    /// The kind is not in the org's dictionary (a row written by hand).
    pub(crate) fn source_kind(&self, row: &ledger_entry::Model) -> Result<&str> {
        named(&self.source_kinds, row, row.source_kind_id, "source kind")
    }

    /// `row`'s label.
    ///
    /// # Errors
    /// The label is not in the org's dictionary (a row written by hand).
    pub(crate) fn label(&self, row: &ledger_entry::Model) -> Result<&str> {
        named(&self.labels, row, row.label_id, "label")
    }

    /// `row`'s readable entry key.
    ///
    /// # Errors
    /// As [`Names::label`] and [`super::entry_key`].
    pub(crate) fn entry_key(&self, row: &ledger_entry::Model) -> Result<String> {
        super::entry_key(row, self.label(row)?)
    }
}

fn named<'a>(
    names: &'a HashMap<i64, String>,
    row: &ledger_entry::Model,
    id: i64,
    what: &str,
) -> Result<&'a str> {
    names.get(&id).map(String::as_str).ok_or_else(|| {
        anyhow::anyhow!(
            "ledger row {}: {what} {id} is not in the org's dictionary",
            row.id
        )
        .into()
    })
}
