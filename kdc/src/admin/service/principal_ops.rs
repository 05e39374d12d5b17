//! The principal operations of [`AdminService`] that several commands
//! share: creating a principal, changing its keys, applying attribute
//! changes, and describing it (`getprinc`); and MIT's attribute names.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tessera_proto::crypto::Password;

use super::super::error::{AdminError, PasswordRejection};
use super::super::password_quality::{
    LockoutState, check_password_quality, password_matches_keys, policy_lockout_state,
};
use super::super::request::{AdminResponse, KeyInfo, KeySpec, PrincipalInfo, PrincipalMods};
use super::super::timefmt::add_secs;
use super::{AdminService, Caller, done};
use crate::config::enctype_name;
use crate::db::entry::{SALT_TYPE_NORMAL, SALT_TYPE_RANDOM_KEY, from_unix, to_unix};
use crate::db::{DbError, KeyData, Modification, PrincipalEntry, PrincipalFlags};
use crate::realm::{KeySource, derive_keys};

impl AdminService {
    pub(super) fn touch(&self, e: &mut PrincipalEntry, caller: &Caller, now: SystemTime) {
        e.modified = crate::db::entry::truncate_to_secs(now);
        e.modified_by = Some(caller.principal.clone());
    }

    /// Applies `edit` to the stored principal `name` inside the store's
    /// write transaction ([`crate::db::PrincipalStore::modify`]), so a
    /// concurrent write (a KDC counting a failure, another admin) is not
    /// overwritten. `edit` runs with the store locked: it must not call the
    /// store. Its error aborts the write and is returned; `Ok(None)` when it
    /// chose [`Modification::Abort`].
    pub(super) fn modify_entry(
        &self,
        name: &str,
        mut edit: impl FnMut(&mut PrincipalEntry) -> Result<Modification, AdminError>,
    ) -> Result<Option<Arc<PrincipalEntry>>, AdminError> {
        let mut failure = None;
        let written = self.store.modify(name, &mut |e| match edit(e) {
            Ok(m) => m,
            Err(err) => {
                failure = Some(err);
                Modification::Abort
            }
        });
        match written {
            Ok(w) => match failure {
                Some(err) => Err(err),
                None => Ok(w),
            },
            Err(DbError::NotFound(_)) => Err(AdminError::NoPrincipal(name.to_owned())),
            Err(e) => Err(e.into()),
        }
    }

    /// What [`apply_mods`] needs the store for: the policy named must exist.
    pub(super) fn check_mods(&self, m: &PrincipalMods) -> Result<(), AdminError> {
        if let Some(Some(name)) = &m.policy
            && self.store.get_policy(name)?.is_none()
        {
            return Err(AdminError::NoPolicy(name.clone()));
        }
        Ok(())
    }
}

