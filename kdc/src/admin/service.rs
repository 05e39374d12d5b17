//! [`AdminService`]: runs [`AdminRequest`]s against a [`PrincipalStore`],
//! checking the ACL (remote callers only) and auditing every command.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tessera_proto::crypto::{EncType, Password};

use super::acl::AclFile;
use super::audit::audit;
use super::error::{AdminError, PasswordRejection};
use super::policy::{
    LockoutState, check_password_quality, password_matches_keys, policy_lockout_state,
};
use super::request::{
    AdminRequest, AdminResponse, ExtractedKey, KeyBytes, KeyInfo, KeySpec, PolicyMods,
    PrincipalInfo, PrincipalMods, PurgeKeep, Secret,
};
use crate::config::{KdcConfig, enctype_name};
use crate::db::entry::{SALT_TYPE_NORMAL, SALT_TYPE_RANDOM_KEY, from_unix, to_unix};
use crate::db::{KeyData, Policy, PrincipalEntry, PrincipalFlags, PrincipalStore, split_principal};
use crate::realm::{KeySource, derive_keys, krbtgt_name};

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

/// Realm settings the service needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSettings {
    /// The realm.
    pub realm: String,
    /// Enctypes of new keys when none are given.
    pub default_enctypes: Vec<i32>,
    /// Enctypes that may be requested.
    pub allowed_enctypes: Vec<i32>,
    /// Previous kvnos kept on a key change (without `-keepold`).
    pub keep_old_kvnos: u32,
    /// Whether new principals require pre-authentication.
    pub require_preauth: bool,
}

impl AdminSettings {
    /// Settings from the KDC configuration.
    pub fn from_config(c: &KdcConfig) -> Self {
        AdminSettings {
            realm: c.realm.clone(),
            default_enctypes: c.policy.default_principal_enctypes.clone(),
            allowed_enctypes: c.policy.allowed_enctypes.clone(),
            keep_old_kvnos: c.database.old_kvnos_to_keep,
            require_preauth: c.policy.require_preauth,
        }
    }
}

/// Executes administration commands. Cheap to share (`Arc` it).
pub struct AdminService {
    store: Arc<dyn PrincipalStore>,
    settings: AdminSettings,
    acl: Option<AclFile>,
}

impl fmt::Debug for AdminService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminService")
            .field("realm", &self.settings.realm)
            .field("acl", &self.acl)
            .finish_non_exhaustive()
    }
}

fn secs(d: Duration) -> u64 {
    d.as_secs()
}

impl AdminService {
    /// A service over `store`; `acl` = None denies every remote caller.
    pub fn new(
        store: Arc<dyn PrincipalStore>,
        settings: AdminSettings,
        acl: Option<AclFile>,
    ) -> Self {
        AdminService {
            store,
            settings,
            acl,
        }
    }

