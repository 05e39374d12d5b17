//! `kvno -k`: checking that a service ticket decrypts with the keytab.

use tessera_client::convert::{keytab_entry_key, principal_to_kt};
use tessera_client::kdc_client::Creds;
use tessera_client::keytab::Keytab;
use tessera_proto::crypto::usage;
use tessera_proto::msg::{EncTicketPart, decode};

use crate::CliError;
use crate::listing::enctype_name;

/// Decrypts `creds`' ticket with the matching key (service, kvno, enctype)
/// from `keytab`; errors name the principal, kvno and enctype.
pub fn verify_with_keytab(creds: &Creds, keytab: &Keytab, kt_name: &str) -> Result<(), CliError> {
    let kvno = creds.ticket_kvno.unwrap_or(0);
    let etype = creds.ticket_etype;
    let principal = principal_to_kt(&creds.server);
    let missing = || CliError::KeytabMissingKey {
        keytab: kt_name.to_owned(),
        principal: creds.server.to_string(),
        kvno,
        enctype: enctype_name(etype),
    };
    let kvno_filter = creds.ticket_kvno;
    let entry = keytab
        .find(&principal, kvno_filter, Some(etype))
        .ok_or_else(missing)?;
    let wrong = || CliError::KeytabWrongKey {
        keytab: kt_name.to_owned(),
        principal: creds.server.to_string(),
        kvno,
        enctype: enctype_name(etype),
    };
    let key = keytab_entry_key(entry).map_err(|_| wrong())?;
    let plain = zeroize::Zeroizing::new(
        key.decrypt(usage::KDC_REP_TICKET, &creds.ticket.enc_part.cipher)
            .map_err(|_| wrong())?,
    );
    decode::<EncTicketPart>(&plain).map_err(|_| wrong())?;
    Ok(())
}
