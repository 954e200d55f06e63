//! XML output for the writers (pain.001/.008, pain.002, camt.05x): elements, attributes
//! and escaped text, buffered.
//!
//! The rule: every piece of markup (the declaration, start tags with their attributes,
//! end tags) is serialized by `quick_xml::Writer`, and every variable text goes through
//! quick-xml's escaping (`quick_xml::escape::escape`, what `BytesText::new` uses);
//! nothing here builds markup by string formatting or from literal tag bytes.
//!
//! Compact output (the default) serializes each tag once, the first time an element name
//! (or a run of tags, [`Xml::tags`]) is used, into a cache of byte fragments, and replays
//! those bytes afterwards: a transaction is about 75 tags, and going through quick-xml's
//! event layer for each of them was most of the writer's time. The hot loops go one step
//! further and prepare their runs of tags once ([`Xml::prepare`], [`Xml::element`]), so
//! replaying one is a copy of constant size with no lookup. Indented output (profile knob
//! `indent`, for people to read) goes through quick-xml's indenting writer event by
//! event.
//!
//! Both write through a 64 KiB buffer (compact: [`Buffer`]; indented: a `BufWriter`), so
//! an unbuffered target (a file, a socket) sees large writes, not one per tag.

use std::io::{self, BufWriter, Write};

use quick_xml::Writer;
use quick_xml::escape::escape;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// Size of the output buffer: large writes for files, a copy per 64 KiB for a `Vec`.
const BUFFER: usize = 64 * 1024;

