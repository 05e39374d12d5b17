//! `kadmin`'s interactive prompt on a real pseudo-terminal, local (`-l`)
//! and remote: the prompt appears, commands run, the up arrow recalls
//! earlier commands (also from the history file of an earlier session),
//! prompted passwords are not echoed, and no command carrying a password
//! (`addprinc -pw`, `ank -pw`, `cpw -pw`, `change_password -pw`...) ever
//! reaches the history file.

use std::path::Path;

use tessera_kdc::config::KdcConfig;
use tessera_kdc::realm::init_realm;
use tessera_tests::pty::Pty;

use crate::admin_remote::{DevKdc, workspace_bin};

const UP: &str = "\x1b[A";
const LOCAL_PROMPT: &str = "kadmin.local:  ";
const SECRETS: &[&str] = &[
    "Secret-one-1",
    "Secret-two-2",
    "Secret-three-3",
    "Secret-four-4",
    "Secret-five-5",
    "Typed-secret-6",
];

/// A realm in `dir` for `kadmin -l`; returns its kdc.toml.
fn local_realm(dir: &Path) -> std::path::PathBuf {
    let cfg = dir.join("kdc.toml");
    std::fs::write(
        &cfg,
        "realm = \"PTY.TEST\"\n[database]\ndir = \"data\"\nmaster_key_file = \"data/master.key\"\n\
         [policy]\ndefault_principal_enctypes = [\"aes256-cts-hmac-sha1-96\"]\n",
    )
    .unwrap();
    init_realm(&KdcConfig::load(&cfg).unwrap()).unwrap();
    cfg
}

fn env(history: &Path, home: &Path) -> Vec<(String, String)> {
    vec![
        (
            "TESSERA_KADMIN_HISTORY".into(),
            history.display().to_string(),
        ),
        ("HOME".into(), home.display().to_string()),
        ("USER".into(), "tester".into()),
        ("RUST_LOG".into(), "off".into()),
    ]
}

fn assert_no_secrets(history: &Path) {
    let text = std::fs::read_to_string(history).unwrap();
    for s in SECRETS {
        assert!(!text.contains(s), "{s} in the history file:\n{text}");
    }
    assert!(
        !text.contains("-pw"),
        "a -pw command in the history:\n{text}"
    );
}

