//! What `kinit` does when the KDC says the password has expired (or must
//! be changed, `+needchange`), as MIT's kinit does: get a
//! `kadmin/changepw` ticket with the old password, say that the password
//! expired, prompt for the new one
//! twice and change it through the realm's kpasswd server (RFC 3244), up
//! to three tries; the caller then gets its tickets with the new password.

use tessera_client::kdc_client::{InitialSecret, blocking};
use tessera_client::kpasswd::{KpasswdError, change_password};
use tessera_proto::crypto::Password;
use tessera_proto::msg::Principal;

use crate::CliError;
use crate::password::prompt_password;

/// Tries MIT's kinit gives the user to choose an acceptable new password.
const TRIES: usize = 3;

/// What MIT's kinit prints when the password has expired.
pub const EXPIRED_LINE: &str = "Password expired.  You must change it now.";

/// Changes `principal`'s expired password `old` to one read from the user
/// and returns the new password. Refusals by the server (policy) and
/// mismatched repetitions are reported on standard output and asked
/// again, up to three tries; the last failure is the error.
pub fn change_expired_password(
    client: &blocking::Client,
    principal: &Principal,
    old: &Password,
) -> Result<Password, CliError> {
    // MIT's KDC may say the password expired before pre-authentication:
    // the kadmin/changepw exchange is where a wrong old password fails,
    // before anything is printed (as MIT's kinit does).
    let creds = client.changepw_ticket(principal, &InitialSecret::Password(old.clone()))?;
    println!("{EXPIRED_LINE}");
    let servers = client.inner().kpasswd_servers(&principal.realm);
    let mut failure: Option<CliError> = None;
    for attempt in 1..=TRIES {
        let last_try = attempt == TRIES;
        let Some((new1, new2)) = read_new(principal)? else {
            return Err(failure.unwrap_or_else(|| CliError::NewPasswordEof {
                principal: principal.to_string(),
            }));
        };
        if new1.as_bytes() != new2.as_bytes() {
            if !last_try {
                println!("Password mismatch.  Please try again.");
            }
            failure = Some(CliError::NewPasswordMismatch);
            continue;
        }
        match change_password(&servers, &creds, &new1, None) {
            Ok(()) => return Ok(new1),
            Err(e @ KpasswdError::Rejected { .. }) => {
                if !last_try {
                    println!("{e}.  Please try again.\n");
                }
                failure = Some(e.into());
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(failure.unwrap_or(CliError::NewPasswordMismatch))
}

/// The new password and its repetition; `None` at the end of input.
fn read_new(principal: &Principal) -> Result<Option<(Password, Password)>, CliError> {
    let err = |source| CliError::Password {
        principal: principal.to_string(),
        source,
    };
    let Some(new1) = prompt_password("Enter new password: ").map_err(err)? else {
        return Ok(None);
    };
    let Some(new2) = prompt_password("Enter it again: ").map_err(err)? else {
        return Ok(None);
    };
    Ok(Some((new1, new2)))
}
