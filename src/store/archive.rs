//! The archive: the raw bytes of every outbound and inbound file, content-addressed
//! (`sha256/ab/<64 hex>`), written once (temporary file, fsync, rename) and never
//! rewritten. Events and file rows link to a file by its address.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A file in the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archived {
    /// `sha256/ab/abcdef…`: relative to the archive root.
    pub address: String,
    pub sha256: String,
    pub size: u64,
}

/// The archive directory.
#[derive(Debug, Clone)]
pub struct Archive {
    root: PathBuf,
}

/// Hashes and counts what passes through to the inner writer.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Archive {
    /// Opens (creating) the archive at `root`.
    pub fn open(root: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(root.join("sha256"))?;
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(Self {
            root: root.to_owned(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The local path of an archived file.
    pub fn path(&self, address: &str) -> PathBuf {
        self.root.join(address)
    }

    /// Archives what `fill` writes, streaming (the bytes are never all in memory).
    /// Returns `fill`'s value with the archived file. Writing the same bytes again
    /// leaves the first copy untouched.
    pub fn store_with<T, E: From<io::Error>>(
        &self,
        fill: impl FnOnce(&mut dyn Write) -> Result<T, E>,
    ) -> Result<(T, Archived), E> {
        let temp = tempfile::NamedTempFile::new_in(self.root.join("tmp"))?;
        let mut out = Hashing {
            inner: BufWriter::with_capacity(64 * 1024, temp.as_file().try_clone()?),
            hasher: Sha256::new(),
            size: 0,
        };
        let value = fill(&mut out)?;
        out.flush()?;
        let Hashing {
            hasher,
            size,
            inner,
        } = out;
        drop(inner);
        let sha256 = format!("{:x}", hasher.finalize());
        let address = format!("sha256/{}/{sha256}", &sha256[..2]);
        let target = self.root.join(&address);
        if !target.exists() {
            temp.as_file().sync_all()?;
            let dir = target.parent().unwrap_or(&self.root);
            std::fs::create_dir_all(dir)?;
            temp.persist(&target).map_err(|e| e.error)?;
            File::open(dir)?.sync_all()?;
        }
        Ok((
            value,
            Archived {
                address,
                sha256,
                size,
            },
        ))
    }

    /// Archives bytes already in memory.
    pub fn store(&self, bytes: &[u8]) -> io::Result<Archived> {
        self.store_with(|out| out.write_all(bytes))
            .map(|((), archived)| archived)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_addressed_and_written_once() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path()).unwrap();
        let a = archive.store(b"hello").unwrap();
        assert_eq!(
            a.sha256,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(a.address, format!("sha256/2c/{}", a.sha256));
        assert_eq!(a.size, 5);
        assert_eq!(std::fs::read(archive.path(&a.address)).unwrap(), b"hello");
        let before = std::fs::metadata(archive.path(&a.address))
            .unwrap()
            .modified()
            .unwrap();
        let again = archive.store(b"hello").unwrap();
        assert_eq!(again, a);
        let after = std::fs::metadata(archive.path(&a.address))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(before, after);
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );
    }
}
