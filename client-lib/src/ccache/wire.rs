//! MIT FILE credential cache encoding (versions 0x0504 and 0x0503).
//!
//! Big-endian. `u16 version`; version 4 then has a `u16` header length and
//! header fields (`u16 tag`, `u16 length`, value; tag 1 = KDC time offset
//! as `i32 seconds, i32 microseconds`). Then the default principal and
//! credentials until the end of the file. Principals are `u32 name type`,
//! `u32 count`, realm and components (`u32` length + bytes). Keyblocks are
//! `u16 enctype` (written twice in version 3) and `u32` length + key.

use zeroize::Zeroizing;

use super::{CcacheError, Credential, CredentialCache, Principal};
use crate::bytes::{Reader, put_data16, put_data32};

/// Version 4: what we write.
pub(super) const CCACHE_V4: u16 = 0x0504;
/// Version 3: read only.
pub(super) const CCACHE_V3: u16 = 0x0503;
const TAG_TIME_OFFSET: u16 = 1;

struct Parser<'a> {
    r: Reader<'a>,
}

impl<'a> Parser<'a> {
    fn trunc(&self) -> CcacheError {
        CcacheError::Truncated {
            offset: self.r.position(),
        }
    }
    fn u8(&mut self) -> Result<u8, CcacheError> {
        self.r.u8().map_err(|_| self.trunc())
    }
    fn u16(&mut self) -> Result<u16, CcacheError> {
        self.r.u16().map_err(|_| self.trunc())
    }
    fn i16(&mut self) -> Result<i16, CcacheError> {
        self.r.i16().map_err(|_| self.trunc())
    }
    fn u32(&mut self) -> Result<u32, CcacheError> {
        self.r.u32().map_err(|_| self.trunc())
    }
    fn i32(&mut self) -> Result<i32, CcacheError> {
        self.r.i32().map_err(|_| self.trunc())
    }
    fn data(&mut self) -> Result<&'a [u8], CcacheError> {
        let at = self.r.position();
        self.r
            .data32()
            .map_err(|_| CcacheError::Truncated { offset: at })
    }
    fn string(&mut self) -> Result<String, CcacheError> {
        let offset = self.r.position();
        let d = self.data()?;
        String::from_utf8(d.to_vec()).map_err(|_| CcacheError::InvalidUtf8 { offset })
    }
    /// A count of items that each take at least `min` bytes: rejected early
    /// if the rest of the data cannot hold them, so a hostile count cannot
    /// cause a huge allocation.
    fn count(&mut self, min: usize) -> Result<usize, CcacheError> {
        let at = self.r.position();
        let n = usize::try_from(self.u32()?).map_err(|_| CcacheError::Truncated { offset: at })?;
        if n.saturating_mul(min) > self.r.remaining() {
            return Err(CcacheError::Truncated { offset: at });
        }
        Ok(n)
    }

    fn principal(&mut self) -> Result<Principal, CcacheError> {
        let name_type = self.i32()?;
        let count = self.count(4)?;
        let realm = self.string()?;
        let mut components = Vec::with_capacity(count);
        for _ in 0..count {
            components.push(self.string()?);
        }
        Ok(Principal {
            name_type,
            components,
            realm,
        })
    }

    fn typed_list(&mut self) -> Result<Vec<(u16, Vec<u8>)>, CcacheError> {
        let n = self.count(6)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let t = self.u16()?;
            out.push((t, self.data()?.to_vec()));
        }
        Ok(out)
    }

    fn credential(&mut self, v3: bool) -> Result<Credential, CcacheError> {
        let client = self.principal()?;
        let server = self.principal()?;
        let key_enctype = i32::from(self.i16()?);
        if v3 {
            let _repeated = self.u16()?;
        }
        let key = Zeroizing::new(self.data()?.to_vec());
        let authtime = self.u32()?;
        let starttime = self.u32()?;
        let endtime = self.u32()?;
        let renew_till = self.u32()?;
        let is_skey = self.u8()? != 0;
        let ticket_flags = self.u32()?;
        let addresses = self.typed_list()?;
        let authdata = self.typed_list()?;
        let ticket = self.data()?.to_vec();
        let second_ticket = self.data()?.to_vec();
        Ok(Credential {
            client,
            server,
            key_enctype,
            key,
            authtime,
            starttime,
            endtime,
            renew_till,
            is_skey,
            ticket_flags,
            addresses,
            authdata,
            ticket,
            second_ticket,
        })
    }
}

