//! A program on a pseudo-terminal, driven like a person at a keyboard:
//! type lines, wait for text to appear (bounded waits on the output, no
//! sleeps).
//!
//! The program runs under `setsid -w -c` when util-linux's `setsid` is
//! there, so the terminal is its controlling terminal and `/dev/tty`
//! password prompts work; otherwise it runs directly on the terminal
//! (line editing works, `/dev/tty` does not).

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use nix::pty::{Winsize, openpty};

/// How long [`Pty::expect`] waits for text by default.
pub const EXPECT_TIMEOUT: Duration = Duration::from_secs(60);

/// A child process whose standard streams are one pseudo-terminal.
#[derive(Debug)]
pub struct Pty {
    child: Child,
    master: File,
    rx: Receiver<Vec<u8>>,
    /// Output not yet consumed by [`Pty::expect`].
    pending: String,
    /// Everything the program wrote so far.
    pub transcript: String,
    /// Whether the terminal is the program's controlling terminal.
    pub controlling: bool,
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn have_setsid() -> bool {
    Path::new("/usr/bin/setsid").exists()
}

impl Pty {
    /// Starts `program args` with `env` on a new 24x120 terminal.
    pub fn spawn(program: &Path, args: &[&str], env: &[(String, String)]) -> Pty {
        let size = Winsize {
            ws_row: 24,
            ws_col: 120,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let pty = openpty(Some(&size), None).expect("openpty");
        let controlling = have_setsid();
        let mut cmd = if controlling {
            let mut c = Command::new("/usr/bin/setsid");
            c.args(["-w", "-c"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        cmd.args(args).env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let slave = pty.slave;
        cmd.stdin(Stdio::from(slave.try_clone().expect("dup pty")))
            .stdout(Stdio::from(slave.try_clone().expect("dup pty")))
            .stderr(Stdio::from(slave));
        let child = cmd.spawn().expect("spawn on pty");
        // The parent's copies of the slave are closed now (moved into the
        // Command and dropped with it), so reads end with EIO at exit.
        drop(cmd);
        let master = File::from(pty.master);
        let mut reader = master.try_clone().expect("dup pty master");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Pty {
            child,
            master,
            rx,
            pending: String::new(),
            transcript: String::new(),
            controlling,
        }
    }

    /// Types `text` (no newline added).
    pub fn send(&mut self, text: &str) {
        self.master
            .write_all(text.as_bytes())
            .expect("write to pty");
        self.master.flush().expect("flush pty");
    }

    /// Types `line` and Enter.
    pub fn line(&mut self, line: &str) {
        self.send(line);
        self.send("\r");
    }

    fn pump(&mut self, deadline: Instant) -> bool {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(left) {
            Ok(bytes) => {
                let s = String::from_utf8_lossy(&bytes).into_owned();
                self.transcript.push_str(&s);
                self.pending.push_str(&s);
                true
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => false,
        }
    }

    /// Waits until `needle` appears in the output; returns the output up
    /// to and including it (which is consumed). Panics after
    /// [`EXPECT_TIMEOUT`] or when the program ends first.
    pub fn expect(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + EXPECT_TIMEOUT;
        loop {
            if let Some(i) = self.pending.find(needle) {
                let end = i + needle.len();
                let got = self.pending[..end].to_owned();
                self.pending.drain(..end);
                return got;
            }
            if !self.pump(deadline) {
                panic!(
                    "{needle:?} did not appear on the terminal; transcript:\n{}",
                    self.transcript
                );
            }
        }
    }

    /// Waits for the program to exit (bounded) and returns whether it
    /// succeeded, with the rest of the output.
    pub fn wait(mut self) -> (bool, String) {
        let deadline = Instant::now() + EXPECT_TIMEOUT;
        while self.pump(deadline) {}
        loop {
            match self.child.try_wait().expect("wait") {
                Some(status) => return (status.success(), std::mem::take(&mut self.pending)),
                None if Instant::now() > deadline => {
                    panic!("the program did not exit; transcript:\n{}", self.transcript)
                }
                // The output has ended (EIO): the exit is imminent.
                None => std::thread::yield_now(),
            }
        }
    }
}
