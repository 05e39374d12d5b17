//! `kdc-load`: measures a running KDC (Tessera's or MIT's) on pre-built,
//! pairwise distinct AS-REQs (PA-ENC-TIMESTAMP) or TGS-REQs over loopback
//! UDP, with a bounded number of requests in flight, and reports the KDC
//! process's CPU time per exchange and the achieved request rate.
//!
//! ```text
//! kdc-load --kdc 127.0.0.1:PORT --pid KDC_PID --realm R --password-file F \
//!          [--user user] [--service host/localhost] [--enctype 18] \
//!          [--mode as|tgs] [--count 20000] [--warmup 1000] [--window 8] \
//!          [--timeout-ms 2000]
//! ```
//!
//! Prints one line `RESULT key=value ...` on stdout; a run with any error
//! or timeout exits with status 2 (the measurement is invalid).

#![forbid(unsafe_code)]

mod error;
mod load;
mod requests;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tessera_client::config::Krb5Conf;
use tessera_client::kdc_client::{self, Creds, InitialSecret, TicketOptions, blocking};
use tessera_proto::crypto::{EncType, Key, Password};
use tessera_proto::msg::Principal;

use error::{LoadError, io};
use requests::{Bad, Prepared, check_reply};

/// Which exchange to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    As,
    Tgs,
}

/// Parsed command line.
#[derive(Debug)]
struct Args {
    kdc: SocketAddr,
    pid: u32,
    realm: String,
    user: String,
    password_file: String,
    service: String,
    enctype: EncType,
    mode: Mode,
    count: usize,
    warmup: usize,
    window: usize,
    timeout: Duration,
}

const HELP: &str = "kdc-load --kdc 127.0.0.1:PORT --pid KDC_PID --realm REALM --password-file FILE \
[--user user] [--service host/localhost] [--enctype 18] [--mode as|tgs] [--count 20000] \
[--warmup 1000] [--window 8] [--timeout-ms 2000]";

fn parse_args(argv: &[String]) -> Result<Option<Args>, LoadError> {
    let mut kv: BTreeMap<&'static str, String> = BTreeMap::new();
    const KEYS: &[&str] = &[
        "kdc",
        "pid",
        "realm",
        "user",
        "password-file",
        "service",
        "enctype",
        "mode",
        "count",
        "warmup",
        "window",
        "timeout-ms",
    ];
    let mut it = argv.iter();
    while let Some(a) = it.next() {
        if a == "--help" || a == "-h" {
            return Ok(None);
        }
        let name = a
            .strip_prefix("--")
            .and_then(|n| KEYS.iter().find(|k| **k == n))
            .ok_or_else(|| LoadError::UnknownArg(a.clone()))?;
        let v = it.next().ok_or(LoadError::Arg {
            name,
            problem: "needs a value",
        })?;
        kv.insert(name, v.clone());
    }
    let req = |name: &'static str| {
        kv.get(name).cloned().ok_or(LoadError::Arg {
            name,
            problem: "is required",
        })
    };
    let num = |name: &'static str, default: usize| -> Result<usize, LoadError> {
        match kv.get(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| LoadError::Arg {
                name,
                problem: "must be a non-negative integer",
            }),
        }
    };
    let kdc = req("kdc")?.parse().map_err(|_| LoadError::Arg {
        name: "kdc",
        problem: "must be ip:port",
    })?;
    let pid = req("pid")?.parse().map_err(|_| LoadError::Arg {
        name: "pid",
        problem: "must be a process id",
    })?;
    let et = i32::try_from(num("enctype", 18)?).unwrap_or(0);
    let enctype = EncType::from_i32(et).ok_or(LoadError::Enctype(et))?;
    let mode = match kv.get("mode").map(String::as_str) {
        None | Some("as") => Mode::As,
        Some("tgs") => Mode::Tgs,
        Some(_) => {
            return Err(LoadError::Arg {
                name: "mode",
                problem: "must be as or tgs",
            });
        }
    };
    let window = num("window", 8)?;
    if window == 0 {
        return Err(LoadError::Arg {
            name: "window",
            problem: "must be at least 1",
        });
    }
    Ok(Some(Args {
        kdc,
        pid,
        realm: req("realm")?,
        user: kv.get("user").cloned().unwrap_or_else(|| "user".into()),
        password_file: req("password-file")?,
        service: kv
            .get("service")
            .cloned()
            .unwrap_or_else(|| "host/localhost".into()),
        enctype,
        mode,
        count: num("count", 20_000)?,
        warmup: num("warmup", 1000)?,
        window,
        timeout: Duration::from_millis(num("timeout-ms", 2000)? as u64),
    }))
}

/// Keys needed to check replies.
struct Verifier {
    as_key: Option<Key>,
    session_key: Option<Key>,
}

