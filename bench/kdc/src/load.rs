//! Closed-loop UDP load: `window` requests in flight, each slot a socket of
//! its own (so a reply always belongs to the slot's outstanding request),
//! all on one thread. Also reads a process's CPU time from /proc.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;

use crate::error::{LoadError, io};

/// Largest datagram we accept.
const MAX_REPLY: usize = 65_535;

/// What one burst of requests produced.
#[derive(Debug)]
pub struct Outcome {
    /// The reply to each request (None: no reply within the timeout).
    pub replies: Vec<Option<Vec<u8>>>,
    /// Wall time from the first send to the last reply.
    pub wall: Duration,
}

/// Sends every request in `reqs` to `kdc` over UDP with at most `window`
/// outstanding, waiting `timeout` for each reply (no retransmission: a lost
/// reply is a failure).
pub fn fire(
    kdc: SocketAddr,
    reqs: Arc<Vec<Vec<u8>>>,
    window: usize,
    timeout: Duration,
) -> Result<Outcome, LoadError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(io("starting the runtime"))?;
    rt.block_on(async move {
        let mut sockets = Vec::with_capacity(window);
        for _ in 0..window.max(1) {
            let s = UdpSocket::bind("127.0.0.1:0")
                .await
                .map_err(io("binding a UDP socket"))?;
            s.connect(kdc)
                .await
                .map_err(io("connecting the UDP socket"))?;
            sockets.push(s);
        }
        let next = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let mut tasks = Vec::with_capacity(sockets.len());
        for sock in sockets {
            let next = Arc::clone(&next);
            let reqs = Arc::clone(&reqs);
            tasks.push(tokio::spawn(async move {
                let mut got: Vec<(usize, Vec<u8>)> = Vec::new();
                let mut buf = vec![0u8; MAX_REPLY];
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(req) = reqs.get(i) else { break };
                    if sock.send(req).await.is_err() {
                        continue;
                    }
                    if let Ok(Ok(n)) = tokio::time::timeout(timeout, sock.recv(&mut buf)).await {
                        got.push((i, buf[..n].to_vec()));
                    }
                }
                got
            }));
        }
        let mut replies: Vec<Option<Vec<u8>>> = vec![None; reqs.len()];
        for t in tasks {
            // A task that panicked lost its replies: they count as missing.
            if let Ok(got) = t.await {
                for (i, r) in got {
                    if let Some(slot) = replies.get_mut(i) {
                        *slot = Some(r);
                    }
                }
            }
        }
        Ok(Outcome {
            replies,
            wall: started.elapsed(),
        })
    })
}

/// User and system CPU time of process `pid` (all its threads), in clock
/// ticks.
pub fn cpu_ticks(pid: u32) -> Result<(u64, u64), LoadError> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|_| LoadError::ProcStat(pid))?;
    parse_stat_ticks(&text).ok_or(LoadError::ProcStat(pid))
}

/// (utime, stime) (fields 14 and 15) from the text of /proc/PID/stat; the
/// command name (field 2) may contain spaces and parentheses.
fn parse_stat_ticks(stat: &str) -> Option<(u64, u64)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state).
    let utime: u64 = fields.get(14 - 3)?.parse().ok()?;
    let stime: u64 = fields.get(15 - 3)?.parse().ok()?;
    Some((utime, stime))
}

/// Clock ticks per second (`getconf CLK_TCK`, 100 if that fails).
pub fn clock_ticks_per_sec() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .filter(|&t| t > 0)
        .unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields() {
        let s =
            "4242 (krb5 (kdc)) S 1 4242 4242 0 -1 4194560 300 0 0 0 1234 56 0 0 20 0 1 0 100 0 0";
        assert_eq!(parse_stat_ticks(s), Some((1234, 56)));
        assert_eq!(parse_stat_ticks("garbage"), None);
    }

    #[test]
    fn own_process_has_cpu_time() -> Result<(), LoadError> {
        let _ = cpu_ticks(std::process::id())?;
        Ok(())
    }
}
