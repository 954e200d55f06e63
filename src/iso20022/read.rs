//! A hardened pull reader for inbound ISO 20022 files.
//!
//! Banks' files are untrusted input. The reader refuses DOCTYPE declarations (so no
//! entity expansion, no XML bombs), resolves only the five predefined entities and
//! character references, bounds element depth and text length, ignores namespace
//! prefixes (elements are matched by local name), accepts a byte-order mark and CRLF,
//! and identifies the message from the `Document` namespace.

use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;

/// Bounds on what one file may make the reader hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlLimits {
    /// Deepest element nesting accepted (ISO 20022 messages need fewer than 20 levels).
    pub max_depth: usize,
    /// Longest text content of one element, in bytes.
    pub max_text_bytes: usize,
}

impl Default for XmlLimits {
    fn default() -> Self {
        Self {
            max_depth: 48,
            max_text_bytes: 64 * 1024,
        }
    }
}

/// Why an inbound file could not be read. `offset` is the byte position in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("byte {offset}: malformed XML: {message}")]
    Syntax { offset: u64, message: String },
    #[error("byte {offset}: DOCTYPE declarations are refused (entity expansion is not allowed)")]
    DocType { offset: u64 },
    #[error("byte {offset}: entity &{name}; is not one of the five XML entities")]
    Entity { offset: u64, name: String },
    #[error("byte {offset}: elements nested deeper than {max} levels")]
    TooDeep { offset: u64, max: usize },
    #[error("byte {offset}: text of {path} longer than {max} bytes")]
    TextTooLong {
        offset: u64,
        path: String,
        max: usize,
    },
    #[error(
        "not an ISO 20022 message: expected a Document element with an ISO 20022 namespace, got {actual}"
    )]
    NotIso20022 { actual: String },
    #[error("unsupported message {actual}: expected {expected}")]
    Unsupported { expected: String, actual: String },
    #[error("byte {offset}: {path}: expected {expected}, got {actual}")]
    Field {
        offset: u64,
        path: String,
        expected: String,
        actual: String,
    },
}

/// The message a file holds, read from its namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageName {
    /// e.g. `camt.053`.
    pub family: String,
    /// e.g. `camt.053.001.02` (national variants are reported by their ISO base).
    pub version: String,
    /// The variant suffix of national schemas, e.g. `ch.02`, or the DK `pain.002.003.03`.
    pub variant: Option<String>,
}

impl MessageName {
    /// Finds `xxxx.nnn.nnn.nn` in a namespace such as
    /// `urn:iso:std:iso:20022:tech:xsd:camt.053.001.02` or
    /// `http://www.six-interbank-clearing.com/de/pain.002.001.03.ch.02.xsd`.
    pub fn from_namespace(namespace: &str) -> Option<Self> {
        let bytes = namespace.as_bytes();
        for start in 0..bytes.len() {
            // Namespaces come from the file: any text, not only ASCII.
            if !namespace.is_char_boundary(start) {
                continue;
            }
            let rest = &namespace[start..];
            if !(rest.starts_with("pain.")
                || rest.starts_with("camt.")
                || rest.starts_with("pacs."))
            {
                continue;
            }
            let candidate = rest.get(..15)?;
            let shape = candidate.char_indices().all(|(i, c)| match i {
                0..=3 => c.is_ascii_lowercase(),
                4 | 8 | 12 => c == '.',
                _ => c.is_ascii_digit(),
            });
            if !shape {
                continue;
            }
            let family = candidate[..8].to_owned();
            let variant = rest[15..]
                .strip_prefix('.')
                .map(|v| v.trim_end_matches(".xsd").to_owned())
                .filter(|v| !v.is_empty());
            // German DK variants use 003 as the second group (pain.002.003.03).
            let (version, variant) = if &candidate[9..12] == "001" {
                (candidate.to_owned(), variant)
            } else {
                (
                    format!("{}.001.{}", &candidate[..8], &candidate[13..]),
                    Some(candidate.to_owned()),
                )
            };
            return Some(MessageName {
                family,
                version,
                variant,
            });
        }
        None
    }
}

