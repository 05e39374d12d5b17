//! Who runs an admin command: [`Caller`] and its [`Origin`].

use std::fmt;
use std::net::SocketAddr;

/// Where a caller is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `kadmin -l` on this machine, run by this Unix user.
    Local {
        /// Unix user name.
        unix_user: String,
    },
    /// A remote admin client at this address.
    Remote {
        /// Peer address.
        peer: SocketAddr,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Local { unix_user } => write!(f, "local:{unix_user}"),
            Origin::Remote { peer } => write!(f, "{peer}"),
        }
    }
}

/// Who runs a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The caller's principal (for local mode: `local:<unix user>`).
    pub principal: String,
    /// Where the caller is.
    pub origin: Origin,
}

impl Caller {
    /// The local administrator (`kadmin -l`), named after the Unix user.
    pub fn local() -> Self {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(unix_user_from_uid);
        Caller {
            principal: format!("local:{user}"),
            origin: Origin::Local { unix_user: user },
        }
    }

    /// A remote caller authenticated as `principal`.
    pub fn remote(principal: impl Into<String>, peer: SocketAddr) -> Self {
        Caller {
            principal: principal.into(),
            origin: Origin::Remote { peer },
        }
    }

    /// Whether this is local mode (ACLs bypassed).
    pub fn is_local(&self) -> bool {
        matches!(self.origin, Origin::Local { .. })
    }
}

/// The user name of this process's uid from /etc/passwd (`uid:N` when
/// not listed).
fn unix_user_from_uid() -> String {
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|r| r.split_whitespace().next().map(str::to_owned))
        });
    let Some(uid) = uid else {
        return "unknown".to_owned();
    };
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|p| {
            p.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() > 2 && f[2] == uid).then(|| f[0].to_owned())
            })
        })
        .unwrap_or_else(|| format!("uid:{uid}"))
}
