//! Reading a password on the terminal without echo, the way MIT's
//! `krb5_prompter_posix` does it: echo is switched off *before* the prompt
//! is written, so that nothing typed after the prompt appears (a fast
//! typist, or a script answering the prompt, would otherwise race the
//! switch), and switched back on however the read ends.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};

use nix::sys::termios::{LocalFlags, SetArg, Termios, tcgetattr, tcsetattr};
use zeroize::Zeroizing;

/// Restores the terminal's settings when dropped.
struct EchoOff<'a> {
    tty: &'a File,
    saved: Termios,
}

impl Drop for EchoOff<'_> {
    fn drop(&mut self) {
        let _ = tcsetattr(self.tty, SetArg::TCSANOW, &self.saved);
    }
}

/// Writes `prompt` to the controlling terminal and reads one line from it
/// with echo off (the newline is shown). The line comes back without its
/// line ending, in memory that is wiped when dropped.
pub fn prompt_hidden(prompt: &str) -> io::Result<Zeroizing<String>> {
    let tty = File::options().read(true).write(true).open("/dev/tty")?;
    let saved = tcgetattr(&tty)?;
    let mut quiet = saved.clone();
    quiet.local_flags.remove(LocalFlags::ECHO);
    quiet.local_flags.insert(LocalFlags::ECHONL);
    tcsetattr(&tty, SetArg::TCSANOW, &quiet)?;
    let guard = EchoOff { tty: &tty, saved };
    (&tty).write_all(prompt.as_bytes())?;
    (&tty).flush()?;
    let mut line = Zeroizing::new(String::new());
    BufReader::new(&tty).read_line(&mut line)?;
    drop(guard);
    let end = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(end);
    Ok(line)
}