/// One step of the pull reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// An element opened; `Ccy` is kept because amounts carry their currency in it.
    Start {
        name: String,
        currency: Option<String>,
    },
    /// An element closed, with its full text content (trimmed) if it had any.
    End {
        name: String,
        text: Option<String>,
    },
    Eof,
}

/// The pull reader: local names, bounded depth and text, no DOCTYPE.
pub struct XmlReader<R: BufRead> {
    reader: Reader<R>,
    buf: Vec<u8>,
    path: Vec<String>,
    text: String,
    limits: XmlLimits,
}

impl<R: BufRead> XmlReader<R> {
    pub fn new(input: R, limits: XmlLimits) -> Self {
        let mut reader = Reader::from_reader(input);
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.trim_text(false);
        Self {
            reader,
            buf: Vec::with_capacity(1024),
            path: Vec::with_capacity(32),
            text: String::new(),
            limits,
        }
    }

    /// Byte position of the reader in the file.
    pub fn offset(&self) -> u64 {
        self.reader.buffer_position()
    }

    /// The local names of the open elements, outermost first.
    pub fn path(&self) -> &[String] {
        &self.path
    }

    /// The open elements joined with `/`, for messages.
    pub fn path_string(&self) -> String {
        self.path.join("/")
    }

    /// A field error at the current position.
    pub fn field_error(&self, expected: impl Into<String>, actual: impl Into<String>) -> ReadError {
        ReadError::Field {
            offset: self.offset(),
            path: self.path_string(),
            expected: expected.into(),
            actual: actual.into(),
        }
    }

    /// A field error about element `name`, a child of the open elements (the one just
    /// closed, or one being read).
    pub fn child_error(
        &self,
        name: &str,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> ReadError {
        let mut path = self.path_string();
        if !name.is_empty() {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(name);
        }
        ReadError::Field {
            offset: self.offset(),
            path,
            expected: expected.into(),
            actual: actual.into(),
        }
    }

    pub fn read_node(&mut self) -> Result<Node, ReadError> {
        let Self {
            reader,
            buf,
            path,
            text,
            limits,
        } = self;
        loop {
            buf.clear();
            let offset = reader.buffer_position();
            let event = reader.read_event_into(buf).map_err(|e| ReadError::Syntax {
                offset: reader.error_position(),
                message: e.to_string(),
            })?;
            let too_long = |path: &[String]| ReadError::TextTooLong {
                offset,
                path: path.join("/"),
                max: limits.max_text_bytes,
            };
            match event {
                Event::Start(start) => {
                    if path.len() >= limits.max_depth {
                        return Err(ReadError::TooDeep {
                            offset,
                            max: limits.max_depth,
                        });
                    }
                    let name = start.local_name().as_ref().to_owned();
                    let mut currency = None;
                    // Most elements have no attributes: skip the attribute parser for them.
                    if !start.attributes_raw().trim().is_empty() {
                        for attribute in start.attributes().flatten() {
                            if attribute.key.local_name().as_ref() == "Ccy" {
                                currency = Some(attribute.value.to_string());
                            }
                        }
                    }
                    path.push(name.clone());
                    text.clear();
                    return Ok(Node::Start { name, currency });
                }
                Event::End(end) => {
                    // quick-xml checks that end names match their start, so the name on
                    // the path is this element's: reuse it instead of copying again.
                    let name = path
                        .pop()
                        .unwrap_or_else(|| end.local_name().as_ref().to_owned());
                    let trimmed = text.trim();
                    let content = if trimmed.is_empty() {
                        None
                    } else if trimmed.len() == text.len() {
                        Some(std::mem::take(text))
                    } else {
                        Some(trimmed.to_owned())
                    };
                    text.clear();
                    return Ok(Node::End {
                        name,
                        text: content,
                    });
                }
                Event::Text(t) => {
                    if !push(text, &t.into_inner(), limits.max_text_bytes) {
                        return Err(too_long(path));
                    }
                }
                Event::CData(data) => {
                    if !push(text, &data.into_inner(), limits.max_text_bytes) {
                        return Err(too_long(path));
                    }
                }
                Event::GeneralRef(reference) => {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => {
                            let name = reference.into_inner().into_owned();
                            match resolve_predefined_entity(&name) {
                                Some(resolved) => resolved.to_owned(),
                                None => return Err(ReadError::Entity { offset, name }),
                            }
                        }
                    };
                    if !push(text, &resolved, limits.max_text_bytes) {
                        return Err(too_long(path));
                    }
                }
                Event::DocType(_) => return Err(ReadError::DocType { offset }),
                Event::Eof => return Ok(Node::Eof),
                Event::Empty(_) | Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            }
        }
    }

