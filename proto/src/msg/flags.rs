//! 32-bit KerberosFlags (RFC 4120 section 5.2.8) with named bits.
//!
//! Bit 0 is the most significant bit of the first octet; on the wire the
//! BIT STRING is always 32 bits long. Decoding accepts bit strings of any
//! length: missing bits read as zero and bits past 31 are ignored.
//!
//! rasn-kerberos' own flag helpers set the wrong bits, so the types here
//! replace them; `to_asn1` / `from_asn1` convert to the rasn-kerberos field
//! types used inside messages.

use rasn::types::BitString;

/// Builds a 32-bit BIT STRING from a flag word (bit 0 = MSB).
pub fn bits_to_bitstring(bits: u32) -> BitString {
    BitString::from_vec(bits.to_be_bytes().to_vec())
}

/// Reads a flag word from a BIT STRING of any length (bit 0 = MSB of the
/// first octet). Bits beyond 31 are ignored; missing bits are zero.
pub fn bitstring_to_bits(bs: &BitString) -> u32 {
    let mut out = 0u32;
    for (i, bit) in bs.iter().take(32).enumerate() {
        if *bit {
            out |= 1u32 << (31 - i);
        }
    }
    out
}

macro_rules! kerberos_flags {
    (
        $(#[$meta:meta])*
        $name:ident, $asn1:path {
            $( $(#[$fmeta:meta])* $flag:ident = $bit:expr, $label:expr; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            $( $(#[$fmeta])* pub const $flag: Self = Self::bit($bit); )*

            /// No flags set.
            pub const EMPTY: Self = Self(0);

            /// The flag for bit number `n` (0..=31, 0 = most significant).
            pub const fn bit(n: u32) -> Self {
                Self(1u32 << (31 - (n & 31)))
            }

            /// The raw 32-bit word (bit 0 = most significant bit).
            pub const fn bits(self) -> u32 {
                self.0
            }

            /// Whether every flag in `other` is also set in `self`.
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }

            /// Whether bit number `n` is set.
            pub const fn has_bit(self, n: u32) -> bool {
                n < 32 && self.0 & (1u32 << (31 - n)) != 0
            }

            /// Sets the flags in `other`.
            pub fn insert(&mut self, other: Self) {
                self.0 |= other.0;
            }

            /// Clears the flags in `other`.
            pub fn remove(&mut self, other: Self) {
                self.0 &= !other.0;
            }

            /// Sets or clears the flags in `other`.
            pub fn set(&mut self, other: Self, on: bool) {
                if on { self.insert(other) } else { self.remove(other) }
            }

            /// `self` with the flags in `other` added.
            #[must_use]
            pub const fn with(self, other: Self) -> Self {
                Self(self.0 | other.0)
            }

            /// The flags set in both.
            #[must_use]
            pub const fn intersection(self, other: Self) -> Self {
                Self(self.0 & other.0)
            }

            /// Whether no flag is set.
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }

            /// The 32-bit BIT STRING for the wire.
            pub fn to_bitstring(self) -> BitString {
                bits_to_bitstring(self.0)
            }

            /// Reads flags from a BIT STRING of any length.
            pub fn from_bitstring(bs: &BitString) -> Self {
                Self(bitstring_to_bits(bs))
            }

            /// The rasn-kerberos field type holding these flags.
            pub fn to_asn1(self) -> $asn1 {
                $asn1(self.to_bitstring())
            }

            /// Reads flags from the rasn-kerberos field type.
            pub fn from_asn1(v: &$asn1) -> Self {
                Self::from_bitstring(&v.0)
            }

            /// Names of the set flags that have a name, lowest bit first;
            /// unnamed set bits appear as `bitN`.
            pub fn names(self) -> Vec<String> {
                let mut out = Vec::new();
                for n in 0..32u32 {
                    if !self.has_bit(n) {
                        continue;
                    }
                    let named: &[(u32, &str)] = &[$( ($bit, $label) ),*];
                    match named.iter().find(|(b, _)| *b == n) {
                        Some((_, label)) => out.push((*label).to_string()),
                        None => out.push(format!("bit{n}")),
                    }
                }
                out
            }
        }

        impl core::ops::BitOr for $name {
            type Output = Self;
            fn bitor(self, rhs: Self) -> Self {
                Self(self.0 | rhs.0)
            }
        }

        impl core::ops::BitOrAssign for $name {
            fn bitor_assign(&mut self, rhs: Self) {
                self.0 |= rhs.0;
            }
        }

        impl core::ops::BitAnd for $name {
            type Output = Self;
            fn bitand(self, rhs: Self) -> Self {
                Self(self.0 & rhs.0)
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, "{}({:#010x}: {})", stringify!($name), self.0, self.names().join("|"))
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(&self.names().join(", "))
            }
        }

        impl From<$name> for $asn1 {
            fn from(v: $name) -> Self {
                v.to_asn1()
            }
        }

        impl From<&$asn1> for $name {
            fn from(v: &$asn1) -> Self {
                Self::from_asn1(v)
            }
        }
    };
}

