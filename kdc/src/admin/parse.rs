//! kadmin command lines (MIT names and flags) to [`Command`]s.
//!
//! Parsing needs `now` to resolve relative times (`-expire "now + 1 day"`),
//! so requests carry absolute times and can be sent elsewhere unchanged.

use super::error::AdminError;
use super::request::{AdminRequest, KeySpec, PolicyMods, PrincipalMods, PurgeKeep, Secret};
use super::timefmt::{parse_duration, parse_time};
use crate::db::PrincipalFlags;

/// What `ktremove` removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KtRemoveWhich {
    /// Entries with this kvno.
    Kvno(u32),
    /// Every entry of the principal.
    All,
    /// Every entry but those of the highest kvno.
    Old,
}

/// A parsed kadmin command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A command the [`super::AdminService`] runs.
    Admin {
        /// The request.
        req: AdminRequest,
        /// The password must be prompted for (addprinc/cpw without -pw or
        /// -randkey): fill it with [`set_password`].
        prompt_password: bool,
        /// Ask "Are you sure" before running (delprinc without -force).
        confirm: Option<String>,
        /// `getprinc -terse`: MIT's tab-separated one-line output.
        terse: bool,
    },
    /// `ktadd`: extract keys (via the service) and append them to a keytab.
    KtAdd {
        /// Keytab path (None = the default keytab).
        keytab: Option<String>,
        /// Principals.
        principals: Vec<String>,
        /// Enctypes.
        enctypes: Option<Vec<i32>>,
        /// Randomize first (no `-norandkey`).
        randomize: bool,
        /// `-q`: quiet.
        quiet: bool,
    },
    /// `ktremove`: edit a keytab file.
    KtRemove {
        /// Keytab path (None = the default keytab).
        keytab: Option<String>,
        /// Principal.
        principal: String,
        /// Which entries.
        which: KtRemoveWhich,
        /// `-q`: quiet.
        quiet: bool,
    },
    /// `help` / `?`.
    Help,
    /// `quit` / `exit` / `q`.
    Quit,
}

/// One-line usage of each command, for `help` and errors.
pub const USAGE: &[(&str, &str)] = &[
    (
        "addprinc",
        "addprinc [-randkey|-nokey|-pw PASSWORD] [-e ENCTYPES] [-policy NAME|-clearpolicy] [-expire TIME] [-pwexpire TIME] [-maxlife DUR] [-maxrenewlife DUR] [+/-FLAG...] PRINCIPAL",
    ),
    ("delprinc", "delprinc [-force] PRINCIPAL"),
    (
        "modprinc",
        "modprinc [-kvno N] [-unlock] [-policy NAME|-clearpolicy] [-expire TIME] [-pwexpire TIME] [-maxlife DUR] [-maxrenewlife DUR] [+/-FLAG...] PRINCIPAL",
    ),
    ("renprinc", "renprinc [-force] OLD NEW"),
    ("getprinc", "getprinc [-terse] PRINCIPAL"),
    ("listprincs", "listprincs [GLOB]   (alias getprincs)"),
    (
        "cpw",
        "cpw [-randkey|-pw PASSWORD] [-e ENCTYPES] [-keepold] PRINCIPAL",
    ),
    (
        "ktadd",
        "ktadd [-k KEYTAB] [-e ENCTYPES] [-norandkey] [-q] PRINCIPAL...",
    ),
    (
        "ktremove",
        "ktremove [-k KEYTAB] [-q] PRINCIPAL [KVNO|all|old]",
    ),
    ("purgekeys", "purgekeys [-keepkvno N | -all] PRINCIPAL"),
    ("getstrs", "getstrs PRINCIPAL   (alias get_strings)"),
    ("setstr", "setstr PRINCIPAL KEY VALUE   (alias set_string)"),
    ("delstr", "delstr PRINCIPAL KEY   (alias del_string)"),
    ("getprivs", "getprivs   (alias get_privs)"),
    ("lock", "lock PRINCIPAL"),
    ("unlock", "unlock PRINCIPAL"),
    (
        "addpol",
        "addpol [-maxlife DUR] [-minlife DUR] [-minlength N] [-minclasses N] [-history N] [-maxfailure N] [-failurecountinterval DUR] [-lockoutduration DUR] POLICY",
    ),
    ("modpol", "modpol (same options as addpol) POLICY"),
    ("delpol", "delpol [-force] POLICY"),
    ("getpol", "getpol POLICY"),
    ("listpols", "listpols [GLOB]   (alias getpols)"),
    ("quit", "quit"),
];

