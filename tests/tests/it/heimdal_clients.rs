//! Heimdal 7.8's clients against OUR KDC (in-process, real loopback
//! sockets), each operation repeated [`ROUNDS`] times because Heimdal's
//! requests vary from one run to the next (nonces, times, padata, options):
//! password and keytab `kinit.heimdal` (forwardable or not, renewable),
//! `kinit.heimdal --renew`, `kgetcred` service tickets (decrypted with the
//! service's keytab), `kpasswd.heimdal` (the new password works, the old
//! one is refused) and a GSS-API exchange through Heimdal's libgssapi.
//!
//! Tickets are checked by reading Heimdal's credential cache with our
//! parser: flags, times, and for service tickets the enc-part decrypted
//! with the keytab's key. Every third round of the kinit and kgetcred
//! tests goes over TCP only (`kdc = tcp/...`), the others over UDP.

use std::path::{Path, PathBuf};

use tessera_client::ccache::{Credential, CredentialCache, flags};
use tessera_client::convert::keytab_entry_key;
use tessera_client::keytab::Keytab;
use tessera_proto::crypto::usage;
use tessera_proto::msg::{EncTicketPart, Principal, Ticket, decode};
use tessera_tests::heimdal::{Heimdal, require_heimdal};
use tessera_tests::mit::Run;
use tessera_tests::realm::{RealmOptions, TestRealm};

use crate::admin_remote::DevKdc;

/// How many times each operation runs.
pub(crate) const ROUNDS: usize = 50;

pub(crate) const PYTHON: &str = "/usr/bin/python3";

/// Heimdal's tools against one of our realms, with a credential cache of
/// their own.
pub(crate) struct HeimdalAgainst {
    pub(crate) heimdal: Heimdal,
    pub(crate) env: Vec<(String, String)>,
    ccache: PathBuf,
}

impl HeimdalAgainst {
    /// `env` must hold KRB5_CONFIG; KRB5CCNAME is replaced by `ccache`.
    pub(crate) fn new(heimdal: Heimdal, env: &[(String, String)], ccache: PathBuf) -> Self {
        let mut env: Vec<(String, String)> = env
            .iter()
            .filter(|(k, _)| k != "KRB5CCNAME" && k != "KRB5_TRACE")
            .cloned()
            .collect();
        env.push(("KRB5CCNAME".into(), format!("FILE:{}", ccache.display())));
        HeimdalAgainst {
            heimdal,
            env,
            ccache,
        }
    }

    pub(crate) fn run(&self, tool: &str, args: &[&str], stdin: Option<&str>) -> Run {
        self.heimdal.run(tool, args, &self.env, stdin)
    }

    /// Like [`HeimdalAgainst::run`], over TCP only when `tcp`: a copy of
    /// the krb5.conf whose `kdc = HOST:PORT` lines say `tcp/HOST:PORT`.
    fn run_over(&self, tcp: bool, tool: &str, args: &[&str]) -> Run {
        if !tcp {
            return self.run(tool, args, None);
        }
        let conf = self
            .env
            .iter()
            .find(|(k, _)| k == "KRB5_CONFIG")
            .map(|(_, v)| PathBuf::from(v))
            .expect("KRB5_CONFIG");
        let tcp_conf = self.ccache.with_extension("tcp.conf");
        if !tcp_conf.exists() {
            let text = std::fs::read_to_string(&conf).expect("krb5.conf");
            let rewritten = text.replace("kdc = 127.0.0.1:", "kdc = tcp/127.0.0.1:");
            assert_ne!(rewritten, text, "no kdc line in {}", conf.display());
            std::fs::write(&tcp_conf, rewritten).expect("write tcp krb5.conf");
        }
        let mut env = self.env.clone();
        for (k, v) in &mut env {
            if k == "KRB5_CONFIG" {
                *v = tcp_conf.display().to_string();
            }
        }
        self.heimdal.run(tool, args, &env, None)
    }

    pub(crate) fn cache(&self) -> CredentialCache {
        let bytes = std::fs::read(&self.ccache).expect("read Heimdal's ccache");
        CredentialCache::parse(&bytes).expect("our parser reads Heimdal's ccache")
    }
}

pub(crate) fn tgt<'a>(cc: &'a CredentialCache, realm: &str) -> &'a Credential {
    let name = format!("krbtgt/{realm}@{realm}");
    cc.tickets()
        .find(|c| c.server.to_string() == name)
        .unwrap_or_else(|| panic!("no {name} in {cc:?}"))
}

