//! The client side: build an AP-REQ from a cached credential, then check
//! the service's AP-REP.

use tessera_proto::crypto::{EncType, Key, usage};
use tessera_proto::msg::time::{join_unix_micros, microseconds, split_unix_micros};
use tessera_proto::msg::{
    self, ApOptions, ApRep, ApReq, Authenticator, EncApRepPart, EncryptionKey, KrbError,
    MessageType, PVNO, Principal, Ticket, encrypted_data,
};

use super::error::ApError;
use super::{ApSession, Role, principal_from_kt, random_seq};
use crate::ccache::Credential;
use crate::gss::GssChecksum;

/// What goes in the authenticator's checksum field.
#[derive(Debug, Clone, Default)]
pub enum AuthChecksum {
    /// No checksum.
    #[default]
    None,
    /// A keyed checksum (usage 10) of application data, made with the
    /// session key's checksum type.
    AppData(Vec<u8>),
    /// The GSS-API 0x8003 checksum (RFC 4121 section 4.1.1).
    Gss(GssChecksum),
}

/// Options for [`build_ap_req`].
#[derive(Debug, Clone)]
pub struct ApReqOptions {
    /// Set MUTUAL-REQUIRED and expect an AP-REP (default true).
    pub mutual: bool,
    /// Send a fresh random subkey of the session key's enctype (default true).
    pub subkey: bool,
    /// The authenticator checksum (default none).
    pub checksum: AuthChecksum,
}

impl Default for ApReqOptions {
    fn default() -> Self {
        Self {
            mutual: true,
            subkey: true,
            checksum: AuthChecksum::None,
        }
    }
}

/// What the initiator remembers between sending the AP-REQ and receiving
/// the AP-REP.
#[derive(Debug, Clone)]
pub struct InitiatorState {
    session_key: Key,
    subkey: Option<Key>,
    seq: u32,
    ctime_micros: i64,
    client: Principal,
    server: Principal,
    mutual: bool,
}

/// Builds a DER AP-REQ for the service ticket in `cred`, at client time
/// `now_micros` (microseconds since the Unix epoch).
pub fn build_ap_req(
    cred: &Credential,
    opts: &ApReqOptions,
    now_micros: i64,
) -> Result<(Vec<u8>, InitiatorState), ApError> {
    let etype =
        EncType::from_i32(cred.key_enctype).ok_or(ApError::UnsupportedEnctype(cred.key_enctype))?;
    let session_key = Key::from_bytes(etype, &cred.key)
        .map_err(|_| ApError::BadCredential("session key has the wrong length"))?;
    let ticket: Ticket = msg::decode(&cred.ticket)?;
    let client = principal_from_kt(&cred.client);
    let server = principal_from_kt(&cred.server);
    let subkey = if opts.subkey {
        Some(Key::random(etype)?)
    } else {
        None
    };
    let seq = random_seq()?;
    // Whole microseconds, split into KerberosTime seconds and cusec.
    let (ctime, cusec) = split_unix_micros(now_micros)?;
    let cksum = match &opts.checksum {
        AuthChecksum::None => None,
        AuthChecksum::AppData(data) => {
            let c = session_key.checksum(usage::AP_REQ_AUTH_CKSUM, data)?;
            Some(msg::Checksum {
                r#type: c.cksumtype.as_i32(),
                checksum: c.value.into(),
            })
        }
        AuthChecksum::Gss(g) => Some(msg::Checksum {
            r#type: crate::gss::GSS_CHECKSUM_TYPE,
            checksum: g.encode().into(),
        }),
    };
    let (cname, crealm) = client.to_asn1().map_err(msg::BuildError::from)?;
    let auth = Authenticator {
        authenticator_vno: PVNO.into(),
        crealm,
        cname,
        cksum,
        cusec: microseconds(cusec)?,
        ctime,
        subkey: subkey.as_ref().map(|k| EncryptionKey {
            r#type: k.etype().as_i32(),
            value: k.as_bytes().to_vec().into(),
        }),
        seq_number: Some(seq),
        authorization_data: None,
    };
    let auth_der = zeroize::Zeroizing::new(msg::encode(&auth)?);
    let enc = session_key.encrypt(usage::AP_REQ_AUTH, &auth_der)?;
    let options = if opts.mutual {
        ApOptions::MUTUAL_REQUIRED
    } else {
        ApOptions::EMPTY
    };
    let req = ApReq {
        pvno: PVNO.into(),
        msg_type: MessageType::ApReq.as_i32().into(),
        ap_options: options.to_asn1(),
        ticket,
        authenticator: encrypted_data(etype.as_i32(), None, enc),
    };
    let bytes = msg::encode(&req)?;
    let state = InitiatorState {
        session_key,
        subkey,
        seq,
        ctime_micros: now_micros,
        client,
        server,
        mutual: opts.mutual,
    };
    Ok((bytes, state))
}

