//! krb5.conf parsing tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use tessera_client::config::values::{
    parse_bool, parse_duration, parse_enctype_list, parse_server,
};
use tessera_client::config::{
    ConfigError, Krb5Conf, Krb5ConfWriter, Profile, SyntaxError, Transport, render_krb5_conf,
};

const MAIN: &str = r#"# Tessera test configuration
this text before the first section is ignored, as MIT does
include @DIR@/libdefaults.inc

[libdefaults]
    default_realm = EXAMPLE.COM
    ; a comment
    # another comment
    ticket_lifetime = 10h
    renew_lifetime = 7d 0h
    forwardable = yes
    udp_preference_limit = 1
    permitted_enctypes = aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96 aes256-cts-hmac-sha384-192
    default_ccache_name = "FILE:/tmp/krb5cc_%{uid}"
    clockskew* = 120
    clockskew = 999

[realms]
    EXAMPLE.COM = {
        kdc = kdc1.example.com
        kdc = kdc2.example.com:8888
        kdc = tcp/[::1]:1088
        kdc = udp/127.0.0.1:2088
        kdc = https://proxy.example.com/KdcProxy
        admin_server = kdc1.example.com
        default_domain = example.com
        v4_name_convert = {
            host = {
                rcmd = host
            }
        }
    }
    OTHER.ORG =
    {
        kdc = ::1
    }*

[domain_realm]
    .example.com = EXAMPLE.COM
    special.example.com = OTHER.ORG
includedir @DIR@/conf.d
"#;

fn write_tree(dir: &std::path::Path) -> std::path::PathBuf {
    let d = dir.display().to_string();
    std::fs::write(
        dir.join("libdefaults.inc"),
        "[libdefaults]\n  dns_lookup_kdc = false\n  default_realm = FIRST.WINS\n",
    )
    .unwrap();
    std::fs::create_dir(dir.join("conf.d")).unwrap();
    std::fs::write(
        dir.join("conf.d/10-realm"),
        "[realms]\n  EXAMPLE.COM = {\n    kdc = kdc3.example.com\n    kpasswd_server = kp.example.com\n  }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("conf.d/extra.conf"),
        "[libdefaults]\n  proxiable = true\n",
    )
    .unwrap();
    // Not read: a name with a dot that does not end in .conf.
    std::fs::write(dir.join("conf.d/broken.bak"), "this is { not valid\n").unwrap();
    let main = dir.join("krb5.conf");
    std::fs::write(&main, MAIN.replace("@DIR@", &d)).unwrap();
    main
}