/// Flag names accepted after `+` / `-` and the bit each sets.
const FLAGS: &[(&str, PrincipalFlags)] = &[
    ("requires_preauth", PrincipalFlags::REQUIRES_PREAUTH),
    ("requires_hwauth", PrincipalFlags::REQUIRES_HWAUTH),
    ("allow_tix", PrincipalFlags::ALLOW_TIX),
    ("allow_forwardable", PrincipalFlags::ALLOW_FORWARDABLE),
    ("allow_renewable", PrincipalFlags::ALLOW_RENEWABLE),
    ("allow_proxiable", PrincipalFlags::ALLOW_PROXIABLE),
    ("allow_postdated", PrincipalFlags::ALLOW_POSTDATED),
    ("allow_svr", PrincipalFlags::ALLOW_SVR),
    ("allow_dup_skey", PrincipalFlags::ALLOW_DUP_SKEY),
    ("needchange", PrincipalFlags::NEEDCHANGE),
    (
        "password_changing_service",
        PrincipalFlags::PWCHANGE_SERVICE,
    ),
    ("ok_as_delegate", PrincipalFlags::OK_AS_DELEGATE),
    (
        "ok_to_auth_as_delegate",
        PrincipalFlags::OK_TO_AUTH_AS_DELEGATE,
    ),
    (
        "no_auth_data_required",
        PrincipalFlags::NO_AUTH_DATA_REQUIRED,
    ),
    ("lockdown_keys", PrincipalFlags::LOCKDOWN_KEYS),
];

fn usage(cmd: &str) -> AdminError {
    let u = USAGE
        .iter()
        .find(|(n, _)| *n == cmd)
        .map_or("", |(_, u)| *u);
    AdminError::Usage(format!("usage: {u}"))
}

/// Splits a line into words, honouring single and double quotes and `\`.
pub fn split_words(line: &str) -> Result<Vec<String>, AdminError> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), '\\') | (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                in_word = true;
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err(AdminError::Usage("unterminated quote".into()));
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// Whether a command line carries a password on it (`addprinc -pw ...`,
/// `cpw -pw ...`, any alias): such lines are never kept in the history. A
/// line that does not split into words counts when `-pw` appears anywhere.
pub fn carries_password(line: &str) -> bool {
    match split_words(line) {
        Ok(words) => words.iter().any(|w| w == "-pw"),
        Err(_) => line.contains("-pw"),
    }
}

/// Parses an enctype list: names or numbers separated by commas or spaces,
/// each optionally followed by `:normal` (MIT's `enctype:salt`).
pub fn parse_enctypes(s: &str) -> Result<Vec<i32>, AdminError> {
    let mut out = Vec::new();
    for item in s.split([',', ' ']).filter(|x| !x.is_empty()) {
        let (name, salt) = match item.split_once(':') {
            Some((n, s)) => (n, Some(s)),
            None => (item, None),
        };
        if let Some(s) = salt
            && !s.eq_ignore_ascii_case("normal")
        {
            return Err(AdminError::BadEnctype(format!(
                "{item} (only the normal salt type is supported)"
            )));
        }
        let nums: Vec<i32> = match crate::config::enctype_from_name(name) {
            Some(n) => vec![n],
            None => tessera_proto::crypto::EncType::from_name_family(name)
                .ok_or_else(|| AdminError::BadEnctype(name.to_owned()))?
                .into_iter()
                .map(|e| e.as_i32())
                .collect(),
        };
        for n in nums {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    if out.is_empty() {
        return Err(AdminError::BadEnctype(s.to_owned()));
    }
    Ok(out)
}

struct Args<'a> {
    cmd: &'a str,
    words: std::slice::Iter<'a, String>,
}

impl<'a> Args<'a> {
    fn value(&mut self, flag: &str) -> Result<&'a str, AdminError> {
        self.words.next().map(String::as_str).ok_or_else(|| {
            AdminError::Usage(format!("{flag} needs a value; {}", usage_text(self.cmd)))
        })
    }
    fn dur(&mut self, flag: &str) -> Result<u64, AdminError> {
        let v = self.value(flag)?;
        parse_duration(v)
            .ok_or_else(|| AdminError::Usage(format!("Invalid duration for {flag}: {v:?}")))
    }
    fn num(&mut self, flag: &str) -> Result<u32, AdminError> {
        let v = self.value(flag)?;
        v.parse()
            .map_err(|_| AdminError::Usage(format!("Invalid number for {flag}: {v:?}")))
    }
    fn time(&mut self, flag: &str, now: i64) -> Result<Option<i64>, AdminError> {
        let v = self.value(flag)?;
        parse_time(v, now).map_err(AdminError::Usage)
    }
}

fn usage_text(cmd: &str) -> String {
    match usage(cmd) {
        AdminError::Usage(s) => s,
        _ => String::new(),
    }
}

/// Handles the principal-attribute flags shared by addprinc and modprinc;
/// returns false when `w` is not one of them.
fn principal_flag(
    w: &str,
    a: &mut Args<'_>,
    m: &mut PrincipalMods,
    now: i64,
) -> Result<bool, AdminError> {
    match w {
        "-policy" => m.policy = Some(Some(a.value(w)?.to_owned())),
        "-clearpolicy" => m.policy = Some(None),
        "-expire" => m.expiration = Some(a.time(w, now)?),
        "-pwexpire" => m.pw_expiration = Some(a.time(w, now)?),
        "-maxlife" => m.max_life = Some(a.dur(w)?),
        "-maxrenewlife" => m.max_renewable_life = Some(a.dur(w)?),
        _ => {
            let (on, name) = match (w.strip_prefix('+'), w.strip_prefix('-')) {
                (Some(n), _) => (true, n),
                (_, Some(n)) => (false, n),
                _ => return Ok(false),
            };
            let Some((_, f)) = FLAGS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) else {
                return Ok(false);
            };
            if on {
                m.set_flags |= f.0;
                m.clear_flags &= !f.0;
            } else {
                m.clear_flags |= f.0;
                m.set_flags &= !f.0;
            }
        }
    }
    Ok(true)
}

