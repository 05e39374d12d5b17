//! Wire pieces shared by the admin server and client: length framing and
//! the reply type.

use serde::{Deserialize, Serialize};

use crate::admin::{AdminError, AdminResponse};

/// Largest frame either side accepts (1 MiB).
pub const MAX_FRAME: usize = 1 << 20;

/// The answer to one command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum WireReply {
    /// The command succeeded.
    Ok {
        /// Its result.
        response: Box<AdminResponse>,
    },
    /// The command failed.
    Error {
        /// [`AdminError::code`].
        code: String,
        /// The one-line message.
        message: String,
    },
}

impl WireReply {
    /// The reply for a command's result.
    pub fn from_result(r: Result<AdminResponse, AdminError>) -> Self {
        match r {
            Ok(response) => WireReply::Ok {
                response: Box::new(response),
            },
            Err(e) => WireReply::Error {
                code: e.code().to_owned(),
                message: e.to_string(),
            },
        }
    }

    /// Back to a result on the client side.
    pub fn into_result(self) -> Result<AdminResponse, AdminError> {
        match self {
            WireReply::Ok { response } => Ok(*response),
            WireReply::Error { code, message } => Err(AdminError::Remote {
                code: static_code(&code),
                message,
            }),
        }
    }
}

/// The `&'static str` for a code the server sent (unknown ones become
/// `remote`).
pub fn static_code(code: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "usage",
        "no_principal",
        "principal_exists",
        "no_policy",
        "policy_exists",
        "policy_in_use",
        "bad_name",
        "password_too_short",
        "password_classes",
        "password_reused",
        "password_too_soon",
        "denied",
        "bad_enctype",
        "refused",
        "cancelled",
        "database",
        "internal",
        "acl",
        "keytab",
        "input",
        "network",
        "auth",
        "protocol",
    ];
    KNOWN
        .iter()
        .copied()
        .find(|k| *k == code)
        .unwrap_or("remote")
}

/// `data` with its 4-byte big-endian length in front.
pub fn frame(data: &[u8]) -> Option<Vec<u8>> {
    let len = u32::try_from(data.len())
        .ok()
        .filter(|l| *l as usize <= MAX_FRAME)?;
    let mut out = Vec::with_capacity(4 + data.len());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(data);
    Some(out)
}

/// The length announced by a frame header, if acceptable.
pub fn frame_len(header: [u8; 4]) -> Option<usize> {
    let len = u32::from_be_bytes(header) as usize;
    (len <= MAX_FRAME).then_some(len)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reply_round_trip_keeps_codes() {
        let r = WireReply::from_result(Err(AdminError::NoPrincipal("x@R".into())));
        let j = serde_json::to_string(&r).unwrap();
        let back: WireReply = serde_json::from_str(&j).unwrap();
        let e = back.into_result().unwrap_err();
        assert_eq!(e.code(), "no_principal");
        assert_eq!(e.to_string(), "Principal does not exist: x@R");
        assert_eq!(static_code("nonsense"), "remote");
    }

    #[test]
    fn framing_limits() {
        let f = frame(b"abc").unwrap();
        assert_eq!(f, vec![0, 0, 0, 3, b'a', b'b', b'c']);
        assert_eq!(frame_len([0, 0, 0, 3]), Some(3));
        assert_eq!(frame_len([0xff, 0, 0, 0]), None);
    }
}
