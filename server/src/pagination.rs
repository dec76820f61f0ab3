//! Keyset pagination for lists: `?limit=&cursor=` in, `{items, next_cursor}` out. Ids are UUIDv7,
//! which sort by creation time, so the cursor is simply the last id of the page.

use serde::Deserialize;
use shared::{api::Page, ErrorCode};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 200;

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct PageParams {
    /// Items per page (1–200, default 50).
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> u64 {
        self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
    }

    /// # Errors
    /// 400 `bad_request` for a cursor we did not issue.
    pub fn cursor(&self) -> AppResult<Option<Uuid>> {
        match self.cursor.as_deref() {
            None | Some("") => Ok(None),
            Some(raw) => Uuid::parse_str(raw).map(Some).map_err(|_| {
                AppError::new(
                    ErrorCode::BadRequest,
                    "The cursor is not valid; start again without it.",
                )
            }),
        }
    }
}

/// Turns `limit + 1` fetched rows into a page: the extra row only says there is a next page.
pub fn page<T>(rows: Vec<T>, limit: u64, id_of: impl Fn(&T) -> Uuid) -> Page<T> {
    page_by(rows, limit, |row| id_of(row).to_string())
}

/// [`page`] for lists sorted by something else than the id, whose cursor carries that key too.
pub fn page_by<T>(mut rows: Vec<T>, limit: u64, cursor_of: impl Fn(&T) -> String) -> Page<T> {
    let has_more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if has_more { rows.last().map(cursor_of) } else { None };
    Page { items: rows, next_cursor }
}

/// A cursor for lists ordered by a timestamp (newest first), with the id breaking ties:
/// `<unix micros>.<uuid>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeCursor {
    pub at: chrono::DateTime<chrono::Utc>,
    pub id: Uuid,
}

impl TimeCursor {
    pub fn encode(&self) -> String {
        format!("{}.{}", self.at.timestamp_micros(), self.id)
    }

    /// # Errors
    /// 400 `bad_request` for a cursor we did not issue.
    pub fn decode(raw: &str) -> AppResult<TimeCursor> {
        let bad = || {
            AppError::new(ErrorCode::BadRequest, "The cursor is not valid; start again without it.")
        };
        let (micros, id) = raw.split_once('.').ok_or_else(bad)?;
        let at = micros
            .parse::<i64>()
            .ok()
            .and_then(chrono::DateTime::from_timestamp_micros)
            .ok_or_else(bad)?;
        Ok(TimeCursor { at, id: Uuid::parse_str(id).map_err(|_| bad())? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_row_becomes_the_cursor_of_the_last_kept_row() {
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let p = page(ids.clone(), 2, |id| *id);
        assert_eq!(p.items, ids[..2]);
        assert_eq!(p.next_cursor, Some(ids[1].to_string()));
        let last = page(ids[..2].to_vec(), 2, |id| *id);
        assert_eq!(last.next_cursor, None);
    }

    #[test]
    fn time_cursors_round_trip_and_reject_garbage() {
        let cursor = TimeCursor { at: crate::db::now(), id: Uuid::now_v7() };
        assert_eq!(TimeCursor::decode(&cursor.encode()).unwrap(), cursor);
        for bad in ["", "x.y", "123", "123.not-a-uuid"] {
            assert!(TimeCursor::decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn limits_are_clamped_and_bad_cursors_rejected() {
        assert_eq!(PageParams { limit: Some(0), cursor: None }.limit(), 1);
        assert_eq!(PageParams { limit: Some(10_000), cursor: None }.limit(), MAX_LIMIT);
        assert!(PageParams { limit: None, cursor: Some("nope".into()) }.cursor().is_err());
    }
}