/// One tag of a run of markup with nothing between its tags.
#[derive(Debug, Clone, Copy)]
pub enum Tag {
    Start(&'static str),
    /// A start tag with one attribute, e.g. `<InstdAmt Ccy="EUR">`.
    StartWith(&'static str, (&'static str, &'static str)),
    End(&'static str),
}

impl Tag {
    fn event(self) -> Event<'static> {
        match self {
            Tag::Start(name) => Event::Start(BytesStart::new(name)),
            Tag::StartWith(name, attribute) => start_event(name, &[attribute]).into_owned(),
            Tag::End(name) => Event::End(BytesEnd::new(name)),
        }
    }
}

/// A run of tags prepared once ([`Xml::prepare`]) and written many times ([`Xml::run`]):
/// what the hot loops use instead of looking a run up per call. In compact output its
/// bytes are what quick-xml's writer serialized for the tags, kept in a fixed-size array
/// so that replaying them is one copy of constant size; in indented output the tags go
/// through quick-xml's indenting writer one by one, as anywhere else.
pub struct Run {
    /// The serialized bytes, zero-padded to [`RUN`].
    bytes: [u8; RUN],
    /// How many of `bytes` are the run; `None` when it is longer than [`RUN`] (then
    /// `long` holds it).
    len: Option<usize>,
    long: Box<[u8]>,
    tags: Box<[Tag]>,
}

/// Longest run kept in a [`Run`]'s fixed-size array.
const RUN: usize = 64;

impl Run {
    fn new(tags: &[Tag]) -> Self {
        let serialized = serialize_all(tags.iter().map(|t| t.event()));
        let mut bytes = [0; RUN];
        let (len, long) = match bytes.get_mut(..serialized.len()) {
            Some(prefix) => {
                prefix.copy_from_slice(&serialized);
                (Some(serialized.len()), Box::default())
            }
            None => (None, serialized),
        };
        Self {
            bytes,
            len,
            long,
            tags: tags.into(),
        }
    }
}

/// Start and end tag of one element, prepared once ([`Xml::element`]), for
/// [`Xml::text_in`].
pub struct Element {
    start: Run,
    end: Run,
}

pub struct Xml<W: Write> {
    out: Output<W>,
    /// Reused for values formatted on the fly (amounts, counts), so they do not allocate.
    scratch: String,
}

enum Output<W: Write> {
    /// Markup replayed from quick-xml-serialized fragments.
    Compact {
        out: Buffer<W>,
        tags: StaticTable<Tags>,
        runs: StaticTable<Box<[u8]>>,
        attributed: AttributedCache,
    },
    /// Every event through quick-xml's indenting writer.
    Indented(Writer<BufWriter<W>>),
}

impl<W: Write> Xml<W> {
    pub fn new(out: W, indent: bool) -> Self {
        let out = if indent {
            let out = BufWriter::with_capacity(BUFFER, out);
            Output::Indented(Writer::new_with_indent(out, b' ', 2))
        } else {
            Output::Compact {
                out: Buffer::new(out),
                tags: StaticTable::default(),
                runs: StaticTable::default(),
                attributed: AttributedCache::default(),
            }
        };
        Self {
            out,
            scratch: String::with_capacity(64),
        }
    }

    pub fn declaration(&mut self) -> io::Result<()> {
        self.event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
    }

    /// Prepares a run of tags for [`Xml::run`].
    pub fn prepare(&self, tags: &[Tag]) -> Run {
        Run::new(tags)
    }

    /// Prepares an element's start and end tag for [`Xml::text_in`].
    pub fn element(&self, name: &'static str) -> Element {
        Element {
            start: Run::new(&[Tag::Start(name)]),
            end: Run::new(&[Tag::End(name)]),
        }
    }

    /// A prepared run of tags.
    #[inline(always)]
    pub fn run(&mut self, run: &Run) -> io::Result<()> {
        match &mut self.out {
            Output::Compact { out, .. } => out.run(run),
            Output::Indented(writer) => indented_run(writer, run),
        }
    }

    /// `<name>text</name>` of a prepared element, text escaped.
    #[inline]
    pub fn text_in(&mut self, element: &Element, text: &str) -> io::Result<()> {
        self.run(&element.start)?;
        self.value(text)?;
        self.run(&element.end)
    }

    /// A run of tags, e.g. `</EndToEndId></PmtId><Amt>`: in compact output one lookup
    /// and one write for the whole run. The run is a `'static` slice (a constant array
    /// at the call site), which is what the cache keys it by.
    pub fn tags(&mut self, run: &'static [Tag]) -> io::Result<()> {
        match &mut self.out {
            Output::Compact { out, runs, .. } => out
                .write_all(runs.get(key_of(run), || serialize_all(run.iter().map(|t| t.event())))),
            Output::Indented(writer) => run.iter().try_for_each(|t| writer.write_event(t.event())),
        }
    }

    /// Escaped text, inside the element the previous call opened.
    #[inline(always)]
    pub fn value(&mut self, text: &str) -> io::Result<()> {
        match &mut self.out {
            Output::Compact { out, .. } => out.write_all(escape(text).as_bytes()),
            Output::Indented(writer) => indented_text(writer, text),
        }
    }

    pub fn start(&mut self, name: &'static str) -> io::Result<()> {
        match &mut self.out {
            Output::Compact { out, tags, .. } => out.write_all(&element(tags, name).start),
            Output::Indented(writer) => writer.write_event(Event::Start(BytesStart::new(name))),
        }
    }

    pub fn start_with(
        &mut self,
        name: &'static str,
        attributes: &[(&str, &str)],
    ) -> io::Result<()> {
        match &mut self.out {
            Output::Compact {
                out, attributed, ..
            } => out.write_all(attributed.get(name, attributes)),
            Output::Indented(writer) => writer.write_event(start_event(name, attributes)),
        }
    }

    pub fn end(&mut self, name: &'static str) -> io::Result<()> {
        match &mut self.out {
            Output::Compact { out, tags, .. } => out.write_all(&element(tags, name).end),
            Output::Indented(writer) => writer.write_event(Event::End(BytesEnd::new(name))),
        }
    }

    /// `<name>text</name>`, text escaped.
    pub fn text(&mut self, name: &'static str, text: &str) -> io::Result<()> {
        match &mut self.out {
            Output::Compact { out, tags, .. } => {
                let tag = element(tags, name);
                out.write_all(&tag.start)?;
                out.write_all(escape(text).as_bytes())?;
                out.write_all(&tag.end)
            }
            Output::Indented(writer) => {
                writer.write_event(Event::Start(BytesStart::new(name)))?;
                writer.write_event(Event::Text(BytesText::new(text)))?;
                writer.write_event(Event::End(BytesEnd::new(name)))
            }
        }
    }

    /// `<name attr="value">text</name>`.
    pub fn text_with(
        &mut self,
        name: &'static str,
        attributes: &[(&str, &str)],
        text: &str,
    ) -> io::Result<()> {
        self.start_with(name, attributes)?;
        match &mut self.out {
            Output::Compact { out, tags, .. } => {
                out.write_all(escape(text).as_bytes())?;
                out.write_all(&element(tags, name).end)
            }
            Output::Indented(writer) => {
                writer.write_event(Event::Text(BytesText::new(text)))?;
                writer.write_event(Event::End(BytesEnd::new(name)))
            }
        }
    }

    /// `<name attr="value">{value}</name>`, formatting `value` into a reused buffer.
    pub fn display_with(
        &mut self,
        name: &'static str,
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

    /// Ends the file with a newline, flushes the buffer and returns the target.
    pub fn finish(self) -> io::Result<W> {
        match self.out {
            Output::Compact { mut out, .. } => {
                out.write_all(b"\n")?;
                out.finish()
            }
            Output::Indented(writer) => {
                let mut out = writer.into_inner();
                out.write_all(b"\n")?;
                out.into_inner().map_err(io::IntoInnerError::into_error)
            }
        }
    }

    /// One event through quick-xml, in either mode (used for the one-off declaration).
    fn event(&mut self, event: Event<'_>) -> io::Result<()> {
        match &mut self.out {
            Output::Compact { out, .. } => out.write_all(&serialize(event)),
            Output::Indented(writer) => writer.write_event(event),
        }
    }
}

/// A prepared run through the indenting writer, tag by tag (kept out of the compact
/// path, which is inlined).
#[inline(never)]
fn indented_run<W: Write>(writer: &mut Writer<BufWriter<W>>, run: &Run) -> io::Result<()> {
    run.tags
        .iter()
        .try_for_each(|t| writer.write_event(t.event()))
}

/// Text through the indenting writer.
#[inline(never)]
fn indented_text<W: Write>(writer: &mut Writer<BufWriter<W>>, text: &str) -> io::Result<()> {
    writer.write_event(Event::Text(BytesText::new(text)))
}

fn start_event<'a>(name: &'a str, attributes: &[(&'a str, &'a str)]) -> Event<'a> {
    Event::Start(BytesStart::new(name).with_attributes(attributes.iter().copied()))
}

/// The output buffer of compact output: like a `BufWriter`, plus [`Buffer::run`],
/// which copies a prepared run as a block of constant size (no `memcpy` call for a
/// handful of bytes) and then counts only the run's own bytes.
struct Buffer<W: Write> {
    /// [`BUFFER`] bytes of output and [`RUN`] bytes of room for the padding of a run.
    buf: Box<[u8]>,
    /// Bytes of `buf` filled, at most [`BUFFER`].
    len: usize,
    out: W,
}

impl<W: Write> Buffer<W> {
    fn new(out: W) -> Self {
        Self {
            buf: vec![0; BUFFER + RUN].into_boxed_slice(),
            len: 0,
            out,
        }
    }

