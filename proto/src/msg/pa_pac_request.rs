//! PA-PAC-REQUEST (MS-KILE section 2.2.3): whether the client wants a PAC.

use rasn::prelude::*;

/// `KERB-PA-PAC-REQUEST ::= SEQUENCE { include-pac [0] BOOLEAN }`
#[derive(AsnType, Clone, Copy, Debug, Decode, Encode, PartialEq, Eq, Hash)]
pub struct PaPacRequest {
    /// True if the client asks for a PAC in its tickets.
    #[rasn(tag(explicit(0)))]
    pub include_pac: bool,
}
