//! Something MIT encrypts decrypts with our code: an AS-REP from MIT's
//! krb5kdc for a principal whose password the test set, for each of
//! enctypes 17-20 (reply part under the user's key, ticket under krbtgt's).

use std::net::UdpSocket;
use std::time::Duration;

use tessera_proto::crypto::{EncType, Key, Password, usage};
use tessera_proto::msg::{
    AsRep, AsReq, EncAsRepPart, EncTgsRepPart, EncTicketPart, KdcOptions, KdcReq, KdcReqBody,
    KerberosTimeExt, Principal, decode, encode,
};
use tessera_tests::mit::{MitKdc, require_mit};

fn as_req(client: &Principal, server: &Principal, etype: EncType, nonce: u32) -> Vec<u8> {
    let (cname, realm) = client.to_asn1().unwrap();
    let (sname, _) = server.to_asn1().unwrap();
    let till = tessera_proto::msg::time::kerberos_time(4_000_000_000).unwrap();
    let mut opts = KdcOptions::default();
    opts.insert(KdcOptions::FORWARDABLE);
    let req = AsReq(KdcReq {
        pvno: 5.into(),
        msg_type: 10.into(),
        padata: None,
        req_body: KdcReqBody {
            kdc_options: opts.to_asn1(),
            cname: Some(cname),
            realm,
            sname: Some(sname),
            from: None,
            till,
            rtime: None,
            nonce,
            etype: vec![etype.as_i32()],
            addresses: None,
            enc_authorization_data: None,
            additional_tickets: None,
        },
    });
    encode(&req).unwrap()
}

#[test]
fn mit_as_rep_decrypts_with_our_keys_for_every_mit_enctype() {
    if !require_mit() {
        return;
    }
    for etype in [
        EncType::Aes128CtsHmacSha196,
        EncType::Aes256CtsHmacSha196,
        EncType::Aes128CtsHmacSha256128,
        EncType::Aes256CtsHmacSha384192,
    ] {
        let kdc = MitKdc::start("INTEROP.TEST", &[etype.name()]);
        // MIT does not require preauth unless asked: the AS-REP comes at once.
        kdc.kadmin("addprinc -pw user-secret alice");
        kdc.kadmin("cpw -pw tgt-secret krbtgt/INTEROP.TEST");
        let client = Principal::parse("alice@INTEROP.TEST").unwrap();
        let server = Principal::krbtgt("INTEROP.TEST");
        let nonce = 0x1234_5678 ^ etype.as_i32() as u32;

        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        sock.send_to(
            &as_req(&client, &server, etype, nonce),
            ("127.0.0.1", kdc.port),
        )
        .unwrap();
        let mut buf = vec![0u8; 65536];
        let n = sock.recv(&mut buf).unwrap();
        let rep: AsRep = decode(&buf[..n])
            .unwrap_or_else(|e| panic!("{}: reply is not an AS-REP: {e}", etype.name()));

        assert_eq!(rep.0.enc_part.etype, etype.as_i32());
        let user_key = Key::from_password(
            etype,
            &Password::from("user-secret"),
            b"INTEROP.TESTalice",
            None,
        )
        .unwrap();
        let plain = user_key
            .decrypt(usage::AS_REP_ENC_PART, rep.0.enc_part.cipher.as_ref())
            .unwrap_or_else(|e| panic!("{}: MIT AS-REP does not decrypt: {e}", etype.name()));
        // MIT's KDC tags the AS reply part [APPLICATION 26] (EncTGSRepPart),
        // as RFC 4120 section 5.4.2 tells clients to accept.
        let part = decode::<EncAsRepPart>(&plain)
            .map(|p| p.0)
            .or_else(|_| decode::<EncTgsRepPart>(&plain).map(|p| p.0))
            .unwrap();
        assert_eq!(part.nonce, nonce, "{}", etype.name());
        assert_eq!(part.key.r#type, etype.as_i32());

        let tgt_key = Key::from_password(
            etype,
            &Password::from("tgt-secret"),
            b"INTEROP.TESTkrbtgtINTEROP.TEST",
            None,
        )
        .unwrap();
        let plain = tgt_key
            .decrypt(usage::KDC_REP_TICKET, rep.0.ticket.enc_part.cipher.as_ref())
            .unwrap_or_else(|e| panic!("{}: MIT ticket does not decrypt: {e}", etype.name()));
        let tkt: EncTicketPart = decode(&plain).unwrap();
        assert_eq!(tkt.key, part.key, "session key in ticket and reply differ");
        let cname = Principal::from_asn1(&tkt.cname, &tkt.crealm).unwrap();
        assert_eq!(cname.to_string(), "alice@INTEROP.TEST");
        assert!(tkt.end_time.to_unix() > tkt.auth_time.to_unix());
    }
}
