//! MIT FILE keytab encoding (format versions 0x0501 and 0x0502).
//!
//! Layout (version 2, big-endian): `u16 version`, then records, each a
//! signed 32-bit length followed by that many bytes. A negative length is a
//! hole (a deleted entry) of `-length` bytes; zero or the end of the file
//! ends the sequence. An entry is: `u16 component count`, realm and
//! components (`u16` length + bytes each), `u32 name type` (absent in
//! version 1, whose count also includes the realm), `u32 timestamp`,
//! `u8 kvno`, `u16 enctype`, `u16` key length + key, and optionally a
//! `u32 kvno` that supersedes the 8-bit one when non-zero.

use zeroize::Zeroizing;

use super::{Keytab, KeytabEntry, KeytabError, KtPrincipal};
use crate::bytes::{Reader, Truncated, put_data16};
use crate::keytab::principal::NT_PRINCIPAL;

/// Version 2 (big-endian, with name types): what we write.
pub const KEYTAB_V2: u16 = 0x0502;
/// Version 1 (native byte order, no name types): read only.
pub const KEYTAB_V1: u16 = 0x0501;

fn utf8(bytes: &[u8], offset: usize) -> Result<String, KeytabError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| KeytabError::InvalidUtf8 { offset })
}

fn parse_entry(rec: &[u8], v1: bool, base: usize) -> Result<KeytabEntry, KeytabError> {
    let trunc = |_: Truncated| KeytabError::Truncated { offset: base };
    let mut r = Reader::new(rec, v1 && cfg!(target_endian = "little"));
    let mut count = usize::from(r.u16().map_err(trunc)?);
    if v1 {
        count = count.checked_sub(1).ok_or(KeytabError::Malformed {
            offset: base,
            what: "zero component count",
        })?;
    }
    let realm = utf8(r.data16().map_err(trunc)?, base)?;
    let mut components = Vec::with_capacity(count.min(16));
    for _ in 0..count {
        components.push(utf8(r.data16().map_err(trunc)?, base)?);
    }
    let name_type = if v1 {
        NT_PRINCIPAL
    } else {
        r.i32().map_err(trunc)?
    };
    let timestamp = r.u32().map_err(trunc)?;
    let kvno8 = r.u8().map_err(trunc)?;
    let enctype = i32::from(r.i16().map_err(trunc)?);
    let key = Zeroizing::new(r.data16().map_err(trunc)?.to_vec());
    let mut kvno = u32::from(kvno8);
    if r.remaining() >= 4 {
        let ext = r.u32().map_err(trunc)?;
        if ext != 0 {
            kvno = ext;
        }
    }
    Ok(KeytabEntry {
        principal: KtPrincipal {
            name_type,
            components,
            realm,
        },
        timestamp,
        kvno,
        enctype,
        key,
    })
}

/// Parses a whole keytab file image.
pub(super) fn parse(bytes: &[u8]) -> Result<Keytab, KeytabError> {
    let mut r = Reader::new(bytes, false);
    let version = r.u16().map_err(|_| KeytabError::Truncated { offset: 0 })?;
    let v1 = match version {
        KEYTAB_V2 => false,
        KEYTAB_V1 => true,
        other => return Err(KeytabError::UnsupportedVersion(other)),
    };
    let mut le = Reader::new(bytes, v1 && cfg!(target_endian = "little"));
    let _ = le.take(2);
    let mut entries = Vec::new();
    while le.remaining() > 0 {
        let offset = le.position();
        // A file cut inside a record length is treated as its end, as MIT does.
        let Ok(len) = le.i32() else { break };
        if len == 0 {
            break;
        }
        let size =
            usize::try_from(len.unsigned_abs()).map_err(|_| KeytabError::Truncated { offset })?;
        let rec = le
            .take(size)
            .map_err(|_| KeytabError::Truncated { offset })?;
        if len > 0 {
            entries.push(parse_entry(rec, v1, offset)?);
        }
    }
    Ok(Keytab { entries })
}

fn entry_bytes(e: &KeytabEntry) -> Result<Vec<u8>, KeytabError> {
    let too_long = |_| KeytabError::FieldTooLong;
    let p = &e.principal;
    let size = 2
        + 2
        + p.realm.len()
        + p.components.iter().map(|c| 2 + c.len()).sum::<usize>()
        + 4
        + 4
        + 1
        + 2
        + 2
        + e.key.len()
        + 4;
    // Sized up front so the key bytes are never left behind by a reallocation.
    let mut out = Vec::with_capacity(size);
    let count =
        u16::try_from(e.principal.components.len()).map_err(|_| KeytabError::FieldTooLong)?;
    out.extend_from_slice(&count.to_be_bytes());
    put_data16(&mut out, e.principal.realm.as_bytes()).map_err(too_long)?;
    for c in &e.principal.components {
        put_data16(&mut out, c.as_bytes()).map_err(too_long)?;
    }
    out.extend_from_slice(&e.principal.name_type.to_be_bytes());
    out.extend_from_slice(&e.timestamp.to_be_bytes());
    out.push((e.kvno & 0xff) as u8);
    let enctype =
        i16::try_from(e.enctype).map_err(|_| KeytabError::EnctypeOutOfRange(e.enctype))?;
    out.extend_from_slice(&enctype.to_be_bytes());
    put_data16(&mut out, &e.key).map_err(too_long)?;
    out.extend_from_slice(&e.kvno.to_be_bytes());
    Ok(out)
}

/// Encodes a keytab as version 0x0502. Every entry carries the 32-bit kvno
/// extension (as MIT 1.14+ writes it). The image holds keys, so it is
/// returned in a zeroizing buffer allocated once at its final size.
pub(super) fn serialize(kt: &Keytab) -> Result<Zeroizing<Vec<u8>>, KeytabError> {
    let mut recs = Vec::with_capacity(kt.entries.len());
    for e in &kt.entries {
        recs.push(Zeroizing::new(entry_bytes(e)?));
    }
    let total = 2 + recs.iter().map(|r| 4 + r.len()).sum::<usize>();
    let mut out = Zeroizing::new(Vec::with_capacity(total));
    out.extend_from_slice(&KEYTAB_V2.to_be_bytes());
    for rec in &recs {
        let len = i32::try_from(rec.len()).map_err(|_| KeytabError::FieldTooLong)?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(rec);
    }
    Ok(out)
}
