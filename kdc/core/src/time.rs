//! Time helpers of the KDC: whole Unix seconds (the database stores those)
//! and saturating arithmetic, so no input can overflow `SystemTime`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Drops sub-second precision (the database stores whole seconds).
pub fn truncate_to_secs(t: SystemTime) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(to_unix(t).max(0) as u64)
}

/// Seconds since the Unix epoch (negative before it).
pub fn to_unix(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Time from seconds since the Unix epoch.
pub fn from_unix(s: i64) -> SystemTime {
    if s >= 0 {
        UNIX_EPOCH + Duration::from_secs(s as u64)
    } else {
        UNIX_EPOCH - Duration::from_secs(s.unsigned_abs())
    }
}

/// `t` plus `secs` seconds, saturating at the latest time the database
/// stores (Unix second `i64::MAX`) instead of overflowing `SystemTime`
/// (admin requests carry any u64 duration).
pub fn add_secs(t: SystemTime, secs: u64) -> SystemTime {
    let latest = from_unix(i64::MAX);
    match t.checked_add(Duration::from_secs(secs)) {
        Some(later) if later <= latest => later,
        _ => latest,
    }
}
