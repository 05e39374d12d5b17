//! The service side: check an AP-REQ against a keytab and a replay cache
//! and build the AP-REP.

use std::sync::Arc;
use std::time::Duration;

use tessera_proto::crypto::{Checksum, ChecksumType, EncType, Key, usage};
use tessera_proto::msg::time::{join_unix_micros, split_unix_micros};
use tessera_proto::msg::{
    self, ApOptions, ApRep, ApReq, Authenticator, EncApRepPart, EncTicketPart, EncryptionKey,
    KerberosTimeExt, MessageType, PVNO, Principal, TicketFlags, encrypted_data,
};
use zeroize::Zeroizing;

use super::error::{ApError, enctype_text};
use super::initiator::check_msg_header;
use super::{ApSession, ReplayCache, Role, principal_to_kt, random_seq};
use crate::gss::{GSS_CHECKSUM_TYPE, GssChecksum};
use crate::keytab::{Keytab, KeytabEntry};

/// The default allowed clock skew (five minutes, as MIT's).
pub use tessera_proto::msg::time::DEFAULT_CLOCK_SKEW as DEFAULT_SKEW;

/// A service's AP-REQ checker: its keys, a replay cache and the allowed
/// clock skew.
#[derive(Debug)]
pub struct Acceptor {
    keytab: Keytab,
    rcache: Arc<ReplayCache>,
    skew_micros: i64,
    send_subkey: bool,
}

/// An authenticated client, and what to send back.
#[derive(Debug)]
pub struct AcceptedContext {
    /// The DER AP-REP to send when the client asked for mutual
    /// authentication (`None` otherwise).
    pub ap_rep: Option<Vec<u8>>,
    /// Keys and sequence numbers for the session.
    pub session: ApSession,
    /// The ticket's flags.
    pub ticket_flags: TicketFlags,
    /// Ticket authtime (Unix seconds).
    pub authtime: i64,
    /// Ticket endtime (Unix seconds).
    pub endtime: i64,
    /// The GSS-API 0x8003 checksum, if the authenticator carried one.
    pub gss_checksum: Option<GssChecksum>,
    /// A keyed application checksum, if the authenticator carried one;
    /// check it with [`AcceptedContext::verify_app_checksum`].
    pub app_checksum: Option<Checksum>,
}

impl AcceptedContext {
    /// The authenticated client principal.
    pub fn client(&self) -> &Principal {
        &self.session.client
    }

    /// Verifies the authenticator's keyed checksum (usage 10, session key)
    /// over the application data `data`. Fails if there was none.
    pub fn verify_app_checksum(&self, data: &[u8]) -> Result<(), ApError> {
        let c = self.app_checksum.as_ref().ok_or(ApError::Modified {
            what: "authenticator (no checksum present)",
        })?;
        self.session
            .session_key
            .verify_checksum(usage::AP_REQ_AUTH_CKSUM, data, c)
            .map_err(|_| ApError::Modified {
                what: "authenticator",
            })
    }
}

impl Acceptor {
    /// An acceptor with the keys in `keytab`, sharing `rcache`, allowing
    /// `skew` of clock difference.
    pub fn new(keytab: Keytab, rcache: Arc<ReplayCache>, skew: Duration) -> Self {
        Self {
            keytab,
            rcache,
            skew_micros: i64::try_from(skew.as_micros()).unwrap_or(i64::MAX),
            send_subkey: true,
        }
    }

    /// Whether the AP-REP carries a fresh acceptor subkey (default true,
    /// as MIT does).
    #[must_use]
    pub fn with_acceptor_subkey(mut self, on: bool) -> Self {
        self.send_subkey = on;
        self
    }

    /// The keytab in use.
    pub fn keytab(&self) -> &Keytab {
        &self.keytab
    }

