//! A minimal in-process Kerberos client for driving `Kdc::handle` in the
//! core tests: a temporary realm, AS-REQ with PA-ENC-TIMESTAMP, TGS-REQ
//! with authenticator and body checksum, and reply decoding.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    dead_code,
    missing_debug_implementations
)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tessera_kdc::config::KdcConfig;
use tessera_kdc::core::Kdc;
use tessera_kdc::db::{
    MasterKey, PrincipalEntry, PrincipalFlags, PrincipalStore, SqliteStore, StoreOptions,
};
use tessera_kdc::net::Transport;
use tessera_kdc::realm::{KeySource, PrincipalAttrs, create_principal};
use tessera_proto::crypto::{EncType, Key, Password, usage};
use tessera_proto::msg::asn1::{EncAsRepPart, EncTgsRepPart, KdcRep, KdcReq};
use tessera_proto::msg::{
    ApOptions, ApReq, AsRep, AsReq, Authenticator, Checksum, EncKdcRepPart, EncTicketPart,
    EncryptedData, HostAddresses, KdcOptions, KdcReqBody, KerberosTime, KerberosTimeExt, KrbError,
    MessageType, PaData, PaDataType, Principal, TgsRep, TgsReq, Ticket, decode, encode,
    encrypted_data, pa_data, pa_data_der, pa_data_raw, pa_enc_ts_enc,
};

pub const REALM: &str = "TEST.REALM";
pub const PASSWORD: &str = "correct horse battery staple";
pub const NOW: i64 = 1_800_000_000;
pub const HOUR: i64 = 3600;

pub fn t(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs as u64)
}

pub fn peer() -> SocketAddr {
    "127.0.0.1:50000".parse().unwrap()
}

pub struct Realm {
    pub _dir: tempfile::TempDir,
    pub store: Arc<SqliteStore>,
    pub config: KdcConfig,
    pub kdc: Kdc,
}

pub fn user(name: &str) -> String {
    format!("{name}@{REALM}")
}

pub fn krbtgt() -> String {
    format!("krbtgt/{REALM}@{REALM}")
}

pub const SERVICE: &str = "host/server.example@TEST.REALM";

/// A realm with krbtgt (random 20/18/native keys), `alice` (password, 18
/// and 17 keys), `host/server.example` (random 18 key) and
/// `kadmin/changepw` (password-change service).
pub fn realm() -> Realm {
    realm_with("")
}

pub fn realm_with(policy_extra: &str) -> Realm {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        r#"
realm = "{REALM}"
[database]
dir = "{}"
master_key_env = "TESSERA_CORE_TEST_UNUSED"
[policy]
{policy_extra}
"#,
        dir.path().display()
    );
    let config = KdcConfig::parse(&text, "kdc.toml", dir.path()).unwrap();
    let opts = StoreOptions {
        refresh_interval: Duration::from_millis(0),
        ..StoreOptions::default()
    };
    let store = Arc::new(
        SqliteStore::create(
            &dir.path().join("db.sqlite3"),
            REALM,
            MasterKey::from_bytes([9; 32]),
            opts,
        )
        .unwrap(),
    );
    let attrs = PrincipalAttrs::from_policy(&config.policy);
    let now = t(NOW - 1000);
    create_principal(
        store.as_ref(),
        &krbtgt(),
        KeySource::Random,
        &[
            EncType::Aes256GcmArgon2id,
            EncType::Aes256CtsHmacSha384192,
            EncType::Aes256CtsHmacSha196,
        ],
        &attrs,
        now,
    )
    .unwrap();
    create_principal(
        store.as_ref(),
        &user("alice"),
        KeySource::Password(&Password::new(PASSWORD)),
        &[EncType::Aes256CtsHmacSha196, EncType::Aes128CtsHmacSha196],
        &attrs,
        now,
    )
    .unwrap();
    create_principal(
        store.as_ref(),
        SERVICE,
        KeySource::Random,
        &[EncType::Aes256CtsHmacSha196],
        &attrs,
        now,
    )
    .unwrap();
    let mut cpw = attrs.clone();
    cpw.flags |= PrincipalFlags::PWCHANGE_SERVICE;
    create_principal(
        store.as_ref(),
        &format!("kadmin/changepw@{REALM}"),
        KeySource::Random,
        &[EncType::Aes256CtsHmacSha196],
        &cpw,
        now,
    )
    .unwrap();
    let dyn_store: Arc<dyn PrincipalStore> = store.clone();
    let kdc = Kdc::new(dyn_store, &config);
    Realm {
        _dir: dir,
        store,
        config,
        kdc,
    }
}

