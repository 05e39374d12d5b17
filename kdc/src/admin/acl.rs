//! The access control file (MIT `kadm5.acl`-like).
//!
//! One rule per line: `PRINCIPAL_GLOB PERMISSIONS [TARGET_GLOB]`; `#` starts
//! a comment. Permission letters: `a` add, `d` delete, `m` modify, `c`
//! change password, `i` inquire (get), `l` list, `e` extract keys, `p`
//! policy changes (add/modify/delete), `x` or `*` all of them. An uppercase
//! letter explicitly denies that permission (`X` denies all). The first
//! rule whose principal and target globs both match decides: allowed when
//! the rule grants the letter and does not deny it. No matching rule, or a
//! missing file: denied.
//!
//! Globs: `*` alone matches any name; otherwise `*` matches any run of
//! characters within one name component or the realm (not `/` or `@`) and
//! `?` one such character.
//!
//! [`AclFile`] re-reads the file when its modification time or size
//! changes, so edits apply without a restart.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

/// An ACL problem. Display is one line.
#[derive(Debug, thiserror::Error)]
pub enum AclError {
    /// Reading the file failed.
    #[error("ACL file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// A line is malformed.
    #[error("ACL file {file} line {line}: {problem}")]
    Syntax {
        /// The file.
        file: String,
        /// Line number (1-based).
        line: usize,
        /// What is wrong.
        problem: String,
    },
}

/// The permission letters.
pub const ALL_PERMISSIONS: &str = "admcilep";

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclRule {
    /// Glob on the caller's principal name.
    pub principal: String,
    /// Letters granted.
    pub allow: String,
    /// Letters explicitly denied.
    pub deny: String,
    /// Glob on the target (None = any).
    pub target: Option<String>,
}

/// A parsed ACL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Acl {
    /// Rules in file order.
    pub rules: Vec<AclRule>,
}

impl Acl {
    /// Parses ACL text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, AclError> {
        let mut rules = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let bad = |problem: String| AclError::Syntax {
                file: file.to_owned(),
                line: i + 1,
                problem,
            };
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (principal, perms, target) = match fields.as_slice() {
                [p, perms] => (*p, *perms, None),
                [p, perms, t] => (*p, *perms, Some((*t).to_owned())),
                _ => {
                    return Err(bad("expected PRINCIPAL PERMISSIONS [TARGET]".to_owned()));
                }
            };
            let mut allow = String::new();
            let mut deny = String::new();
            for c in perms.chars() {
                match c {
                    'x' | '*' => allow.push_str(ALL_PERMISSIONS),
                    'X' => deny.push_str(ALL_PERMISSIONS),
                    c if ALL_PERMISSIONS.contains(c) => allow.push(c),
                    c if ALL_PERMISSIONS.contains(c.to_ascii_lowercase()) => {
                        deny.push(c.to_ascii_lowercase());
                    }
                    other => {
                        return Err(bad(format!(
                            "unknown permission {other:?} (use a d m c i l e p x, uppercase to deny)"
                        )));
                    }
                }
            }
            rules.push(AclRule {
                principal: principal.to_owned(),
                allow,
                deny,
                target,
            });
        }
        Ok(Acl { rules })
    }

    /// Whether `caller` has `permission` on `target`.
    pub fn check(&self, caller: &str, permission: char, target: &str) -> bool {
        for r in &self.rules {
            if !name_glob(&r.principal, caller) {
                continue;
            }
            if let Some(t) = &r.target
                && !name_glob(t, target)
            {
                continue;
            }
            return r.allow.contains(permission) && !r.deny.contains(permission);
        }
        false
    }
}

impl Acl {
    /// Whether some rule for `caller` grants `permission` on some target
    /// (a list command is refused outright when none does).
    pub fn grants_somewhere(&self, caller: &str, permission: char) -> bool {
        self.rules.iter().any(|r| {
            name_glob(&r.principal, caller)
                && r.allow.contains(permission)
                && !r.deny.contains(permission)
        })
    }

    /// The letters `caller` holds without regard to targets (`getprivs`):
    /// those of the first rule whose principal matches, as MIT's kadmind
    /// answers get_privs. Empty when no rule matches.
    pub fn privileges(&self, caller: &str) -> String {
        self.rules
            .iter()
            .find(|r| name_glob(&r.principal, caller))
            .map(|r| {
                ALL_PERMISSIONS
                    .chars()
                    .filter(|c| r.allow.contains(*c) && !r.deny.contains(*c))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Matches a principal-name glob (see the module documentation).
pub fn name_glob(pattern: &str, name: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    glob_at(&p, &n)
}

fn glob_at(p: &[char], n: &[char]) -> bool {
    match p.split_first() {
        None => n.is_empty(),
        Some(('*', rest)) => {
            let mut i = 0;
            loop {
                if glob_at(rest, &n[i..]) {
                    return true;
                }
                match n.get(i) {
                    Some('/' | '@') | None => return false,
                    Some(_) => i += 1,
                }
            }
        }
        Some(('?', rest)) => match n.split_first() {
            Some((c, nr)) if *c != '/' && *c != '@' => glob_at(rest, nr),
            _ => false,
        },
        Some((c, rest)) => match n.split_first() {
            Some((d, nr)) if c == d => glob_at(rest, nr),
            _ => false,
        },
    }
}

#[derive(Debug)]
struct Loaded {
    stamp: Option<(SystemTime, u64)>,
    acl: Acl,
}

/// An ACL file, re-read when it changes on disk. A file that cannot be read
/// or parsed denies everything (and the error is returned by
/// [`AclFile::check`]).
#[derive(Debug)]
pub struct AclFile {
    path: PathBuf,
    loaded: Mutex<Loaded>,
}

impl AclFile {
    /// An ACL backed by `path` (read on first use).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        AclFile {
            path: path.into(),
            loaded: Mutex::new(Loaded {
                stamp: None,
                acl: Acl::default(),
            }),
        }
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn stamp(&self) -> Result<(SystemTime, u64), AclError> {
        let md = std::fs::metadata(&self.path).map_err(|source| AclError::Io {
            path: self.path.display().to_string(),
            source,
        })?;
        Ok((md.modified().unwrap_or(SystemTime::UNIX_EPOCH), md.len()))
    }

    /// The current rules, re-reading the file if its mtime or size changed.
    pub fn current(&self) -> Result<Acl, AclError> {
        let mut l = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        let stamp = match self.stamp() {
            Ok(s) => s,
            Err(e) => {
                l.stamp = None;
                l.acl = Acl::default();
                return Err(e);
            }
        };
        if l.stamp != Some(stamp) {
            let text = std::fs::read_to_string(&self.path).map_err(|source| AclError::Io {
                path: self.path.display().to_string(),
                source,
            })?;
            match Acl::parse(&text, &self.path.display().to_string()) {
                Ok(acl) => {
                    tracing::info!(file = %self.path.display(), rules = acl.rules.len(), "ACL file loaded");
                    l.acl = acl;
                    l.stamp = Some(stamp);
                }
                Err(e) => {
                    l.acl = Acl::default();
                    l.stamp = None;
                    return Err(e);
                }
            }
        }
        Ok(l.acl.clone())
    }

    /// [`Acl::privileges`] under the current file.
    pub fn privileges(&self, caller: &str) -> Result<String, AclError> {
        Ok(self.current()?.privileges(caller))
    }

    /// Whether `caller` has `permission` on `target` under the current file.
    pub fn check(&self, caller: &str, permission: char, target: &str) -> Result<bool, AclError> {
        Ok(self.current()?.check(caller, permission, target))
    }
}
