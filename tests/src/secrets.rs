//! Secrets never in logs: every KDC the integration suite starts logs at
//! trace level to a file, and when the realm is dropped (or
//! [`check_log`] is called) the harness looks in that file for every
//! secret it can find: the realm's passwords (`*.password` files and those
//! a test registers), every key of every principal the database holds
//! (all kvnos), every key in a keytab and every session key in a
//! credential cache under the realm's directories. Keys are searched as
//! hex (lower and upper case), base64 (standard and URL-safe, with and
//! without padding) and as Rust's `Debug` of a byte slice (`[1, 2, 3]`).
//! A hit fails the test (never from a `Drop` that is already unwinding:
//! then it is only printed).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tessera_kdc::db::PrincipalStore;

/// Strings shorter than this are not searched (too many false hits).
const MIN_SECRET_LEN: usize = 6;

/// What to look for, each with a label that names it without showing it.
#[derive(Debug, Default)]
pub struct Secrets {
    /// (label, text as it would appear in a log).
    needles: Vec<(String, String)>,
}

impl Secrets {
    /// No secrets yet.
    pub fn new() -> Secrets {
        Secrets::default()
    }

    /// Number of strings searched for.
    pub fn len(&self) -> usize {
        self.needles.len()
    }

    /// Whether nothing is searched for.
    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// A password (searched as is).
    pub fn password(&mut self, label: &str, pw: &str) {
        if pw.len() >= MIN_SECRET_LEN {
            self.needles
                .push((format!("password of {label}"), pw.to_owned()));
        }
    }

    /// Key bytes, in every encoding a log line could carry them.
    pub fn key(&mut self, label: &str, bytes: &[u8]) {
        if bytes.len() < 8 {
            return;
        }
        let hex_lower = hex::encode(bytes);
        let forms = [
            ("hex", hex_lower.clone()),
            ("HEX", hex_lower.to_uppercase()),
            ("base64", base64(bytes, STD, true)),
            ("base64 unpadded", base64(bytes, STD, false)),
            ("base64url", base64(bytes, URL, true)),
            ("base64url unpadded", base64(bytes, URL, false)),
            ("Debug bytes", format!("{bytes:?}")),
        ];
        for (how, s) in forms {
            self.needles.push((format!("{label} ({how})"), s));
        }
    }

    /// Every key of every principal in `store` (all kvnos).
    pub fn store_keys(&mut self, store: &dyn PrincipalStore) {
        let Ok(names) = store.list("*") else {
            return;
        };
        for name in names {
            if let Ok(Some(e)) = store.get(&name) {
                for k in &e.keys {
                    let label = format!("key of {name} kvno {} enctype {}", k.kvno, k.enctype);
                    self.key(&label, k.key.as_bytes());
                }
            }
        }
    }

    /// Passwords (`*.password`), keytabs and credential caches found in
    /// `dir` and below (files that do not parse as either are skipped).
    pub fn files_under(&mut self, dir: &Path) {
        let mut stack = vec![dir.to_path_buf()];
        let mut seen = 0_usize;
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for entry in rd.filter_map(Result::ok) {
                seen += 1;
                if seen > 10_000 {
                    return;
                }
                let path = entry.path();
                let Ok(ft) = entry.file_type() else {
                    continue;
                };
                if ft.is_dir() {
                    stack.push(path);
                } else if ft.is_file() {
                    self.file(&path);
                }
            }
        }
    }

    fn file(&mut self, path: &Path) {
        let shown = path.display().to_string();
        if path.extension().is_some_and(|e| e == "password") {
            if let Ok(s) = std::fs::read_to_string(path) {
                self.password(&shown, s.trim_end_matches('\n'));
            }
            return;
        }
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        if meta.len() > 4 << 20 {
            return;
        }
        let Ok(bytes) = std::fs::read(path) else {
            return;
        };
        if let Ok(kt) = tessera_client::keytab::Keytab::parse(&bytes) {
            for e in &kt.entries {
                let label = format!("keytab {shown} kvno {} enctype {}", e.kvno, e.enctype);
                self.key(&label, &e.key);
            }
        } else if let Ok(cc) = tessera_client::ccache::CredentialCache::parse(&bytes) {
            for c in &cc.credentials {
                let label = format!("session key in {shown} for {}", c.server);
                self.key(&label, &c.key);
            }
        }
    }

    /// Labels of the secrets that occur in `text` (with the line number),
    /// found in one pass over the text (Aho-Corasick).
    pub fn find_in(&self, text: &str) -> Vec<String> {
        let Ok(ac) = aho_corasick::AhoCorasick::new(self.needles.iter().map(|(_, n)| n)) else {
            panic!("cannot build the secret matcher");
        };
        let mut found: Vec<Option<usize>> = vec![None; self.needles.len()];
        for m in ac.find_overlapping_iter(text) {
            let slot = &mut found[m.pattern().as_usize()];
            if slot.is_none() {
                *slot = Some(m.start());
            }
        }
        let mut hits = Vec::new();
        for ((label, _), pos) in self.needles.iter().zip(found) {
            if let Some(pos) = pos {
                let line = text[..pos].matches('\n').count() + 1;
                hits.push(format!("{label}, at line {line}"));
            }
        }
        hits
    }
}