impl Realm {
    /// `name`'s stored entry, once the KDC's background lockout writer has
    /// written what it queued.
    pub fn entry(&self, name: &str) -> PrincipalEntry {
        assert!(self.kdc.lockout().flush(Duration::from_secs(60)));
        (*self.store.get(name).unwrap().unwrap()).clone()
    }

    /// Modifies a principal in the store.
    pub fn modify(&self, name: &str, f: impl FnOnce(&mut PrincipalEntry)) {
        let mut e = self.entry(name);
        f(&mut e);
        self.store.update(&e).unwrap();
    }

    /// The current key of `etype` of a principal.
    pub fn key(&self, name: &str, etype: EncType) -> Key {
        let e = self.entry(name);
        let kd = e.key(e.current_kvno(), etype.as_i32()).unwrap();
        Key::from_bytes(etype, kd.key.as_bytes()).unwrap()
    }

    /// Any key of a principal matching an EncryptedData's etype and kvno.
    pub fn key_for(&self, name: &str, enc: &EncryptedData) -> Key {
        let e = self.entry(name);
        let kd = e.key(enc.kvno.unwrap(), enc.etype).unwrap();
        Key::from_bytes(EncType::from_i32(enc.etype).unwrap(), kd.key.as_bytes()).unwrap()
    }

    pub fn send(&self, req: &[u8], now: i64) -> Reply {
        self.send_on(req, now, Transport::Tcp)
    }

    pub fn send_on(&self, req: &[u8], now: i64, transport: Transport) -> Reply {
        let bytes = self
            .kdc
            .handle(req, peer(), transport, t(now))
            .expect("the KDC answered");
        Reply::parse(&bytes)
    }

    /// Decrypts a ticket with the server's key from the store.
    pub fn open_ticket(&self, server: &str, ticket: &Ticket) -> EncTicketPart {
        let key = self.key_for(server, &ticket.enc_part);
        let plain = key
            .decrypt(usage::KDC_REP_TICKET, &ticket.enc_part.cipher)
            .unwrap();
        decode(&plain).unwrap()
    }
}

#[derive(Debug)]
pub enum Reply {
    As(KdcRep),
    Tgs(KdcRep),
    Error(KrbError),
}

impl Reply {
    pub fn parse(bytes: &[u8]) -> Reply {
        match MessageType::peek(bytes).unwrap() {
            MessageType::AsRep => Reply::As(decode::<AsRep>(bytes).unwrap().0),
            MessageType::TgsRep => Reply::Tgs(decode::<TgsRep>(bytes).unwrap().0),
            MessageType::KrbError => Reply::Error(decode::<KrbError>(bytes).unwrap()),
            other => panic!("unexpected reply {other}"),
        }
    }

    pub fn error(self) -> KrbError {
        match self {
            Reply::Error(e) => e,
            other => panic!("expected KRB-ERROR, got {other:?}"),
        }
    }

    pub fn code(self) -> i32 {
        self.error().error_code
    }

    pub fn into_as_rep(self) -> KdcRep {
        match self {
            Reply::As(r) => r,
            Reply::Error(e) => panic!("expected AS-REP, got error {}", e.error_code),
            other => panic!("expected AS-REP, got {other:?}"),
        }
    }

    pub fn into_tgs_rep(self) -> KdcRep {
        match self {
            Reply::Tgs(r) => r,
            Reply::Error(e) => panic!("expected TGS-REP, got error {}", e.error_code),
            other => panic!("expected TGS-REP, got {other:?}"),
        }
    }
}

