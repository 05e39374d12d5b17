//! `getprivs` and the string attributes (`getstrs`, `setstr`, `delstr`) of
//! [`AdminService`].

use std::time::SystemTime;

use super::super::error::AdminError;
use super::super::request::{AdminResponse, StringAttr};
use super::{AdminService, Caller, done};
use crate::db::Modification;

/// MIT's privilege names (the four kadmin shows) and then Tessera's, with
/// the ACL letter of each.
const PRIVILEGES: &[(char, &str)] = &[
    ('i', "INQUIRE"),
    ('a', "ADD"),
    ('m', "MODIFY"),
    ('d', "DELETE"),
    ('l', "LIST"),
    ('c', "CHANGEPW"),
    ('e', "EXTRACT"),
    ('p', "POLICY"),
];

/// Longest attribute name or value accepted (bytes).
const MAX_STRING_LEN: usize = 4096;

impl AdminService {
    /// `getprivs`: every privilege locally; remotely those of the first ACL
    /// rule naming the caller.
    pub(super) fn privileges(&self, caller: &Caller) -> Result<AdminResponse, AdminError> {
        let letters = if caller.is_local() {
            super::super::acl::ALL_PERMISSIONS.to_owned()
        } else {
            match &self.acl {
                Some(acl) => acl.privileges(&caller.principal)?,
                None => String::new(),
            }
        };
        Ok(AdminResponse::Privileges {
            privileges: PRIVILEGES
                .iter()
                .filter(|(c, _)| letters.contains(*c))
                .map(|(_, n)| (*n).to_owned())
                .collect(),
        })
    }

    /// `getstrs` (needs `i`).
    pub(super) fn get_strings(
        &self,
        caller: &Caller,
        name: &str,
    ) -> Result<AdminResponse, AdminError> {
        let name = self.canonical_name(name)?;
        self.authorize(caller, 'i', &name)?;
        let e = self.load(&name)?;
        Ok(AdminResponse::Strings {
            principal: name,
            strings: e
                .strings
                .iter()
                .map(|(key, value)| StringAttr {
                    key: key.clone(),
                    value: value.clone(),
                })
                .collect(),
        })
    }

    /// `setstr` (needs `m`): replaces the value of an existing key in place,
    /// otherwise appends.
    pub(super) fn set_string(
        &self,
        caller: &Caller,
        name: &str,
        key: String,
        value: String,
        now: SystemTime,
    ) -> Result<AdminResponse, AdminError> {
        let name = self.canonical_name(name)?;
        self.authorize(caller, 'm', &name)?;
        check_string("attribute name", &key)?;
        check_string("attribute value", &value)?;
        if key.is_empty() {
            return Err(AdminError::Usage(
                "the attribute name must not be empty".into(),
            ));
        }
        self.modify_entry(&name, |e| {
            match e.strings.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1.clone_from(&value),
                None => e.strings.push((key.clone(), value.clone())),
            }
            self.touch(e, caller, now);
            Ok(Modification::Write)
        })?;
        Ok(done(
            format!("Attribute set for principal \"{name}\"."),
            None,
        ))
    }

    /// `delstr` (needs `m`): like MIT, removing an absent key succeeds.
    pub(super) fn delete_string(
        &self,
        caller: &Caller,
        name: &str,
        key: &str,
        now: SystemTime,
    ) -> Result<AdminResponse, AdminError> {
        let name = self.canonical_name(name)?;
        self.authorize(caller, 'm', &name)?;
        self.modify_entry(&name, |e| {
            let before = e.strings.len();
            e.strings.retain(|(k, _)| k != key);
            if e.strings.len() == before {
                return Ok(Modification::Abort);
            }
            self.touch(e, caller, now);
            Ok(Modification::Write)
        })?;
        Ok(done(
            format!("Attribute removed from principal \"{name}\"."),
            None,
        ))
    }
}

fn check_string(what: &str, s: &str) -> Result<(), AdminError> {
    if s.len() > MAX_STRING_LEN {
        return Err(AdminError::Usage(format!(
            "the {what} is longer than {MAX_STRING_LEN} bytes"
        )));
    }
    if s.chars().any(|c| c == '\0') {
        return Err(AdminError::Usage(format!(
            "the {what} must not contain NUL"
        )));
    }
    Ok(())
}
