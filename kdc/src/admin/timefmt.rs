//! Times and durations as kadmin reads and prints them.
//!
//! Accepted times: `never`, `now`, `2027-01-01`, `2027-01-01 12:00[:00]`
//! (also with `T` and a trailing `Z`; always UTC), `@1700000000` (Unix
//! seconds), and relative forms `now + 1 day`, `+1d`, `now - 2 hours`.
//! Accepted durations: `10h`, `7d`, `1h30m`, `300` (seconds), `1 day`,
//! `2 days 3 hours`, `10:00:00`, `1 day 10:00:00`.

pub use tessera_kdc_core::time::add_secs;

/// Parses a duration in seconds.
pub fn parse_duration(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(d) = crate::config::parse_duration(&s.replace(' ', "")) {
        return Some(d.as_secs());
    }
    let toks: Vec<&str> = s.split_whitespace().collect();
    let mut total: u64 = 0;
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        if t.contains(':') {
            total = total.checked_add(parse_hms(t)?)?;
            i += 1;
            continue;
        }
        // "N unit" or "Nunit"
        let (num, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
            Some(0) => return None,
            Some(p) => (&t[..p], &t[p..]),
            None => {
                i += 1;
                (t, *toks.get(i)?)
            }
        };
        let n: u64 = num.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit_secs(unit)?)?)?;
        i += 1;
    }
    Some(total)
}

fn parse_hms(t: &str) -> Option<u64> {
    let parts: Vec<&str> = t.split(':').collect();
    let nums: Option<Vec<u64>> = parts.iter().map(|p| p.parse().ok()).collect();
    let nums = nums?;
    match nums.as_slice() {
        [h, m] if *m < 60 => Some(h * 3600 + m * 60),
        [h, m, s] if *m < 60 && *s < 60 => Some(h * 3600 + m * 60 + s),
        _ => None,
    }
}

fn unit_secs(u: &str) -> Option<u64> {
    Some(match u.to_ascii_lowercase().as_str() {
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86400,
        "w" | "week" | "weeks" => 7 * 86400,
        _ => return None,
    })
}

/// Parses a time relative to `now` (Unix seconds). `Ok(None)` is `never`.
pub fn parse_time(s: &str, now: i64) -> Result<Option<i64>, String> {
    let bad = || {
        format!(
            "Invalid date specification \"{s}\" (use e.g. never, 2027-01-01, \
             \"2027-01-01 12:00:00\", \"now + 1 day\", +1d)"
        )
    };
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    if lower == "never" {
        return Ok(None);
    }
    if lower == "now" {
        return Ok(Some(now));
    }
    let rel = lower
        .strip_prefix("now")
        .map(str::trim_start)
        .unwrap_or(&lower);
    if let Some(rest) = rel.strip_prefix('+') {
        let d = parse_duration(rest).ok_or_else(bad)?;
        return Ok(Some(
            now.saturating_add(i64::try_from(d).map_err(|_| bad())?),
        ));
    }
    if let Some(rest) = rel.strip_prefix('-') {
        let d = parse_duration(rest).ok_or_else(bad)?;
        return Ok(Some(
            now.saturating_sub(i64::try_from(d).map_err(|_| bad())?),
        ));
    }
    if let Some(n) = t.strip_prefix('@') {
        return n.parse().map(Some).map_err(|_| bad());
    }
    parse_absolute(t).map(Some).ok_or_else(bad)
}

fn parse_absolute(t: &str) -> Option<i64> {
    let t = t.trim_end_matches(['Z', 'z']).trim();
    let t = t.strip_suffix("UTC").unwrap_or(t).trim();
    let (date, time) = match t.split_once([' ', 'T']) {
        Some((d, tm)) => (d, Some(tm.trim())),
        None => (t, None),
    };
    let mut dp = date.split('-');
    let y: i64 = dp.next()?.parse().ok()?;
    let mo: u32 = dp.next()?.parse().ok()?;
    let d: u32 = dp.next()?.parse().ok()?;
    if dp.next().is_some() || !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) {
        return None;
    }
    let secs = match time {
        None => 0,
        Some(tm) => i64::try_from(parse_hms(tm).filter(|&s| s < 86400)?).ok()?,
    };
    Some(days_from_civil(y, mo, d) * 86400 + secs)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Date of a day number since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// MIT-like rendering in UTC: `Fri Jan 01 12:00:00 UTC 2027`.
pub fn format_time(t: i64) -> String {
    const WD: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MO: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = t.div_euclid(86400);
    let secs = t.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    let wd = WD[days.rem_euclid(7) as usize];
    let mo = MO[(m as usize).saturating_sub(1).min(11)];
    format!(
        "{wd} {mo} {d:02} {:02}:{:02}:{:02} UTC {y}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// MIT-like rendering of a duration: `0 days 10:00:00`, `1 day 00:00:00`.
pub fn format_duration(s: u64) -> String {
    let days = s / 86400;
    let rest = s % 86400;
    format!(
        "{days} {} {:02}:{:02}:{:02}",
        if days == 1 { "day" } else { "days" },
        rest / 3600,
        (rest / 60) % 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn add_secs_saturates_instead_of_panicking() {
        use crate::db::entry::{from_unix, to_unix};
        let now = from_unix(1_700_000_000);
        assert_eq!(to_unix(add_secs(now, 10)), 1_700_000_010);
        for d in [u64::MAX, i64::MAX as u64, i64::MAX as u64 - 1] {
            assert_eq!(to_unix(add_secs(now, d)), i64::MAX);
        }
        assert_eq!(to_unix(add_secs(from_unix(i64::MIN), u64::MAX)), i64::MAX);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10h"), Some(36000));
        assert_eq!(parse_duration("7d"), Some(7 * 86400));
        assert_eq!(parse_duration("1 day"), Some(86400));
        assert_eq!(parse_duration("2 days 3 hours"), Some(2 * 86400 + 3 * 3600));
        assert_eq!(parse_duration("300"), Some(300));
        assert_eq!(parse_duration("10:30:00"), Some(37800));
        assert_eq!(parse_duration("1 day 01:00:00"), Some(90000));
        assert_eq!(parse_duration("1 fortnight"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(format_duration(36000), "0 days 10:00:00");
        assert_eq!(format_duration(86400 + 61), "1 day 00:01:01");
    }

    #[test]
    fn times() {
        let now = 1_800_000_000;
        assert_eq!(parse_time("never", now), Ok(None));
        assert_eq!(parse_time("now", now), Ok(Some(now)));
        assert_eq!(parse_time("now + 1 day", now), Ok(Some(now + 86400)));
        assert_eq!(parse_time("+1d", now), Ok(Some(now + 86400)));
        assert_eq!(parse_time("now - 1h", now), Ok(Some(now - 3600)));
        assert_eq!(parse_time("1970-01-01", now), Ok(Some(0)));
        assert_eq!(parse_time("2027-01-01", now), Ok(Some(1_798_761_600)));
        assert_eq!(
            parse_time("2027-01-01 12:00:00", now),
            Ok(Some(1_798_761_600 + 43200))
        );
        assert_eq!(
            parse_time("2027-01-01T12:00:00Z", now),
            Ok(Some(1_798_761_600 + 43200))
        );
        assert!(parse_time("2027-02-30", now).is_err());
        assert!(parse_time("tomorrow", now).is_err());
        assert_eq!(format_time(0), "Thu Jan 01 00:00:00 UTC 1970");
        assert_eq!(format_time(1_798_761_600), "Fri Jan 01 00:00:00 UTC 2027");
        assert_eq!(format_time(951_782_400), "Tue Feb 29 00:00:00 UTC 2000");
    }
}