fn prepare(args: &Args, total: usize) -> Result<(Vec<Prepared>, Verifier), LoadError> {
    let text = std::fs::read_to_string(&args.password_file).map_err(io("reading the password"))?;
    let password = Password::new(text.trim_end_matches(['\n', '\r']));
    let client = Principal::parse(&format!("{}@{}", args.user, args.realm))?;
    let seed = requests::nonce_seed()?;
    match args.mode {
        Mode::As => {
            let salt = kdc_client::default_salt(&client);
            let key = Key::from_password(args.enctype, &password, &salt, None)?;
            let reqs = requests::as_requests(&client, &key, total, seed)?;
            Ok((
                reqs,
                Verifier {
                    as_key: Some(key),
                    session_key: None,
                },
            ))
        }
        Mode::Tgs => {
            let tgt = get_tgt(args, &client, password)?;
            let service = Principal::parse(&format!("{}@{}", args.service, args.realm))?;
            let reqs = requests::tgs_requests(&tgt, &service, total, seed)?;
            Ok((
                reqs,
                Verifier {
                    as_key: None,
                    session_key: Some(tgt.session_key.clone()),
                },
            ))
        }
    }
}

fn get_tgt(args: &Args, client: &Principal, password: Password) -> Result<Creds, LoadError> {
    let inner = kdc_client::Client::new(Krb5Conf::default())
        .with_kdcs(vec![(args.kdc.ip().to_string(), args.kdc.port())]);
    let c = blocking::Client::new(inner)?;
    let opts = TicketOptions {
        forwardable: true,
        enctypes: vec![args.enctype],
        ..TicketOptions::default()
    };
    Ok(c.get_initial(client, None, &InitialSecret::Password(password), &opts)?)
}

/// Tally of one measured burst.
#[derive(Debug, Default)]
struct Tally {
    ok: usize,
    timeouts: usize,
    bad: BTreeMap<String, usize>,
}

fn tally(reqs: &[Prepared], replies: &[Option<Vec<u8>>], v: &Verifier) -> Tally {
    let mut t = Tally::default();
    for (req, rep) in reqs.iter().zip(replies) {
        match rep {
            None => t.timeouts += 1,
            Some(r) => match check_reply(req, r, v.as_key.as_ref(), v.session_key.as_ref()) {
                Ok(()) => t.ok += 1,
                Err(b) => {
                    let label = match b {
                        Bad::KrbError(c) => format!("krb-error-{c}"),
                        other => format!("{other:?}").to_lowercase(),
                    };
                    *t.bad.entry(label).or_default() += 1;
                }
            },
        }
    }
    t
}

fn run(args: &Args) -> Result<bool, LoadError> {
    let total = args.warmup + args.count;
    let (prepared, verifier) = prepare(args, total)?;
    let (warm, measured) = prepared.split_at(args.warmup);
    let warm_der: Arc<Vec<Vec<u8>>> = Arc::new(warm.iter().map(|p| p.der.clone()).collect());
    let meas_der: Arc<Vec<Vec<u8>>> = Arc::new(measured.iter().map(|p| p.der.clone()).collect());
    if !warm_der.is_empty() {
        let w = load::fire(args.kdc, warm_der, args.window, args.timeout)?;
        let wt = tally(warm, &w.replies, &verifier);
        if wt.ok != warm.len() {
            eprintln!(
                "kdc-load: warm-up failed: {} ok, {} timeouts, {:?}",
                wt.ok, wt.timeouts, wt.bad
            );
            return Ok(false);
        }
    }
    let before = load::cpu_ticks(args.pid)?;
    let out = load::fire(args.kdc, meas_der, args.window, args.timeout)?;
    let after = load::cpu_ticks(args.pid)?;
    let t = tally(measured, &out.replies, &verifier);
    let hz = load::clock_ticks_per_sec() as f64;
    let user_s = after.0.saturating_sub(before.0) as f64 / hz;
    let sys_s = after.1.saturating_sub(before.1) as f64 / hz;
    let cpu_s = user_s + sys_s;
    let n = args.count.max(1) as f64;
    let errors = args.count - t.ok;
    let bad: Vec<String> = t.bad.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    println!(
        "RESULT mode={} enctype={} requests={} ok={} errors={} timeouts={} window={} \
         cpu_s={:.3} user_s={:.3} sys_s={:.3} cpu_us_per_exchange={:.1} wall_s={:.3} rps={:.0} bad={}",
        match args.mode {
            Mode::As => "as",
            Mode::Tgs => "tgs",
        },
        args.enctype.as_i32(),
        args.count,
        t.ok,
        errors,
        t.timeouts,
        args.window,
        cpu_s,
        user_s,
        sys_s,
        cpu_s * 1e6 / n,
        out.wall.as_secs_f64(),
        n / out.wall.as_secs_f64().max(1e-9),
        if bad.is_empty() {
            "-".to_owned()
        } else {
            bad.join(",")
        },
    );
    Ok(errors == 0)
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse_args(&argv) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("kdc-load: {e}");
            return ExitCode::FAILURE;
        }
    };
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(2),
        Err(e) => {
            eprintln!("kdc-load: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn args_parse_with_defaults() -> Result<(), LoadError> {
        let a = parse_args(&argv(
            "--kdc 127.0.0.1:88 --pid 1 --realm R --password-file f --mode tgs --enctype 20",
        ))?
        .ok_or(LoadError::UnknownArg("help".into()))?;
        assert_eq!(a.mode, Mode::Tgs);
        assert_eq!(a.enctype, EncType::Aes256CtsHmacSha384192);
        assert_eq!((a.count, a.warmup, a.window), (20_000, 1000, 8));
        assert!(parse_args(&argv("--kdc 127.0.0.1:88")).is_err());
        assert!(parse_args(&argv("--bogus 1")).is_err());
        assert!(parse_args(&argv("--help"))?.is_none());
        Ok(())
    }
}