pub fn kt(secs: i64) -> KerberosTime {
    KerberosTime::from_unix(secs).unwrap()
}

pub fn name(p: &str) -> Principal {
    Principal::parse(p).unwrap()
}

/// An AS-REQ body with sensible defaults (till = now + 1 day).
pub fn as_body(client: &str, server: &str, etypes: &[i32], opts: KdcOptions) -> KdcReqBody {
    let c = name(client);
    let s = name(server);
    KdcReqBody {
        kdc_options: opts.to_asn1(),
        cname: Some(c.to_principal_name().unwrap()),
        realm: s.to_realm().unwrap(),
        sname: Some(s.to_principal_name().unwrap()),
        from: None,
        till: kt(NOW + 24 * HOUR),
        rtime: None,
        nonce: 424242,
        etype: etypes.to_vec(),
        addresses: None,
        enc_authorization_data: None,
        additional_tickets: None,
    }
}

pub fn as_req(body: KdcReqBody, padata: Vec<PaData>) -> Vec<u8> {
    let req = AsReq(KdcReq {
        pvno: 5.into(),
        msg_type: 10.into(),
        padata: (!padata.is_empty()).then_some(padata),
        req_body: body,
    });
    encode(&req).unwrap()
}

/// alice's key for `etype` from her password.
pub fn alice_key(etype: EncType, password: &str) -> Key {
    Key::from_password(
        etype,
        &Password::new(password),
        format!("{REALM}alice").as_bytes(),
        None,
    )
    .unwrap()
}

pub fn pa_enc_timestamp(key: &Key, at: i64) -> PaData {
    let ts = encode(&pa_enc_ts_enc(at, Some(123)).unwrap()).unwrap();
    let cipher = key.encrypt(usage::AS_REQ_PA_ENC_TIMESTAMP, &ts).unwrap();
    let enc = encrypted_data(key.etype().as_i32(), None, cipher);
    pa_data_der(PaDataType::EncTimestamp, &enc).unwrap()
}

/// Decrypts an AS-REP's encrypted part.
pub fn open_as_rep(rep: &KdcRep, key: &Key) -> EncKdcRepPart {
    let plain = key
        .decrypt(usage::AS_REP_ENC_PART, &rep.enc_part.cipher)
        .unwrap();
    decode::<EncAsRepPart>(&plain).unwrap().0
}

/// A TGT (AS exchange with preauth) for alice with the given options.
pub struct Creds {
    pub ticket: Ticket,
    pub session: Key,
    pub part: EncKdcRepPart,
}

