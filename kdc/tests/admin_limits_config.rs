//! `[admin]` connection limits in kdc.toml: defaults, set values, and
//! values out of range refused with the key's name.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use tessera_kdc::admin_server::AdminLimits;
use tessera_kdc::config::KdcConfig;

fn parse(admin: &str) -> Result<KdcConfig, String> {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "realm = \"LIMITS.TEST\"\n[database]\ndir = \"{}\"\nmaster_key_env = \"UNUSED\"\n[admin]\n{admin}\n",
        dir.path().display()
    );
    KdcConfig::parse(&text, "kdc.toml", dir.path()).map_err(|e| e.to_string())
}

#[test]
fn admin_limits_default_and_configured() {
    assert_eq!(parse("").unwrap().admin.limits, AdminLimits::default());
    let d = AdminLimits::default();
    assert_eq!(d.preauth_timeout, Duration::from_secs(10));
    assert_eq!(d.preauth_max_frame, 16 * 1024);
    let c = parse(
        "preauth_timeout = \"2s\"\npreauth_max_frame = 4096\nmax_unauthenticated_per_peer = 2",
    )
    .unwrap();
    assert_eq!(
        c.admin.limits,
        AdminLimits {
            preauth_timeout: Duration::from_secs(2),
            preauth_max_frame: 4096,
            max_unauthenticated_per_peer: 2,
            ..AdminLimits::default()
        }
    );
    for (bad, key) in [
        ("preauth_timeout = \"0s\"", "admin.preauth_timeout"),
        ("preauth_max_frame = 10", "admin.preauth_max_frame"),
        ("preauth_max_frame = 99999999", "admin.preauth_max_frame"),
        (
            "max_unauthenticated_per_peer = 0",
            "admin.max_unauthenticated_per_peer",
        ),
    ] {
        let e = parse(bad).unwrap_err();
        assert!(e.contains(key), "{bad}: {e}");
    }
}
