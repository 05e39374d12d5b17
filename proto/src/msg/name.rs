//! Principal names: the typed [`Principal`], its MIT string form, and
//! conversion to and from the wire `PrincipalName` + `Realm`.

use core::fmt;
use core::str::FromStr;

use rasn_kerberos::{KerberosString, PrincipalName, Realm};

/// Name types (RFC 4120 section 6.2, RFC 6111, RFC 6806, MS-KILE).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameType {
    /// NT-UNKNOWN (0).
    Unknown,
    /// NT-PRINCIPAL (1): a user or host.
    Principal,
    /// NT-SRV-INST (2): a service instance such as `krbtgt/REALM`.
    SrvInst,
    /// NT-SRV-HST (3): a service on a named host.
    SrvHst,
    /// NT-SRV-XHST (4).
    SrvXhst,
    /// NT-UID (5).
    Uid,
    /// NT-X500-PRINCIPAL (6).
    X500Principal,
    /// NT-SMTP-NAME (7).
    SmtpName,
    /// NT-ENTERPRISE (10): `user@domain` as a single component.
    Enterprise,
    /// NT-WELLKNOWN (11): e.g. `WELLKNOWN/ANONYMOUS`.
    WellKnown,
    /// NT-SRV-HST-DOMAIN (12).
    SrvHstDomain,
    /// NT-MS-PRINCIPAL (-128).
    MsPrincipal,
    /// NT-MS-PRINCIPAL-AND-ID (-129).
    MsPrincipalAndId,
    /// NT-ENT-PRINCIPAL-AND-ID (-130).
    EntPrincipalAndId,
    /// Any other value seen on the wire.
    Other(i32),
}

impl NameType {
    /// The wire value.
    pub const fn as_i32(self) -> i32 {
        match self {
            Self::Unknown => 0,
            Self::Principal => 1,
            Self::SrvInst => 2,
            Self::SrvHst => 3,
            Self::SrvXhst => 4,
            Self::Uid => 5,
            Self::X500Principal => 6,
            Self::SmtpName => 7,
            Self::Enterprise => 10,
            Self::WellKnown => 11,
            Self::SrvHstDomain => 12,
            Self::MsPrincipal => -128,
            Self::MsPrincipalAndId => -129,
            Self::EntPrincipalAndId => -130,
            Self::Other(v) => v,
        }
    }

    /// The name type for a wire value (unknown values become [`NameType::Other`]).
    pub const fn from_i32(v: i32) -> Self {
        match v {
            0 => Self::Unknown,
            1 => Self::Principal,
            2 => Self::SrvInst,
            3 => Self::SrvHst,
            4 => Self::SrvXhst,
            5 => Self::Uid,
            6 => Self::X500Principal,
            7 => Self::SmtpName,
            10 => Self::Enterprise,
            11 => Self::WellKnown,
            12 => Self::SrvHstDomain,
            -128 => Self::MsPrincipal,
            -129 => Self::MsPrincipalAndId,
            -130 => Self::EntPrincipalAndId,
            v => Self::Other(v),
        }
    }
}

/// Why a principal name could not be parsed or converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The string form was empty.
    #[error("empty principal name")]
    Empty,
    /// The string form ended in a lone backslash.
    #[error("principal name ends with an unfinished escape")]
    TrailingBackslash,
    /// The string form has a second unescaped `@`.
    #[error("principal name has more than one unescaped '@'")]
    MultipleRealms,
    /// The wire name has no components.
    #[error("principal name has no components")]
    NoComponents,
    /// A wire string is not UTF-8.
    #[error("{field} is not valid UTF-8")]
    NotUtf8 {
        /// Which field.
        field: &'static str,
    },
    /// A string holds bytes the ASN.1 GeneralString type cannot carry
    /// (rasn rejects octets 0x80..=0xA0).
    #[error("{field} has characters that cannot be encoded as a KerberosString")]
    NotRepresentable {
        /// Which field.
        field: &'static str,
    },
}

/// Converts a Rust string to a KerberosString (GeneralString).
pub fn kerberos_string(s: &str, field: &'static str) -> Result<KerberosString, NameError> {
    KerberosString::from_bytes(s.as_bytes()).map_err(|_| NameError::NotRepresentable { field })
}

/// Reads a KerberosString as UTF-8.
pub fn kerberos_str(s: &KerberosString, field: &'static str) -> Result<String, NameError> {
    String::from_utf8(s.as_bytes().to_vec()).map_err(|_| NameError::NotUtf8 { field })
}

/// A Kerberos principal: name type, components and realm.
///
/// Equality includes the name type; use [`Principal::same_name`] for the
/// RFC 4120 comparison that ignores it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Principal {
    /// The name type.
    pub name_type: NameType,
    /// The name components (`host/example.com` has two).
    pub components: Vec<String>,
    /// The realm; empty for a name parsed without one (or the referral realm).
    pub realm: String,
}

impl Principal {
    /// A principal from its parts.
    pub fn new(name_type: NameType, components: Vec<String>, realm: impl Into<String>) -> Self {
        Self {
            name_type,
            components,
            realm: realm.into(),
        }
    }

    /// `krbtgt/REALM@REALM`, the ticket-granting service of `realm`.
    pub fn krbtgt(realm: &str) -> Self {
        Self::krbtgt_cross(realm, realm)
    }

