//! Reading passwords: prompted without echo on a terminal, otherwise read
//! as lines of standard input (one password a line, no prompt).

use std::io::{BufRead, IsTerminal};

use tessera_proto::crypto::Password;
use zeroize::Zeroizing;

use crate::CliError;

/// Reads one password after `prompt`: `None` at the end of standard input
/// (never on a terminal, where an empty line is an empty password).
pub fn prompt_password(prompt: &str) -> std::io::Result<Option<Password>> {
    if std::io::stdin().is_terminal() {
        return tessera_client::prompt::prompt_hidden(prompt)
            .map(|pw| Some(Password::new(pw.as_str())));
    }
    let mut line = Zeroizing::new(String::new());
    if std::io::stdin().lock().read_line(&mut line)? == 0 {
        return Ok(None);
    }
    Ok(Some(Password::new(line.trim_end_matches(['\n', '\r']))))
}

/// Reads the password for `principal` (an empty one at the end of input).
pub fn read_password(principal: &str) -> Result<Password, CliError> {
    prompt_password(&format!("Password for {principal}: "))
        .map(|pw| pw.unwrap_or_else(|| Password::new("")))
        .map_err(|source| CliError::Password {
            principal: principal.to_owned(),
            source,
        })
}