kerberos_flags! {
    /// KDC-REQ `kdc-options` (RFC 4120 section 5.4.1, RFC 6806, RFC 6112, MS-SFU).
    KdcOptions, rasn_kerberos::KdcOptions {
        /// Ask for a forwardable ticket.
        FORWARDABLE = 1, "forwardable";
        /// Ask for a forwarded ticket (TGS only).
        FORWARDED = 2, "forwarded";
        /// Ask for a proxiable ticket.
        PROXIABLE = 3, "proxiable";
        /// Ask for a proxy ticket (TGS only).
        PROXY = 4, "proxy";
        /// Ask for a ticket that may be postdated.
        ALLOW_POSTDATE = 5, "allow-postdate";
        /// Ask for a postdated ticket.
        POSTDATED = 6, "postdated";
        /// Ask for a renewable ticket.
        RENEWABLE = 8, "renewable";
        /// Hardware authentication requested (unused in practice).
        OPT_HARDWARE_AUTH = 11, "opt-hardware-auth";
        /// S4U2Proxy: the client name is in the additional ticket (MS-SFU).
        CNAME_IN_ADDL_TKT = 14, "cname-in-addl-tkt";
        /// Name canonicalization allowed (RFC 6806).
        CANONICALIZE = 15, "canonicalize";
        /// Anonymous ticket requested (RFC 6112).
        REQUEST_ANONYMOUS = 16, "request-anonymous";
        /// Skip transited-path checking.
        DISABLE_TRANSITED_CHECK = 26, "disable-transited-check";
        /// Accept a renewable ticket if the requested end time is too late.
        RENEWABLE_OK = 27, "renewable-ok";
        /// Encrypt the ticket in the session key of the additional ticket (user-to-user).
        ENC_TKT_IN_SKEY = 28, "enc-tkt-in-skey";
        /// Renew the ticket in the TGS-REQ.
        RENEW = 30, "renew";
        /// Validate a postdated ticket.
        VALIDATE = 31, "validate";
    }
}

impl KdcOptions {
    /// Alias of [`KdcOptions::CANONICALIZE`] (RFC 6806's name).
    pub const NAME_CANONICALIZE: Self = Self::CANONICALIZE;
    /// Alias of [`KdcOptions::ALLOW_POSTDATE`].
    pub const MAY_POSTDATE: Self = Self::ALLOW_POSTDATE;
}