    /// Reads up to the `Document` element and returns the message its namespace names.
    pub fn document(&mut self) -> Result<MessageName, ReadError> {
        loop {
            self.buf.clear();
            let event =
                self.reader
                    .read_event_into(&mut self.buf)
                    .map_err(|e| ReadError::Syntax {
                        offset: self.reader.error_position(),
                        message: e.to_string(),
                    })?;
            match event {
                Event::Start(start) => {
                    let name = local(start.local_name().as_ref());
                    if name != "Document" {
                        return Err(ReadError::NotIso20022 {
                            actual: format!("root element {name}"),
                        });
                    }
                    // The namespace bound to Document's own prefix (or the default one);
                    // other declarations such as xmlns:xsi may come first.
                    let qualified = start.name().as_ref().to_owned();
                    let own = match qualified.split_once(':') {
                        Some((prefix, _)) => format!("xmlns:{prefix}"),
                        None => "xmlns".to_owned(),
                    };
                    let declarations: Vec<(String, String)> = start
                        .attributes()
                        .flatten()
                        .map(|a| (a.key.as_ref().to_owned(), a.value.to_string()))
                        .filter(|(k, _)| k == "xmlns" || k.starts_with("xmlns:"))
                        .collect();
                    let namespace = declarations
                        .iter()
                        .find(|(k, _)| *k == own)
                        .or_else(|| {
                            declarations
                                .iter()
                                .find(|(_, v)| MessageName::from_namespace(v).is_some())
                        })
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default();
                    self.path.push(name);
                    return MessageName::from_namespace(&namespace).ok_or(ReadError::NotIso20022 {
                        actual: format!("namespace {namespace:?}"),
                    });
                }
                Event::DocType(_) => {
                    return Err(ReadError::DocType {
                        offset: self.reader.buffer_position(),
                    });
                }
                Event::Eof => {
                    return Err(ReadError::NotIso20022 {
                        actual: "an empty document".to_owned(),
                    });
                }
                Event::Text(t) => {
                    let content = t.into_inner();
                    if !content.trim().trim_start_matches('\u{feff}').is_empty() {
                        return Err(ReadError::NotIso20022 {
                            actual: "text before the root element".to_owned(),
                        });
                    }
                }
                _ => {}
            }
        }
    }
}

/// One step of a reader that stops for good after its end or its first error: the shared
/// body of the inbound readers' `Iterator::next`.
pub fn fused_step<T>(
    done: &mut bool,
    step: impl FnOnce() -> Result<Option<T>, ReadError>,
) -> Option<Result<T, ReadError>> {
    if *done {
        return None;
    }
    let result = step().transpose();
    if !matches!(result, Some(Ok(_))) {
        *done = true;
    }
    result
}

/// Appends `content` unless that makes the text longer than `max` bytes.
fn push(text: &mut String, content: &str, max: usize) -> bool {
    if text.len() + content.len() > max {
        return false;
    }
    text.push_str(content);
    true
}