    #[inline(always)]
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let end = self.len + bytes.len();
        if end > BUFFER {
            return self.write_cold(bytes);
        }
        self.buf[self.len..end].copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    #[inline(always)]
    fn run(&mut self, run: &Run) -> io::Result<()> {
        let Some(len) = run.len else {
            return self.write_all(&run.long);
        };
        if self.len + len > BUFFER {
            self.flush()?;
        }
        let at = self.len;
        if let Some(target) = self.buf.get_mut(at..at + RUN) {
            target.copy_from_slice(&run.bytes);
        }
        self.len = at + len;
        Ok(())
    }

    #[cold]
    fn write_cold(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.flush()?;
        if bytes.len() > BUFFER {
            return self.out.write_all(bytes);
        }
        self.buf[..bytes.len()].copy_from_slice(bytes);
        self.len = bytes.len();
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        let len = std::mem::take(&mut self.len);
        self.out.write_all(&self.buf[..len])
    }

    fn finish(mut self) -> io::Result<W> {
        self.flush()?;
        Ok(self.out)
    }
}

/// Serializes one event with quick-xml's compact writer.
fn serialize(event: Event<'_>) -> Box<[u8]> {
    serialize_all(std::iter::once(event))
}

/// Serializes events one after the other with quick-xml's compact writer.
fn serialize_all<'e>(events: impl IntoIterator<Item = Event<'e>>) -> Box<[u8]> {
    let mut writer = Writer::new(Vec::new());
    for event in events {
        // Writing into a `Vec` cannot fail.
        let _ = writer.write_event(event);
    }
    writer.into_inner().into_boxed_slice()
}

