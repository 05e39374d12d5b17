//! MIT "profile" syntax (krb5.conf, kdc.conf): a tree of sections and
//! relations, with `include` / `includedir` directives and final markers.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{ConfigError, SyntaxError};

/// How deep `include` may nest (MIT also stops at a small depth).
const MAX_INCLUDE_DEPTH: usize = 5;

/// Where a relation was read: file name and 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file (or the origin name given to [`Profile::parse_str`]).
    pub file: Arc<str>,
    /// 1-based line number.
    pub line: usize,
}

/// A relation's value: a string or a nested group `{ ... }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `tag = value`.
    String(String),
    /// `tag = { ... }`.
    Group(Vec<Relation>),
}

/// One `tag = value` or `tag = { ... }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relation {
    /// The tag (left of `=`), without any final marker.
    pub tag: String,
    /// The value.
    pub value: Value,
    /// Marked final (`tag* = ...` or `}*`): later values for this tag are
    /// ignored.
    pub is_final: bool,
    /// Where it was read.
    pub origin: Origin,
}

impl Relation {
    /// The string value, if this is not a group.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            Value::Group(_) => None,
        }
    }

    /// The nested relations, if this is a group.
    pub fn as_group(&self) -> Option<&[Relation]> {
        match &self.value {
            Value::Group(g) => Some(g),
            Value::String(_) => None,
        }
    }
}

/// A top-level `[name]` section. Sections of the same name, from the same
/// file or from several, are merged in reading order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The section name.
    pub name: String,
    /// Its relations in reading order.
    pub relations: Vec<Relation>,
    /// Marked final (`[name]*`): later sections of this name are ignored.
    pub is_final: bool,
}

/// A parsed profile: every file read, merged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// Top-level sections in first-seen order.
    pub sections: Vec<Section>,
}

/// Adds a relation unless an earlier one with the same tag is final.
fn push_relation(list: &mut Vec<Relation>, rel: Relation) {
    if list.iter().any(|r| r.is_final && r.tag == rel.tag) {
        return;
    }
    list.push(rel);
}

impl Profile {
    /// Parses profile text; `origin` names it in errors. `include`
    /// directives are followed on the file system.
    pub fn parse_str(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let mut p = Self::default();
        p.add_text(text, origin, 0)?;
        Ok(p)
    }