fn local(name: &str) -> String {
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_from_namespaces() {
        let check = |ns: &str, expected: Option<(&str, &str, Option<&str>)>| {
            let got = MessageName::from_namespace(ns);
            let got = got
                .as_ref()
                .map(|m| (m.family.as_str(), m.version.as_str(), m.variant.as_deref()));
            assert_eq!(got, expected, "{ns}");
        };
        check(
            "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02",
            Some(("camt.053", "camt.053.001.02", None)),
        );
        check(
            "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10",
            Some(("pain.002", "pain.002.001.10", None)),
        );
        check(
            "http://www.six-interbank-clearing.com/de/pain.002.001.03.ch.02.xsd",
            Some(("pain.002", "pain.002.001.03", Some("ch.02"))),
        );
        check(
            "urn:iso:std:iso:20022:tech:xsd:pain.002.003.03",
            Some(("pain.002", "pain.002.001.03", Some("pain.002.003.03"))),
        );
        check("urn:example:other", None);
        check("", None);
        check("camt.05", None);
        // Non-ASCII text before the name (found by a property test: it used to panic).
        check(
            "urn:iso:std:iso:20022:tech:xsd\u{5ee})0Au}P\u{16d}:camt.053.001.08",
            Some(("camt.053", "camt.053.001.08", None)),
        );
        check("\u{80}\u{80}camt", None);
    }

    fn read_all(xml: &str) -> Result<Vec<Node>, ReadError> {
        let mut reader = XmlReader::new(
            xml.as_bytes(),
            XmlLimits {
                max_depth: 4,
                max_text_bytes: 16,
            },
        );
        reader.document()?;
        let mut nodes = Vec::new();
        loop {
            match reader.read_node()? {
                Node::Eof => return Ok(nodes),
                node => nodes.push(node),
            }
        }
    }

    #[test]
    fn refuses_what_could_harm() {
        let ns = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02";
        let bomb = format!(
            "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">]><Document xmlns=\"{ns}\"><A>&lol;</A></Document>"
        );
        assert!(matches!(read_all(&bomb), Err(ReadError::DocType { .. })));
        let entity = format!("<Document xmlns=\"{ns}\"><A>&lol;</A></Document>");
        assert!(matches!(read_all(&entity), Err(ReadError::Entity { .. })));
        let deep = format!("<Document xmlns=\"{ns}\"><A><B><C><D>x</D></C></B></A></Document>");
        assert!(matches!(read_all(&deep), Err(ReadError::TooDeep { .. })));
        let long = format!(
            "<Document xmlns=\"{ns}\"><A>{}</A></Document>",
            "x".repeat(17)
        );
        assert!(matches!(
            read_all(&long),
            Err(ReadError::TextTooLong { .. })
        ));
        assert!(matches!(
            read_all("<Other/>"),
            Err(ReadError::NotIso20022 { .. })
        ));
        assert!(matches!(
            read_all("not xml"),
            Err(ReadError::NotIso20022 { .. })
        ));
        assert!(matches!(read_all(""), Err(ReadError::NotIso20022 { .. })));
    }

    #[test]
    fn reads_local_names_entities_and_currency() {
        let xml = "\u{feff}<?xml version=\"1.0\"?>\r\n<x:Document xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:x=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">\r\n<x:Amt Ccy=\"EUR\">1.00</x:Amt><N>A &amp; B &#228;</N><E/></x:Document>";
        let nodes = read_all(xml).unwrap();
        assert_eq!(
            nodes,
            vec![
                Node::Start {
                    name: "Amt".into(),
                    currency: Some("EUR".into())
                },
                Node::End {
                    name: "Amt".into(),
                    text: Some("1.00".into())
                },
                Node::Start {
                    name: "N".into(),
                    currency: None
                },
                Node::End {
                    name: "N".into(),
                    text: Some("A & B ä".into())
                },
                Node::Start {
                    name: "E".into(),
                    currency: None
                },
                Node::End {
                    name: "E".into(),
                    text: None
                },
                Node::End {
                    name: "Document".into(),
                    text: None
                },
            ]
        );
    }
}