/// Applies attribute changes to `e` (checked first with
/// [`AdminService::check_mods`]).
pub(super) fn apply_mods(e: &mut PrincipalEntry, m: &PrincipalMods) {
    if let Some(p) = &m.policy {
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
}

impl AdminService {
    pub(super) fn add_principal(
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
        self.check_mods(&mods)?;
        apply_mods(&mut e, &mods);
        let policy = self.policy_of(&e)?;
        let etypes = self.enctypes(enctypes, None)?;
        let new = match keys {
            KeySpec::Password(pw) => {
                if let Some(p) = &policy {
                    check_password_quality(pw.expose(), p)?;
                    if p.max_life > 0 && mods.pw_expiration.is_none() {
                        e.pw_expiration = Some(add_secs(now, p.max_life));
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
    pub(super) fn change_keys(
        &self,
        caller: &Caller,
        name: &str,
        keys: &KeySpec,
        enctypes: Option<&[i32]>,
        keep_old: bool,
        now: SystemTime,
    ) -> Result<u32, AdminError> {
        let e = self.load(name)?;
        let policy = self.policy_of(&e)?;
        let current: Vec<i32> = e.current_keys().map(|k| k.enctype).collect();
        let etypes = self.enctypes(enctypes, Some(current))?;
        let new = match keys {
            KeySpec::Password(pw) => {
                let password = Password::new(pw.expose());
                if let Some(p) = &policy {
                    if !caller.is_local() && caller.principal == name && p.min_life > 0 {
                        let last = self.store.last_password_change(name)?.unwrap_or(e.created);
                        let until = add_secs(last, p.min_life);
                        if now < until {
                            return Err(PasswordRejection::TooSoon {
                                until: to_unix(until),
                            }
                            .into());
                        }
                    }
                    check_password_quality(pw.expose(), p)?;
                    if p.history > 0 {
                        let cur: Vec<KeyData> = e.current_keys().cloned().collect();
                        let hist = self.store.password_history(name)?;
                        if password_matches_keys(&password, &cur)
                            || password_matches_keys(&password, &hist)
                        {
                            return Err(PasswordRejection::Reused { history: p.history }.into());
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
        drop(e);
        // History keeps `history - 1` retired key sets (the current one is
        // checked separately).
        let history_kvnos = policy.as_ref().map_or(0, |p| p.history.saturating_sub(1));
        let keep_old_kvnos = self.settings.keep_old_kvnos;
        // The new keys (derived above, outside the store's lock) go onto
        // the entry as stored now, so nothing written since it was read
        // (a lockout count, another change) is lost.
        let mut kvno = 0;
        self.modify_entry(name, |e| {
            kvno = e.current_kvno().wrapping_add(1).max(1);
            let retired: Vec<KeyData> = e.current_keys().cloned().collect();
            if !keep_old {
                let oldest = kvno.saturating_sub(keep_old_kvnos);
                e.keys.retain(|k| k.kvno >= oldest);
            }
            let mut keys: Vec<KeyData> = new
                .iter()
                .map(|k| KeyData {
                    kvno,
                    enctype: k.enctype,
                    key: k.key.clone(),
                    salt: k.salt.clone(),
                })
                .collect();
            keys.append(&mut e.keys);
            e.keys = keys;
            e.flags.set(PrincipalFlags::NEEDCHANGE, false);
            e.pw_expiration = match &policy {
                Some(p) if p.max_life > 0 && matches!(keys_kind(e), SALT_TYPE_NORMAL) => {
                    Some(add_secs(now, p.max_life))
                }
                _ => None,
            };
            self.touch(e, caller, now);
            Ok(Modification::PasswordChange {
                retired,
                history_kvnos,
            })
        })?;
        Ok(kvno)
    }

    pub(super) fn info(
        &self,
        e: &PrincipalEntry,
        now: SystemTime,
    ) -> Result<PrincipalInfo, AdminError> {
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
            max_life: e.max_life.map_or(self.settings.max_life, secs),
            max_renewable_life: e
                .max_renewable_life
                .map_or(self.settings.max_renewable_life, secs),
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
                    mit_salt_type: match k.salt.as_ref().map(|s| s.salt_type) {
                        Some(SALT_TYPE_RANDOM_KEY) | None => 0,
                        Some(n) => n,
                    },
                })
                .collect(),
            attributes: mit_attributes(e.flags),
            attribute_bits: mit_attribute_bits(e.flags),
            policy: e.policy.clone(),
            locked: !matches!(
                policy_lockout_state(e, policy.as_ref(), now),
                LockoutState::Open
            ),
        })
    }
}

fn secs(d: Duration) -> u64 {
    d.as_secs()
}

/// Salt type of the newest key (normal = password-derived).
fn keys_kind(e: &PrincipalEntry) -> i32 {
    e.current_keys()
        .next()
        .and_then(|k| k.salt.as_ref().map(|s| s.salt_type))
        .unwrap_or(SALT_TYPE_RANDOM_KEY)
}

/// MIT's attributes: our flag, whether MIT names it when the flag is set
/// (`true`) or cleared (`DISALLOW_*`, `false`), MIT's name and its
/// `KRB5_KDB_*` bit, in MIT's bit order. `LOCKED` (kadmin `lock`) has no
/// MIT bit.
const MIT_ATTRIBUTES: &[(PrincipalFlags, bool, &str, u32)] = &[
    (
        PrincipalFlags::ALLOW_POSTDATED,
        false,
        "DISALLOW_POSTDATED",
        0x1,
    ),
    (
        PrincipalFlags::ALLOW_FORWARDABLE,
        false,
        "DISALLOW_FORWARDABLE",
        0x2,
    ),
    (
        PrincipalFlags::ALLOW_RENEWABLE,
        false,
        "DISALLOW_RENEWABLE",
        0x8,
    ),
    (
        PrincipalFlags::ALLOW_PROXIABLE,
        false,
        "DISALLOW_PROXIABLE",
        0x10,
    ),
    (
        PrincipalFlags::ALLOW_DUP_SKEY,
        false,
        "DISALLOW_DUP_SKEY",
        0x20,
    ),
    (PrincipalFlags::ALLOW_TIX, false, "DISALLOW_ALL_TIX", 0x40),
    (
        PrincipalFlags::REQUIRES_PREAUTH,
        true,
        "REQUIRES_PRE_AUTH",
        0x80,
    ),
    (
        PrincipalFlags::REQUIRES_HWAUTH,
        true,
        "REQUIRES_HW_AUTH",
        0x100,
    ),
    (PrincipalFlags::NEEDCHANGE, true, "REQUIRES_PWCHANGE", 0x200),
    (PrincipalFlags::ALLOW_SVR, false, "DISALLOW_SVR", 0x1000),
    (
        PrincipalFlags::PWCHANGE_SERVICE,
        true,
        "PWCHANGE_SERVICE",
        0x2000,
    ),
    (
        PrincipalFlags::OK_AS_DELEGATE,
        true,
        "OK_AS_DELEGATE",
        0x10_0000,
    ),
    (
        PrincipalFlags::OK_TO_AUTH_AS_DELEGATE,
        true,
        "OK_TO_AUTH_AS_DELEGATE",
        0x20_0000,
    ),
    (
        PrincipalFlags::NO_AUTH_DATA_REQUIRED,
        true,
        "NO_AUTH_DATA_REQUIRED",
        0x40_0000,
    ),
    (
        PrincipalFlags::LOCKDOWN_KEYS,
        true,
        "LOCKDOWN_KEYS",
        0x80_0000,
    ),
    (PrincipalFlags::ADMIN_LOCKED, true, "LOCKED", 0),
];

fn mit_shown(
    f: PrincipalFlags,
) -> impl Iterator<Item = &'static (PrincipalFlags, bool, &'static str, u32)> {
    MIT_ATTRIBUTES
        .iter()
        .filter(move |(flag, when_set, _, _)| f.contains(*flag) == *when_set)
}

/// MIT's attribute names for the flags that differ from MIT's defaults
/// (MIT prints `DISALLOW_*` for cleared `allow_*` flags), in MIT's order.
pub fn mit_attributes(f: PrincipalFlags) -> Vec<String> {
    mit_shown(f)
        .map(|(_, _, name, _)| (*name).to_owned())
        .collect()
}

/// The same attributes as MIT's `KRB5_KDB_*` bits.
pub fn mit_attribute_bits(f: PrincipalFlags) -> u32 {
    mit_shown(f).fold(0, |acc, (_, _, _, bit)| acc | bit)
}
