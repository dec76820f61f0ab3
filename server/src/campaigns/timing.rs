//! Time in the company's zone: reading a schedule a person typed, and quiet hours (a daily
//! window in which nothing is sent, e.g. 21:00–08:00).

use chrono::{DateTime, LocalResult, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use shared::campaigns::QuietHours;

use crate::error::{AppError, AppResult};

/// The company's zone; an unknown name (never stored, but be safe) reads as UTC.
pub fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// Parses an IANA time zone name (`America/Sao_Paulo`).
///
/// # Errors
/// `validation_failed` on `field` for a name the tz database does not know.
pub fn parse_zone(field: &str, raw: &str) -> AppResult<String> {
    let name = raw.trim();
    name.parse::<Tz>().map(|tz| tz.name().to_owned()).map_err(|_| {
        AppError::field(field, "Use a time zone name such as America/Sao_Paulo or Europe/Lisbon.")
    })
}

/// A schedule as the API takes it: RFC 3339 with an offset, or a local date-time without one
/// (what a browser's date-time input gives), read in `tz`.
///
/// # Errors
/// `validation_failed` on `scheduled_at` when it is neither, or names a local time that does
/// not exist (skipped by a daylight-saving change).
pub fn parse_schedule(raw: &str, tz: Tz) -> AppResult<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Ok(at.with_timezone(&Utc));
    }
    let local = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(raw, format).ok())
        .ok_or_else(|| {
            AppError::field(
                "scheduled_at",
                "Give a date and time such as 2026-12-01T09:00 (company time) or an RFC 3339 \
                 timestamp.",
            )
        })?;
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
        // The clock went back: the first of the two moments.
        LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
        LocalResult::None => Err(AppError::field(
            "scheduled_at",
            "That local time does not exist (the clocks change then); pick another.",
        )),
    }
}

fn parse_clock(field: &str, raw: &str) -> AppResult<NaiveTime> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map_err(|_| AppError::field(field, "Write times as HH:MM, e.g. 21:00."))
}

/// Checks quiet hours and writes them in canonical `HH:MM` form.
///
/// # Errors
/// `validation_failed` on `quiet_hours.start` / `quiet_hours.end`.
pub fn check_quiet_hours(quiet: &QuietHours) -> AppResult<QuietHours> {
    let start = parse_clock("quiet_hours.start", &quiet.start)?;
    let end = parse_clock("quiet_hours.end", &quiet.end)?;
    if start == end {
        return Err(AppError::field(
            "quiet_hours.end",
            "Quiet hours need different start and end times.",
        ));
    }
    Ok(QuietHours {
        start: start.format("%H:%M").to_string(),
        end: end.format("%H:%M").to_string(),
    })
}

/// When sending may go on: `None` if `now` is outside the quiet window, otherwise the moment
/// the window ends.
pub fn quiet_until(quiet: &QuietHours, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let start = NaiveTime::parse_from_str(&quiet.start, "%H:%M").ok()?;
    let end = NaiveTime::parse_from_str(&quiet.end, "%H:%M").ok()?;
    let local = now.with_timezone(&tz);
    let time = local.time();
    let inside =
        if start < end { time >= start && time < end } else { time >= start || time < end };
    if !inside {
        return None;
    }
    let mut date = local.date_naive();
    if start > end && time >= start {
        date = date.succ_opt()?;
    }
    let end_local = date.and_time(end);
    let resumes = match tz.from_local_datetime(&end_local) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at,
        // The end falls in a skipped hour: an hour later exists.
        LocalResult::None => {
            tz.from_local_datetime(&(end_local + chrono::TimeDelta::hours(1))).earliest()?
        }
    };
    Some(resumes.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(raw).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn schedules_are_read_in_the_company_zone_unless_they_carry_an_offset() {
        let sp = zone("America/Sao_Paulo");
        assert_eq!(parse_schedule("2026-12-01T09:00", sp).unwrap(), at("2026-12-01T12:00:00Z"));
        assert_eq!(
            parse_schedule("2026-12-01T09:00:00+01:00", sp).unwrap(),
            at("2026-12-01T08:00:00Z")
        );
        assert!(parse_schedule("tomorrow", sp).is_err());
        // Lisbon skips 01:00–02:00 on 2026-03-29.
        assert!(parse_schedule("2026-03-29T01:30", zone("Europe/Lisbon")).is_err());
    }

    #[test]
    fn zones_are_checked_by_name() {
        assert_eq!(parse_zone("time_zone", " Europe/Lisbon ").unwrap(), "Europe/Lisbon");
        assert!(parse_zone("time_zone", "Mars/Olympus").is_err());
    }

    #[test]
    fn quiet_hours_across_midnight_end_the_next_morning() {
        let sp = zone("America/Sao_Paulo");
        let quiet =
            check_quiet_hours(&QuietHours { start: "21:00".into(), end: "8:00".into() }).unwrap();
        assert_eq!(quiet.end, "08:00");
        // 22:30 local (01:30 UTC next day) → 08:00 local next day (11:00 UTC).
        assert_eq!(
            quiet_until(&quiet, sp, at("2026-12-02T01:30:00Z")),
            Some(at("2026-12-02T11:00:00Z"))
        );
        // 07:00 local → 08:00 the same day.
        assert_eq!(
            quiet_until(&quiet, sp, at("2026-12-02T10:00:00Z")),
            Some(at("2026-12-02T11:00:00Z"))
        );
        // Noon local: sending allowed.
        assert_eq!(quiet_until(&quiet, sp, at("2026-12-02T15:00:00Z")), None);
    }

    #[test]
    fn quiet_hours_within_a_day() {
        let quiet = QuietHours { start: "12:00".into(), end: "14:00".into() };
        let utc = zone("UTC");
        assert_eq!(
            quiet_until(&quiet, utc, at("2026-12-02T13:00:00Z")),
            Some(at("2026-12-02T14:00:00Z"))
        );
        assert_eq!(quiet_until(&quiet, utc, at("2026-12-02T14:00:00Z")), None);
        assert!(
            check_quiet_hours(&QuietHours { start: "9:00".into(), end: "09:00".into() }).is_err()
        );
        assert!(
            check_quiet_hours(&QuietHours { start: "25:00".into(), end: "09:00".into() }).is_err()
        );
    }
}
