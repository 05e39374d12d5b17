//! Human-readable (MIT-like) rendering of [`AdminResponse`]s.

use std::fmt::Write as _;

use super::request::{AdminResponse, PrincipalInfo};
use super::timefmt::{format_duration, format_time};
use crate::db::Policy;

fn time_or(t: Option<i64>, none: &str) -> String {
    t.map_or_else(|| none.to_owned(), format_time)
}

/// `getprinc` output in MIT's layout.
pub fn format_principal(p: &PrincipalInfo) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Principal: {}", p.name);
    let _ = writeln!(s, "Expiration date: {}", time_or(p.expiration, "[never]"));
    let _ = writeln!(
        s,
        "Last password change: {}",
        time_or(p.last_password_change, "[never]")
    );
    let _ = writeln!(
        s,
        "Password expiration date: {}",
        time_or(p.pw_expiration, "[never]")
    );
    let _ = writeln!(s, "Maximum ticket life: {}", format_duration(p.max_life));
    let _ = writeln!(
        s,
        "Maximum renewable life: {}",
        format_duration(p.max_renewable_life)
    );
    let _ = writeln!(
        s,
        "Last modified: {} ({})",
        format_time(p.modified),
        p.modified_by.as_deref().unwrap_or("unknown")
    );
    let _ = writeln!(
        s,
        "Last successful authentication: {}",
        time_or(p.last_success, "[never]")
    );
    let _ = writeln!(
        s,
        "Last failed authentication: {}",
        time_or(p.last_failure, "[never]")
    );
    let _ = writeln!(s, "Failed password attempts: {}", p.fail_count);
    let _ = writeln!(s, "Number of keys: {}", p.keys.len());
    for k in &p.keys {
        let _ = writeln!(s, "Key: vno {}, {}", k.kvno, k.enctype_name);
    }
    let _ = writeln!(s, "MKey: vno 1");
    s.push_str("Attributes:");
    for a in &p.attributes {
        s.push(' ');
        s.push_str(a);
    }
    s.push('\n');
    let _ = writeln!(s, "Policy: {}", p.policy.as_deref().unwrap_or("[none]"));
    if p.locked {
        let _ = writeln!(s, "Locked: yes");
    }
    s
}

/// `getprinc -terse` in MIT's layout: one line of tab-separated fields
/// (quoted name, expiration, last password change, password expiration,
/// max life, quoted modifier, modification time, attribute bits, kvno,
/// master kvno, quoted policy, max renewable life, last success, last
/// failure, failure count, number of keys, then per key: version, kvno,
/// enctype, salt type). Times are Unix seconds, 0 = never.
pub fn format_principal_terse(p: &PrincipalInfo) -> String {
    let t = |v: Option<i64>| v.unwrap_or(0);
    let mut s = format!(
        "\"{}\"\t{}\t{}\t{}\t{}\t\"{}\"\t{}\t{}\t{}\t1\t\"{}\"\t{}\t{}\t{}\t{}\t{}",
        p.name,
        t(p.expiration),
        t(p.last_password_change),
        t(p.pw_expiration),
        p.max_life,
        p.modified_by.as_deref().unwrap_or("unknown"),
        p.modified,
        p.attribute_bits,
        p.kvno,
        p.policy.as_deref().unwrap_or("[none]"),
        p.max_renewable_life,
        t(p.last_success),
        t(p.last_failure),
        p.fail_count,
        p.keys.len(),
    );
    for k in &p.keys {
        // MIT's key-data version: 1 when the salt is the normal one.
        let ver = if k.mit_salt_type == 0 { 1 } else { 2 };
        let _ = write!(s, "\t{ver}\t{}\t{}\t{}", k.kvno, k.enctype, k.mit_salt_type);
    }
    s.push('\n');
    s
}

/// `getpol` output in MIT's layout.
pub fn format_policy(p: &Policy, reference_count: u64) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Policy: {}", p.name);
    let _ = writeln!(s, "Maximum password life: {}", format_duration(p.max_life));
    let _ = writeln!(s, "Minimum password life: {}", format_duration(p.min_life));
    let _ = writeln!(s, "Minimum password length: {}", p.min_length);
    let _ = writeln!(
        s,
        "Minimum number of password character classes: {}",
        p.min_classes
    );
    let _ = writeln!(s, "Number of old keys kept: {}", p.history);
    let _ = writeln!(
        s,
        "Maximum password failures before lockout: {}",
        p.max_failure
    );
    let _ = writeln!(
        s,
        "Password failure count reset interval: {}",
        format_duration(p.failure_count_interval)
    );
    let _ = writeln!(
        s,
        "Password lockout duration: {}",
        format_duration(p.lockout_duration)
    );
    let _ = writeln!(s, "Reference count: {reference_count}");
    s
}

/// Renders any response for a person. Keys are never printed.
pub fn format_response(r: &AdminResponse) -> String {
    match r {
        AdminResponse::Done { message, .. } => format!("{message}\n"),
        AdminResponse::Principal(p) => format_principal(p),
        AdminResponse::Names { names } => {
            let mut s = String::new();
            for n in names {
                s.push_str(n);
                s.push('\n');
            }
            s
        }
        AdminResponse::Policy {
            policy,
            reference_count,
        } => format_policy(policy, *reference_count),
        AdminResponse::Privileges { privileges } => {
            let mut s = "current privileges:".to_owned();
            for p in privileges {
                s.push(' ');
                s.push_str(p);
            }
            s.push('\n');
            s
        }
        AdminResponse::Strings { strings, .. } if strings.is_empty() => {
            "(No string attributes.)\n".to_owned()
        }
        AdminResponse::Strings { strings, .. } => {
            let mut s = String::new();
            for a in strings {
                let _ = writeln!(s, "{}: {}", a.key, a.value);
            }
            s
        }
        AdminResponse::Keys { principal, keys } => {
            format!("{} keys of {principal} extracted.\n", keys.len())
        }
    }
}
