//! Times as MIT's klist prints them: `%m/%d/%y %H:%M:%S` in local time.

use chrono::{Local, TimeZone};

/// Formats Unix seconds like MIT's klist (`11/29/26 11:44:11`).
pub fn mit_time(secs: i64) -> String {
    match Local.timestamp_opt(secs, 0).single() {
        Some(t) => t.format("%m/%d/%y %H:%M:%S").to_string(),
        None => format!("{secs}"),
    }
}

/// The current time in Unix seconds.
pub fn now() -> i64 {
    Local::now().timestamp()
}
