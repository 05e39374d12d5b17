//! Ticket flag bits as MIT stores them in a credential cache's 32-bit
//! `ticket_flags` field: RFC 4120 flag number `n` is bit `31 - n`.

/// RFC 4120 flag 1.
pub const FORWARDABLE: u32 = 0x4000_0000;
/// RFC 4120 flag 2.
pub const FORWARDED: u32 = 0x2000_0000;
/// RFC 4120 flag 3.
pub const PROXIABLE: u32 = 0x1000_0000;
/// RFC 4120 flag 4.
pub const PROXY: u32 = 0x0800_0000;
/// RFC 4120 flag 5.
pub const MAY_POSTDATE: u32 = 0x0400_0000;
/// RFC 4120 flag 6.
pub const POSTDATED: u32 = 0x0200_0000;
/// RFC 4120 flag 7.
pub const INVALID: u32 = 0x0100_0000;
/// RFC 4120 flag 8.
pub const RENEWABLE: u32 = 0x0080_0000;
/// RFC 4120 flag 9.
pub const INITIAL: u32 = 0x0040_0000;
/// RFC 4120 flag 10.
pub const PRE_AUTHENT: u32 = 0x0020_0000;
/// RFC 4120 flag 11.
pub const HW_AUTHENT: u32 = 0x0010_0000;
/// RFC 4120 flag 12.
pub const TRANSIT_POLICY_CHECKED: u32 = 0x0008_0000;
/// RFC 4120 flag 13.
pub const OK_AS_DELEGATE: u32 = 0x0004_0000;
/// RFC 6806 flag 15.
pub const ENC_PA_REP: u32 = 0x0001_0000;
/// RFC 6112 flag 16.
pub const ANONYMOUS: u32 = 0x0000_8000;

/// Converts RFC 4120 KerberosFlags octets (bit 0 = most significant bit of
/// the first octet) to the cache's 32-bit value. Missing octets are zero.
pub fn from_kerberos_flags(octets: &[u8]) -> u32 {
    let mut b = [0u8; 4];
    for (dst, src) in b.iter_mut().zip(octets) {
        *dst = *src;
    }
    u32::from_be_bytes(b)
}

/// The RFC 4120 KerberosFlags octets for a cache flag value.
pub fn to_kerberos_flags(flags: u32) -> [u8; 4] {
    flags.to_be_bytes()
}
