//! Typed values in krb5.conf: booleans, durations, enctype lists, and
//! server addresses.

use std::time::Duration;

/// MIT's boolean words: `y yes true t 1 on` / `n no false nil 0 off`
/// (case-insensitive).
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" | "true" | "t" | "1" | "on" => Some(true),
        "n" | "no" | "false" | "nil" | "0" | "off" => Some(false),
        _ => None,
    }
}

/// A duration as MIT's `krb5_string_to_deltat` accepts it: plain seconds
/// (`36000`), `h:m` or `h:m:s` (`10:00:00`), `d-h:m:s`, or unit groups
/// such as `10h`, `1d`, `7d 0h`, `1h30m`, `90s`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok().map(Duration::from_secs);
    }
    if s.contains(':') {
        return parse_clock(s).map(Duration::from_secs);
    }
    let mut total: u64 = 0;
    let mut num: Option<u64> = None;
    let mut seen_unit = false;
    for c in s.chars() {
        if let Some(d) = c.to_digit(10) {
            num = Some(
                num.unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(u64::from(d))?,
            );
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        let mult = match c.to_ascii_lowercase() {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        total = total.checked_add(num.take()?.checked_mul(mult)?)?;
        seen_unit = true;
    }
    // A trailing bare number counts as seconds ("1h 30").
    if let Some(n) = num {
        total = total.checked_add(n)?;
    }
    seen_unit.then_some(Duration::from_secs(total))
}

/// `[d-]h:m[:s]` as seconds.
fn parse_clock(s: &str) -> Option<u64> {
    let (days, clock) = match s.split_once('-') {
        Some((d, rest)) => (d.trim().parse::<u64>().ok()?, rest),
        None => (0, s),
    };
    let parts: Vec<&str> = clock.trim().split(':').collect();
    let nums: Vec<u64> = parts
        .iter()
        .map(|p| {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                p.parse().ok()
            }
        })
        .collect::<Option<_>>()?;
    let (h, m, sec) = match nums.as_slice() {
        [h, m] => (*h, *m, 0),
        [h, m, sec] => (*h, *m, *sec),
        _ => return None,
    };
    if m >= 60 || sec >= 60 {
        return None;
    }
    days.checked_mul(86_400)?
        .checked_add(h.checked_mul(3_600)?)?
        .checked_add(m * 60 + sec)
}

/// Splits an enctype list on commas and whitespace.
pub fn parse_enctype_list(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Transport restriction written in front of a server address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transport {
    /// No prefix: UDP and TCP.
    Any,
    /// `udp/host`.
    Udp,
    /// `tcp/host`.
    Tcp,
    /// `https://...` (MS-KKDCP proxy); not used by Tessera.
    Https,
}

/// A server address from the config.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ServerAddress {
    /// Transport prefix.
    pub transport: Transport,
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// Port (the default for the service when none is written).
    pub port: u16,
}

/// Parses `host`, `host:port`, `[v6]`, `[v6]:port`, a bare IPv6 address,
/// optionally prefixed `tcp/` or `udp/`, or an `https://` URL (host and
/// port taken from it). `None` if the port or brackets are malformed.
pub fn parse_server(s: &str, default_port: u16) -> Option<ServerAddress> {
    let s = s.trim();
    if let Some(url) = s.strip_prefix("https://") {
        let hostport = url.split('/').next().unwrap_or("");
        let (host, port) = split_host_port(hostport, 443)?;
        return Some(ServerAddress {
            transport: Transport::Https,
            host,
            port,
        });
    }
    let (transport, rest) = if let Some(r) = s.strip_prefix("tcp/") {
        (Transport::Tcp, r)
    } else if let Some(r) = s.strip_prefix("udp/") {
        (Transport::Udp, r)
    } else {
        (Transport::Any, s)
    };
    let (host, port) = split_host_port(rest, default_port)?;
    Some(ServerAddress {
        transport,
        host,
        port,
    })
}

fn split_host_port(s: &str, default_port: u16) -> Option<(String, u16)> {
    if s.is_empty() {
        return None;
    }
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        if host.is_empty() {
            return None;
        }
        let port = match after {
            "" => default_port,
            p => p.strip_prefix(':')?.parse().ok()?,
        };
        return Some((host.to_owned(), port));
    }
    match s.matches(':').count() {
        0 => Some((s.to_owned(), default_port)),
        1 => {
            let (h, p) = s.split_once(':')?;
            if h.is_empty() {
                return None;
            }
            Some((h.to_owned(), p.parse().ok()?))
        }
        // A bare IPv6 address: no port can be given without brackets.
        _ => Some((s.to_owned(), default_port)),
    }
}