    /// Checks the DER AP-REQ `ap_req` at acceptor time `now_micros`.
    ///
    /// With `expected_server`, a ticket for any other service is refused
    /// (KRB_AP_ERR_NOT_US); without, any principal in the keytab is
    /// accepted. The ticket's client addresses are not checked
    /// (addressless operation, as NAT forces in practice).
    pub fn accept(
        &self,
        ap_req: &[u8],
        now_micros: i64,
        expected_server: Option<&Principal>,
    ) -> Result<AcceptedContext, ApError> {
        let req: ApReq = msg::decode(ap_req)?;
        check_msg_header(&req.pvno, &req.msg_type, MessageType::ApReq)?;
        let options = ApOptions::from_asn1(&req.ap_options);
        if options.contains(ApOptions::USE_SESSION_KEY) {
            return Err(ApError::UserToUserUnsupported);
        }
        let server = Principal::from_asn1(&req.ticket.sname, &req.ticket.realm)
            .map_err(msg::BuildError::from)?;
        if let Some(exp) = expected_server
            && !exp.same_name(&server)
        {
            return Err(ApError::NotUs {
                ticket_server: server.to_string(),
                expected: exp.to_string(),
            });
        }

        // Ticket: find the key, decrypt (usage 2), check times.
        let enc = &req.ticket.enc_part;
        let candidates = self.service_keys(&server, enc.kvno, enc.etype)?;
        let mut ticket_plain = None;
        for k in &candidates {
            match k.decrypt(usage::KDC_REP_TICKET, &enc.cipher) {
                Ok(p) => {
                    ticket_plain = Some(Zeroizing::new(p));
                    break;
                }
                Err(e) => {
                    if candidates.len() == 1 {
                        return Err(ApError::decrypt("ticket")(e));
                    }
                }
            }
        }
        let ticket_plain = ticket_plain.ok_or(ApError::BadIntegrity { what: "ticket" })?;
        let tkt: EncTicketPart = msg::decode(&ticket_plain)?;
        let now = now_micros.div_euclid(1_000_000);
        let skew = self.skew_micros / 1_000_000;
        let flags = TicketFlags::from_asn1(&tkt.flags);
        let start = tkt.start_time.as_ref().unwrap_or(&tkt.auth_time).to_unix();
        if flags.contains(TicketFlags::INVALID) || start.saturating_sub(now) > skew {
            return Err(ApError::TicketNotYetValid {
                starttime: start,
                now,
            });
        }
        let end = tkt.end_time.to_unix();
        if now.saturating_sub(end) > skew {
            return Err(ApError::TicketExpired { endtime: end, now });
        }
        let st =
            EncType::from_i32(tkt.key.r#type).ok_or(ApError::UnsupportedEnctype(tkt.key.r#type))?;
        let session_key = Key::from_bytes(st, &tkt.key.value)?;
        let client =
            Principal::from_asn1(&tkt.cname, &tkt.crealm).map_err(msg::BuildError::from)?;

        // Authenticator: decrypt (usage 11), match the ticket, skew.
        let auth_plain = Zeroizing::new(
            session_key
                .decrypt(usage::AP_REQ_AUTH, &req.authenticator.cipher)
                .map_err(ApError::decrypt("authenticator"))?,
        );
        let auth: Authenticator = msg::decode(&auth_plain)?;
        let aclient =
            Principal::from_asn1(&auth.cname, &auth.crealm).map_err(msg::BuildError::from)?;
        if !aclient.same_name(&client) {
            return Err(ApError::BadMatch {
                authenticator: aclient.to_string(),
                ticket: client.to_string(),
            });
        }
        let ctime_micros = join_unix_micros(&auth.ctime, &auth.cusec)?;
        if ctime_micros.abs_diff(now_micros) > self.skew_micros.unsigned_abs() {
            return Err(ApError::Skew {
                ctime: auth.ctime.to_unix(),
                now,
                skew,
            });
        }
        // Checksum.
        let mut gss_checksum = None;
        let mut app_checksum = None;
        if let Some(c) = &auth.cksum {
            if c.r#type == GSS_CHECKSUM_TYPE {
                gss_checksum = Some(GssChecksum::decode(&c.checksum)?);
            } else {
                let ty = ChecksumType::from_i32(c.r#type)
                    .ok_or(ApError::InappropriateChecksum(c.r#type))?;
                if ty != session_key.etype().checksum_type() {
                    return Err(ApError::InappropriateChecksum(c.r#type));
                }
                app_checksum = Some(Checksum {
                    cksumtype: ty,
                    value: c.checksum.to_vec(),
                });
            }
        }

        let initiator_subkey = match &auth.subkey {
            Some(k) => {
                let et =
                    EncType::from_i32(k.r#type).ok_or(ApError::UnsupportedEnctype(k.r#type))?;
                Some(Key::from_bytes(et, &k.value)?)
            }
            None => None,
        };
        let initiator_seq = auth.seq_number.unwrap_or(0);

        // Replay: recorded only once everything cheap to check has passed,
        // so a request refused for another reason takes no room.
        self.rcache.check_and_insert(
            &client.to_string(),
            &server.to_string(),
            ctime_micros,
            &req.authenticator.cipher,
            now_micros,
        )?;

        // AP-REP when asked for.
        let mutual = options.contains(ApOptions::MUTUAL_REQUIRED);
        let (ap_rep, acceptor_subkey, acceptor_seq) = if mutual {
            let sub_etype = initiator_subkey.as_ref().map_or(st, Key::etype);
            let acceptor_subkey = if self.send_subkey {
                Some(Key::random(sub_etype)?)
            } else {
                None
            };
            let seq = random_seq()?;
            let (ctime, _) = split_unix_micros(ctime_micros)?;
            let part = EncApRepPart {
                ctime,
                cusec: auth.cusec.clone(),
                subkey: acceptor_subkey.as_ref().map(|k| EncryptionKey {
                    r#type: k.etype().as_i32(),
                    value: k.as_bytes().to_vec().into(),
                }),
                seq_number: Some(seq),
            };
            let part_der = Zeroizing::new(msg::encode(&part)?);
            let cipher = session_key.encrypt(usage::AP_REP_ENC_PART, &part_der)?;
            let rep = ApRep {
                pvno: PVNO.into(),
                msg_type: MessageType::ApRep.as_i32().into(),
                enc_part: encrypted_data(st.as_i32(), None, cipher),
            };
            (Some(msg::encode(&rep)?), acceptor_subkey, seq)
        } else {
            (None, None, initiator_seq)
        };

        Ok(AcceptedContext {
            ap_rep,
            session: ApSession {
                role: Role::Acceptor,
                client,
                server,
                session_key,
                initiator_subkey,
                acceptor_subkey,
                initiator_seq,
                acceptor_seq,
                mutual,
            },
            ticket_flags: flags,
            authtime: tkt.auth_time.to_unix(),
            endtime: end,
            gss_checksum,
            app_checksum,
        })
    }

    /// The keys that may decrypt a ticket for `server` with `kvno` and
    /// `etype`, or an error naming what is missing.
    fn service_keys(
        &self,
        server: &Principal,
        kvno: Option<u32>,
        etype: i32,
    ) -> Result<Vec<Key>, ApError> {
        let ktp = principal_to_kt(server);
        let mut entries: Vec<&KeytabEntry> = self.keytab.matching(&ktp).collect();
        if entries.is_empty() {
            return Err(ApError::NoKeyForPrincipal {
                principal: server.to_string(),
                kvno_text: kvno.map_or_else(|| "?".to_string(), |k| k.to_string()),
                enctype: enctype_text(etype),
            });
        }
        if EncType::from_i32(etype).is_none() {
            return Err(ApError::UnsupportedEnctype(etype));
        }
        if let Some(k) = kvno {
            // MIT keytabs may hold only the low 8 bits of the kvno.
            let same = |e: &&KeytabEntry| e.kvno == k || (e.kvno < 256 && e.kvno == k & 0xff);
            if !entries.iter().any(same) {
                let mut held: Vec<u32> = entries.iter().map(|e| e.kvno).collect();
                held.sort_unstable();
                held.dedup();
                return Err(ApError::NoKeyVersion {
                    principal: server.to_string(),
                    kvno: k,
                    enctype: enctype_text(etype),
                    held: join(held.iter().map(u32::to_string)),
                });
            }
            entries.retain(same);
        }
        let with_etype: Vec<&KeytabEntry> = entries
            .iter()
            .copied()
            .filter(|e| e.enctype == etype)
            .collect();
        if with_etype.is_empty() {
            let mut held: Vec<String> = entries.iter().map(|e| enctype_text(e.enctype)).collect();
            held.sort();
            held.dedup();
            return Err(ApError::NoKeyEnctype {
                principal: server.to_string(),
                kvno: kvno.unwrap_or_else(|| entries.iter().map(|e| e.kvno).max().unwrap_or(0)),
                enctype: enctype_text(etype),
                held: join(held.into_iter()),
            });
        }
        let mut sorted = with_etype;
        sorted.sort_by_key(|e| std::cmp::Reverse(e.kvno));
        sorted
            .into_iter()
            .map(|e| {
                let et =
                    EncType::from_i32(e.enctype).ok_or(ApError::UnsupportedEnctype(e.enctype))?;
                Key::from_bytes(et, &e.key).map_err(ApError::from)
            })
            .collect()
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}
