//! The n-fold function of RFC 3961 section 5.1.

/// Stretch or shrink `input` to `out_len` bytes with RFC 3961's n-fold:
/// concatenate copies of the input, each rotated 13 bits further right,
/// up to the least common multiple of both lengths, then add the
/// `out_len`-byte chunks together with ones'-complement (end-around
/// carry) addition.
///
/// An empty input yields `out_len` zero bytes.
pub fn nfold(input: &[u8], out_len: usize) -> Vec<u8> {
    let mut acc = vec![0u8; out_len];
    let in_len = input.len();
    if in_len == 0 || out_len == 0 {
        return acc;
    }
    let total = lcm(in_len, out_len);
    let in_bits = in_len * 8;
    let mut chunk = vec![0u8; out_len];
    for start in (0..total).step_by(out_len) {
        for (i, slot) in chunk.iter_mut().enumerate() {
            let b = start + i;
            let copy = b / in_len;
            let pos = b % in_len;
            let rot = (13 * copy) % in_bits;
            // Bit offset in the original input where this output byte begins.
            let s = (8 * pos + in_bits - rot) % in_bits;
            *slot = byte_at_bit(input, s);
        }
        add_ones_complement(&mut acc, &chunk);
    }
    acc
}

/// The eight bits of `input` starting at bit offset `s` (most significant
/// bit first), wrapping around the end.
fn byte_at_bit(input: &[u8], s: usize) -> u8 {
    let idx = s / 8;
    let shift = s % 8;
    let hi = input[idx % input.len()];
    if shift == 0 {
        return hi;
    }
    let lo = input[(idx + 1) % input.len()];
    (hi << shift) | (lo >> (8 - shift))
}

/// `acc += x` as big-endian numbers with end-around carry.
fn add_ones_complement(acc: &mut [u8], x: &[u8]) {
    let mut carry = 0u16;
    for (a, b) in acc.iter_mut().zip(x.iter()).rev() {
        let sum = u16::from(*a) + u16::from(*b) + carry;
        *a = (sum & 0xff) as u8;
        carry = sum >> 8;
    }
    while carry != 0 {
        for a in acc.iter_mut().rev() {
            let sum = u16::from(*a) + carry;
            *a = (sum & 0xff) as u8;
            carry = sum >> 8;
            if carry == 0 {
                break;
            }
        }
    }
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

fn lcm(a: usize, b: usize) -> usize {
    a / gcd(a, b) * b
}