pub(crate) fn check_msg_header(
    pvno: &msg::Integer,
    msg_type: &msg::Integer,
    want: MessageType,
) -> Result<(), ApError> {
    let pvno = i64::try_from(pvno).unwrap_or(-1);
    if pvno != i64::from(PVNO) {
        return Err(ApError::BadVersion(pvno));
    }
    let mt = i64::try_from(msg_type).unwrap_or(-1);
    if mt != i64::from(want.as_i32()) {
        return Err(ApError::WrongMessageType {
            expected: want.as_i32(),
            got: mt,
        });
    }
    Ok(())
}

/// A peer's KRB-ERROR as an [`ApError::PeerError`].
pub(crate) fn peer_error(bytes: &[u8]) -> ApError {
    match msg::decode::<KrbError>(bytes) {
        Ok(e) => {
            let mut text = msg::error_code_text(e.error_code);
            if let Some(t) = &e.e_text {
                text.push_str(": ");
                text.push_str(&String::from_utf8_lossy(t.as_bytes()));
            }
            ApError::PeerError {
                code: e.error_code,
                text,
            }
        }
        Err(e) => ApError::Decode(e),
    }
}

impl InitiatorState {
    /// Whether the AP-REQ asked for mutual authentication.
    pub fn mutual(&self) -> bool {
        self.mutual
    }

    /// The service principal.
    pub fn server(&self) -> &Principal {
        &self.server
    }

    /// Checks the service's reply: an AP-REP whose encrypted part (usage
    /// 12, session key) echoes our ctime/cusec, or a KRB-ERROR (returned
    /// as [`ApError::PeerError`]). Takes the acceptor subkey and sequence
    /// number if present.
    pub fn verify_ap_rep(self, reply: &[u8]) -> Result<ApSession, ApError> {
        if MessageType::peek(reply).ok() == Some(MessageType::KrbError) {
            return Err(peer_error(reply));
        }
        let rep: ApRep = msg::decode(reply)?;
        check_msg_header(&rep.pvno, &rep.msg_type, MessageType::ApRep)?;
        let plain = zeroize::Zeroizing::new(
            self.session_key
                .decrypt(usage::AP_REP_ENC_PART, &rep.enc_part.cipher)
                .map_err(ApError::decrypt("AP-REP"))?,
        );
        let part: EncApRepPart = msg::decode(&plain)?;
        let theirs = join_unix_micros(&part.ctime, &part.cusec)?;
        if theirs != self.ctime_micros {
            return Err(ApError::MutualFailed);
        }
        let acceptor_subkey = match &part.subkey {
            Some(k) => {
                let et =
                    EncType::from_i32(k.r#type).ok_or(ApError::UnsupportedEnctype(k.r#type))?;
                Some(Key::from_bytes(et, &k.value)?)
            }
            None => None,
        };
        Ok(ApSession {
            role: Role::Initiator,
            client: self.client,
            server: self.server,
            session_key: self.session_key,
            initiator_subkey: self.subkey,
            acceptor_subkey,
            initiator_seq: self.seq,
            acceptor_seq: part.seq_number.unwrap_or(self.seq),
            mutual: true,
        })
    }

    /// The session when no AP-REP is expected (mutual authentication not
    /// requested): both directions start at our sequence number.
    pub fn without_ap_rep(self) -> ApSession {
        ApSession {
            role: Role::Initiator,
            client: self.client,
            server: self.server,
            session_key: self.session_key,
            initiator_subkey: self.subkey,
            acceptor_subkey: None,
            initiator_seq: self.seq,
            acceptor_seq: self.seq,
            mutual: false,
        }
    }
}
