//! How `ledger_entry` holds its times (`occurred_at`, `created_at`): whole Unix seconds in an
//! `INTEGER` on SQLite (migration `m20261210_000002_ledger_times_as_seconds`: 4–6 bytes where
//! RFC 3339 text took 25), `TIMESTAMPTZ` on PostgreSQL. sqlx reads either as the same UTC time,
//! so only what the ledger writes and compares goes through here. A row's `day` is held as the
//! day's number on both databases (migration `m20261211_000002_ledger_day_as_number`).

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use sea_orm::{DatabaseBackend, Value};

/// `at` as a ledger row holds it: to the second (sub-second parts are not kept on either
/// database, so both hold the same time).
pub fn stored(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(0)
}

/// `day` as `ledger_entry.day` holds it: days since 1970-01-01.
#[must_use]
pub fn day_number(day: NaiveDate) -> i32 {
    day.to_epoch_days()
}

/// The day a `ledger_entry.day` number stands for.
///
/// # Errors
/// A number no date has (written by hand, not by the ledger).
pub fn day_of(number: i32) -> crate::error::Result<NaiveDate> {
    NaiveDate::from_epoch_days(number)
        .ok_or_else(|| anyhow::anyhow!("day number {number} is out of range").into())
}

/// The value a ledger time column is written with on SQLite: whole Unix seconds (PostgreSQL
/// takes the time itself).
pub(crate) fn sqlite_seconds(at: DateTime<Utc>) -> Value {
    Value::BigInt(Some(at.timestamp()))
}

/// The value a ledger time column is compared with on `backend`, for `>=` and `<` bounds:
/// stored times are whole seconds, so `time >= at` holds exactly when `time >= ⌈at⌉` (and the
/// same for `<`).
pub(crate) fn bound(backend: DatabaseBackend, at: DateTime<Utc>) -> Value {
    match backend {
        DatabaseBackend::Sqlite => {
            let ceiling = at.timestamp() + i64::from(at.timestamp_subsec_nanos() > 0);
            Value::BigInt(Some(ceiling))
        }
        _ => at.into(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn sqlite_holds_seconds_and_bounds_round_up() {
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let later = at + chrono::Duration::milliseconds(250);
        assert_eq!(stored(later), at);
        assert_eq!(sqlite_seconds(later), Value::BigInt(Some(1_767_323_045)));
        assert_eq!(
            bound(DatabaseBackend::Sqlite, at),
            Value::BigInt(Some(1_767_323_045))
        );
        assert_eq!(
            bound(DatabaseBackend::Sqlite, later),
            Value::BigInt(Some(1_767_323_046))
        );
        assert_eq!(bound(DatabaseBackend::Postgres, later), later.into());
    }

    #[test]
    fn days_are_numbered_from_1970() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        assert_eq!(day_number(day), 20_516);
        assert_eq!(day_of(20_516).unwrap(), day);
        assert_eq!(
            day_of(0).unwrap(),
            NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
        );
        assert!(day_of(i32::MAX).is_err());
    }
}
