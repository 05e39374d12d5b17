//! Showing what a KDC did when a test fails.

use std::path::Path;

/// Prints the last `lines` lines of the log at `path` to stderr (which the
/// test harness shows for a failed test), or why it cannot.
pub fn print_tail(path: &Path, lines: usize) {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let all: Vec<&str> = text.lines().collect();
            let from = all.len().saturating_sub(lines);
            eprintln!(
                "--- last {} lines of {} ---",
                all.len() - from,
                path.display()
            );
            for line in &all[from..] {
                eprintln!("{line}");
            }
            eprintln!("--- end of {} ---", path.display());
        }
        Err(e) => eprintln!("(no KDC log at {}: {e})", path.display()),
    }
}
