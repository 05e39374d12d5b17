//! Reading a password: prompted without echo on a terminal, otherwise the
//! first line of standard input.

use std::io::{BufRead, IsTerminal};

use tessera_proto::crypto::Password;
use zeroize::Zeroizing;

use crate::CliError;

/// Reads the password for `principal`.
pub fn read_password(principal: &str) -> Result<Password, CliError> {
    let err = |source| CliError::Password {
        principal: principal.to_owned(),
        source,
    };
    if std::io::stdin().is_terminal() {
        let pw = rpassword::prompt_password(format!("Password for {principal}: ")).map_err(err)?;
        return Ok(Password::from(pw));
    }
    let mut line = Zeroizing::new(String::new());
    std::io::stdin().lock().read_line(&mut line).map_err(err)?;
    let trimmed = line.trim_end_matches(['\n', '\r']);
    Ok(Password::new(trimmed))
}
