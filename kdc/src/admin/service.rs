//! [`AdminService`]: runs [`AdminRequest`]s against a [`PrincipalStore`],
//! checking the ACL (remote callers only) and auditing every command.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use tessera_proto::crypto::EncType;

use super::acl::AclFile;
use super::audit::audit;
use super::error::AdminError;
use super::request::{
    AdminRequest, AdminResponse, ExtractedKey, KeyBytes, KeySpec, PolicyMods, PurgeKeep, Secret,
};
use crate::config::{KdcConfig, enctype_name};
use crate::db::{
    KeyData, Modification, Policy, PrincipalEntry, PrincipalFlags, PrincipalStore, split_principal,
};
use crate::realm::krbtgt_name;

mod principal_ops;
mod strings;

use principal_ops::apply_mods;

pub use super::caller::{Caller, Origin};
pub use principal_ops::{mit_attribute_bits, mit_attributes};

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
    /// The realm's maximum ticket life in seconds (`getprinc` shows it
    /// for principals without their own).
    pub max_life: u64,
    /// The realm's maximum renewable life in seconds.
    pub max_renewable_life: u64,
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
            max_life: c.policy.max_life.as_secs(),
            max_renewable_life: c.policy.max_renewable_life.as_secs(),
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

    /// Adds this realm to a name without one and checks that the name is
    /// well formed. Names in other realms are accepted (cross-realm
    /// `krbtgt/OTHER@THIS` and `krbtgt/THIS@OTHER`, as MIT does).
    pub fn canonical_name(&self, name: &str) -> Result<String, AdminError> {
        let full = if name.contains('@') && !name.ends_with('\\') {
            name.to_owned()
        } else {
            format!("{name}@{}", self.settings.realm)
        };
        match split_principal(&full) {
            Some((_, realm)) if !realm.is_empty() => Ok(full),
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
            | AdminRequest::GetPrivileges
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

    /// The `names` a list command matched that `caller` may list: each
    /// must pass the ACL's `l` check for that very name (component-scoped
    /// targets such as `users/*@R` then list only such names, whatever the
    /// caller's glob). A caller no rule grants `l` anywhere is refused.
    /// Local callers see everything.
    fn listable(
        &self,
        caller: &Caller,
        glob: &str,
        names: Vec<String>,
    ) -> Result<Vec<String>, AdminError> {
        if caller.is_local() {
            return Ok(names);
        }
        let acl = match &self.acl {
            Some(f) => f.current()?,
            None => super::acl::Acl::default(),
        };
        if !acl.grants_somewhere(&caller.principal, 'l') {
            return Err(AdminError::Denied {
                caller: caller.principal.clone(),
                permission: 'l',
                target: glob.to_owned(),
            });
        }
        Ok(names
            .into_iter()
            .filter(|n| acl.check(&caller.principal, 'l', n))
            .collect())
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
                if mods.kvno == Some(0) {
                    return Err(AdminError::Usage("kvno must be positive".into()));
                }
                self.check_mods(&mods)?;
                self.modify_entry(&name, |e| {
                    apply_mods(e, &mods);
                    if let Some(kvno) = mods.kvno {
                        let cur = e.current_kvno();
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
                    self.touch(e, caller, now);
                    Ok(Modification::Write)
                })?;
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
                // As MIT: a glob without a realm matches every realm
                // (`krbtgt/*` lists the cross-realm krbtgts too), and `*`
                // matches across `/` and `@`.
                let pattern = if glob.contains('@') {
                    glob.clone()
                } else {
                    format!("{glob}@*")
                };
                let names = self.listable(caller, &glob, self.store.list(&pattern)?)?;
                Ok(AdminResponse::Names { names })
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
                let message = match keys {
                    KeySpec::Random => format!("Key for \"{name}\" randomized."),
                    _ => format!("Password for \"{name}\" changed."),
                };
                Ok(done(message, Some(kvno)))
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
                let mut removed = 0;
                let e = self.modify_entry(&name, |e| {
                    let cur = e.current_kvno();
                    let before = e.keys.len();
                    match keep {
                        PurgeKeep::All => e.keys.clear(),
                        PurgeKeep::KeepKvno(n) => e.keys.retain(|k| k.kvno >= n || k.kvno == cur),
                    }
                    removed = before - e.keys.len();
                    self.touch(e, caller, now);
                    Ok(Modification::Write)
                })?;
                Ok(done(
                    format!("Old keys for principal \"{name}\" purged ({removed} removed)."),
                    e.map(|e| e.current_kvno()),
                ))
            }
            AdminRequest::Lock { name } => {
                let name = self.canonical_name(&name)?;
                self.authorize(caller, 'm', &name)?;
                self.modify_entry(&name, |e| {
                    e.flags.set(PrincipalFlags::ADMIN_LOCKED, true);
                    e.flags.set(PrincipalFlags::ALLOW_TIX, false);
                    self.touch(e, caller, now);
                    Ok(Modification::Write)
                })?;
                Ok(done(format!("Principal \"{name}\" locked."), None))
            }
            AdminRequest::Unlock { name } => {
                let name = self.canonical_name(&name)?;
                self.authorize(caller, 'm', &name)?;
                self.modify_entry(&name, |e| {
                    if e.flags.contains(PrincipalFlags::ADMIN_LOCKED) {
                        e.flags.set(PrincipalFlags::ADMIN_LOCKED, false);
                        e.flags.set(PrincipalFlags::ALLOW_TIX, true);
                    }
                    e.fail_count = 0;
                    e.last_failure = None;
                    self.touch(e, caller, now);
                    Ok(Modification::Write)
                })?;
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
                let names = self.listable(caller, &glob, self.store.list_policies(&glob)?)?;
                Ok(AdminResponse::Names { names })
            }
            AdminRequest::GetPrivileges => self.privileges(caller),
            AdminRequest::GetStrings { name } => self.get_strings(caller, &name),
            AdminRequest::SetString { name, key, value } => {
                self.set_string(caller, &name, key, value, now)
            }
            AdminRequest::DeleteString { name, key } => {
                self.delete_string(caller, &name, &key, now)
            }
        }
    }
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