fn one_name(cmd: &str, names: Vec<String>) -> Result<String, AdminError> {
    let mut it = names.into_iter();
    match (it.next(), it.next()) {
        (Some(n), None) => Ok(n),
        _ => Err(usage(cmd)),
    }
}

fn admin(req: AdminRequest) -> Command {
    Command::Admin {
        req,
        prompt_password: false,
        confirm: None,
        terse: false,
    }
}

/// Parses one command (`words[0]` is the command name). `now` is Unix
/// seconds, for relative times.
pub fn parse_command(words: &[String], now: i64) -> Result<Command, AdminError> {
    let Some((cmd, rest)) = words.split_first() else {
        return Err(AdminError::Usage("empty command".into()));
    };
    let cmd = cmd.as_str();
    let mut a = Args {
        cmd,
        words: rest.iter(),
    };
    match cmd {
        "addprinc" | "add_principal" | "ank" | "cpw" | "change_password" => {
            let add = !matches!(cmd, "cpw" | "change_password");
            let canon = if add { "addprinc" } else { "cpw" };
            a.cmd = canon;
            let mut keys: Option<KeySpec> = None;
            let mut enctypes = None;
            let mut mods = PrincipalMods::default();
            let mut keep_old = false;
            let mut names = Vec::new();
            while let Some(w) = a.words.next() {
                match w.as_str() {
                    "-pw" => keys = Some(KeySpec::Password(Secret::new(a.value("-pw")?))),
                    "-randkey" => keys = Some(KeySpec::Random),
                    "-nokey" if add => keys = Some(KeySpec::NoKey),
                    "-e" => enctypes = Some(parse_enctypes(a.value("-e")?)?),
                    "-keepold" if !add => keep_old = true,
                    w if add && principal_flag(w, &mut a, &mut mods, now)? => {}
                    w if w.starts_with(['-', '+']) && w.len() > 1 => {
                        return Err(AdminError::Usage(format!(
                            "unknown option {w}; {}",
                            usage_text(canon)
                        )));
                    }
                    w => names.push(w.to_owned()),
                }
            }
            let name = one_name(canon, names)?;
            let prompt = keys.is_none();
            let keys = keys.unwrap_or(KeySpec::NoKey);
            let req = if add {
                AdminRequest::AddPrincipal {
                    name,
                    keys,
                    enctypes,
                    mods,
                }
            } else {
                AdminRequest::ChangePassword {
                    name,
                    keys,
                    enctypes,
                    keep_old,
                }
            };
            Ok(Command::Admin {
                req,
                prompt_password: prompt,
                confirm: None,
                terse: false,
            })
        }
        "modprinc" | "modify_principal" => {
            let mut mods = PrincipalMods::default();
            let mut names = Vec::new();
            a.cmd = "modprinc";
            while let Some(w) = a.words.next() {
                match w.as_str() {
                    "-kvno" => mods.kvno = Some(a.num("-kvno")?),
                    "-unlock" => mods.unlock = true,
                    w if principal_flag(w, &mut a, &mut mods, now)? => {}
                    w if w.starts_with(['-', '+']) && w.len() > 1 => {
                        return Err(AdminError::Usage(format!(
                            "unknown option {w}; {}",
                            usage_text("modprinc")
                        )));
                    }
                    w => names.push(w.to_owned()),
                }
            }
            Ok(admin(AdminRequest::ModifyPrincipal {
                name: one_name("modprinc", names)?,
                mods,
            }))
        }
        "delprinc" | "delete_principal" => {
            let (force, names) = force_and_names(rest);
            let name = one_name("delprinc", names)?;
            Ok(Command::Admin {
                confirm: (!force).then(|| {
                    format!("Are you sure you want to delete the principal \"{name}\"? (yes/no): ")
                }),
                req: AdminRequest::DeletePrincipal { name },
                prompt_password: false,
                terse: false,
            })
        }
        "renprinc" | "rename_principal" => {
            let (force, names) = force_and_names(rest);
            let [old, new]: [String; 2] = names.try_into().map_err(|_| usage("renprinc"))?;
            Ok(Command::Admin {
                confirm: (!force).then(|| {
                    format!("Are you sure you want to rename the principal \"{old}\" to \"{new}\"? (yes/no): ")
                }),
                req: AdminRequest::RenamePrincipal { old, new },
                prompt_password: false,
                terse: false,
            })
        }
        "getprinc" | "get_principal" => {
            let terse = rest.iter().any(|w| w == "-terse");
            let names: Vec<String> = rest.iter().filter(|w| *w != "-terse").cloned().collect();
            if names.iter().any(|w| w.starts_with('-') && w.len() > 1) {
                return Err(usage("getprinc"));
            }
            Ok(Command::Admin {
                req: AdminRequest::GetPrincipal {
                    name: one_name("getprinc", names)?,
                },
                prompt_password: false,
                confirm: None,
                terse,
            })
        }
        "getprivs" | "get_privs" => {
            if !rest.is_empty() {
                return Err(usage("getprivs"));
            }
            Ok(admin(AdminRequest::GetPrivileges))
        }
        "getstrs" | "get_strings" => Ok(admin(AdminRequest::GetStrings {
            name: one_name("getstrs", rest.to_vec())?,
        })),
        "setstr" | "set_string" => {
            let [name, key, value]: [String; 3] =
                rest.to_vec().try_into().map_err(|_| usage("setstr"))?;
            Ok(admin(AdminRequest::SetString { name, key, value }))
        }
        "delstr" | "del_string" => {
            let [name, key]: [String; 2] = rest.to_vec().try_into().map_err(|_| usage("delstr"))?;
            Ok(admin(AdminRequest::DeleteString { name, key }))
        }
        "listprincs" | "getprincs" | "list_principals" | "get_principals" => {
            if rest.len() > 1 {
                return Err(usage("listprincs"));
            }
            Ok(admin(AdminRequest::ListPrincipals {
                glob: rest.first().cloned(),
            }))
        }
        "purgekeys" => {
            let mut keep = None;
            let mut names = Vec::new();
            while let Some(w) = a.words.next() {
                match w.as_str() {
                    "-keepkvno" => keep = Some(PurgeKeep::KeepKvno(a.num("-keepkvno")?)),
                    "-all" => keep = Some(PurgeKeep::All),
                    w if w.starts_with('-') => return Err(usage("purgekeys")),
                    w => names.push(w.to_owned()),
                }
            }
            let name = one_name("purgekeys", names)?;
            // MIT's default: keep only the current kvno.
            let keep = keep.unwrap_or(PurgeKeep::KeepKvno(u32::MAX));
            Ok(admin(AdminRequest::PurgeKeys { name, keep }))
        }
        "lock" => Ok(admin(AdminRequest::Lock {
            name: one_name("lock", rest.to_vec())?,
        })),
        "unlock" => Ok(admin(AdminRequest::Unlock {
            name: one_name("unlock", rest.to_vec())?,
        })),
        "addpol" | "add_policy" | "modpol" | "modify_policy" => {
            let add = matches!(cmd, "addpol" | "add_policy");
            let canon = if add { "addpol" } else { "modpol" };
            a.cmd = canon;
            let mut m = PolicyMods::default();
            let mut names = Vec::new();
            while let Some(w) = a.words.next() {
                match w.as_str() {
                    "-maxlife" => m.max_life = Some(a.dur(w)?),
                    "-minlife" => m.min_life = Some(a.dur(w)?),
                    "-minlength" => m.min_length = Some(a.num(w)?),
                    "-minclasses" => m.min_classes = Some(a.num(w)?),
                    "-history" => m.history = Some(a.num(w)?),
                    "-maxfailure" => m.max_failure = Some(a.num(w)?),
                    "-failurecountinterval" => m.failure_count_interval = Some(a.dur(w)?),
                    "-lockoutduration" => m.lockout_duration = Some(a.dur(w)?),
                    w if w.starts_with('-') => {
                        return Err(AdminError::Usage(format!(
                            "unknown option {w}; {}",
                            usage_text(canon)
                        )));
                    }
                    w => names.push(w.to_owned()),
                }
            }
            let name = one_name(canon, names)?;
            Ok(admin(if add {
                AdminRequest::AddPolicy { name, mods: m }
            } else {
                AdminRequest::ModifyPolicy { name, mods: m }
            }))
        }
        "delpol" | "delete_policy" => {
            let (force, names) = force_and_names(rest);
            let name = one_name("delpol", names)?;
            Ok(Command::Admin {
                confirm: (!force).then(|| {
                    format!("Are you sure you want to delete the policy \"{name}\"? (yes/no): ")
                }),
                req: AdminRequest::DeletePolicy { name },
                prompt_password: false,
                terse: false,
            })
        }
        "getpol" | "get_policy" => Ok(admin(AdminRequest::GetPolicy {
            name: one_name("getpol", rest.to_vec())?,
        })),
        "listpols" | "getpols" | "list_policies" | "get_policies" => {
            if rest.len() > 1 {
                return Err(usage("listpols"));
            }
            Ok(admin(AdminRequest::ListPolicies {
                glob: rest.first().cloned(),
            }))
        }
        "ktadd" | "xst" => {
            let mut keytab = None;
            let mut enctypes = None;
            let mut randomize = true;
            let mut quiet = false;
            let mut principals = Vec::new();
            a.cmd = "ktadd";
            while let Some(w) = a.words.next() {
                match w.as_str() {
                    "-k" | "-keytab" => keytab = Some(a.value("-k")?.to_owned()),
                    "-e" => enctypes = Some(parse_enctypes(a.value("-e")?)?),
                    "-norandkey" => randomize = false,
                    "-q" => quiet = true,
                    w if w.starts_with('-') => return Err(usage("ktadd")),
                    w => principals.push(w.to_owned()),
                }
            }
            if principals.is_empty() {
                return Err(usage("ktadd"));
            }
            Ok(Command::KtAdd {
                keytab,
                principals,
                enctypes,
                randomize,
                quiet,
            })
        }
        "ktremove" | "ktrem" => {
            let mut keytab = None;
            let mut quiet = false;
            let mut pos = Vec::new();
            a.cmd = "ktremove";
            while let Some(w) = a.words.next() {
                match w.as_str() {
                    "-k" | "-keytab" => keytab = Some(a.value("-k")?.to_owned()),
                    "-q" => quiet = true,
                    w if w.starts_with('-') => return Err(usage("ktremove")),
                    w => pos.push(w.to_owned()),
                }
            }
            let (principal, which) = match pos.as_slice() {
                [p] => (p.clone(), KtRemoveWhich::All),
                [p, w] => (
                    p.clone(),
                    match w.as_str() {
                        "all" => KtRemoveWhich::All,
                        "old" => KtRemoveWhich::Old,
                        n => KtRemoveWhich::Kvno(n.parse().map_err(|_| usage("ktremove"))?),
                    },
                ),
                _ => return Err(usage("ktremove")),
            };
            Ok(Command::KtRemove {
                keytab,
                principal,
                which,
                quiet,
            })
        }
        "help" | "?" | "list_requests" | "lr" => Ok(Command::Help),
        "quit" | "exit" | "q" => Ok(Command::Quit),
        other => Err(AdminError::Usage(format!(
            "Unknown request \"{other}\".  Type \"?\" for a request list."
        ))),
    }
}