    /// `krbtgt/TARGET@ISSUER`, the cross-realm TGS of `target` in `issuer`.
    pub fn krbtgt_cross(target: &str, issuer: &str) -> Self {
        Self::new(
            NameType::SrvInst,
            vec!["krbtgt".to_string(), target.to_string()],
            issuer,
        )
    }

    /// `service/host@realm` with name type NT-SRV-HST.
    pub fn service_host(service: &str, host: &str, realm: &str) -> Self {
        Self::new(
            NameType::SrvHst,
            vec![service.to_string(), host.to_string()],
            realm,
        )
    }

    /// Whether this is a ticket-granting service name (`krbtgt/...`).
    pub fn is_krbtgt(&self) -> bool {
        self.components.len() == 2 && self.components[0] == "krbtgt"
    }

    /// For a `krbtgt/TARGET@...` name, the realm whose tickets it issues.
    pub fn tgs_target_realm(&self) -> Option<&str> {
        if self.is_krbtgt() {
            self.components.get(1).map(String::as_str)
        } else {
            None
        }
    }

    /// Same components and realm, whatever the name types.
    pub fn same_name(&self, other: &Self) -> bool {
        self.components == other.components && self.realm == other.realm
    }

    /// Parses MIT's string form `comp1/comp2@REALM` with backslash escapes
    /// (`\/`, `\@`, `\\`, `\n`, `\t`, `\b`, `\0`). Without `@REALM` the realm
    /// is left empty. The name type is NT-PRINCIPAL, or NT-SRV-INST for
    /// `krbtgt/...`.
    pub fn parse(s: &str) -> Result<Self, NameError> {
        if s.is_empty() {
            return Err(NameError::Empty);
        }
        let mut components = Vec::new();
        let mut current = String::new();
        let mut realm = String::new();
        let mut in_realm = false;
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            let target = if in_realm { &mut realm } else { &mut current };
            match c {
                '\\' => {
                    let e = chars.next().ok_or(NameError::TrailingBackslash)?;
                    target.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'b' => '\u{8}',
                        '0' => '\0',
                        other => other,
                    });
                }
                '@' if in_realm => return Err(NameError::MultipleRealms),
                '@' => {
                    components.push(core::mem::take(&mut current));
                    in_realm = true;
                }
                '/' if !in_realm => components.push(core::mem::take(&mut current)),
                other => target.push(other),
            }
        }
        if !in_realm {
            components.push(current);
        }
        // "@" alone names nothing at all (and would print as "").
        if realm.is_empty() && components.len() == 1 && components[0].is_empty() {
            return Err(NameError::Empty);
        }
        let name_type = if components.len() == 2 && components[0] == "krbtgt" {
            NameType::SrvInst
        } else {
            NameType::Principal
        };
        Ok(Self {
            name_type,
            components,
            realm,
        })
    }

    /// Like [`Principal::parse`], filling an absent realm with `default_realm`.
    pub fn parse_with_default_realm(s: &str, default_realm: &str) -> Result<Self, NameError> {
        let mut p = Self::parse(s)?;
        if p.realm.is_empty() && !s.ends_with('@') {
            p.realm = default_realm.to_string();
        }
        Ok(p)
    }

    /// The name without the realm, escaped as in [`fmt::Display`].
    pub fn name_without_realm(&self) -> String {
        let mut out = String::new();
        for (i, c) in self.components.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            escape_into(&mut out, c, true);
        }
        out
    }

    /// The wire `PrincipalName`.
    pub fn to_principal_name(&self) -> Result<PrincipalName, NameError> {
        let string = self
            .components
            .iter()
            .map(|c| kerberos_string(c, "name component"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PrincipalName {
            r#type: self.name_type.as_i32(),
            string,
        })
    }

    /// The wire `Realm`.
    pub fn to_realm(&self) -> Result<Realm, NameError> {
        kerberos_string(&self.realm, "realm")
    }

    /// The wire `PrincipalName` and `Realm`.
    pub fn to_asn1(&self) -> Result<(PrincipalName, Realm), NameError> {
        Ok((self.to_principal_name()?, self.to_realm()?))
    }

    /// A principal from wire fields. Components and realm must be UTF-8 and
    /// there must be at least one component.
    pub fn from_asn1(name: &PrincipalName, realm: &Realm) -> Result<Self, NameError> {
        if name.string.is_empty() {
            return Err(NameError::NoComponents);
        }
        let components = name
            .string
            .iter()
            .map(|c| kerberos_str(c, "name component"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            name_type: NameType::from_i32(name.r#type),
            components,
            realm: kerberos_str(realm, "realm")?,
        })
    }
}

fn escape_into(out: &mut String, s: &str, escape_slash: bool) {
    for c in s.chars() {
        match c {
            '/' if escape_slash => out.push_str("\\/"),
            '@' => out.push_str("\\@"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\0' => out.push_str("\\0"),
            other => out.push(other),
        }
    }
}

impl fmt::Display for Principal {
    /// MIT's string form; `@REALM` is omitted when the realm is empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = self.name_without_realm();
        if !self.realm.is_empty() {
            out.push('@');
            escape_into(&mut out, &self.realm, false);
        }
        f.write_str(&out)
    }
}

impl FromStr for Principal {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