/// Decrypts `cred`'s ticket with the keytab's key of the same kvno and
/// enctype and returns the ticket's contents.
pub(crate) fn open_ticket(cred: &Credential, keytab: &Path) -> EncTicketPart {
    let ticket: Ticket = decode(&cred.ticket).expect("Ticket decodes");
    let kt = Keytab::load(keytab).expect("keytab");
    let entry = kt
        .find(
            &cred.server,
            ticket.enc_part.kvno,
            Some(ticket.enc_part.etype),
        )
        .unwrap_or_else(|| {
            panic!(
                "no key for {} kvno {:?} etype {}",
                cred.server, ticket.enc_part.kvno, ticket.enc_part.etype
            )
        });
    let key = keytab_entry_key(entry).expect("key");
    let plain = key
        .decrypt(usage::KDC_REP_TICKET, &ticket.enc_part.cipher)
        .expect("service ticket decrypts with the keytab");
    decode(&plain).expect("EncTicketPart decodes")
}

pub(crate) fn write_password(dir: &Path, name: &str, password: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, format!("{password}\n")).expect("write password file");
    format!("--password-file={}", p.display())
}

/// kinit.heimdal with a password, alternately forwardable (`-f`) and not
/// (`-F`), always renewable; then `--renew`. The flags in the cache follow
/// what was asked, and renewal keeps the authtime and the flags (INITIAL
/// too, as MIT's KDC does) and issues a new ticket.
#[test]
fn heimdal_password_kinit_forwardable_renewable_and_renew() {
    let Some(heimdal) = require_heimdal() else {
        return;
    };
    let realm = TestRealm::start(RealmOptions::default());
    let r_name = realm.realm().to_owned();
    let h = HeimdalAgainst::new(heimdal, &realm.env(), realm.dir().join("heimdal_cc"));
    let pw = write_password(realm.dir(), "pw", &realm.user_password());
    for i in 0..ROUNDS {
        let forwardable = i % 2 == 0;
        let fwd = if forwardable { "-f" } else { "-F" };
        let tcp = i % 3 == 2;
        let r = h.run_over(tcp, "kinit.heimdal", &[&pw, fwd, "-r", "2d", "user"]);
        assert!(
            r.ok,
            "round {i}: kinit.heimdal {fwd} -r 2d (tcp: {tcp}) failed: {r:?}"
        );
        let cc = h.cache();
        assert_eq!(cc.default_principal.to_string(), format!("user@{r_name}"));
        let t = tgt(&cc, &r_name).clone();
        let want = flags::INITIAL | flags::PRE_AUTHENT | flags::RENEWABLE;
        assert_eq!(t.ticket_flags & want, want, "round {i}: {t:?}");
        assert_eq!(
            t.ticket_flags & flags::FORWARDABLE != 0,
            forwardable,
            "round {i}: forwardable flag does not follow {fwd}: {t:?}"
        );
        assert!(t.renew_till > t.endtime, "round {i}: {t:?}");

        let r = h.run_over(tcp, "kinit.heimdal", &["--renew"]);
        assert!(
            r.ok,
            "round {i}: kinit.heimdal --renew (tcp: {tcp}) failed: {r:?}"
        );
        let cc = h.cache();
        let renewed = tgt(&cc, &r_name);
        assert_eq!(renewed.authtime, t.authtime, "round {i}: {renewed:?}");
        assert_ne!(
            renewed.ticket, t.ticket,
            "round {i}: the ticket was not reissued"
        );
        assert!(renewed.ticket_flags & flags::RENEWABLE != 0, "{renewed:?}");
        assert_eq!(
            renewed.ticket_flags & flags::FORWARDABLE != 0,
            forwardable,
            "round {i}: renewal changed forwardable: {renewed:?}"
        );
        assert!(renewed.renew_till <= t.renew_till, "{renewed:?}");
    }
}

/// kinit.heimdal -k -t KEYTAB for the service, alternately forwardable.
#[test]
fn heimdal_keytab_kinit() {
    let Some(heimdal) = require_heimdal() else {
        return;
    };
    let realm = TestRealm::start(RealmOptions::default());
    let r_name = realm.realm().to_owned();
    let h = HeimdalAgainst::new(heimdal, &realm.env(), realm.dir().join("heimdal_cc"));
    let kt = format!("FILE:{}", realm.dev.service_keytab().display());
    for i in 0..ROUNDS {
        let fwd = if i % 2 == 0 { "-f" } else { "-F" };
        let tcp = i % 3 == 2;
        let r = h.run_over(
            tcp,
            "kinit.heimdal",
            &["-k", "-t", &kt, fwd, "host/localhost"],
        );
        assert!(
            r.ok,
            "round {i}: kinit.heimdal -k -t (tcp: {tcp}) failed: {r:?}"
        );
        let cc = h.cache();
        assert_eq!(
            cc.default_principal.to_string(),
            format!("host/localhost@{r_name}")
        );
        let t = tgt(&cc, &r_name);
        assert!(t.ticket_flags & flags::INITIAL != 0, "{t:?}");
        assert_eq!(
            t.ticket_flags & flags::FORWARDABLE != 0,
            fwd == "-f",
            "round {i}: {t:?}"
        );
    }
}