fn force_and_names(rest: &[String]) -> (bool, Vec<String>) {
    let force = rest.iter().any(|w| w == "-force");
    let names = rest.iter().filter(|w| *w != "-force").cloned().collect();
    (force, names)
}

/// Puts a prompted password into an addprinc/cpw request.
pub fn set_password(req: &mut AdminRequest, pw: Secret) {
    match req {
        AdminRequest::AddPrincipal { keys, .. } | AdminRequest::ChangePassword { keys, .. } => {
            *keys = KeySpec::Password(pw);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn p(line: &str) -> Result<Command, AdminError> {
        parse_command(&split_words(line).unwrap(), 1_000_000)
    }

    #[test]
    fn addprinc_flags() {
        let Command::Admin {
            req:
                AdminRequest::AddPrincipal {
                    name,
                    keys,
                    enctypes,
                    mods,
                },
            prompt_password,
            ..
        } = p("addprinc -pw 'se cret' -e aes256-cts:normal,aes128-sha2 -maxlife 10h -expire \"now + 1 day\" -requires_preauth +needchange alice").unwrap()
        else {
            panic!()
        };
        assert_eq!(name, "alice");
        assert_eq!(keys, KeySpec::Password(Secret::new("se cret")));
        assert_eq!(enctypes, Some(vec![18, 19]));
        assert_eq!(mods.max_life, Some(36000));
        assert_eq!(mods.expiration, Some(Some(1_086_400)));
        assert_eq!(mods.clear_flags, PrincipalFlags::REQUIRES_PREAUTH.0);
        assert_eq!(mods.set_flags, PrincipalFlags::NEEDCHANGE.0);
        assert!(!prompt_password);
        assert!(matches!(
            p("addprinc alice").unwrap(),
            Command::Admin {
                prompt_password: true,
                ..
            }
        ));
        assert!(p("addprinc -bogus alice").is_err());
        assert!(p("addprinc a b").is_err());
        assert!(p("addprinc -e rc4-hmac a").is_err());
        assert!(p("frobnicate").is_err());
    }

    #[test]
    fn password_lines_are_recognised() {
        for l in [
            "addprinc -pw secret x",
            "ank -pw 'se cret' x",
            "add_principal -randkey -pw s x",
            "cpw -pw secret x",
            "change_password -pw secret x",
            "  cpw   \"-pw\" s x",
            "addprinc -pw \"unterminated x",
        ] {
            assert!(carries_password(l), "{l}");
        }
        for l in [
            "getprinc x",
            "addprinc -randkey x",
            "cpw x",
            "listprincs *-pwx*",
        ] {
            assert!(!carries_password(l), "{l}");
        }
    }

    #[test]
    fn other_commands() {
        assert!(matches!(
            p("getprinc -terse bob").unwrap(),
            Command::Admin {
                req: AdminRequest::GetPrincipal { .. },
                terse: true,
                ..
            }
        ));
        assert!(p("getprinc -bogus bob").is_err());
        assert!(matches!(
            p("setstr bob allowed_to_delegate_to 'HTTP/a b'").unwrap(),
            Command::Admin {
                req: AdminRequest::SetString { ref key, ref value, .. },
                ..
            } if key == "allowed_to_delegate_to" && value == "HTTP/a b"
        ));
        assert!(p("setstr bob k").is_err());
        assert!(matches!(
            p("del_string bob k").unwrap(),
            Command::Admin {
                req: AdminRequest::DeleteString { .. },
                ..
            }
        ));
        assert!(matches!(
            p("get_privs").unwrap(),
            Command::Admin {
                req: AdminRequest::GetPrivileges,
                ..
            }
        ));
        assert!(p("getprivs x").is_err());
        assert!(matches!(
            p("delprinc -force bob").unwrap(),
            Command::Admin { confirm: None, .. }
        ));
        assert!(matches!(
            p("delprinc bob").unwrap(),
            Command::Admin {
                confirm: Some(_),
                ..
            }
        ));
        assert!(matches!(
            p("ktremove -k /tmp/kt bob old").unwrap(),
            Command::KtRemove {
                which: KtRemoveWhich::Old,
                ..
            }
        ));
        assert!(matches!(
            p("purgekeys -keepkvno 3 bob").unwrap(),
            Command::Admin {
                req: AdminRequest::PurgeKeys {
                    keep: PurgeKeep::KeepKvno(3),
                    ..
                },
                ..
            }
        ));
        let Command::Admin {
            req: AdminRequest::AddPolicy { mods, .. },
            ..
        } = p("addpol -minlength 8 -minclasses 3 -history 4 -lockoutduration 10m pol").unwrap()
        else {
            panic!()
        };
        assert_eq!(mods.min_length, Some(8));
        assert_eq!(mods.lockout_duration, Some(600));
        assert_eq!(
            split_words("a \"b c\" d\\ e").unwrap(),
            vec!["a", "b c", "d e"]
        );
    }
}
