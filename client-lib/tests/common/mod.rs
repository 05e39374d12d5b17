//! Helpers shared by the client-lib integration tests.
#![allow(dead_code, clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether MIT's `klist` and `ktutil` are installed. Skips loudly outside
/// CI; fails under `CI=true`.
pub fn require_mit() -> bool {
    let missing: Vec<&str> = ["/usr/bin/klist", "/usr/bin/ktutil"]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!("MIT Kerberos tools missing: {}", missing.join(", "));
    if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") {
        panic!("{msg}");
    }
    eprintln!("SKIPPING MIT interop test: {msg}");
    false
}

/// Runs a program with an empty krb5.conf, returning stdout (panics with
/// stderr on failure).
pub fn run(program: &str, args: &[&str], stdin: Option<&str>) -> String {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(program)
        .args(args)
        .env("KRB5_CONFIG", "/dev/null")
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {program}: {e}"));
    {
        let mut sin = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            sin.write_all(s.as_bytes()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Path of a committed fixture.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// MIT's name for an enctype number.
pub fn enctype_name(e: i32) -> &'static str {
    match e {
        17 => "aes128-cts-hmac-sha1-96",
        18 => "aes256-cts-hmac-sha1-96",
        19 => "aes128-cts-hmac-sha256-128",
        20 => "aes256-cts-hmac-sha384-192",
        _ => "unknown",
    }
}

/// Entries of `klist -k -e -K` output: (kvno, principal, enctype name, key hex).
pub fn parse_klist_keys(out: &str) -> Vec<(u32, String, String, String)> {
    out.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let kvno: u32 = f.first()?.parse().ok()?;
            let n = f.len();
            if n < 4 {
                return None;
            }
            let key = f[n - 1].trim_start_matches("(0x").trim_end_matches(')');
            let et = f[n - 2].trim_start_matches('(').trim_end_matches(')');
            Some((kvno, f[n - 3].to_owned(), et.to_owned(), key.to_owned()))
        })
        .collect()
}

/// Mode bits of a file.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}