#[test]
fn realistic_file_with_includes() {
    let dir = tempfile::tempdir().unwrap();
    let main = write_tree(dir.path());
    let conf = Krb5Conf::load(&main).unwrap();
    // The include came first, so its default_realm is the first value.
    assert_eq!(conf.default_realm.as_deref(), Some("FIRST.WINS"));
    assert_eq!(
        conf.profile.get_strs(&["libdefaults", "default_realm"]),
        vec!["FIRST.WINS", "EXAMPLE.COM"]
    );
    assert_eq!(conf.ticket_lifetime, Some(Duration::from_secs(36_000)));
    assert_eq!(conf.renew_lifetime, Some(Duration::from_secs(7 * 86_400)));
    assert!(conf.forwardable);
    assert!(conf.proxiable, "includedir file extra.conf read");
    assert_eq!(conf.udp_preference_limit, 1);
    assert_eq!(conf.clockskew, Duration::from_secs(120), "final marker");
    assert_eq!(
        conf.profile.get_strs(&["libdefaults", "clockskew"]),
        vec!["120"]
    );
    assert_eq!(
        conf.default_ccache_name.as_deref(),
        Some("FILE:/tmp/krb5cc_%{uid}")
    );
    assert_eq!(
        conf.permitted_enctypes.clone().unwrap(),
        vec![
            "aes256-cts-hmac-sha1-96",
            "aes128-cts-hmac-sha1-96",
            "aes256-cts-hmac-sha384-192"
        ]
    );
    assert_eq!(conf.default_tkt_enctypes, None);
    let ex = &conf.realms["EXAMPLE.COM"];
    assert_eq!(ex.kdc.len(), 6, "{:?}", ex.kdc);
    assert_eq!(ex.default_domain.as_deref(), Some("example.com"));
    assert_eq!(
        conf.kdc_addresses("EXAMPLE.COM"),
        vec![
            ("kdc1.example.com".to_owned(), 88),
            ("kdc2.example.com".to_owned(), 8888),
            ("::1".to_owned(), 1088),
            ("127.0.0.1".to_owned(), 2088),
            ("kdc3.example.com".to_owned(), 88),
        ]
    );
    let eps = conf.kdc_endpoints("EXAMPLE.COM");
    assert_eq!(eps[2].transport, Transport::Tcp);
    assert_eq!(eps[3].transport, Transport::Udp);
    assert_eq!(eps[4].transport, Transport::Https);
    assert_eq!(
        conf.kpasswd_addresses("EXAMPLE.COM"),
        vec![("kp.example.com".to_owned(), 464)]
    );
    assert_eq!(
        conf.admin_addresses("EXAMPLE.COM"),
        vec![("kdc1.example.com".to_owned(), 749)]
    );
    assert_eq!(
        conf.kdc_addresses("OTHER.ORG"),
        vec![("::1".to_owned(), 88)]
    );
    assert!(conf.kdc_addresses("NOPE").is_empty());
    assert_eq!(
        conf.profile
            .get_str(&["realms", "EXAMPLE.COM", "v4_name_convert", "host", "rcmd"]),
        Some("host")
    );
    assert_eq!(conf.realm_for_host("a.example.com"), Some("EXAMPLE.COM"));
    assert_eq!(
        conf.realm_for_host("Special.Example.com"),
        Some("OTHER.ORG")
    );
    assert_eq!(
        conf.realm_for_host("x.special.example.com"),
        Some("EXAMPLE.COM")
    );
    assert_eq!(conf.realm_for_host("example.org"), None);
}

#[test]
fn path_list_skips_missing_and_reads_dirs() {
    let dir = tempfile::tempdir().unwrap();
    let main = write_tree(dir.path());
    let list = format!(
        "{}:/nonexistent/krb5.conf:{}",
        dir.path().join("conf.d").display(),
        main.display()
    );
    let conf = Krb5Conf::load_path_list(&list).unwrap();
    assert!(conf.proxiable);
    assert_eq!(conf.default_realm.as_deref(), Some("FIRST.WINS"));
    let empty = Krb5Conf::load_path_list("/nonexistent/a:/nonexistent/b").unwrap();
    assert_eq!(empty, Krb5Conf::default());
    assert_eq!(empty.udp_preference_limit, 1465);
    assert_eq!(empty.clockskew, Duration::from_secs(300));
}