kerberos_flags! {
    /// Ticket `flags` (RFC 4120 section 5.3, RFC 6806, RFC 6112).
    TicketFlags, rasn_kerberos::TicketFlags {
        /// May be forwarded with a new address set.
        FORWARDABLE = 1, "forwardable";
        /// Was forwarded (or issued from a forwarded TGT).
        FORWARDED = 2, "forwarded";
        /// May be proxied.
        PROXIABLE = 3, "proxiable";
        /// Is a proxy ticket.
        PROXY = 4, "proxy";
        /// May be used to get postdated tickets.
        MAY_POSTDATE = 5, "may-postdate";
        /// Is postdated.
        POSTDATED = 6, "postdated";
        /// Is invalid until validated.
        INVALID = 7, "invalid";
        /// Is renewable.
        RENEWABLE = 8, "renewable";
        /// Was issued by the AS exchange.
        INITIAL = 9, "initial";
        /// The client pre-authenticated.
        PRE_AUTHENT = 10, "pre-authent";
        /// The client used hardware pre-authentication.
        HW_AUTHENT = 11, "hw-authent";
        /// The KDC checked the transited path.
        TRANSITED_POLICY_CHECKED = 12, "transited-policy-checked";
        /// The service is trusted for delegation.
        OK_AS_DELEGATE = 13, "ok-as-delegate";
        /// The KDC supports encrypted PA-DATA in the reply (RFC 6806).
        ENC_PA_REP = 15, "enc-pa-rep";
        /// Anonymous ticket (RFC 6112).
        ANONYMOUS = 16, "anonymous";
    }
}

impl TicketFlags {
    /// Alias of [`TicketFlags::MAY_POSTDATE`] (the KDC option's name).
    pub const ALLOW_POSTDATE: Self = Self::MAY_POSTDATE;

    /// MIT klist's one-letter flag string, e.g. `"FRIA"` for a forwardable,
    /// renewable, initial, pre-authenticated TGT.
    pub fn mit_short_string(self) -> String {
        const LETTERS: &[(TicketFlags, char)] = &[
            (TicketFlags::FORWARDABLE, 'F'),
            (TicketFlags::FORWARDED, 'f'),
            (TicketFlags::PROXIABLE, 'P'),
            (TicketFlags::PROXY, 'p'),
            (TicketFlags::MAY_POSTDATE, 'D'),
            (TicketFlags::POSTDATED, 'd'),
            (TicketFlags::INVALID, 'i'),
            (TicketFlags::RENEWABLE, 'R'),
            (TicketFlags::INITIAL, 'I'),
            (TicketFlags::HW_AUTHENT, 'H'),
            (TicketFlags::PRE_AUTHENT, 'A'),
            (TicketFlags::TRANSITED_POLICY_CHECKED, 'T'),
            (TicketFlags::OK_AS_DELEGATE, 'O'),
            (TicketFlags::ANONYMOUS, 'a'),
        ];
        LETTERS
            .iter()
            .filter(|(f, _)| self.contains(*f))
            .map(|(_, c)| *c)
            .collect()
    }
}

kerberos_flags! {
    /// AP-REQ `ap-options` (RFC 4120 section 5.5.1).
    ApOptions, rasn_kerberos::ApOptions {
        /// The ticket is encrypted in a session key (user-to-user).
        USE_SESSION_KEY = 1, "use-session-key";
        /// The client requires mutual authentication (an AP-REP).
        MUTUAL_REQUIRED = 2, "mutual-required";
    }
}

/// FAST options (RFC 6113 section 5.4.1), carried as KerberosFlags in
/// `KrbFastReq`.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct FastOptions(pub u32);

impl FastOptions {
    /// Hide client names in the outer reply (critical option).
    pub const HIDE_CLIENT_NAMES: u32 = 1 << (31 - 1);
    /// Ask the KDC to follow referrals (non-critical).
    pub const KDC_FOLLOW_REFERRALS: u32 = 1 << (31 - 16);
    /// Bits 0..=15 are critical: a KDC that does not know one must fail with
    /// KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS.
    pub const CRITICAL_MASK: u32 = 0xffff_0000;

    /// The 32-bit BIT STRING for the wire.
    pub fn to_bitstring(self) -> BitString {
        bits_to_bitstring(self.0)
    }

    /// Reads options from a BIT STRING of any length.
    pub fn from_bitstring(bs: &BitString) -> Self {
        Self(bitstring_to_bits(bs))
    }

    /// Critical options set here that are not in `known`.
    pub fn unknown_critical(self, known: u32) -> u32 {
        self.0 & Self::CRITICAL_MASK & !known
    }
}