    /// A service configured from `config` (ACL from `[admin] acl_file`).
    pub fn from_config(store: Arc<dyn PrincipalStore>, config: &KdcConfig) -> Self {
        Self::new(
            store,
            AdminSettings::from_config(config),
            config.admin.acl_file.clone().map(AclFile::new),
        )
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn PrincipalStore> {
        &self.store
    }

    /// The settings.
    pub fn settings(&self) -> &AdminSettings {
        &self.settings
    }

    /// Adds the realm to a name without one and checks it is in this realm.
    pub fn canonical_name(&self, name: &str) -> Result<String, AdminError> {
        let full = if name.contains('@') && !name.ends_with('\\') {
            name.to_owned()
        } else {
            format!("{name}@{}", self.settings.realm)
        };
        match split_principal(&full) {
            Some((_, realm)) if realm == self.settings.realm => Ok(full),
            _ => Err(AdminError::BadName {
                name: name.to_owned(),
                realm: self.settings.realm.clone(),
            }),
        }
    }

    /// Runs `req` for `caller` now.
    pub fn execute(&self, caller: &Caller, req: AdminRequest) -> Result<AdminResponse, AdminError> {
        self.execute_at(caller, req, SystemTime::now())
    }

    /// Runs `req` for `caller` as of `now`, then audits it.
    pub fn execute_at(
        &self,
        caller: &Caller,
        req: AdminRequest,
        now: SystemTime,
    ) -> Result<AdminResponse, AdminError> {
        let command = req.command_name();
        let target = match &req {
            AdminRequest::AddPolicy { .. }
            | AdminRequest::ModifyPolicy { .. }
            | AdminRequest::DeletePolicy { .. }
            | AdminRequest::GetPolicy { .. }
            | AdminRequest::ListPolicies { .. }
            | AdminRequest::ListPrincipals { .. }
            | AdminRequest::RenamePrincipal { .. } => req.target(),
            _ => self
                .canonical_name(&req.target())
                .unwrap_or_else(|_| req.target()),
        };
        let result = self.run(caller, req, now);
        audit(
            caller,
            command,
            &target,
            match &result {
                Ok(_) => Ok(()),
                Err(e) => Err((e.code(), e.to_string())),
            },
        );
        result
    }

    /// kpasswd: `caller` (authenticated with an initial ticket) changes its
    /// own password. No ACL applies (everyone may change their own
    /// password), but the policy does, including the minimum password life.
    /// Audited as command `kpasswd`. Returns the new kvno.
    pub fn change_own_password(
        &self,
        caller: &Caller,
        password: &Secret,
    ) -> Result<u32, AdminError> {
        let now = SystemTime::now();
        let name = caller.principal.clone();
        let result = self
            .store
            .refresh()
            .map_err(AdminError::from)
            .and_then(|()| {
                self.change_keys(
                    caller,
                    &name,
                    &KeySpec::Password(password.clone()),
                    None,
                    false,
                    now,
                )
            });
        audit(
            caller,
            "kpasswd",
            &name,
            match &result {
                Ok(_) => Ok(()),
                Err(e) => Err((e.code(), e.to_string())),
            },
        );
        result
    }

    /// Whether `caller` has `permission` on `target` under the ACL (local
    /// callers always do). For checks a front end makes in addition to
    /// the service's own (e.g. `e` for remote `ktadd`).
    pub fn check_acl(
        &self,
        caller: &Caller,
        permission: char,
        target: &str,
    ) -> Result<(), AdminError> {
        self.authorize(caller, permission, target)
    }

    fn authorize(&self, caller: &Caller, permission: char, target: &str) -> Result<(), AdminError> {
        if caller.is_local() {
            return Ok(());
        }
        let allowed = match &self.acl {
            Some(acl) => acl.check(&caller.principal, permission, target)?,
            None => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(AdminError::Denied {
                caller: caller.principal.clone(),
                permission,
                target: target.to_owned(),
            })
        }
    }

    fn load(&self, name: &str) -> Result<PrincipalEntry, AdminError> {
        match self.store.get(name)? {
            Some(e) => Ok((*e).clone()),
            None => Err(AdminError::NoPrincipal(name.to_owned())),
        }
    }

    fn policy_of(&self, entry: &PrincipalEntry) -> Result<Option<Policy>, AdminError> {
        match &entry.policy {
            Some(p) => Ok(self.store.get_policy(p)?),
            None => Ok(None),
        }
    }

    fn enctypes(
        &self,
        requested: Option<&[i32]>,
        fallback: Option<Vec<i32>>,
    ) -> Result<Vec<EncType>, AdminError> {
        let list = match requested {
            Some(l) if !l.is_empty() => l.to_vec(),
            _ => fallback
                .filter(|f| !f.is_empty())
                .unwrap_or_else(|| self.settings.default_enctypes.clone()),
        };
        let mut out = Vec::new();
        for n in list {
            if !self.settings.allowed_enctypes.contains(&n) {
                return Err(AdminError::BadEnctype(
                    enctype_name(n).map_or_else(|| n.to_string(), str::to_owned),
                ));
            }
            let e = EncType::from_i32(n).ok_or_else(|| AdminError::BadEnctype(n.to_string()))?;
            if !out.contains(&e) {
                out.push(e);
            }
        }
        Ok(out)
    }

    fn run(
        &self,
        caller: &Caller,
        req: AdminRequest,
        now: SystemTime,
    ) -> Result<AdminResponse, AdminError> {
        // Pick up what other processes wrote, so decisions use fresh data.
        self.store.refresh()?;
        match req {
            AdminRequest::AddPrincipal {
                name,
                keys,
                enctypes,
                mods,
            } => self.add_principal(caller, &name, &keys, enctypes.as_deref(), &mods, now),
            AdminRequest::DeletePrincipal { name } => {
                let name = self.canonical_name(&name)?;
                self.authorize(caller, 'd', &name)?;
                if name == krbtgt_name(&self.settings.realm) {
                    return Err(AdminError::Refused(format!(
                        "refusing to delete {name}: the realm cannot work without it"
                    )));
                }
                if !self.store.delete(&name)? {
                    return Err(AdminError::NoPrincipal(name));
                }
                Ok(done(format!("Principal \"{name}\" deleted."), None))
            }
            AdminRequest::ModifyPrincipal { name, mods } => {
                let name = self.canonical_name(&name)?;
                self.authorize(caller, 'm', &name)?;
                let mut e = self.load(&name)?;
                self.apply_mods(&mut e, &mods)?;
                if let Some(kvno) = mods.kvno {
                    let cur = e.current_kvno();
                    if kvno == 0 {
                        return Err(AdminError::Usage("kvno must be positive".into()));
                    }
                    if e.keys.iter().any(|k| k.kvno == kvno && kvno != cur) {
                        return Err(AdminError::Refused(format!(
                            "{name} already has keys with kvno {kvno}"
                        )));
                    }
                    for k in e.keys.iter_mut().filter(|k| k.kvno == cur) {
                        k.kvno = kvno;
                    }
                }
                if mods.unlock {
                    e.fail_count = 0;
                    e.last_failure = None;
                }
                self.touch(&mut e, caller, now);
                self.store.update(&e)?;
                Ok(done(format!("Principal \"{name}\" modified."), None))
            }
            AdminRequest::RenamePrincipal { old, new } => {
                let old = self.canonical_name(&old)?;
                let new = self.canonical_name(&new)?;
                self.authorize(caller, 'd', &old)?;
                self.authorize(caller, 'a', &new)?;
                if old == krbtgt_name(&self.settings.realm) {
                    return Err(AdminError::Refused(format!("refusing to rename {old}")));
                }
                let mut e = self.load(&old)?;
                // Keys keep their stored salt (derived from the old name), so
                // the old password keeps working.
                e.name.clone_from(&new);
                self.touch(&mut e, caller, now);
                self.store.rename(&old, &e)?;
                Ok(done(
                    format!("Principal \"{old}\" renamed to \"{new}\"."),
                    None,
                ))
            }
            AdminRequest::GetPrincipal { name } => {
                let name = self.canonical_name(&name)?;
                self.authorize(caller, 'i', &name)?;
                let e = self.load(&name)?;
                Ok(AdminResponse::Principal(self.info(&e, now)?))
            }
            AdminRequest::ListPrincipals { glob } => {
                let glob = glob.unwrap_or_else(|| "*".to_owned());
                self.authorize(caller, 'l', &glob)?;
                let pattern = if glob.contains('@') || glob == "*" {
                    glob
                } else {
                    format!("{glob}@{}", self.settings.realm)
                };
                Ok(AdminResponse::Names {
                    names: self.store.list(&pattern)?,
                })
            }
            AdminRequest::ChangePassword {
                name,
                keys,
                enctypes,
                keep_old,
            } => {
                let name = self.canonical_name(&name)?;
                self.authorize(caller, 'c', &name)?;
                let kvno =
                    self.change_keys(caller, &name, &keys, enctypes.as_deref(), keep_old, now)?;
                Ok(done(
                    format!("Password for \"{name}\" changed."),
                    Some(kvno),
                ))
            }
            AdminRequest::ExtractKeys {
                name,
                enctypes,
                randomize,
            } => {
                let name = self.canonical_name(&name)?;
                let e = self.load(&name)?;
                if e.flags.contains(PrincipalFlags::LOCKDOWN_KEYS) {
                    return Err(AdminError::Refused(format!(
                        "{name} has lockdown_keys set: its keys cannot be extracted"
                    )));
                }
                let keys: Vec<KeyData> = if randomize {
                    self.authorize(caller, 'c', &name)?;
                    self.change_keys(
                        caller,
                        &name,
                        &KeySpec::Random,
                        enctypes.as_deref(),
                        false,
                        now,
                    )?;
                    self.load(&name)?.current_keys().cloned().collect()
                } else {
                    if !caller.is_local() {
                        return Err(AdminError::Refused(
                            "-norandkey is only allowed in local mode (kadmin -l)".into(),
                        ));
                    }
                    self.authorize(caller, 'e', &name)?;
                    let wanted = match &enctypes {
                        Some(l) if !l.is_empty() => Some(l.clone()),
                        _ => None,
                    };
                    e.current_keys()
                        .filter(|k| wanted.as_ref().is_none_or(|w| w.contains(&k.enctype)))
                        .cloned()
                        .collect()
                };
                if keys.is_empty() {
                    return Err(AdminError::Refused(format!(
                        "{name} has no keys to extract"
                    )));
                }
                Ok(AdminResponse::Keys {
                    principal: name,
                    keys: keys
                        .iter()
                        .map(|k| ExtractedKey {
                            kvno: k.kvno,
                            enctype: k.enctype,
                            key: KeyBytes(k.key.as_bytes().to_vec()),
                        })
                        .collect(),
                })
            }
            AdminRequest::PurgeKeys { name, keep } => {
                let name = self.canonical_name(&name)?;
                self.authorize(caller, 'm', &name)?;
                let mut e = self.load(&name)?;
                let cur = e.current_kvno();
                let before = e.keys.len();
                match keep {
                    PurgeKeep::All => e.keys.clear(),
                    PurgeKeep::KeepKvno(n) => e.keys.retain(|k| k.kvno >= n || k.kvno == cur),
                }
                let removed = before - e.keys.len();
                self.touch(&mut e, caller, now);
                self.store.update(&e)?;
                Ok(done(
                    format!("Old keys for principal \"{name}\" purged ({removed} removed)."),
                    Some(e.current_kvno()),
                ))
            }
            AdminRequest::Lock { name } => {
                let name = self.canonical_name(&name)?;
                self.authorize(caller, 'm', &name)?;
                let mut e = self.load(&name)?;
                e.flags.set(PrincipalFlags::ADMIN_LOCKED, true);
                e.flags.set(PrincipalFlags::ALLOW_TIX, false);
                self.touch(&mut e, caller, now);
                self.store.update(&e)?;
                Ok(done(format!("Principal \"{name}\" locked."), None))
            }
            AdminRequest::Unlock { name } => {
                let name = self.canonical_name(&name)?;
                self.authorize(caller, 'm', &name)?;
                let mut e = self.load(&name)?;
                if e.flags.contains(PrincipalFlags::ADMIN_LOCKED) {
                    e.flags.set(PrincipalFlags::ADMIN_LOCKED, false);
                    e.flags.set(PrincipalFlags::ALLOW_TIX, true);
                }
                e.fail_count = 0;
                e.last_failure = None;
                self.touch(&mut e, caller, now);
                self.store.update(&e)?;
                Ok(done(format!("Principal \"{name}\" unlocked."), None))
            }
            AdminRequest::AddPolicy { name, mods } => {
                self.authorize(caller, 'p', &name)?;
                let mut p = Policy::new(name.clone());
                mods.apply(&mut p);
                check_policy(&p, &mods)?;
                self.store.create_policy(&p)?;
                Ok(done(format!("Policy \"{name}\" created."), None))
            }
            AdminRequest::ModifyPolicy { name, mods } => {
                self.authorize(caller, 'p', &name)?;
                let mut p = self
                    .store
                    .get_policy(&name)?
                    .ok_or_else(|| AdminError::NoPolicy(name.clone()))?;
                mods.apply(&mut p);
                check_policy(&p, &mods)?;
                self.store.update_policy(&p)?;
                Ok(done(format!("Policy \"{name}\" modified."), None))
            }
            AdminRequest::DeletePolicy { name } => {
                self.authorize(caller, 'p', &name)?;
                if !self.store.delete_policy(&name)? {
                    return Err(AdminError::NoPolicy(name));
                }
                Ok(done(format!("Policy \"{name}\" deleted."), None))
            }
            AdminRequest::GetPolicy { name } => {
                self.authorize(caller, 'i', &name)?;
                let policy = self
                    .store
                    .get_policy(&name)?
                    .ok_or_else(|| AdminError::NoPolicy(name.clone()))?;
                let mut reference_count = 0u64;
                for p in self.store.list("*")? {
                    if self
                        .store
                        .get(&p)?
                        .is_some_and(|e| e.policy.as_deref() == Some(name.as_str()))
                    {
                        reference_count += 1;
                    }
                }
                Ok(AdminResponse::Policy {
                    policy,
                    reference_count,
                })
            }
            AdminRequest::ListPolicies { glob } => {
                let glob = glob.unwrap_or_else(|| "*".to_owned());
                self.authorize(caller, 'l', &glob)?;
                Ok(AdminResponse::Names {
                    names: self.store.list_policies(&glob)?,
                })
            }
        }
    }

    fn touch(&self, e: &mut PrincipalEntry, caller: &Caller, now: SystemTime) {
        e.modified = crate::db::entry::truncate_to_secs(now);
        e.modified_by = Some(caller.principal.clone());
    }

    fn apply_mods(&self, e: &mut PrincipalEntry, m: &PrincipalMods) -> Result<(), AdminError> {
        if let Some(p) = &m.policy {
            if let Some(name) = p
                && self.store.get_policy(name)?.is_none()
            {
                return Err(AdminError::NoPolicy(name.clone()));
            }
            e.policy.clone_from(p);
        }
        if let Some(t) = m.expiration {
            e.expiration = t.map(from_unix);
        }
        if let Some(t) = m.pw_expiration {
            e.pw_expiration = t.map(from_unix);
        }
        if let Some(s) = m.max_life {
            e.max_life = (s > 0).then(|| Duration::from_secs(s));
        }
        if let Some(s) = m.max_renewable_life {
            e.max_renewable_life = (s > 0).then(|| Duration::from_secs(s));
        }
        e.flags.0 |= m.set_flags;
        e.flags.0 &= !m.clear_flags;
        Ok(())
    }

    fn add_principal(
        &self,
        caller: &Caller,
        name: &str,
        keys: &KeySpec,
        enctypes: Option<&[i32]>,
        mods: &PrincipalMods,
        now: SystemTime,
    ) -> Result<AdminResponse, AdminError> {
        let name = self.canonical_name(name)?;
        self.authorize(caller, 'a', &name)?;
        if self.store.get(&name)?.is_some() {
            return Err(AdminError::PrincipalExists(name));
        }
        let mut e = PrincipalEntry::new(
            name.clone(),
            PrincipalFlags::new_principal_default(self.settings.require_preauth),
            now,
        );
        let mut mods = mods.clone();
        if mods.policy.is_none() && self.store.get_policy("default")?.is_some() {
            // As MIT: a policy named "default" applies when none is given.
            mods.policy = Some(Some("default".to_owned()));
        }
        mods.kvno = None;
        mods.unlock = false;
        self.apply_mods(&mut e, &mods)?;
        let policy = self.policy_of(&e)?;
        let etypes = self.enctypes(enctypes, None)?;
        let new = match keys {
            KeySpec::Password(pw) => {
                if let Some(p) = &policy {
                    check_password_quality(pw.expose(), p)?;
                    if p.max_life > 0 && mods.pw_expiration.is_none() {
                        e.pw_expiration = Some(now + Duration::from_secs(p.max_life));
                    }
                }
                let pw = Password::new(pw.expose());
                derive_keys(&name, KeySource::Password(&pw), &etypes)?
            }
            KeySpec::Random => derive_keys(&name, KeySource::Random, &etypes)?,
            KeySpec::NoKey => Vec::new(),
        };
        e.keys = new
            .into_iter()
            .map(|k| KeyData {
                kvno: 1,
                enctype: k.enctype,
                key: k.key,
                salt: k.salt,
            })
            .collect();
        e.modified_by = Some(caller.principal.clone());
        self.store.create(&e)?;
        Ok(done(
            format!("Principal \"{name}\" created."),
            Some(e.current_kvno()),
        ))
    }

    /// cpw / ktadd randomization: new key set at kvno + 1, history and
    /// policy checks for passwords. Returns the new kvno.
    fn change_keys(
        &self,
        caller: &Caller,
        name: &str,
        keys: &KeySpec,
        enctypes: Option<&[i32]>,
        keep_old: bool,
        now: SystemTime,
    ) -> Result<u32, AdminError> {
        let mut e = self.load(name)?;
        let policy = self.policy_of(&e)?;
        let current: Vec<i32> = e.current_keys().map(|k| k.enctype).collect();
        let etypes = self.enctypes(enctypes, Some(current))?;
        let new = match keys {
            KeySpec::Password(pw) => {
                let password = Password::new(pw.expose());
                if let Some(p) = &policy {
                    if !caller.is_local() && caller.principal == name && p.min_life > 0 {
                        let last = self.store.last_password_change(name)?.unwrap_or(e.created);
                        if now < last + Duration::from_secs(p.min_life) {
                            return Err(PasswordRejection::TooSoon.into());
                        }
                    }
                    check_password_quality(pw.expose(), p)?;
                    if p.history > 0 {
                        let cur: Vec<KeyData> = e.current_keys().cloned().collect();
                        let hist = self.store.password_history(name)?;
                        if password_matches_keys(&password, &cur)
                            || password_matches_keys(&password, &hist)
                        {
                            return Err(PasswordRejection::Reused.into());
                        }
                    }
                }
                derive_keys(name, KeySource::Password(&password), &etypes)?
            }
            KeySpec::Random => derive_keys(name, KeySource::Random, &etypes)?,
            KeySpec::NoKey => {
                return Err(AdminError::Usage(
                    "cpw needs -pw, -randkey or a prompt".into(),
                ));
            }
        };
        let old_kvno = e.current_kvno();
        let kvno = old_kvno.wrapping_add(1).max(1);
        let retired: Vec<KeyData> = e.current_keys().cloned().collect();
        if !keep_old {
            let oldest = kvno.saturating_sub(self.settings.keep_old_kvnos);
            e.keys.retain(|k| k.kvno >= oldest);
        }
        let mut keys: Vec<KeyData> = new
            .into_iter()
            .map(|k| KeyData {
                kvno,
                enctype: k.enctype,
                key: k.key,
                salt: k.salt,
            })
            .collect();
        keys.append(&mut e.keys);
        e.keys = keys;
        e.flags.set(PrincipalFlags::NEEDCHANGE, false);
        e.pw_expiration = match &policy {
            Some(p) if p.max_life > 0 && matches!(keys_kind(&e), SALT_TYPE_NORMAL) => {
                Some(now + Duration::from_secs(p.max_life))
            }
            _ => None,
        };
        self.touch(&mut e, caller, now);
        // History keeps `history - 1` retired key sets (the current one is
        // checked separately).
        let history_kvnos = policy.as_ref().map_or(0, |p| p.history.saturating_sub(1));
        self.store
            .update_with_history(&e, &retired, history_kvnos)?;
        Ok(kvno)
    }

    fn info(&self, e: &PrincipalEntry, now: SystemTime) -> Result<PrincipalInfo, AdminError> {
        let policy = self.policy_of(e)?;
        let last_pw = self
            .store
            .last_password_change(&e.name)?
            .unwrap_or(e.created);
        Ok(PrincipalInfo {
            name: e.name.clone(),
            expiration: e.expiration.map(to_unix),
            last_password_change: (!e.keys.is_empty()).then(|| to_unix(last_pw)),
            pw_expiration: e.pw_expiration.map(to_unix),
            max_life: e.max_life.map(secs),
            max_renewable_life: e.max_renewable_life.map(secs),
            modified: to_unix(e.modified),
            modified_by: e.modified_by.clone(),
            last_success: e.last_success.map(to_unix),
            last_failure: e.last_failure.map(to_unix),
            fail_count: e.fail_count,
            kvno: e.current_kvno(),
            keys: e
                .keys
                .iter()
                .map(|k| KeyInfo {
                    kvno: k.kvno,
                    enctype: k.enctype,
                    enctype_name: enctype_name(k.enctype)
                        .map_or_else(|| k.enctype.to_string(), str::to_owned),
                    salt_type: match k.salt.as_ref().map(|s| s.salt_type) {
                        Some(SALT_TYPE_NORMAL) => "normal".to_owned(),
                        Some(SALT_TYPE_RANDOM_KEY) => "random".to_owned(),
                        Some(n) => format!("salttype {n}"),
                        None => "none".to_owned(),
                    },
                })
                .collect(),
            attributes: mit_attributes(e.flags),
            policy: e.policy.clone(),
            locked: !matches!(
                policy_lockout_state(e, policy.as_ref(), now),
                LockoutState::Open
            ),
        })
    }
}

/// Salt type of the newest key (normal = password-derived).
fn keys_kind(e: &PrincipalEntry) -> i32 {
    e.current_keys()
        .next()
        .and_then(|k| k.salt.as_ref().map(|s| s.salt_type))
        .unwrap_or(SALT_TYPE_RANDOM_KEY)
}

fn done(message: String, kvno: Option<u32>) -> AdminResponse {
    AdminResponse::Done { message, kvno }
}

fn check_policy(p: &Policy, mods: &PolicyMods) -> Result<(), AdminError> {
    if mods.min_classes.is_some() && !(1..=5).contains(&p.min_classes) {
        return Err(AdminError::Usage(
            "Invalid password policy: minclasses must be between 1 and 5".into(),
        ));
    }
    if p.name.is_empty() {
        return Err(AdminError::Usage("policy name must not be empty".into()));
    }
    Ok(())
}

/// MIT's attribute names for the flags that differ from MIT's defaults
/// (MIT prints `DISALLOW_*` for cleared `allow_*` flags).
pub fn mit_attributes(f: PrincipalFlags) -> Vec<String> {
    let mut out = Vec::new();
    let mut set = |cond: bool, name: &str| {
        if cond {
            out.push(name.to_owned());
        }
    };
    set(
        f.contains(PrincipalFlags::REQUIRES_PREAUTH),
        "REQUIRES_PRE_AUTH",
    );
    set(
        f.contains(PrincipalFlags::REQUIRES_HWAUTH),
        "REQUIRES_HW_AUTH",
    );
    set(!f.contains(PrincipalFlags::ALLOW_TIX), "DISALLOW_ALL_TIX");
    set(
        !f.contains(PrincipalFlags::ALLOW_FORWARDABLE),
        "DISALLOW_FORWARDABLE",
    );
    set(
        !f.contains(PrincipalFlags::ALLOW_RENEWABLE),
        "DISALLOW_RENEWABLE",
    );
    set(
        !f.contains(PrincipalFlags::ALLOW_PROXIABLE),
        "DISALLOW_PROXIABLE",
    );
    set(
        !f.contains(PrincipalFlags::ALLOW_POSTDATED),
        "DISALLOW_POSTDATED",
    );
    set(!f.contains(PrincipalFlags::ALLOW_SVR), "DISALLOW_SVR");
    set(
        !f.contains(PrincipalFlags::ALLOW_DUP_SKEY),
        "DISALLOW_DUP_SKEY",
    );
    set(f.contains(PrincipalFlags::NEEDCHANGE), "REQUIRES_PWCHANGE");
    set(
        f.contains(PrincipalFlags::PWCHANGE_SERVICE),
        "PWCHANGE_SERVICE",
    );
    set(f.contains(PrincipalFlags::OK_AS_DELEGATE), "OK_AS_DELEGATE");
    set(
        f.contains(PrincipalFlags::OK_TO_AUTH_AS_DELEGATE),
        "OK_TO_AUTH_AS_DELEGATE",
    );
    set(
        f.contains(PrincipalFlags::NO_AUTH_DATA_REQUIRED),
        "NO_AUTH_DATA_REQUIRED",
    );
    set(f.contains(PrincipalFlags::LOCKDOWN_KEYS), "LOCKDOWN_KEYS");
    set(f.contains(PrincipalFlags::ADMIN_LOCKED), "LOCKED");
    out
}
