//! A kadmin session: parses a command line, prompts when needed, runs it
//! through the [`AdminService`] (or edits a keytab for ktadd/ktremove) and
//! renders the result as text or one JSON object.

use std::time::SystemTime;

use serde_json::{Value, json};
use tessera_client::keytab::{Keytab, KeytabEntry, KtPrincipal, default_keytab_name};
use zeroize::Zeroizing;

use super::error::AdminError;
use super::format::{format_principal_terse, format_response};
use super::parse::{Command, KtRemoveWhich, USAGE, parse_command, set_password, split_words};
use super::request::{AdminRequest, AdminResponse, Secret};
use super::service::{AdminService, Caller};
use crate::config::enctype_name;
use crate::db::entry::to_unix;

/// Asks the user things.
pub trait Prompter {
    /// Reads a password (without echo on a terminal).
    fn password(&mut self, prompt: &str) -> Result<Secret, AdminError>;
    /// Asks a yes/no question; true = yes.
    fn confirm(&mut self, question: &str) -> Result<bool, AdminError>;
}

/// A prompter for non-interactive use: no passwords, always confirms.
#[derive(Debug, Default)]
pub struct NoPrompt;

impl Prompter for NoPrompt {
    fn password(&mut self, _prompt: &str) -> Result<Secret, AdminError> {
        Err(AdminError::Input(
            "a password is needed: give -pw PASSWORD or -randkey".into(),
        ))
    }
    fn confirm(&mut self, _question: &str) -> Result<bool, AdminError> {
        Ok(true)
    }
}

/// What a [`Session`] runs commands against: the [`AdminService`] itself
/// (local mode, and inside the admin server) or a remote admin client.
pub trait AdminBackend: std::fmt::Debug {
    /// Runs one request for `caller`.
    fn execute(&self, caller: &Caller, req: AdminRequest) -> Result<AdminResponse, AdminError>;
    /// Adds the realm to a name without one and checks it is in the realm.
    fn canonical_name(&self, name: &str) -> Result<String, AdminError>;
}

impl AdminBackend for AdminService {
    fn execute(&self, caller: &Caller, req: AdminRequest) -> Result<AdminResponse, AdminError> {
        AdminService::execute(self, caller, req)
    }
    fn canonical_name(&self, name: &str) -> Result<String, AdminError> {
        AdminService::canonical_name(self, name)
    }
}

/// What running one line gave.
#[derive(Debug, Clone, PartialEq)]
pub enum LineResult {
    /// Output to print (text or one JSON object).
    Output {
        /// The rendered output (may be empty).
        text: String,
        /// Whether the command succeeded.
        ok: bool,
    },
    /// The user asked to quit.
    Quit,
}

/// One kadmin session (a caller, an output mode).
#[derive(Debug)]
pub struct Session<'a> {
    service: &'a dyn AdminBackend,
    caller: Caller,
    json: bool,
}

fn ename(e: i32) -> String {
    enctype_name(e).map_or_else(|| e.to_string(), str::to_owned)
}

impl<'a> Session<'a> {
    /// A session for `caller`; `json` selects one JSON object per command.
    pub fn new(service: &'a dyn AdminBackend, caller: Caller, json: bool) -> Self {
        Session {
            service,
            caller,
            json,
        }
    }