fn syntax_err(text: &str) -> (usize, SyntaxError) {
    match Krb5Conf::parse_str(text, "bad.conf") {
        Err(ConfigError::Syntax { file, line, kind }) => {
            assert_eq!(file, "bad.conf");
            (line, kind)
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn syntax_errors_have_line_numbers() {
    use SyntaxError::*;
    assert_eq!(syntax_err("[libdefaults]\n\n  oops\n"), (3, MissingEquals));
    assert_eq!(syntax_err("[libdefaults]\n  a b = c\n"), (2, SpaceInTag));
    assert_eq!(syntax_err("[libdefaults\n"), (1, UnterminatedSectionName));
    assert_eq!(syntax_err("[libdefaults] x\n"), (1, TextAfterSectionName));
    assert_eq!(
        syntax_err("[realms]\n  R = {\n   kdc = a\n"),
        (2, UnclosedGroup)
    );
    assert_eq!(syntax_err("[realms]\n  }\n"), (2, ExtraCloseBrace));
    assert_eq!(
        syntax_err("[realms]\n  R = {\n[libdefaults]\n"),
        (3, SectionInsideGroup)
    );
    assert_eq!(
        syntax_err("[realms]\n  R =\n  kdc = a\n"),
        (3, MissingOpenBrace)
    );
    assert_eq!(syntax_err("[a]\n x = \"abc\n"), (2, UnterminatedQuote));
    assert_eq!(syntax_err("[a]\n = x\n"), (2, EmptyTag));
    let msg = Krb5Conf::parse_str("[a]\nbad line\n", "/etc/krb5.conf")
        .unwrap_err()
        .to_string();
    assert_eq!(
        msg,
        "/etc/krb5.conf:2: expected `tag = value` (no '=' found)"
    );
}

#[test]
fn invalid_values_name_file_and_line() {
    let err = Krb5Conf::parse_str("[libdefaults]\n forwardable = maybe\n", "k.conf").unwrap_err();
    assert!(
        matches!(&err, ConfigError::InvalidValue { line: 2, tag, .. } if tag == "forwardable"),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("k.conf:2: invalid value \"maybe\" for forwardable")
    );
    let err = Krb5Conf::parse_str("[libdefaults]\n ticket_lifetime = 10x\n", "k").unwrap_err();
    assert!(matches!(err, ConfigError::InvalidValue { line: 2, .. }));
    let err =
        Krb5Conf::parse_str("[realms]\n R = {\n  kdc = host:notaport\n }\n", "k").unwrap_err();
    assert!(
        matches!(err, ConfigError::InvalidValue { line: 3, .. }),
        "{err}"
    );
}

#[test]
fn missing_include_is_an_error_naming_the_directive() {
    let err = Krb5Conf::parse_str("include /nonexistent/x.conf\n", "main.conf").unwrap_err();
    match &err {
        ConfigError::Io {
            path,
            included_from,
            ..
        } => {
            assert_eq!(path.to_str(), Some("/nonexistent/x.conf"));
            assert_eq!(included_from.as_deref(), Some("main.conf:1"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn include_loop_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("loop.conf");
    std::fs::write(&f, format!("include {}\n", f.display())).unwrap();
    let err = Krb5Conf::load(&f).unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::Syntax {
                kind: SyntaxError::IncludeTooDeep,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn durations() {
    let d = |s| parse_duration(s).map(|d| d.as_secs());
    assert_eq!(d("36000"), Some(36_000));
    assert_eq!(d("10h"), Some(36_000));
    assert_eq!(d("1d"), Some(86_400));
    assert_eq!(d("7d 0h"), Some(604_800));
    assert_eq!(d("1h30m"), Some(5_400));
    assert_eq!(d("1h 30m 15s"), Some(5_415));
    assert_eq!(d("10:00:00"), Some(36_000));
    assert_eq!(d("1:30"), Some(5_400));
    assert_eq!(d("2-01:00:00"), Some(2 * 86_400 + 3_600));
    assert_eq!(d("5m"), Some(300));
    assert_eq!(d(""), None);
    assert_eq!(d("10x"), None);
    assert_eq!(d("h"), None);
    assert_eq!(d("1:61"), None);
    assert_eq!(d("1::2"), None);
    assert_eq!(d("99999999999999999999d"), None);
}

#[test]
fn booleans_and_enctypes() {
    for t in ["true", "YES", "on", "1", "y", "t"] {
        assert_eq!(parse_bool(t), Some(true), "{t}");
    }
    for f in ["false", "No", "off", "0", "n", "nil"] {
        assert_eq!(parse_bool(f), Some(false), "{f}");
    }
    assert_eq!(parse_bool("maybe"), None);
    assert_eq!(
        parse_enctype_list(" a,b  c ,, d "),
        vec!["a", "b", "c", "d"]
    );
}

#[test]
fn server_addresses() {
    let p = |s| parse_server(s, 88).map(|a| (a.transport, a.host, a.port));
    assert_eq!(p("h"), Some((Transport::Any, "h".into(), 88)));
    assert_eq!(p("h:99"), Some((Transport::Any, "h".into(), 99)));
    assert_eq!(p("[::1]:99"), Some((Transport::Any, "::1".into(), 99)));
    assert_eq!(p("[::1]"), Some((Transport::Any, "::1".into(), 88)));
    assert_eq!(p("fe80::1"), Some((Transport::Any, "fe80::1".into(), 88)));
    assert_eq!(p("tcp/h:5"), Some((Transport::Tcp, "h".into(), 5)));
    assert_eq!(p("udp/[::1]:5"), Some((Transport::Udp, "::1".into(), 5)));
    assert_eq!(p("h:99999"), None);
    assert_eq!(p("[::1"), None);
    assert_eq!(p("[::1]x"), None);
    assert_eq!(p(":88"), None);
    assert_eq!(p(""), None);
}

#[test]
fn quoted_values_and_brace_forms() {
    let p = Profile::parse_str(
        "[a]\n x = \"  spaced \\\"q\\\" \\\\ \\n \"\n y = {   \n  z = 1\n }\n",
        "t",
    )
    .unwrap();
    assert_eq!(p.get_str(&["a", "x"]), Some("  spaced \"q\" \\ \n "));
    assert_eq!(p.get_str(&["a", "y", "z"]), Some("1"));
    assert_eq!(p.get_all(&["a", "x"])[0].origin.line, 2);
}

#[test]
fn final_section_ignores_later_ones() {
    let p = Profile::parse_str("[a]*\n x = 1\n[a]\n x = 2\n y = 3\n", "t").unwrap();
    assert_eq!(p.get_strs(&["a", "x"]), vec!["1"]);
    assert_eq!(p.get_str(&["a", "y"]), None);
}

#[test]
fn writer_round_trips() {
    let text = Krb5ConfWriter::new("DEV.TESSERA")
        .kdc("127.0.0.1:8888")
        .kdc("tcp/[::1]:8888")
        .admin_server("127.0.0.1:8749")
        .kpasswd_server("127.0.0.1:8464")
        .libdefault("forwardable", "true")
        .libdefault("ticket_lifetime", "10h")
        .libdefault("weird", " needs \"quoting\"\n")
        .domain_realm(".dev.tessera", "DEV.TESSERA")
        .render();
    let conf = Krb5Conf::parse_str(&text, "generated").unwrap();
    assert_eq!(conf.default_realm.as_deref(), Some("DEV.TESSERA"));
    assert!(conf.forwardable);
    assert_eq!(conf.ticket_lifetime, Some(Duration::from_secs(36_000)));
    assert_eq!(
        conf.profile.get_str(&["libdefaults", "weird"]),
        Some(" needs \"quoting\"\n")
    );
    assert_eq!(
        conf.kdc_addresses("DEV.TESSERA"),
        vec![("127.0.0.1".into(), 8888), ("::1".into(), 8888)]
    );
    assert_eq!(
        conf.kpasswd_addresses("DEV.TESSERA"),
        vec![("127.0.0.1".into(), 8464)]
    );
    assert_eq!(conf.realm_for_host("a.dev.tessera"), Some("DEV.TESSERA"));
    let t2 = render_krb5_conf(
        "R",
        &["127.0.0.1:1"],
        Some("127.0.0.1:2"),
        None,
        &[("udp_preference_limit", "1")],
    );
    let c2 = Krb5Conf::parse_str(&t2, "g").unwrap();
    assert_eq!(c2.udp_preference_limit, 1);
    // kpasswd falls back to the admin server host on port 464.
    assert_eq!(c2.kpasswd_addresses("R"), vec![("127.0.0.1".into(), 464)]);
    // ... and without an admin server to the KDC hosts on port 464.
    let t3 = render_krb5_conf(
        "R",
        &["127.0.0.1:88", "tcp/127.0.0.1:1088", "kdc2.r:8888"],
        None,
        None,
        &[],
    );
    let c3 = Krb5Conf::parse_str(&t3, "g").unwrap();
    assert_eq!(
        c3.kpasswd_addresses("R"),
        vec![("127.0.0.1".into(), 464), ("kdc2.r".into(), 464)]
    );
}

#[test]
fn mit_accepts_rendered_config() {
    // MIT's klist reads krb5.conf at startup and fails on a syntax error.
    if !common::require_mit() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("krb5.conf");
    std::fs::write(
        &conf,
        Krb5ConfWriter::new("DEV.TESSERA")
            .kdc("127.0.0.1:8888")
            .libdefault("weird", " q\"\n")
            .render(),
    )
    .unwrap();
    let out = std::process::Command::new("/usr/bin/klist")
        .args(["-c", "FILE:/nonexistent/cc"])
        .env("KRB5_CONFIG", &conf)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("No credentials cache found"), "{err}");
    // Sanity: MIT rejects a broken file, so the check above means something.
    std::fs::write(&conf, "[libdefaults]\n oops\n").unwrap();
    let out = std::process::Command::new("/usr/bin/klist")
        .args(["-c", "FILE:/nonexistent/cc"])
        .env("KRB5_CONFIG", &conf)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Improper format"), "{err}");
}