pub(super) fn parse(bytes: &[u8]) -> Result<CredentialCache, CcacheError> {
    let mut p = Parser {
        r: Reader::new(bytes, false),
    };
    let version = p.u16()?;
    let v3 = match version {
        CCACHE_V4 => false,
        CCACHE_V3 => true,
        other => return Err(CcacheError::UnsupportedVersion(other)),
    };
    let mut time_offset = None;
    let mut other_header_fields = Vec::new();
    if !v3 {
        let at = p.r.position();
        let hlen = usize::from(p.u16()?);
        let header =
            p.r.take(hlen)
                .map_err(|_| CcacheError::Truncated { offset: at })?;
        let mut h = Parser {
            r: Reader::new(header, false),
        };
        while h.r.remaining() > 0 {
            let tag = h.u16()?;
            let len = usize::from(h.u16()?);
            let value = h.r.take(len).map_err(|_| CcacheError::Truncated {
                offset: at + 2 + h.r.position(),
            })?;
            if tag == TAG_TIME_OFFSET && len == 8 {
                let mut v = Parser {
                    r: Reader::new(value, false),
                };
                time_offset = Some((v.i32()?, v.i32()?));
            } else {
                other_header_fields.push((tag, value.to_vec()));
            }
        }
    }
    let default_principal = p.principal()?;
    let mut credentials = Vec::new();
    while p.r.remaining() > 0 {
        credentials.push(p.credential(v3)?);
    }
    Ok(CredentialCache {
        default_principal,
        credentials,
        time_offset,
        other_header_fields,
    })
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn len32(n: usize) -> Result<u32, CcacheError> {
    u32::try_from(n).map_err(|_| CcacheError::FieldTooLong)
}

fn put_principal(out: &mut Vec<u8>, p: &Principal) -> Result<(), CcacheError> {
    out.extend_from_slice(&p.name_type.to_be_bytes());
    put_u32(out, len32(p.components.len())?);
    put_data32(out, p.realm.as_bytes()).map_err(|_| CcacheError::FieldTooLong)?;
    for c in &p.components {
        put_data32(out, c.as_bytes()).map_err(|_| CcacheError::FieldTooLong)?;
    }
    Ok(())
}

fn put_list(out: &mut Vec<u8>, list: &[(u16, Vec<u8>)]) -> Result<(), CcacheError> {
    put_u32(out, len32(list.len())?);
    for (t, d) in list {
        out.extend_from_slice(&t.to_be_bytes());
        put_data32(out, d).map_err(|_| CcacheError::FieldTooLong)?;
    }
    Ok(())
}

fn put_credential(out: &mut Vec<u8>, c: &Credential) -> Result<(), CcacheError> {
    put_principal(out, &c.client)?;
    put_principal(out, &c.server)?;
    let et =
        i16::try_from(c.key_enctype).map_err(|_| CcacheError::EnctypeOutOfRange(c.key_enctype))?;
    out.extend_from_slice(&et.to_be_bytes());
    put_data32(out, &c.key).map_err(|_| CcacheError::FieldTooLong)?;
    for t in [c.authtime, c.starttime, c.endtime, c.renew_till] {
        put_u32(out, t);
    }
    out.push(u8::from(c.is_skey));
    put_u32(out, c.ticket_flags);
    put_list(out, &c.addresses)?;
    put_list(out, &c.authdata)?;
    put_data32(out, &c.ticket).map_err(|_| CcacheError::FieldTooLong)?;
    put_data32(out, &c.second_ticket).map_err(|_| CcacheError::FieldTooLong)?;
    Ok(())
}

fn encoded_size(cc: &CredentialCache) -> usize {
    let princ = |p: &Principal| {
        8 + 4 + p.realm.len() + p.components.iter().map(|c| 4 + c.len()).sum::<usize>()
    };
    let list = |l: &[(u16, Vec<u8>)]| 4 + l.iter().map(|(_, d)| 6 + d.len()).sum::<usize>();
    let header = 4
        + 12
        + cc.other_header_fields
            .iter()
            .map(|(_, d)| 4 + d.len())
            .sum::<usize>();
    header
        + princ(&cc.default_principal)
        + cc.credentials
            .iter()
            .map(|c| {
                princ(&c.client)
                    + princ(&c.server)
                    + 6
                    + c.key.len()
                    + 17
                    + 4
                    + list(&c.addresses)
                    + list(&c.authdata)
                    + 8
                    + c.ticket.len()
                    + c.second_ticket.len()
            })
            .sum::<usize>()
}

pub(super) fn serialize(cc: &CredentialCache) -> Result<Zeroizing<Vec<u8>>, CcacheError> {
    // Sized up front so session keys are never left behind by a reallocation.
    let mut out = Zeroizing::new(Vec::with_capacity(encoded_size(cc)));
    out.extend_from_slice(&CCACHE_V4.to_be_bytes());
    let mut header = Vec::new();
    if let Some((s, us)) = cc.time_offset {
        header.extend_from_slice(&TAG_TIME_OFFSET.to_be_bytes());
        header.extend_from_slice(&8u16.to_be_bytes());
        header.extend_from_slice(&s.to_be_bytes());
        header.extend_from_slice(&us.to_be_bytes());
    }
    for (tag, value) in &cc.other_header_fields {
        header.extend_from_slice(&tag.to_be_bytes());
        put_data16(&mut header, value).map_err(|_| CcacheError::FieldTooLong)?;
    }
    put_data16(&mut out, &header).map_err(|_| CcacheError::FieldTooLong)?;
    put_principal(&mut out, &cc.default_principal)?;
    for c in &cc.credentials {
        put_credential(&mut out, c)?;
    }
    Ok(out)
}