    /// Reads and merges one file (a missing file is an I/O error).
    pub fn add_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        self.add_file_at_depth(path, 0, None)
    }

    fn add_file_at_depth(
        &mut self,
        path: &Path,
        depth: usize,
        from: Option<&Origin>,
    ) -> Result<(), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            included_from: from.map(|o| format!("{}:{}", o.file, o.line)),
            source,
        })?;
        self.add_text(&text, &path.display().to_string(), depth)
    }

    /// Reads and merges the files of a directory whose names MIT would read:
    /// only letters, digits, `-` and `_`, or ending in `.conf`; in name order.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), ConfigError> {
        self.add_dir_at_depth(dir, 0, None)
    }

    fn add_dir_at_depth(
        &mut self,
        dir: &Path,
        depth: usize,
        from: Option<&Origin>,
    ) -> Result<(), ConfigError> {
        let io = |source| ConfigError::Io {
            path: dir.to_path_buf(),
            included_from: from.map(|o| format!("{}:{}", o.file, o.line)),
            source,
        };
        let mut names: Vec<PathBuf> = Vec::new();
        for ent in std::fs::read_dir(dir).map_err(io)? {
            let ent = ent.map_err(io)?;
            let name = ent.file_name();
            let Some(name) = name.to_str() else { continue };
            let plain = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if (plain || name.ends_with(".conf")) && ent.path().is_file() {
                names.push(ent.path());
            }
        }
        names.sort();
        for path in names {
            self.add_file_at_depth(&path, depth, from)?;
        }
        Ok(())
    }

    fn add_text(&mut self, text: &str, origin: &str, depth: usize) -> Result<(), ConfigError> {
        let file: Arc<str> = Arc::from(origin);
        let mut st = FileState::default();
        for (idx, raw) in text.lines().enumerate() {
            let line_no = idx + 1;
            let here = Origin {
                file: file.clone(),
                line: line_no,
            };
            let err = |kind| ConfigError::Syntax {
                file: file.to_string(),
                line: line_no,
                kind,
            };
            let line = raw.trim_end_matches('\r');
            // Directives must start in the first column, as MIT requires.
            if let Some(arg) = directive(line, "includedir") {
                if depth >= MAX_INCLUDE_DEPTH {
                    return Err(err(SyntaxError::IncludeTooDeep));
                }
                self.add_dir_at_depth(Path::new(arg), depth + 1, Some(&here))?;
                continue;
            }
            if let Some(arg) = directive(line, "include") {
                if depth >= MAX_INCLUDE_DEPTH {
                    return Err(err(SyntaxError::IncludeTooDeep));
                }
                self.add_file_at_depth(Path::new(arg), depth + 1, Some(&here))?;
                continue;
            }
            if directive(line, "module").is_some() {
                continue;
            }
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
                continue;
            }
            if st.want_open_brace {
                let rest = t
                    .strip_prefix('{')
                    .ok_or(err(SyntaxError::MissingOpenBrace))?;
                if !rest.trim().is_empty() {
                    return Err(err(SyntaxError::MissingOpenBrace));
                }
                st.want_open_brace = false;
                continue;
            }
            if let Some(rest) = t.strip_prefix('[') {
                if !st.groups.is_empty() {
                    return Err(err(SyntaxError::SectionInsideGroup));
                }
                let (name, after) = rest
                    .split_once(']')
                    .ok_or(err(SyntaxError::UnterminatedSectionName))?;
                let is_final = match after.trim() {
                    "" => false,
                    "*" => true,
                    _ => return Err(err(SyntaxError::TextAfterSectionName)),
                };
                st.section = Some(self.open_section(name.trim(), is_final));
                continue;
            }
            // Before the first section header MIT ignores everything else.
            let Some(section) = st.section else { continue };
            if let Some(rest) = t.strip_prefix('}') {
                let is_final = match rest.trim() {
                    "" => false,
                    "*" => true,
                    _ => return Err(err(SyntaxError::TextAfterCloseBrace)),
                };
                let mut g = st.groups.pop().ok_or(err(SyntaxError::ExtraCloseBrace))?;
                g.is_final = is_final;
                self.push(section, &mut st.groups, g);
                continue;
            }
            let (tag, value) = t.split_once('=').ok_or(err(SyntaxError::MissingEquals))?;
            let mut tag = tag.trim();
            if tag.is_empty() {
                return Err(err(SyntaxError::EmptyTag));
            }
            if tag.contains(char::is_whitespace) {
                return Err(err(SyntaxError::SpaceInTag));
            }
            let mut is_final = false;
            if let Some(stripped) = tag.strip_suffix('*') {
                tag = stripped;
                is_final = true;
            }
            let value = value.trim_start();
            if value.is_empty() || value.trim_end() == "{" {
                st.want_open_brace = value.is_empty();
                st.groups.push(Relation {
                    tag: tag.to_owned(),
                    value: Value::Group(Vec::new()),
                    is_final,
                    origin: here,
                });
                continue;
            }
            let value = if let Some(q) = value.strip_prefix('"') {
                parse_quoted(q).ok_or(err(SyntaxError::UnterminatedQuote))?
            } else {
                value.trim_end().to_owned()
            };
            let rel = Relation {
                tag: tag.to_owned(),
                value: Value::String(value),
                is_final,
                origin: here,
            };
            self.push(section, &mut st.groups, rel);
        }
        if st.want_open_brace {
            return Err(ConfigError::Syntax {
                file: file.to_string(),
                line: text.lines().count(),
                kind: SyntaxError::MissingOpenBrace,
            });
        }
        if let Some(open) = st.groups.first() {
            return Err(ConfigError::Syntax {
                file: file.to_string(),
                line: open.origin.line,
                kind: SyntaxError::UnclosedGroup,
            });
        }
        Ok(())
    }

    /// Returns the index of the section to add to. A final section of the
    /// same name makes later ones go to a detached, ignored section.
    fn open_section(&mut self, name: &str, is_final: bool) -> SectionRef {
        match self.sections.iter().position(|s| s.name == name) {
            Some(i) if self.sections[i].is_final => SectionRef::Ignored,
            Some(i) => {
                self.sections[i].is_final |= is_final;
                SectionRef::Index(i)
            }
            None => {
                self.sections.push(Section {
                    name: name.to_owned(),
                    relations: Vec::new(),
                    is_final,
                });
                SectionRef::Index(self.sections.len() - 1)
            }
        }
    }

    fn push(&mut self, section: SectionRef, groups: &mut [Relation], rel: Relation) {
        if let Some(Relation {
            value: Value::Group(g),
            ..
        }) = groups.last_mut()
        {
            push_relation(g, rel);
            return;
        }
        if let SectionRef::Index(i) = section
            && let Some(s) = self.sections.get_mut(i)
        {
            push_relation(&mut s.relations, rel);
        }
    }

    /// The relations of top-level section `name` (empty if absent).
    pub fn section(&self, name: &str) -> &[Relation] {
        self.sections
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.relations.as_slice())
            .unwrap_or(&[])
    }

    /// All relations at `path` (section, then tags), in order. For example
    /// `["realms", "EXAMPLE.COM", "kdc"]`.
    pub fn get_all<'a>(&'a self, path: &[&str]) -> Vec<&'a Relation> {
        let Some((first, rest)) = path.split_first() else {
            return Vec::new();
        };
        let mut level: Vec<&Relation> = self.section(first).iter().collect();
        for (i, tag) in rest.iter().enumerate() {
            let matched = level.into_iter().filter(|r| r.tag == *tag);
            if i + 1 == rest.len() {
                return matched.collect();
            }
            level = matched.filter_map(Relation::as_group).flatten().collect();
        }
        Vec::new()
    }

    /// The first string value at `path`.
    pub fn get_str(&self, path: &[&str]) -> Option<&str> {
        self.get_all(path).into_iter().find_map(Relation::as_str)
    }

    /// Every string value at `path`.
    pub fn get_strs(&self, path: &[&str]) -> Vec<&str> {
        self.get_all(path)
            .into_iter()
            .filter_map(Relation::as_str)
            .collect()
    }
}

#[derive(Clone, Copy, Debug)]
enum SectionRef {
    Index(usize),
    Ignored,
}

#[derive(Default)]
struct FileState {
    section: Option<SectionRef>,
    groups: Vec<Relation>,
    want_open_brace: bool,
}

/// `word` followed by whitespace at the start of the line: the argument.
fn directive<'a>(line: &'a str, word: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(word)?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let arg = rest.trim();
    (!arg.is_empty()).then_some(arg)
}

/// The contents of a quoted value (opening quote already removed), with
/// MIT's escapes `\n`, `\t`, `\b` and `\<char>`. Text after the closing
/// quote is ignored, as MIT does.
fn parse_quoted(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'b' => out.push('\u{8}'),
                other => out.push(other),
            },
            other => out.push(other),
        }
    }
    None
}