/// Reads `log` and fails the test if any of `secrets` occurs in it. When
/// the thread is already panicking (a `Drop` during unwinding) the finding
/// is printed instead. Returns the number of bytes scanned.
pub fn check_log(log: &Path, secrets: &Secrets) -> usize {
    let text = match std::fs::read(log) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => return 0,
    };
    let hits = secrets.find_in(&text);
    if !hits.is_empty() {
        let msg = format!(
            "secret material in the KDC log {}: {}",
            log.display(),
            hits.join("; ")
        );
        if std::thread::panicking() {
            eprintln!("{msg}");
        } else {
            panic!("{msg}");
        }
    }
    text.len()
}

/// The environment for a spawned `tessera-kdc`: logs at trace level.
pub const TRACE_ENV: (&str, &str) = ("RUST_LOG", "trace");

/// A log file `path` opened for appending (for a child's stderr).
pub fn log_file(path: &Path) -> File {
    File::options()
        .create(true)
        .append(true)
        .open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A tracing dispatcher that writes everything (trace level, no colours)
/// to `path`: installed on the in-process KDC's threads.
pub fn trace_dispatch(path: &Path) -> tracing::Dispatch {
    let file = log_file(path);
    let sub = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .finish();
    tracing::Dispatch::new(sub)
}

/// Scans the trace log of a realm kept in `dir` (its `kdc.toml`
/// database): every principal key, the passwords, keytabs and ccaches
/// under `dir` and under `extra` (e.g. the test's temporary directory),
/// plus `passwords`. See [`check_log`].
pub fn check_realm_log(log: &Path, dir: &Path, extra: &[PathBuf], passwords: &[String]) -> usize {
    let mut s = Secrets::new();
    if let Ok(cfg) = tessera_kdc::config::KdcConfig::load(&dir.join("kdc.toml"))
        && let Ok(store) = tessera_kdc::realm::open_store(&cfg)
    {
        s.store_keys(&store);
    }
    s.files_under(dir);
    for d in extra {
        s.files_under(d);
    }
    for (i, pw) in passwords.iter().enumerate() {
        s.password(&format!("test password #{i}"), pw);
    }
    check_log(log, &s)
}

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64 of `bytes` with `alphabet`, `=`-padded when `pad`.
fn base64(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..4 {
            if i < chars {
                out.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes(), STD, true), o);
            assert_eq!(base64(i.as_bytes(), STD, false), o.trim_end_matches('='));
        }
        assert_eq!(base64(&[0xfb, 0xff], URL, true), "-_8=");
    }

    #[test]
    fn finds_a_key_in_any_encoding_and_names_it() {
        let key = [0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05];
        let mut s = Secrets::new();
        s.key("k", &key);
        s.password("p", "hunter22");
        assert!(s.find_in("nothing here").is_empty());
        assert_eq!(s.find_in("x key=DEADBEEF0102030405 y").len(), 1);
        assert_eq!(s.find_in("a\nkey=3q2+7wECAwQF").len(), 2); // padded and not
        assert_eq!(s.find_in("[222, 173, 190, 239, 1, 2, 3, 4, 5]").len(), 1);
        let hit = s.find_in("pw hunter22");
        assert_eq!(hit, vec!["password of p, at line 1".to_owned()]);
    }
}
