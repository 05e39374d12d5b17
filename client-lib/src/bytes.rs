//! Bounds-checked reading of the integer and length-prefixed fields used by
//! the MIT keytab and credential cache formats.

/// The input ended before a field was complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Truncated;

/// A cursor over a byte slice. Never panics: every read is checked.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    little_endian: bool,
}

impl<'a> Reader<'a> {
    /// A reader over `data`, big-endian unless `little_endian`.
    pub(crate) fn new(data: &'a [u8], little_endian: bool) -> Self {
        Self {
            data,
            pos: 0,
            little_endian,
        }
    }

    /// Bytes not yet read.
    pub(crate) fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// Offset of the next byte.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// Takes the next `n` bytes.
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Truncated> {
        let end = self.pos.checked_add(n).ok_or(Truncated)?;
        let out = self.data.get(self.pos..end).ok_or(Truncated)?;
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Truncated> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        if self.little_endian {
            out.reverse();
        }
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, Truncated> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, Truncated> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn i16(&mut self) -> Result<i16, Truncated> {
        Ok(i16::from_be_bytes(self.array()?))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, Truncated> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(crate) fn i32(&mut self) -> Result<i32, Truncated> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    /// A field with a 16-bit length prefix.
    pub(crate) fn data16(&mut self) -> Result<&'a [u8], Truncated> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }

    /// A field with a 32-bit length prefix.
    pub(crate) fn data32(&mut self) -> Result<&'a [u8], Truncated> {
        let n = self.u32()?;
        let n = usize::try_from(n).map_err(|_| Truncated)?;
        self.take(n)
    }
}

/// A field was longer than its length prefix can express.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooLong;

/// Appends a big-endian 16-bit length and the bytes.
pub(crate) fn put_data16(out: &mut Vec<u8>, data: &[u8]) -> Result<(), TooLong> {
    let n = u16::try_from(data.len()).map_err(|_| TooLong)?;
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(data);
    Ok(())
}

/// Appends a big-endian 32-bit length and the bytes.
pub(crate) fn put_data32(out: &mut Vec<u8>, data: &[u8]) -> Result<(), TooLong> {
    let n = u32::try_from(data.len()).map_err(|_| TooLong)?;
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(data);
    Ok(())
}
