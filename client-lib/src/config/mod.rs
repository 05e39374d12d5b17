//! krb5.conf parsing (in progress).
