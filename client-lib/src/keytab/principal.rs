//! A plain principal name as stored in keytabs and credential caches.

use std::fmt;

use thiserror::Error;

/// `KRB5_NT_UNKNOWN`.
pub const NT_UNKNOWN: i32 = 0;
/// `KRB5_NT_PRINCIPAL`: an ordinary user or host principal.
pub const NT_PRINCIPAL: i32 = 1;
/// `KRB5_NT_SRV_INST`: a service instance such as `krbtgt/REALM`.
pub const NT_SRV_INST: i32 = 2;
/// `KRB5_NT_SRV_HST`: a service with a host name as instance.
pub const NT_SRV_HST: i32 = 3;

/// A principal name: name type, components and realm.
///
/// Displays in MIT's string form, `comp1/comp2@REALM`, with `/`, `@`, `\`
/// and control characters escaped by a backslash.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct KtPrincipal {
    /// Name type (`KRB5_NT_*`).
    pub name_type: i32,
    /// Name components, e.g. `["host", "example.com"]`.
    pub components: Vec<String>,
    /// The realm.
    pub realm: String,
}

/// Why a principal string could not be parsed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PrincipalParseError {
    /// The string was empty.
    #[error("empty principal name")]
    Empty,
    /// The string had no `@REALM` part and no default realm was given.
    #[error("principal name has no realm")]
    MissingRealm,
    /// More than one unescaped `@`.
    #[error("principal name has more than one realm separator")]
    ExtraRealmSeparator,
    /// A backslash at the very end of the string.
    #[error("principal name ends with a lone backslash")]
    TrailingBackslash,
}

impl KtPrincipal {
    /// Builds a principal from parts.
    pub fn new<I, S>(name_type: i32, components: I, realm: impl Into<String>) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            name_type,
            components: components.into_iter().map(Into::into).collect(),
            realm: realm.into(),
        }
    }

    /// Parses `a/b@REALM` (MIT escaping rules). `default_realm` is used when
    /// the string has no realm. The name type is `NT_SRV_INST` for
    /// `krbtgt/...` names (as MIT does) and `NT_PRINCIPAL` otherwise.
    pub fn parse(s: &str, default_realm: Option<&str>) -> Result<Self, PrincipalParseError> {
        if s.is_empty() {
            return Err(PrincipalParseError::Empty);
        }
        let mut components = Vec::new();
        let mut current = String::new();
        let mut realm: Option<String> = None;
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    let next = chars.next().ok_or(PrincipalParseError::TrailingBackslash)?;
                    current.push(match next {
                        'n' => '\n',
                        't' => '\t',
                        'b' => '\u{8}',
                        '0' => '\0',
                        other => other,
                    });
                }
                '/' if realm.is_none() => {
                    components.push(std::mem::take(&mut current));
                }
                '@' => {
                    if realm.is_some() {
                        return Err(PrincipalParseError::ExtraRealmSeparator);
                    }
                    components.push(std::mem::take(&mut current));
                    realm = Some(String::new());
                }
                other => current.push(other),
            }
        }
        let realm = match realm {
            Some(_) => current,
            None => {
                components.push(current);
                default_realm
                    .map(str::to_owned)
                    .ok_or(PrincipalParseError::MissingRealm)?
            }
        };
        let name_type = if components.len() == 2 && components[0] == "krbtgt" {
            NT_SRV_INST
        } else {
            NT_PRINCIPAL
        };
        Ok(Self {
            name_type,
            components,
            realm,
        })
    }

    /// True when realm and components are equal (the name type is ignored,
    /// as MIT's `krb5_principal_compare` does).
    pub fn same_name(&self, other: &KtPrincipal) -> bool {
        self.realm == other.realm && self.components == other.components
    }
}

fn write_escaped(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    for c in s.chars() {
        match c {
            '/' | '@' | '\\' => write!(f, "\\{c}")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\u{8}' => f.write_str("\\b")?,
            '\0' => f.write_str("\\0")?,
            other => write!(f, "{other}")?,
        }
    }
    Ok(())
}

impl fmt::Display for KtPrincipal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.components.iter().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            write_escaped(f, c)?;
        }
        f.write_str("@")?;
        write_escaped(f, &self.realm)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parse_and_display() {
        let p = KtPrincipal::parse("host/a.example.com@EXAMPLE.COM", None).unwrap();
        assert_eq!(p.components, vec!["host", "a.example.com"]);
        assert_eq!(p.realm, "EXAMPLE.COM");
        assert_eq!(p.to_string(), "host/a.example.com@EXAMPLE.COM");
        let t = KtPrincipal::parse("krbtgt/R@R", None).unwrap();
        assert_eq!(t.name_type, NT_SRV_INST);
        let e = KtPrincipal::parse("a\\/b@R", None).unwrap();
        assert_eq!(e.components, vec!["a/b"]);
        assert_eq!(e.to_string(), "a\\/b@R");
        assert_eq!(
            KtPrincipal::parse("user", None),
            Err(PrincipalParseError::MissingRealm)
        );
        assert_eq!(KtPrincipal::parse("user", Some("X")).unwrap().realm, "X");
        assert_eq!(
            KtPrincipal::parse("a@b@c", None),
            Err(PrincipalParseError::ExtraRealmSeparator)
        );
    }
}
