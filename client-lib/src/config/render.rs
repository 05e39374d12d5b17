//! Writing a krb5.conf (for the dev realm and tests).

use std::fmt::Write as _;

/// Builds a krb5.conf text for one realm.
///
/// ```
/// use tessera_client::config::{Krb5Conf, Krb5ConfWriter};
/// let text = Krb5ConfWriter::new("EXAMPLE.COM")
///     .kdc("127.0.0.1:8888")
///     .admin_server("127.0.0.1:8749")
///     .libdefault("forwardable", "true")
///     .render();
/// let conf = Krb5Conf::parse_str(&text, "generated").unwrap();
/// assert_eq!(conf.kdc_addresses("EXAMPLE.COM"), vec![("127.0.0.1".to_owned(), 8888)]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Krb5ConfWriter {
    realm: String,
    kdcs: Vec<String>,
    admin_servers: Vec<String>,
    kpasswd_servers: Vec<String>,
    libdefaults: Vec<(String, String)>,
    domain_realm: Vec<(String, String)>,
}

/// Writes a value so the parser reads it back unchanged: quoted (with
/// escapes) when it has surrounding spaces, quotes, backslashes, control
/// characters, or starts with `{`.
fn value(v: &str) -> String {
    let plain = !v.is_empty()
        && v.trim() == v
        && !v.starts_with(['"', '{'])
        && !v.chars().any(|c| c.is_control() || c == '\\');
    if plain {
        return v.to_owned();
    }
    let mut out = String::from("\"");
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            // Other control characters cannot be written in the format.
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A tag: anything outside letters, digits and `._-` is dropped so a tag
/// can never break the syntax.
fn tag(t: &str) -> String {
    t.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .collect()
}

impl Krb5ConfWriter {
    /// A writer for `realm`, which becomes `default_realm`.
    pub fn new(realm: impl Into<String>) -> Self {
        Self {
            realm: realm.into(),
            ..Self::default()
        }
    }

    /// Adds a `kdc = ` line (`host`, `host:port`, `tcp/host:port`, ...).
    pub fn kdc(mut self, addr: impl Into<String>) -> Self {
        self.kdcs.push(addr.into());
        self
    }

    /// Adds an `admin_server = ` line.
    pub fn admin_server(mut self, addr: impl Into<String>) -> Self {
        self.admin_servers.push(addr.into());
        self
    }

    /// Adds a `kpasswd_server = ` line.
    pub fn kpasswd_server(mut self, addr: impl Into<String>) -> Self {
        self.kpasswd_servers.push(addr.into());
        self
    }

    /// Adds a `[libdefaults]` relation.
    pub fn libdefault(mut self, key: impl Into<String>, val: impl Into<String>) -> Self {
        self.libdefaults.push((key.into(), val.into()));
        self
    }

    /// Adds a `[domain_realm]` mapping.
    pub fn domain_realm(mut self, domain: impl Into<String>, realm: impl Into<String>) -> Self {
        self.domain_realm.push((domain.into(), realm.into()));
        self
    }

    /// The krb5.conf text.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let realm_tag = tag(&self.realm);
        let _ = writeln!(s, "[libdefaults]");
        let _ = writeln!(s, "    default_realm = {}", value(&self.realm));
        let _ = writeln!(s, "    dns_lookup_kdc = false");
        let _ = writeln!(s, "    dns_lookup_realm = false");
        for (k, v) in &self.libdefaults {
            let _ = writeln!(s, "    {} = {}", tag(k), value(v));
        }
        let _ = writeln!(s, "\n[realms]");
        let _ = writeln!(s, "    {realm_tag} = {{");
        for (k, list) in [
            ("kdc", &self.kdcs),
            ("admin_server", &self.admin_servers),
            ("kpasswd_server", &self.kpasswd_servers),
        ] {
            for v in list {
                let _ = writeln!(s, "        {k} = {}", value(v));
            }
        }
        let _ = writeln!(s, "    }}");
        if !self.domain_realm.is_empty() {
            let _ = writeln!(s, "\n[domain_realm]");
            for (d, r) in &self.domain_realm {
                let _ = writeln!(s, "    {} = {}", tag(d), value(r));
            }
        }
        s
    }
}

/// Convenience wrapper around [`Krb5ConfWriter`].
pub fn render_krb5_conf(
    realm: &str,
    kdcs: &[&str],
    admin_server: Option<&str>,
    kpasswd_server: Option<&str>,
    extra_libdefaults: &[(&str, &str)],
) -> String {
    let mut w = Krb5ConfWriter::new(realm);
    for k in kdcs {
        w = w.kdc(*k);
    }
    if let Some(a) = admin_server {
        w = w.admin_server(a);
    }
    if let Some(k) = kpasswd_server {
        w = w.kpasswd_server(k);
    }
    for (k, v) in extra_libdefaults {
        w = w.libdefault(*k, *v);
    }
    w.render()
}
