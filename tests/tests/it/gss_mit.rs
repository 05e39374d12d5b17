//! GSS-API interop with MIT's krb5 mechanism (Debian's python3-gssapi):
//! MIT initiator -> our acceptor, our initiator -> MIT acceptor, then
//! wrap/unwrap (sealed and clear) and MIC tokens both ways.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use tessera_client::gss::{GssContext, GssError, GssFlags};
use tessera_tests::mit::require_mit;

use crate::ap_fixture::{ApRealm, now};

const PYTHON: &str = "/usr/bin/python3";

struct Peer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Peer {
    fn start(realm: &ApRealm, args: &[&str]) -> Peer {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/gss/mit_peer.py");
        let mut child = Command::new(PYTHON)
            .arg(script)
            .args(args)
            .envs(realm.kdc.env())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start python3");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Peer {
            child,
            stdin,
            stdout,
        }
    }

    fn line(&mut self) -> String {
        let mut l = String::new();
        self.stdout.read_line(&mut l).unwrap();
        assert!(!l.is_empty(), "MIT peer exited early");
        l.trim().to_string()
    }

    fn recv(&mut self) -> Vec<u8> {
        hex::decode(self.line()).unwrap()
    }

    fn send(&mut self, tok: &[u8]) {
        writeln!(self.stdin, "{}", hex::encode(tok)).unwrap();
        self.stdin.flush().unwrap();
    }

    fn expect_ok(&mut self, what: &str) {
        let l = self.line();
        assert!(l.starts_with("OK"), "MIT peer at {what}: {l}");
    }

    fn finish(mut self) {
        let st = self.child.wait().unwrap();
        assert!(st.success(), "MIT peer failed: {st}");
    }
}

/// The shared per-message script (see tests/gss/mit_peer.py).
fn per_message(peer: &mut Peer, ctx: &mut GssContext) {
    let sealed = peer.recv();
    let mic = peer.recv();
    let clear = peer.recv();
    assert_eq!(
        ctx.unwrap(&sealed).unwrap(),
        (b"wrap from mit".to_vec(), true)
    );
    ctx.verify_mic(b"mic from mit", &mic).unwrap();
    assert_eq!(
        ctx.unwrap(&clear).unwrap(),
        (b"clear from mit".to_vec(), false)
    );
    // A replayed token is refused.
    assert!(matches!(
        ctx.unwrap(&clear),
        Err(GssError::Duplicate { .. })
    ));

    peer.send(&ctx.wrap(b"wrap from tessera", true).unwrap());
    peer.expect_ok("unwrap sealed");
    peer.send(&ctx.get_mic(b"mic from tessera").unwrap());
    peer.expect_ok("verify_mic");
    peer.send(&ctx.wrap(b"clear from tessera", false).unwrap());
    peer.expect_ok("unwrap clear");
}

#[test]
fn mit_initiator_to_our_acceptor() {
    if !require_mit() {
        return;
    }
    for enctype in ["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha256-128"] {
        let realm = ApRealm::start("GSSA.TEST", &[enctype]);
        let acceptor = realm.acceptor();
        let mut peer = Peer::start(&realm, &["initiate", "host@localhost"]);
        let token = peer.recv();
        let (mut ctx, reply) =
            GssContext::accept(&acceptor, &token, now(), Some(&realm.service())).unwrap();
        assert_eq!(ctx.client().to_string(), "user@GSSA.TEST");
        assert!(ctx.flags().contains(GssFlags::MUTUAL | GssFlags::SEQUENCE));
        peer.send(&reply.expect("mutual auth asks for an AP-REP token"));
        peer.expect_ok("context completion");
        per_message(&mut peer, &mut ctx);
        peer.finish();
        // The same initial token again is a replay.
        let err = GssContext::accept(&acceptor, &token, now(), None).unwrap_err();
        assert!(
            matches!(err, GssError::Ap(tessera_client::ap::ApError::Repeat)),
            "{enctype}: {err:?}"
        );
    }
}

#[test]
fn our_initiator_to_mit_acceptor() {
    if !require_mit() {
        return;
    }
    for enctype in ["aes256-cts-hmac-sha1-96", "aes256-cts-hmac-sha384-192"] {
        let realm = ApRealm::start("GSSI.TEST", &[enctype]);
        let cred = realm.credential();
        let mut peer = Peer::start(&realm, &["accept"]);
        let (token, pending) = GssContext::initiate(&cred, GssFlags::DEFAULT, now()).unwrap();
        peer.send(&token);
        let reply = peer.recv();
        peer.expect_ok("accept");
        let mut ctx = pending.step(&reply).unwrap();
        per_message(&mut peer, &mut ctx);
        peer.finish();
    }
}