pub fn creds_from(rep: &KdcRep, part: EncKdcRepPart) -> Creds {
    let session =
        Key::from_bytes(EncType::from_i32(part.key.r#type).unwrap(), &part.key.value).unwrap();
    Creds {
        ticket: rep.ticket.clone(),
        session,
        part,
    }
}

pub fn get_tgt(r: &Realm, opts: KdcOptions, till: i64, rtime: Option<i64>, now: i64) -> Creds {
    let key = alice_key(EncType::Aes256CtsHmacSha196, PASSWORD);
    let mut body = as_body(&user("alice"), &krbtgt(), &[18, 17], opts);
    body.till = kt(till);
    body.rtime = rtime.map(kt);
    let rep = r
        .send(&as_req(body, vec![pa_enc_timestamp(&key, now)]), now)
        .into_as_rep();
    let part = open_as_rep(&rep, &key);
    creds_from(&rep, part)
}

/// A TGS-REQ body for `server`.
pub fn tgs_body(server: &str, etypes: &[i32], opts: KdcOptions, till: i64) -> KdcReqBody {
    let s = name(server);
    KdcReqBody {
        kdc_options: opts.to_asn1(),
        cname: None,
        realm: s.to_realm().unwrap(),
        sname: Some(s.to_principal_name().unwrap()),
        from: None,
        till: kt(till),
        rtime: None,
        nonce: 777,
        etype: etypes.to_vec(),
        addresses: None,
        enc_authorization_data: None,
        additional_tickets: None,
    }
}

/// How to build the authenticator of a TGS-REQ.
#[derive(Default)]
pub struct AuthOpts {
    pub ctime: Option<i64>,
    pub cusec: u32,
    pub subkey: Option<Key>,
    /// Checksum over this body instead of the real one.
    pub checksum_body: Option<KdcReqBody>,
    pub no_checksum: bool,
    /// The authenticator's client (default alice).
    pub client: Option<String>,
}

pub fn tgs_req(creds: &Creds, body: KdcReqBody, now: i64, a: AuthOpts) -> Vec<u8> {
    let cksum_body = encode(a.checksum_body.as_ref().unwrap_or(&body)).unwrap();
    let ck = creds
        .session
        .checksum(usage::TGS_REQ_AUTH_CKSUM, &cksum_body)
        .unwrap();
    let alice = name(a.client.as_deref().unwrap_or(&user("alice")));
    let auth = Authenticator {
        authenticator_vno: 5.into(),
        crealm: alice.to_realm().unwrap(),
        cname: alice.to_principal_name().unwrap(),
        cksum: (!a.no_checksum).then(|| Checksum {
            r#type: ck.cksumtype.as_i32(),
            checksum: ck.value.clone().into(),
        }),
        cusec: a.cusec.into(),
        ctime: kt(a.ctime.unwrap_or(now)),
        subkey: a
            .subkey
            .as_ref()
            .map(|k| tessera_proto::msg::EncryptionKey {
                r#type: k.etype().as_i32(),
                value: k.as_bytes().to_vec().into(),
            }),
        seq_number: None,
        authorization_data: None,
    };
    let enc_auth = creds
        .session
        .encrypt(usage::TGS_REQ_AUTH, &encode(&auth).unwrap())
        .unwrap();
    let ap = ApReq {
        pvno: 5.into(),
        msg_type: 14.into(),
        ap_options: ApOptions::EMPTY.to_asn1(),
        ticket: creds.ticket.clone(),
        authenticator: encrypted_data(creds.session.etype().as_i32(), None, enc_auth),
    };
    let pa = pa_data(PaDataType::TgsReq, encode(&ap).unwrap());
    let req = TgsReq(KdcReq {
        pvno: 5.into(),
        msg_type: 12.into(),
        padata: Some(vec![pa]),
        req_body: body,
    });
    encode(&req).unwrap()
}

/// Decrypts a TGS-REP's encrypted part with the session key or a subkey.
pub fn open_tgs_rep(rep: &KdcRep, key: &Key, subkey: bool) -> EncKdcRepPart {
    let u = if subkey {
        usage::TGS_REP_ENC_PART_SUBKEY
    } else {
        usage::TGS_REP_ENC_PART_SESSION_KEY
    };
    let plain = key.decrypt(u, &rep.enc_part.cipher).unwrap();
    decode::<EncTgsRepPart>(&plain).unwrap().0
}

pub fn flags(part: &EncKdcRepPart) -> tessera_proto::msg::TicketFlags {
    tessera_proto::msg::TicketFlags::from_asn1(&part.flags)
}

pub fn addresses() -> HostAddresses {
    vec![tessera_proto::msg::HostAddress {
        addr_type: 2,
        address: vec![127, 0, 0, 1].into(),
    }]
}

/// The same TGS-REQ with one more (ignored) PA-DATA: other bytes, same
/// authenticator and body, as an attacker replaying a captured request
/// would send it to get past the lookaside cache.
pub fn with_extra_padata(req: &[u8]) -> Vec<u8> {
    let TgsReq(KdcReq {
        pvno,
        msg_type,
        padata,
        req_body,
    }) = decode::<TgsReq>(req).unwrap();
    let mut padata = padata.unwrap();
    padata.push(pa_data_raw(128, vec![0x30, 0x03, 0x01, 0x01, 0xff]));
    encode(&TgsReq(KdcReq {
        pvno,
        msg_type,
        padata: Some(padata),
        req_body,
    }))
    .unwrap()
}
