//! KerberosTime helpers: whole-second times from Unix seconds, and the
//! microsecond fields (`cusec`, `susec`, `pausec`) that travel beside them.
//!
//! RFC 4120 KerberosTime has no fractional seconds; rasn would encode them
//! (`...05.25Z`), so every constructor here truncates to whole seconds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Timelike};
use rasn_kerberos::{KerberosTime, Microseconds};

/// The allowed clock skew unless configured otherwise: five minutes, as
/// RFC 4120 section 1.6 suggests and MIT and Heimdal default to. The one
/// default for the KDC, the acceptor and krb5.conf's `clockskew`.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(300);

/// Earliest time accepted: 0001-01-01T00:00:00Z.
pub const MIN_UNIX: i64 = -62_135_596_800;
/// Latest time accepted: 9999-12-31T23:59:59Z (GeneralizedTime has 4-digit years).
pub const MAX_UNIX: i64 = 253_402_300_799;

/// Why a time could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Seconds outside [`MIN_UNIX`]..=[`MAX_UNIX`].
    #[error("time {0} is outside the years 1..=9999")]
    OutOfRange(i64),
    /// A microseconds value outside 0..=999999.
    #[error("microseconds value out of range 0..=999999")]
    BadMicroseconds,
}

/// Conversions between rasn-kerberos' `KerberosTime` and Unix time.
pub trait KerberosTimeExt: Sized {
    /// The time at `secs` seconds after the Unix epoch (whole seconds).
    fn from_unix(secs: i64) -> Result<Self, TimeError>;
    /// Seconds since the Unix epoch (any fraction is dropped).
    fn to_unix(&self) -> i64;
    /// The same time with any fractional second removed.
    #[must_use]
    fn truncated(&self) -> Self;
}

impl KerberosTimeExt for KerberosTime {
    fn from_unix(secs: i64) -> Result<Self, TimeError> {
        kerberos_time(secs)
    }

    fn to_unix(&self) -> i64 {
        self.0.timestamp()
    }

    fn truncated(&self) -> Self {
        match self.0.with_nanosecond(0) {
            Some(t) => KerberosTime(t),
            None => self.clone(),
        }
    }
}

/// A KerberosTime at `secs` seconds after the Unix epoch.
pub fn kerberos_time(secs: i64) -> Result<KerberosTime, TimeError> {
    if !(MIN_UNIX..=MAX_UNIX).contains(&secs) {
        return Err(TimeError::OutOfRange(secs));
    }
    let utc = DateTime::from_timestamp(secs, 0).ok_or(TimeError::OutOfRange(secs))?;
    Ok(KerberosTime(utc.fixed_offset()))
}

/// Splits microseconds since the epoch into a whole-second KerberosTime and
/// the microseconds within that second (0..=999999).
pub fn split_unix_micros(micros: i64) -> Result<(KerberosTime, u32), TimeError> {
    let secs = micros.div_euclid(1_000_000);
    let usec = micros.rem_euclid(1_000_000);
    let usec = u32::try_from(usec).map_err(|_| TimeError::BadMicroseconds)?;
    Ok((kerberos_time(secs)?, usec))
}

/// Joins a KerberosTime and a microseconds field into microseconds since
/// the epoch. `usec` must be within 0..=999999.
pub fn join_unix_micros(t: &KerberosTime, usec: &Microseconds) -> Result<i64, TimeError> {
    let usec = microseconds_value(usec)?;
    t.to_unix()
        .checked_mul(1_000_000)
        .and_then(|v| v.checked_add(i64::from(usec)))
        .ok_or(TimeError::OutOfRange(t.to_unix()))
}

/// The value of a `Microseconds` field, checked to lie in 0..=999999.
pub fn microseconds_value(usec: &Microseconds) -> Result<u32, TimeError> {
    match u32::try_from(usec) {
        Ok(v) if v <= 999_999 => Ok(v),
        _ => Err(TimeError::BadMicroseconds),
    }
}

/// A `Microseconds` field, checked to lie in 0..=999999.
pub fn microseconds(usec: u32) -> Result<Microseconds, TimeError> {
    if usec > 999_999 {
        return Err(TimeError::BadMicroseconds);
    }
    Ok(Microseconds::from(usec))
}

/// A caller-supplied `SystemTime` as a whole-second KerberosTime plus
/// microseconds. (This module never reads the clock itself.)
pub fn from_system_time(t: SystemTime) -> Result<(KerberosTime, u32), TimeError> {
    let micros = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_micros()).map_err(|_| TimeError::OutOfRange(i64::MAX))?,
        Err(e) => {
            let back = i64::try_from(e.duration().as_micros())
                .map_err(|_| TimeError::OutOfRange(i64::MIN))?;
            -back
        }
    };
    split_unix_micros(micros)
}
