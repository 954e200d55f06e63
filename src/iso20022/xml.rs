//! A thin layer over `quick_xml::Writer`: elements, attributes and escaped text.
//! Escaping is quick-xml's; nothing here builds XML by string formatting.

use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

pub struct Xml<W: Write> {
    writer: Writer<W>,
    /// Reused for values formatted on the fly (amounts, counts), so they do not allocate.
    scratch: String,
}

impl<W: Write> Xml<W> {
    pub fn new(out: W, indent: bool) -> Self {
        let writer = if indent {
            Writer::new_with_indent(out, b' ', 2)
        } else {
            Writer::new(out)
        };
        Self {
            writer,
            scratch: String::with_capacity(64),
        }
    }

    pub fn declaration(&mut self) -> io::Result<()> {
        self.writer
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
    }

    pub fn start(&mut self, name: &str) -> io::Result<()> {
        self.writer.write_event(Event::Start(BytesStart::new(name)))
    }

    pub fn start_with(&mut self, name: &str, attributes: &[(&str, &str)]) -> io::Result<()> {
        let start = BytesStart::new(name).with_attributes(attributes.iter().copied());
        self.writer.write_event(Event::Start(start))
    }

    pub fn end(&mut self, name: &str) -> io::Result<()> {
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }

    /// `<name>text</name>`, text escaped.
    pub fn text(&mut self, name: &str, text: &str) -> io::Result<()> {
        self.writer
            .write_event(Event::Start(BytesStart::new(name)))?;
        self.writer.write_event(Event::Text(BytesText::new(text)))?;
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }

    /// `<name attr="value">text</name>`.
    pub fn text_with(
        &mut self,
        name: &str,
        attributes: &[(&str, &str)],
        text: &str,
    ) -> io::Result<()> {
        self.start_with(name, attributes)?;
        self.writer.write_event(Event::Text(BytesText::new(text)))?;
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }

    /// `<name attr="value">{value}</name>`, formatting `value` into a reused buffer.
    pub fn display_with(
        &mut self,
        name: &str,
        attributes: &[(&str, &str)],
        value: impl std::fmt::Display,
    ) -> io::Result<()> {
        use std::fmt::Write as _;
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let _ = write!(scratch, "{value}");
        let result = self.text_with(name, attributes, &scratch);
        self.scratch = scratch;
        result
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.writer.get_mut().write_all(b"\n")?;
        Ok(self.writer.into_inner())
    }
}