/// A fresh TGT, then `kgetcred host/localhost`: the service ticket
/// decrypts with the service's keytab and names the user.
#[test]
fn heimdal_kgetcred_service_tickets() {
    let Some(heimdal) = require_heimdal() else {
        return;
    };
    let realm = TestRealm::start(RealmOptions::default());
    let r_name = realm.realm().to_owned();
    let h = HeimdalAgainst::new(heimdal, &realm.env(), realm.dir().join("heimdal_cc"));
    let pw = write_password(realm.dir(), "pw", &realm.user_password());
    let keytab = realm.dev.service_keytab();
    let service = format!("host/localhost@{r_name}");
    for i in 0..ROUNDS {
        let fwd = if i % 2 == 0 { "-f" } else { "-F" };
        let tcp = i % 3 == 2;
        let r = h.run_over(tcp, "kinit.heimdal", &[&pw, fwd, "user"]);
        assert!(r.ok, "round {i}: kinit.heimdal (tcp: {tcp}) failed: {r:?}");
        let r = h.run_over(tcp, "kgetcred", &["host/localhost"]);
        assert!(r.ok, "round {i}: kgetcred (tcp: {tcp}) failed: {r:?}");
        let cc = h.cache();
        let cred = cc
            .tickets()
            .find(|c| c.server.to_string() == service)
            .unwrap_or_else(|| panic!("round {i}: no {service} in {cc:?}"));
        assert_eq!(cred.client.to_string(), format!("user@{r_name}"));
        let part = open_ticket(cred, &keytab);
        let client = Principal::from_asn1(&part.cname, &part.crealm).expect("client name");
        assert_eq!(client.to_string(), format!("user@{r_name}"), "round {i}");
        assert_eq!(part.key.r#type, cred.key_enctype, "round {i}");
        assert_eq!(part.key.value.as_ref(), &cred.key[..], "round {i}");
    }
}

/// `kpasswd.heimdal` against `tessera-kdc dev` (which serves RFC 3244):
/// each round changes the password; kinit.heimdal then takes the new one
/// and refuses the old one.
#[test]
fn heimdal_kpasswd_changes_password() {
    let Some(heimdal) = require_heimdal() else {
        return;
    };
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    let h = HeimdalAgainst::new(heimdal, &kdc.env(), kdc.path("heimdal_cc"));
    let mut old = kdc.user_password();
    for i in 0..ROUNDS {
        let new = format!("Heimdal-new-pass-{i}");
        let r = h.run(
            "kpasswd.heimdal",
            &["user"],
            Some(&format!("{old}\n{new}\n{new}\n")),
        );
        assert!(r.ok, "round {i}: kpasswd.heimdal failed: {r:?}");
        assert!(
            r.stdout.contains("Success") || r.stderr.contains("Success"),
            "round {i}: {r:?}"
        );
        let new_pw = write_password(&kdc.path(""), "new.pw", &new);
        let r = h.run("kinit.heimdal", &[&new_pw, "user"], None);
        assert!(r.ok, "round {i}: the new password is refused: {r:?}");
        let old_pw = write_password(&kdc.path(""), "old.pw", &old);
        let r = h.run("kinit.heimdal", &[&old_pw, "user"], None);
        assert!(!r.ok, "round {i}: the old password still works: {r:?}");
        old = new;
    }
}

/// A GSS-API exchange through Heimdal's libgssapi (tests/gss/heimdal_both.py:
/// initiator and acceptor in one process, mutual authentication, sealed
/// wrap/unwrap and MIC both ways). Each round starts from a fresh TGT, so
/// Heimdal's GSS library asks our KDC for the service ticket every time.
#[test]
fn heimdal_gss_exchange() {
    let Some(heimdal) = require_heimdal() else {
        return;
    };
    let realm = TestRealm::start(RealmOptions::default());
    let r_name = realm.realm().to_owned();
    let h = HeimdalAgainst::new(heimdal, &realm.env(), realm.dir().join("heimdal_cc"));
    let pw = write_password(realm.dir(), "pw", &realm.user_password());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/gss/heimdal_both.py");
    let lib = h.heimdal.libgssapi().display().to_string();
    let client = format!("user@{r_name}");
    for i in 0..ROUNDS {
        let r = h.run("kinit.heimdal", &[&pw, "user"], None);
        assert!(r.ok, "round {i}: kinit.heimdal failed: {r:?}");
        let r = h.heimdal.run_path(
            Path::new(PYTHON),
            &[script, &lib, "host@localhost", &client],
            &h.env,
            None,
        );
        assert!(r.ok, "round {i}: GSS exchange failed: {r:?}");
        assert!(
            r.stdout.starts_with(&format!("OK {client} ")),
            "round {i}: {r:?}"
        );
        let cc = h.cache();
        assert!(
            cc.tickets()
                .any(|c| c.server.to_string() == format!("host/localhost@{r_name}")),
            "round {i}: Heimdal's GSS library did not store the service ticket"
        );
    }
}
