//! The RFC 3961 crypto framework and every enctype Tessera speaks.