#[test]
fn local_prompt_runs_commands_recalls_history_and_never_stores_passwords() {
    let Some(kadmin) = workspace_bin("kadmin") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let cfg = local_realm(tmp.path());
    let cfg = cfg.display().to_string();
    let history = tmp.path().join("kadmin_history");
    let env = env(&history, tmp.path());
    let args = ["-l", "--config", cfg.as_str()];

    let mut t = Pty::spawn(&kadmin, &args, &env);
    t.expect(LOCAL_PROMPT);
    t.line("addprinc -pw Secret-one-1 alice");
    t.expect("Principal \"alice@PTY.TEST\" created.");
    t.expect(LOCAL_PROMPT);
    t.line("ank -pw Secret-two-2 bob");
    t.expect("Principal \"bob@PTY.TEST\" created.");
    t.expect(LOCAL_PROMPT);
    t.line("getprinc -terse alice");
    t.expect("\"alice@PTY.TEST\"\t0\t");
    t.expect(LOCAL_PROMPT);
    t.line("cpw -pw Secret-three-3 alice");
    t.expect("Password for \"alice@PTY.TEST\" changed.");
    t.expect(LOCAL_PROMPT);
    // Up arrow: the cpw line is not in the history, so this runs the
    // getprinc again.
    t.send(UP);
    t.send("\r");
    t.expect("\"alice@PTY.TEST\"\t0\t");
    t.expect(LOCAL_PROMPT);
    t.line("change_password -pw Secret-four-4 bob");
    t.expect("Password for \"bob@PTY.TEST\" changed.");
    t.expect(LOCAL_PROMPT);
    t.line("add_principal -randkey -pw Secret-five-5 carol");
    t.expect("Principal \"carol@PTY.TEST\" created.");
    t.expect(LOCAL_PROMPT);
    t.line("setstr alice session_enctypes aes256-cts");
    t.expect("Attribute set for principal \"alice@PTY.TEST\".");
    t.expect(LOCAL_PROMPT);
    t.line("getstrs alice");
    t.expect("session_enctypes: aes256-cts");
    t.expect(LOCAL_PROMPT);
    if t.controlling {
        // A prompted password is typed without echo and stays out of the
        // history (only "addprinc dave" is kept).
        t.line("addprinc dave");
        t.expect("Enter password for principal \"dave@PTY.TEST\": ");
        t.line("Typed-secret-6");
        t.expect("Re-enter password for principal \"dave@PTY.TEST\": ");
        t.line("Typed-secret-6");
        t.expect("Principal \"dave@PTY.TEST\" created.");
        t.expect(LOCAL_PROMPT);
        // delprinc asks on the terminal.
        t.line("delprinc dave");
        t.expect("Are you sure you want to delete the principal \"dave@PTY.TEST\"? (yes/no): ");
        t.line("yes");
        t.expect("Principal \"dave@PTY.TEST\" deleted.");
        t.expect(LOCAL_PROMPT);
    }
    t.line("getprivs");
    t.expect("current privileges: INQUIRE ADD MODIFY DELETE");
    t.expect(LOCAL_PROMPT);
    t.line("quit");
    let transcript = t.transcript.clone();
    let (ok, _) = t.wait();
    assert!(ok, "kadmin failed:\n{transcript}");
    assert!(!transcript.contains("panicked"), "{transcript}");
    assert!(
        !transcript.contains("Typed-secret-6"),
        "the prompted password was echoed:\n{transcript}"
    );

    assert_no_secrets(&history);
    let text = std::fs::read_to_string(&history).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.contains(&"getprinc -terse alice"), "{text}");
    assert!(lines.contains(&"getstrs alice"), "{text}");
    if transcript.contains("dave") {
        assert!(lines.contains(&"addprinc dave"), "{text}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&history).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "history file mode {mode:o}");
    }

    // A new session recalls the previous one's commands from the file.
    let mut t = Pty::spawn(&kadmin, &args, &env);
    t.expect(LOCAL_PROMPT);
    t.send(UP);
    t.send(UP);
    t.send("\r");
    // The last two lines were "getprivs" and "quit": two ups give getprivs.
    t.expect("current privileges: INQUIRE ADD MODIFY DELETE");
    t.expect(LOCAL_PROMPT);
    t.line("cpw -pw Secret-one-1 bob");
    t.expect("Password for \"bob@PTY.TEST\" changed.");
    t.expect(LOCAL_PROMPT);
    t.line("quit");
    let (ok, _) = t.wait();
    assert!(ok);
    assert_no_secrets(&history);
}

#[test]
fn remote_prompt_works_on_a_terminal() {
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    let Some(kadmin) = workspace_bin("kadmin") else {
        return;
    };
    let history = kdc.path("kadmin_history");
    let mut env = env(&history, &kdc.path(""));
    env.extend(kdc.env());
    let pw = kdc.admin_password();
    let mut t = Pty::spawn(&kadmin, &["-p", "admin/admin", "-w", &pw], &env);
    t.expect("kadmin:  ");
    t.line("addprinc -pw Secret-one-1 pty-user");
    t.expect("Principal \"pty-user@TESSERA.TEST\" created.");
    t.expect("kadmin:  ");
    t.line("getprivs");
    t.expect("current privileges: INQUIRE ADD MODIFY DELETE");
    t.expect("kadmin:  ");
    t.send(UP);
    t.send("\r");
    t.expect("current privileges: INQUIRE ADD MODIFY DELETE");
    t.expect("kadmin:  ");
    t.line("quit");
    let transcript = t.transcript.clone();
    let (ok, _) = t.wait();
    assert!(ok, "{transcript}");
    assert_no_secrets(&history);
    let text = std::fs::read_to_string(&history).unwrap();
    assert!(text.lines().any(|l| l == "getprivs"), "{text}");
}
