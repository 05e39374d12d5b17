//! Password changes over RFC 3244 against a real `tessera-kdc dev`
//! process: MIT's kpasswd and ours change a password (MIT kinit then takes
//! the new one and refuses the old), policy violations come back as
//! result code 4 with MIT's text, and set-password (0xff80) by an admin is
//! allowed by the ACL and refused for others.

use crate::admin_remote::DevKdc;

fn change_input(old: &str, new: &str) -> String {
    format!("{old}\n{new}\n{new}\n")
}

#[test]
fn mit_kpasswd_changes_password() {
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    let old = kdc.user_password();
    let r = kdc.mit(
        "kpasswd",
        &["user"],
        Some(&change_input(&old, "Mit-new-pass-1")),
    );
    assert!(r.ok, "{r:?}");
    assert!(r.stdout.contains("Password changed."), "{r:?}");
    assert!(kdc.kinit("user", "Mit-new-pass-1").ok);
    let r = kdc.kinit("user", &old);
    assert!(!r.ok, "{r:?}");
    assert!(r.stderr.contains("Password incorrect"), "{r:?}");
}

#[test]
fn our_kpasswd_changes_password() {
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    let old = kdc.user_password();
    let r = kdc.kpasswd(&["user"], &change_input(&old, "Our-new-pass-1"));
    assert!(r.ok, "{r:?}");
    assert_eq!(r.stdout.trim(), "Password changed.");
    assert!(kdc.kinit("user", "Our-new-pass-1").ok);
    assert!(!kdc.kinit("user", &old).ok);
    // A wrong current password fails at the AS exchange.
    let r = kdc.kpasswd(&["user"], &change_input("nope", "Whatever-1"));
    assert!(!r.ok, "{r:?}");
    assert!(r.stderr.starts_with("kpasswd: "), "{r:?}");
}

#[test]
fn policy_violations_are_soft_errors_with_mit_text() {
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    assert!(
        kdc.kadmin_admin(&["addpol", "-minlength", "12", "-history", "2", "strict"])
            .ok
    );
    assert!(
        kdc.kadmin_admin(&["modprinc", "-policy", "strict", "user"])
            .ok
    );
    let old = kdc.user_password();
    let r = kdc.mit("kpasswd", &["user"], Some(&change_input(&old, "short1")));
    assert!(!r.ok, "{r:?}");
    // MIT's kpasswd prints the policy's requirement, as against kadmind.
    let mit_out = format!("{}{}", r.stdout, r.stderr);
    assert!(
        mit_out.contains(
            "Password change rejected: New password is too short.\n\
             Please choose a password which is at least 12 characters long."
        ),
        "{r:?}"
    );
    let r = kdc.kpasswd(&["user"], &change_input(&old, "short1"));
    assert!(!r.ok, "{r:?}");
    assert_eq!(
        r.stderr.trim(),
        "kpasswd: Password change rejected: New password is too short.\n\
         Please choose a password which is at least 12 characters long."
    );
    // Reusing the current password is refused (history).
    let r = kdc.kpasswd(&["user"], &change_input(&old, &old));
    assert!(
        !r.ok
            && r.stderr
                .contains("New password was used previously. Please choose a different password."),
        "{r:?}"
    );
    // The password still works.
    assert!(kdc.kinit("user", &old).ok);
}

#[test]
fn set_password_by_admin_per_acl() {
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    let apw = kdc.admin_password();
    let r = kdc.kpasswd(
        &["--set", "user", "admin/admin"],
        &change_input(&apw, "Set-by-admin-1"),
    );
    assert!(r.ok, "{r:?}");
    assert_eq!(r.stdout.trim(), "Password for user@TESSERA.TEST set.");
    assert!(kdc.kinit("user", "Set-by-admin-1").ok);

    // user may not set admin/admin's password.
    let r = kdc.kpasswd(
        &["--set", "admin/admin", "user"],
        &change_input("Set-by-admin-1", "Hijack-pass-1"),
    );
    assert!(!r.ok, "{r:?}");
    assert!(
        r.stderr
            .contains("kpasswd: Access denied: Operation requires ``c'' privilege"),
        "{r:?}"
    );
    assert!(kdc.kinit("admin/admin", &apw).ok);
}