    /// Parses and runs one input line (blank lines and `#` comments give
    /// empty output).
    pub fn run_line(&self, line: &str, prompter: &mut dyn Prompter) -> LineResult {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return LineResult::Output {
                text: String::new(),
                ok: true,
            };
        }
        match split_words(trimmed) {
            Ok(words) => self.run_words(&words, prompter),
            Err(e) => self.render_error("", &e),
        }
    }

    /// Runs one command given as words (`words[0]` is the command).
    pub fn run_words(&self, words: &[String], prompter: &mut dyn Prompter) -> LineResult {
        let cmd_name = words.first().cloned().unwrap_or_default();
        let now = SystemTime::now();
        let cmd = match parse_command(words, to_unix(now)) {
            Ok(c) => c,
            Err(e) => return self.render_error(&cmd_name, &e),
        };
        match cmd {
            Command::Quit => LineResult::Quit,
            Command::Help => {
                let mut s = String::new();
                for (_, u) in USAGE {
                    s.push_str(u);
                    s.push('\n');
                }
                if self.json {
                    s = json!({"ok": true, "command": "help", "result": {"usage": USAGE.iter().map(|(_, u)| *u).collect::<Vec<_>>()}}).to_string() + "\n";
                }
                LineResult::Output { text: s, ok: true }
            }
            Command::Admin {
                mut req,
                prompt_password,
                confirm,
                terse,
            } => {
                let name = req.command_name();
                if let Some(q) = confirm {
                    match prompter.confirm(&self.canonical_question(&req, q)) {
                        Ok(true) => {}
                        Ok(false) => return self.render_error(name, &AdminError::Cancelled),
                        Err(e) => return self.render_error(name, &e),
                    }
                }
                if prompt_password && let Err(e) = self.prompt_password(&mut req, prompter) {
                    return self.render_error(name, &e);
                }
                match self.service.execute(&self.caller, req) {
                    Ok(AdminResponse::Principal(p)) if terse && !self.json => LineResult::Output {
                        text: format_principal_terse(&p),
                        ok: true,
                    },
                    Ok(resp) => self.render_ok(name, &resp),
                    Err(e) => self.render_error(name, &e),
                }
            }
            Command::KtAdd {
                keytab,
                principals,
                enctypes,
                randomize,
                quiet,
            } => match self.ktadd(keytab, &principals, enctypes, randomize, quiet) {
                Ok((text, j)) => self.render_custom("ktadd", text, j),
                Err(e) => self.render_error("ktadd", &e),
            },
            Command::KtRemove {
                keytab,
                principal,
                which,
                quiet,
            } => match self.ktremove(keytab, &principal, which, quiet) {
                Ok((text, j)) => self.render_custom("ktremove", text, j),
                Err(e) => self.render_error("ktremove", &e),
            },
        }
    }

    /// The "Are you sure" question with full names, as MIT asks it.
    fn canonical_question(&self, req: &AdminRequest, parsed: String) -> String {
        let canon = |n: &str| {
            self.service
                .canonical_name(n)
                .unwrap_or_else(|_| n.to_owned())
        };
        match req {
            AdminRequest::DeletePrincipal { name } => format!(
                "Are you sure you want to delete the principal \"{}\"? (yes/no): ",
                canon(name)
            ),
            AdminRequest::RenamePrincipal { old, new } => format!(
                "Are you sure you want to rename the principal \"{}\" to \"{}\"? (yes/no): ",
                canon(old),
                canon(new)
            ),
            _ => parsed,
        }
    }

    fn prompt_password(
        &self,
        req: &mut AdminRequest,
        prompter: &mut dyn Prompter,
    ) -> Result<(), AdminError> {
        let target = self.service.canonical_name(&req.target())?;
        let first = prompter.password(&format!("Enter password for principal \"{target}\": "))?;
        let second =
            prompter.password(&format!("Re-enter password for principal \"{target}\": "))?;
        if first != second {
            return Err(AdminError::Input(
                "Password mismatch while reading password".into(),
            ));
        }
        set_password(req, first);
        Ok(())
    }

    fn ktadd(
        &self,
        keytab: Option<String>,
        principals: &[String],
        enctypes: Option<Vec<i32>>,
        randomize: bool,
        quiet: bool,
    ) -> Result<(String, Value), AdminError> {
        let path = keytab.unwrap_or_else(default_keytab_name);
        let mut text = String::new();
        let mut added = Vec::new();
        let stamp = u32::try_from(to_unix(SystemTime::now())).unwrap_or(0);
        for p in principals {
            let resp = self.service.execute(
                &self.caller,
                AdminRequest::ExtractKeys {
                    name: p.clone(),
                    enctypes: enctypes.clone(),
                    randomize,
                },
            )?;
            let AdminResponse::Keys { principal, keys } = resp else {
                continue;
            };
            let ktp = KtPrincipal::parse(&principal, None)
                .map_err(|e| AdminError::Refused(format!("{principal}: {e}")))?;
            let entries: Vec<KeytabEntry> = keys
                .iter()
                .map(|k| KeytabEntry {
                    principal: ktp.clone(),
                    timestamp: stamp,
                    kvno: k.kvno,
                    enctype: k.enctype,
                    key: Zeroizing::new(k.key.0.clone()),
                })
                .collect();
            Keytab::append_file(&path, entries)?;
            for k in &keys {
                if !quiet {
                    text.push_str(&format!(
                        "Entry for principal {principal} with kvno {}, encryption type {} added to keytab FILE:{path}.\n",
                        k.kvno,
                        ename(k.enctype)
                    ));
                }
                added.push(json!({"principal": principal, "kvno": k.kvno, "enctype": k.enctype, "enctype_name": ename(k.enctype)}));
            }
        }
        Ok((text, json!({"keytab": path, "added": added})))
    }

    fn ktremove(
        &self,
        keytab: Option<String>,
        principal: &str,
        which: KtRemoveWhich,
        quiet: bool,
    ) -> Result<(String, Value), AdminError> {
        let path = keytab.unwrap_or_else(default_keytab_name);
        let name = self.service.canonical_name(principal)?;
        let ktp = KtPrincipal::parse(&name, None)
            .map_err(|e| AdminError::Refused(format!("{name}: {e}")))?;
        let mut kt = Keytab::load(&path)?;
        let highest = kt.matching(&ktp).map(|e| e.kvno).max();
        let Some(highest) = highest else {
            return Err(AdminError::Refused(format!(
                "No entry for principal {name} exists in keytab FILE:{path}"
            )));
        };
        let mut removed = Vec::new();
        kt.entries.retain(|e| {
            let drop = e.principal.same_name(&ktp)
                && match which {
                    KtRemoveWhich::All => true,
                    KtRemoveWhich::Old => e.kvno != highest,
                    KtRemoveWhich::Kvno(k) => e.kvno == k,
                };
            if drop {
                removed.push((e.kvno, e.enctype));
            }
            !drop
        });
        if removed.is_empty() {
            return Err(AdminError::Refused(format!(
                "No matching entries for principal {name} in keytab FILE:{path}"
            )));
        }
        kt.save(&path)?;
        let mut text = String::new();
        if !quiet {
            for (kvno, et) in &removed {
                text.push_str(&format!(
                    "Entry for principal {name} with kvno {kvno}, encryption type {} removed from keytab FILE:{path}.\n",
                    ename(*et)
                ));
            }
        }
        let j = json!({"keytab": path, "removed": removed.iter().map(|(k, e)| json!({"principal": name, "kvno": k, "enctype": e})).collect::<Vec<_>>()});
        Ok((text, j))
    }

    fn render_ok(&self, command: &str, resp: &AdminResponse) -> LineResult {
        if self.json {
            // Never print key bytes, even in JSON.
            let result = match resp {
                AdminResponse::Keys { principal, keys } => json!({
                    "kind": "keys",
                    "principal": principal,
                    "keys": keys.iter().map(|k| json!({"kvno": k.kvno, "enctype": k.enctype})).collect::<Vec<_>>(),
                }),
                other => serde_json::to_value(other).unwrap_or(Value::Null),
            };
            let text = json!({"ok": true, "command": command, "result": result}).to_string() + "\n";
            LineResult::Output { text, ok: true }
        } else {
            LineResult::Output {
                text: format_response(resp),
                ok: true,
            }
        }
    }

    fn render_custom(&self, command: &str, text: String, j: Value) -> LineResult {
        if self.json {
            LineResult::Output {
                text: json!({"ok": true, "command": command, "result": j}).to_string() + "\n",
                ok: true,
            }
        } else {
            LineResult::Output { text, ok: true }
        }
    }

    fn render_error(&self, command: &str, e: &AdminError) -> LineResult {
        let text = if self.json {
            json!({"ok": false, "command": command, "error": e.to_string(), "code": e.code()})
                .to_string()
                + "\n"
        } else if command.is_empty() {
            format!("{e}\n")
        } else {
            format!("{command}: {e}\n")
        };
        LineResult::Output { text, ok: false }
    }
}
