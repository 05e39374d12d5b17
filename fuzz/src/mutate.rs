//! Input-driven helpers of the structure-aware targets: how a fuzz input
//! becomes a choice of valid message plus mutations.
//!
//! A structure-aware target reads its input with [`arbitrary::Unstructured`]:
//! first the fields of a valid message (names, times, options, which key),
//! then up to a few byte mutations of the encoded message, so most inputs
//! reach past decryption and some reach the checks after it with one field
//! broken. Inputs whose first byte is [`RAW`] skip all that: the rest is
//! the message itself (that is how captured messages seed these targets).

use libfuzzer_sys::arbitrary::{Result, Unstructured};

/// First byte of an input that is a raw message (see the module docs).
pub const RAW: u8 = 0;

/// `Some(message)` when `data` is a raw-mode input.
pub fn raw(data: &[u8]) -> Option<&[u8]> {
    match data.split_first() {
        Some((&RAW, rest)) => Some(rest),
        _ => None,
    }
}

/// Picks one of `items`.
pub fn pick<'a, T>(u: &mut Unstructured<'_>, items: &'a [T]) -> Result<&'a T> {
    u.choose(items)
}

/// A signed offset in `-range..=range`.
pub fn delta(u: &mut Unstructured<'_>, range: i64) -> Result<i64> {
    u.int_in_range(-range..=range)
}

/// Applies 0 to 3 byte-level mutations chosen by `u` to `msg`: flip a bit,
/// set a byte, cut the tail, insert bytes, or delete a range. Most inputs
/// choose none (their message stays valid).
pub fn mutate(u: &mut Unstructured<'_>, msg: &mut Vec<u8>) -> Result<()> {
    let n: u8 = u.int_in_range(0..=7)?;
    let n = match n {
        0..=4 => 0,
        5 => 1,
        6 => 2,
        _ => 3,
    };
    for _ in 0..n {
        if msg.is_empty() {
            return Ok(());
        }
        let at = u.choose_index(msg.len())?;
        match u.int_in_range(0u8..=4)? {
            0 => {
                let bit: u8 = u.int_in_range(0..=7)?;
                msg[at] ^= 1 << bit;
            }
            1 => msg[at] = u.arbitrary()?,
            2 => msg.truncate(at),
            3 => {
                let len: usize = u.int_in_range(1..=8)?;
                let bytes = u.bytes(len.min(u.len()))?.to_vec();
                msg.splice(at..at, bytes);
            }
            _ => {
                let len: usize = u.int_in_range(1..=16)?;
                let end = (at + len).min(msg.len());
                msg.drain(at..end);
            }
        }
    }
    Ok(())
}

/// Up to `max` bytes taken from the input.
pub fn bytes(u: &mut Unstructured<'_>, max: usize) -> Result<Vec<u8>> {
    let n = u.int_in_range(0..=max)?;
    Ok(u.bytes(n.min(u.len()))?.to_vec())
}

/// True about once in `n` inputs, and false when the input is used up
/// (`Unstructured::ratio` is true then, which would make every short
/// input take every rare branch).
pub fn rare(u: &mut Unstructured<'_>, n: u32) -> Result<bool> {
    Ok(u.int_in_range(0..=n.saturating_sub(1))? == n.saturating_sub(1) && n > 0)
}

/// The opposite of [`rare`]: true except about once in `n` inputs.
pub fn often(u: &mut Unstructured<'_>, n: u32) -> Result<bool> {
    rare(u, n).map(|r| !r)
}