/// The start and end tag of one element, as quick-xml serializes them.
struct Tags {
    start: Box<[u8]>,
    end: Box<[u8]>,
}

fn element<'t>(tags: &'t mut StaticTable<Tags>, name: &'static str) -> &'t Tags {
    tags.get(key_of(name.as_bytes()), || Tags {
        start: serialize(Event::Start(BytesStart::new(name))),
        end: serialize(Event::End(BytesEnd::new(name))),
    })
}

/// Values keyed by a `'static` string or slice, filled on first use: an open-addressing
/// table keyed by the key's address and length, so a lookup is a multiply and one or two
/// comparisons instead of hashing the text. Static data is never freed or changed, so
/// the same address and length always mean the same content; equal content at two
/// addresses gets two (identical) entries, which is harmless.
struct StaticTable<V> {
    slots: Vec<Option<(Key, V)>>,
    used: usize,
}

/// Address and length of a `'static` key.
type Key = (usize, usize);

fn key_of<T: 'static>(key: &'static [T]) -> Key {
    (key.as_ptr() as usize, key.len())
}

impl<V> Default for StaticTable<V> {
    fn default() -> Self {
        Self {
            slots: (0..128).map(|_| None).collect(),
            used: 0,
        }
    }
}

impl<V> StaticTable<V> {
    fn get(&mut self, key: Key, make: impl FnOnce() -> V) -> &V {
        let slot = self.find(key);
        if self.slots[slot].is_none() {
            return self.insert(slot, key, make());
        }
        match &self.slots[slot] {
            Some((_, value)) => value,
            None => unreachable!("the slot was just checked"),
        }
    }

    /// The slot holding `key`, or the empty slot where it belongs.
    fn find(&self, key: Key) -> usize {
        let mask = self.slots.len() - 1;
        let mut slot = slot_of(key) & mask;
        loop {
            match &self.slots[slot] {
                Some((k, _)) if *k != key => slot = (slot + 1) & mask,
                _ => return slot,
            }
        }
    }

    #[cold]
    fn insert(&mut self, slot: usize, key: Key, value: V) -> &V {
        // At most half full, so probe sequences stay short.
        if (self.used + 1) * 2 > self.slots.len() {
            let old = std::mem::take(&mut self.slots);
            self.slots = (0..old.len() * 2).map(|_| None).collect();
            for (k, v) in old.into_iter().flatten() {
                let slot = self.find(k);
                self.slots[slot] = Some((k, v));
            }
            let slot = self.find(key);
            return self.insert(slot, key, value);
        }
        self.used += 1;
        let (_, value) = self.slots[slot].insert((key, value));
        value
    }
}

/// A well-mixed hash of the key (Fibonacci hashing).
fn slot_of((address, len): Key) -> usize {
    let key = (address ^ len) as u64;
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize
}

/// The same static string: same address and length.
fn same(a: &'static str, b: &'static str) -> bool {
    std::ptr::eq(a, b)
}

/// Start tags with attributes (`<InstdAmt Ccy="EUR">`), serialized by quick-xml (which
/// escapes the attribute values) and kept by name and attribute text. The values seen
/// in a file are few (currencies, one namespace); past [`AttributedCache::MAX`] distinct
/// tags, further ones are serialized each time instead of kept.
#[derive(Default)]
struct AttributedCache {
    entries: Vec<AttributedTag>,
    uncached: Box<[u8]>,
}

/// One start tag with attributes: its name and attributes, and its bytes.
struct AttributedTag {
    name: &'static str,
    attributes: Vec<(String, String)>,
    start: Box<[u8]>,
}

impl AttributedTag {
    fn is(&self, name: &'static str, attributes: &[(&str, &str)]) -> bool {
        same(self.name, name)
            && self.attributes.len() == attributes.len()
            && self
                .attributes
                .iter()
                .zip(attributes)
                .all(|((k, v), (key, value))| k == key && v == value)
    }
}

impl AttributedCache {
    const MAX: usize = 16;

