//! Bounds on the string-to-key parameters a KDC asks for.
//!
//! PREAUTH_REQUIRED and its PA-ETYPE-INFO2 are not authenticated: whoever
//! answers on the KDC's address can choose the s2kparams. Too high and
//! `kinit` spends minutes and a gigabyte on Argon2id; too low and the
//! PA-ENC-TIMESTAMP it sends is cheap to crack offline. So every parameter
//! must lie between the enctype's default (as `tessera-proto` defines it:
//! [`EncType::default_s2kparams`], [`Argon2Params::DEFAULT`]) divided by
//! `tessera_s2k_min_divisor` and multiplied by `tessera_s2k_max_factor`
//! (krb5.conf `[libdefaults]`), checked before any key is derived.

use tessera_proto::crypto::{Argon2Params, EncType};

/// Default `tessera_s2k_min_divisor`: nothing below the defaults.
pub const DEFAULT_S2K_MIN_DIVISOR: u32 = 1;
/// Default `tessera_s2k_max_factor`: at most four times the defaults.
pub const DEFAULT_S2K_MAX_FACTOR: u32 = 4;

/// The accepted range of string-to-key parameters, relative to the
/// enctype's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct S2kLimits {
    /// Each parameter must be at least default / `min_divisor` (rounded
    /// up, and at least 1). 1 means "no lower than the default".
    pub min_divisor: u32,
    /// Each parameter must be at most default × `max_factor`.
    pub max_factor: u32,
}

impl Default for S2kLimits {
    fn default() -> Self {
        Self {
            min_divisor: DEFAULT_S2K_MIN_DIVISOR,
            max_factor: DEFAULT_S2K_MAX_FACTOR,
        }
    }
}

/// One string-to-key parameter outside the accepted range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S2kOutOfRange {
    /// The enctype.
    pub etype: EncType,
    /// Which parameter ("PBKDF2 iteration count", "Argon2id memory (KiB)"...).
    pub param: &'static str,
    /// The value the KDC asked for.
    pub value: u64,
    /// Smallest accepted value.
    pub min: u64,
    /// Largest accepted value.
    pub max: u64,
}

impl S2kLimits {
    /// The accepted range around `default`.
    pub fn range(&self, default: u32) -> (u64, u64) {
        let d = u64::from(default);
        let div = u64::from(self.min_divisor.max(1));
        let min = d.div_ceil(div).max(1);
        let max = d.saturating_mul(u64::from(self.max_factor.max(1)));
        (min, max)
    }

    fn check_one(
        &self,
        etype: EncType,
        param: &'static str,
        value: u32,
        default: u32,
    ) -> Result<(), S2kOutOfRange> {
        let (min, max) = self.range(default);
        let v = u64::from(value);
        if v < min || v > max {
            return Err(S2kOutOfRange {
                etype,
                param,
                value: v,
                min,
                max,
            });
        }
        Ok(())
    }

    /// Checks the s2kparams a KDC sent for `etype` (`None`: the enctype's
    /// default, always accepted). Parameters that do not even parse are
    /// left to string-to-key, which refuses them without doing work.
    pub fn check(&self, etype: EncType, s2kparams: Option<&[u8]>) -> Result<(), S2kOutOfRange> {
        let Some(params) = s2kparams else {
            return Ok(());
        };
        if etype == EncType::Aes256GcmArgon2id {
            let Ok(p) = Argon2Params::decode(params) else {
                return Ok(());
            };
            let d = Argon2Params::DEFAULT;
            self.check_one(etype, "Argon2id memory (KiB)", p.m_cost, d.m_cost)?;
            self.check_one(etype, "Argon2id passes", p.t_cost, d.t_cost)?;
            return self.check_one(etype, "Argon2id parallelism", p.p_cost, d.p_cost);
        }
        let (Ok(given), Ok(default)) = (
            <[u8; 4]>::try_from(params),
            <[u8; 4]>::try_from(etype.default_s2kparams().as_slice()),
        ) else {
            return Ok(());
        };
        self.check_one(
            etype,
            "PBKDF2 iteration count",
            u32::from_be_bytes(given),
            u32::from_be_bytes(default),
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn iters(e: EncType) -> u32 {
        u32::from_be_bytes(e.default_s2kparams().as_slice().try_into().unwrap())
    }

    #[test]
    fn defaults_pass_and_the_range_follows_proto_defaults() {
        let l = S2kLimits::default();
        for e in EncType::ALL {
            l.check(e, Some(&e.default_s2kparams())).unwrap();
            l.check(e, None).unwrap();
        }
        let d = Argon2Params::DEFAULT;
        assert_eq!(
            l.range(d.m_cost),
            (u64::from(d.m_cost), 4 * u64::from(d.m_cost))
        );
        let e = EncType::Aes256CtsHmacSha196;
        let n = iters(e);
        assert_eq!(l.range(n), (u64::from(n), 4 * u64::from(n)));
        let four = (4 * n).to_be_bytes();
        l.check(e, Some(&four)).unwrap();
        let over = (4 * n + 1).to_be_bytes();
        assert_eq!(l.check(e, Some(&over)).unwrap_err().max, u64::from(4 * n));
        let under = (n - 1).to_be_bytes();
        assert_eq!(l.check(e, Some(&under)).unwrap_err().min, u64::from(n));
    }

    #[test]
    fn options_widen_the_range() {
        let l = S2kLimits {
            min_divisor: 4,
            max_factor: 16,
        };
        let e = EncType::Aes128CtsHmacSha256128;
        let n = iters(e);
        l.check(e, Some(&(n / 4).to_be_bytes())).unwrap();
        l.check(e, Some(&(n * 16).to_be_bytes())).unwrap();
        assert!(l.check(e, Some(&(n / 4 - 1).to_be_bytes())).is_err());
        let d = Argon2Params::DEFAULT;
        let big = Argon2Params {
            m_cost: d.m_cost * 8,
            ..d
        };
        l.check(EncType::Aes256GcmArgon2id, Some(&big.encode()))
            .unwrap();
    }
}
