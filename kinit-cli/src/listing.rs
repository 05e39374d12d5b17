//! The text `klist` prints for credential caches and keytabs, in MIT's
//! layout.

use std::fmt::Write as _;

use tessera_client::ccache::{CcacheName, Credential, CredentialCache};
use tessera_client::keytab::Keytab;
use tessera_proto::crypto::EncType;
use tessera_proto::msg::{Ticket, TicketFlags, decode};

use crate::timefmt::mit_time;

/// An enctype's name as MIT prints it (`etype N` for unknown ones).
pub fn enctype_name(e: i32) -> String {
    EncType::from_i32(e).map_or_else(|| format!("etype {e}"), |t| t.name().to_owned())
}

/// What `klist` shows for each credential.
#[derive(Debug, Clone, Copy, Default)]
pub struct CacheListOptions {
    /// `-e`: session key and ticket enctypes.
    pub etypes: bool,
    /// `-f`: ticket flags.
    pub flags: bool,
}

/// The listing of a credential cache (configuration entries skipped).
pub fn format_ccache(name: &CcacheName, cc: &CredentialCache, opts: CacheListOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Ticket cache: {name}");
    let _ = writeln!(out, "Default principal: {}", cc.default_principal);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Valid starting     Expires            Service principal"
    );
    for c in cc.tickets() {
        format_credential(&mut out, c, opts);
    }
    out
}

fn format_credential(out: &mut String, c: &Credential, opts: CacheListOptions) {
    let start = if c.starttime != 0 {
        c.starttime
    } else {
        c.authtime
    };
    let _ = writeln!(
        out,
        "{}  {}  {}",
        mit_time(i64::from(start)),
        mit_time(i64::from(c.endtime)),
        c.server
    );
    // MIT's layout: "renew until" counts two fields, flags and etypes one;
    // a line holding more than two fields is broken before the next one.
    let mut extra = 0u32;
    if c.renew_till != 0 {
        let _ = write!(out, "\trenew until {}", mit_time(i64::from(c.renew_till)));
        extra += 2;
    }
    if opts.flags {
        let flags = TicketFlags(c.ticket_flags).mit_short_string();
        if !flags.is_empty() {
            out.push_str(if extra == 0 { "\t" } else { ", " });
            let _ = write!(out, "Flags: {flags}");
            extra += 1;
        }
    }
    if extra > 2 {
        out.push('\n');
        extra = 0;
    }
    if opts.etypes {
        let tkt = decode::<Ticket>(&c.ticket)
            .map(|t| enctype_name(t.enc_part.etype))
            .unwrap_or_else(|_| "(unreadable ticket)".to_owned());
        out.push_str(if extra == 0 { "\t" } else { ", " });
        let _ = write!(
            out,
            "Etype (skey, tkt): {}, {} ",
            enctype_name(c.key_enctype),
            tkt
        );
        extra += 1;
    }
    if extra > 0 {
        out.push('\n');
    }
}

/// Whether the cache holds an unexpired TGT for its owner's realm at `now`.
pub fn has_valid_tgt(cc: &CredentialCache, now: i64) -> bool {
    let realm = &cc.default_principal.realm;
    cc.tickets().any(|c| {
        c.server.components.len() == 2
            && c.server.components[0] == "krbtgt"
            && &c.server.components[1] == realm
            && &c.server.realm == realm
            && i64::from(c.endtime) > now
    })
}

/// What `klist -k` shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeytabListOptions {
    /// `-t`: entry timestamps.
    pub timestamps: bool,
    /// `-e`: enctypes.
    pub etypes: bool,
    /// `-K`: key bytes in hex.
    pub keys: bool,
}

/// The listing of a keytab, `name` as it should be shown (`FILE:path`).
pub fn format_keytab(name: &str, kt: &Keytab, opts: KeytabListOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Keytab name: {name}");
    if opts.timestamps {
        let _ = writeln!(out, "KVNO Timestamp         Principal");
        let _ = writeln!(out, "---- ----------------- {}", "-".repeat(56));
    } else {
        let _ = writeln!(out, "KVNO Principal");
        let _ = writeln!(out, "---- {}", "-".repeat(74));
    }
    for e in &kt.entries {
        let _ = write!(out, "{:>4} ", e.kvno);
        if opts.timestamps {
            let _ = write!(out, "{} ", mit_time(i64::from(e.timestamp)));
        }
        let _ = write!(out, "{}", e.principal);
        if opts.etypes {
            let _ = write!(out, " ({}) ", enctype_name(e.enctype));
        }
        if opts.keys {
            let _ = write!(out, " (0x{})", hex_lower(&e.key));
        }
        out.push('\n');
    }
    out
}

fn hex_lower(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tessera_client::ccache::Principal as CcPrincipal;

    fn cred(server: &str, renew: u32, flags: u32) -> Credential {
        Credential {
            client: CcPrincipal::parse("u@R", None).unwrap(),
            server: CcPrincipal::parse(server, None).unwrap(),
            key_enctype: 18,
            authtime: 1_000,
            endtime: 2_000,
            renew_till: renew,
            ticket_flags: flags,
            ..Credential::default()
        }
    }

    #[test]
    fn mit_field_layout() {
        let mut cc = CredentialCache::new(CcPrincipal::parse("u@R", None).unwrap());
        cc.credentials
            .push(cred("krbtgt/R@R", 3_000, TicketFlags::FORWARDABLE.bits()));
        cc.credentials
            .push(cred("host/h@R", 0, TicketFlags::FORWARDABLE.bits()));
        cc.credentials.push(cred("http/h@R", 3_000, 0));
        let name = CcacheName::parse("FILE:/tmp/x").unwrap();
        let out = format_ccache(
            &name,
            &cc,
            CacheListOptions {
                etypes: true,
                flags: true,
            },
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "Ticket cache: FILE:/tmp/x");
        assert_eq!(lines[1], "Default principal: u@R");
        // renew + flags: etypes on their own line.
        assert!(lines[5].starts_with("\trenew until ") && lines[5].ends_with(", Flags: F"));
        assert!(lines[6].starts_with("\tEtype (skey, tkt): aes256-cts-hmac-sha1-96, "));
        // flags only: etypes on the same line.
        assert!(lines[8].starts_with("\tFlags: F, Etype (skey, tkt): "));
        // renew only: etypes on the same line.
        assert!(lines[10].contains(", Etype (skey, tkt): "));
        assert!(has_valid_tgt(&cc, 1_500));
        assert!(!has_valid_tgt(&cc, 2_000));
    }

    #[test]
    fn keytab_layout() {
        let kt = Keytab {
            entries: vec![tessera_client::keytab::KeytabEntry {
                principal: CcPrincipal::parse("a/b@R", None).unwrap(),
                timestamp: 0,
                kvno: 3,
                enctype: 17,
                key: zeroize::Zeroizing::new(vec![0xab; 16]),
            }],
        };
        let out = format_keytab(
            "FILE:/k",
            &kt,
            KeytabListOptions {
                timestamps: false,
                etypes: true,
                keys: true,
            },
        );
        assert_eq!(
            out.lines().nth(3).unwrap(),
            format!(
                "   3 a/b@R (aes128-cts-hmac-sha1-96)  (0x{})",
                "ab".repeat(16)
            )
        );
        assert_eq!(enctype_name(23), "etype 23");
    }
}