    fn get(&mut self, name: &'static str, attributes: &[(&str, &str)]) -> &[u8] {
        if let Some(index) = self.entries.iter().position(|e| e.is(name, attributes)) {
            return &self.entries[index].start;
        }
        let start = serialize(start_event(name, attributes));
        if self.entries.len() >= Self::MAX {
            self.uncached = start;
            return &self.uncached;
        }
        self.entries.push(AttributedTag {
            name,
            attributes: attributes
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            start,
        });
        &self.entries[self.entries.len() - 1].start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same calls through quick-xml's own writer, event by event: what the cached
    /// fragments must reproduce byte for byte.
    fn reference(script: &[Step]) -> Vec<u8> {
        let mut writer = Writer::new(Vec::new());
        writer
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
            .unwrap();
        for step in script {
            let events = match step {
                Step::Start(name) => vec![Event::Start(BytesStart::new(*name))],
                Step::End(name) => vec![Event::End(BytesEnd::new(*name))],
                Step::Text(name, text) => vec![
                    Event::Start(BytesStart::new(*name)),
                    Event::Text(BytesText::new(text)),
                    Event::End(BytesEnd::new(*name)),
                ],
                Step::TextWith(name, attributes, text) => vec![
                    start_event(name, attributes),
                    Event::Text(BytesText::new(text)),
                    Event::End(BytesEnd::new(*name)),
                ],
            };
            for event in events {
                writer.write_event(event).unwrap();
            }
        }
        let mut out = writer.into_inner();
        out.push(b'\n');
        out
    }

    fn cached(script: &[Step], indent: bool) -> Vec<u8> {
        let mut x = Xml::new(Vec::new(), indent);
        x.declaration().unwrap();
        for step in script {
            match step {
                Step::Start(name) => x.start(name).unwrap(),
                Step::End(name) => x.end(name).unwrap(),
                Step::Text(name, text) => x.text(name, text).unwrap(),
                Step::TextWith(name, attributes, text) => {
                    x.text_with(name, attributes, text).unwrap()
                }
            }
        }
        x.finish().unwrap()
    }

    enum Step {
        Start(&'static str),
        End(&'static str),
        Text(&'static str, String),
        TextWith(&'static str, Vec<(&'static str, &'static str)>, String),
    }

    fn script() -> Vec<Step> {
        let mut steps = vec![Step::Start("Document")];
        // Enough distinct names to make the tag table grow, each used twice.
        let names: Vec<&'static str> = (0..300)
            .map(|n| &*Box::leak(format!("E{n}").into_boxed_str()))
            .collect();
        for (n, name) in names.iter().chain(&names).enumerate() {
            steps.push(Step::Text(name, format!("v{n} & <x> 'q' \"d\" \r å €")));
        }
        for ccy in ["EUR", "SEK", "a\"b<&'\n\t"] {
            steps.push(Step::TextWith("Amt", vec![("Ccy", ccy)], "1.00".into()));
        }
        // More distinct attribute values than the attributed cache keeps.
        for n in 0..40 {
            let value: &'static str = Box::leak(format!("V{}", n % 20).into_boxed_str());
            steps.push(Step::TextWith(
                "Amt",
                vec![("Ccy", value), ("x", "y")],
                String::new(),
            ));
        }
        steps.push(Step::End("Document"));
        steps
    }

    #[test]
    fn compact_output_is_what_quick_xml_writes_event_by_event() {
        let script = script();
        let expected = reference(&script);
        let actual = cached(&script, false);
        assert_eq!(
            String::from_utf8(actual).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }

    #[test]
    fn indented_output_is_indented_and_otherwise_the_same() {
        let script = script();
        let compact = String::from_utf8(cached(&script, false)).unwrap();
        let indented = String::from_utf8(cached(&script, true)).unwrap();
        assert!(indented.contains("\n  <E0>"), "{indented}");
        let squeeze = |xml: &str| -> String { xml.split('\n').map(str::trim).collect() };
        assert_eq!(squeeze(&indented), squeeze(&compact));
    }

    #[test]
    fn a_large_file_reaches_the_target_through_the_buffer() {
        struct Counting(usize, usize);
        impl Write for Counting {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                self.0 += 1;
                self.1 += buf.len();
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        fn write_to<T: Write>(target: T) -> T {
            let mut x = Xml::new(target, false);
            for _ in 0..20_000 {
                x.text("Nm", "Anna Svensson").unwrap();
            }
            x.finish().unwrap()
        }
        let counted = write_to(Counting(0, 0));
        assert_eq!(counted.1, write_to(Vec::new()).len());
        assert!(counted.1 > 400_000, "{} bytes", counted.1);
        assert!(counted.0 < 20, "{} writes", counted.0);
    }
}
