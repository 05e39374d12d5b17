//! krb5.conf: MIT profile syntax parsing, a typed view, and a writer.
//!
//! ```
//! use tessera_client::config::Krb5Conf;
//! let conf = Krb5Conf::parse_str(
//!     "[libdefaults]\n default_realm = EXAMPLE.COM\n[realms]\n EXAMPLE.COM = {\n  kdc = kdc1:8888\n  kdc = [::1]\n }\n",
//!     "krb5.conf",
//! ).unwrap();
//! assert_eq!(
//!     conf.kdc_addresses("EXAMPLE.COM"),
//!     vec![("kdc1".to_owned(), 8888), ("::1".to_owned(), 88)]
//! );
//! ```

mod krb5conf;
pub mod profile;
mod render;
pub mod values;

use std::io;
use std::path::PathBuf;

use thiserror::Error;

pub use krb5conf::{
    DEFAULT_ADMIN_PORT, DEFAULT_CLOCKSKEW, DEFAULT_KDC_PORT, DEFAULT_KPASSWD_PORT,
    DEFAULT_UDP_PREFERENCE_LIMIT, Krb5Conf, RealmConf,
};
pub use profile::{Origin, Profile, Relation, Section, Value};
pub use render::{Krb5ConfWriter, render_krb5_conf};
pub use values::{ServerAddress, Transport};

/// What is wrong with a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SyntaxError {
    /// A relation line without `=`.
    #[error("expected `tag = value` (no '=' found)")]
    MissingEquals,
    /// Nothing before `=`.
    #[error("empty tag before '='")]
    EmptyTag,
    /// A tag with whitespace inside.
    #[error("tag contains whitespace")]
    SpaceInTag,
    /// `[section]` inside `{ ... }`.
    #[error("section header inside a '{{ ... }}' group (missing '}}'?)")]
    SectionInsideGroup,
    /// `[name` without `]`.
    #[error("section header has no closing ']'")]
    UnterminatedSectionName,
    /// Text after `]` other than the final marker `*`.
    #[error("unexpected text after section header")]
    TextAfterSectionName,
    /// Text after `}` other than the final marker `*`.
    #[error("unexpected text after '}}'")]
    TextAfterCloseBrace,
    /// `}` with no open group.
    #[error("'}}' without a matching '{{'")]
    ExtraCloseBrace,
    /// `tag =` at the end of a line not followed by a `{` line.
    #[error("expected '{{' after `tag =`")]
    MissingOpenBrace,
    /// A `{` never closed (reported at the opening line).
    #[error("'{{' is never closed")]
    UnclosedGroup,
    /// A quoted value without its closing quote.
    #[error("unterminated quoted string")]
    UnterminatedQuote,
    /// `include` nested too deeply (a loop?).
    #[error("include nested too deeply")]
    IncludeTooDeep,
}

/// Errors loading a configuration.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// A malformed line.
    #[error("{file}:{line}: {kind}")]
    Syntax {
        /// The file (or origin name).
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        kind: SyntaxError,
    },
    /// A value that does not parse as its setting requires.
    #[error("{file}:{line}: invalid value {value:?} for {tag} (expected {expected})")]
    InvalidValue {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// The setting.
        tag: String,
        /// The value as written.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A file or directory could not be read.
    #[error("cannot read {}{}: {source}", path.display(), included_from.as_ref().map(|f| format!(" (included from {f})")).unwrap_or_default())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// `file:line` of the include directive, if any.
        included_from: Option<String>,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}
