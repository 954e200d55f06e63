//! A transport to two local directories: for tests, and for banks reached through a
//! mounted share. Follows the same upload protocol as SFTP.

use std::path::{Path, PathBuf};

use super::{Disposal, RemoteEntry, Transport, TransportError, check_file_name, is_temporary};

/// The bank's side as two directories: `outbound` receives our files, `inbound` holds
/// the bank's.
#[derive(Debug, Clone)]
pub struct LocalDirectory {
    pub outbound: PathBuf,
    pub inbound: PathBuf,
    /// When false, files are written under their final name (the bank picks up anything
    /// it sees, so the size is checked afterwards only).
    pub allow_rename: bool,
}

impl LocalDirectory {
    fn out_path(&self, name: &str) -> Result<PathBuf, TransportError> {
        check_file_name(name)?;
        Ok(self.outbound.join(name))
    }

    fn in_path(&self, name: &str) -> Result<PathBuf, TransportError> {
        check_file_name(name)?;
        Ok(self.inbound.join(name))
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

impl Transport for LocalDirectory {
    fn describe(&self) -> String {
        format!("file://{}", self.outbound.display())
    }

    async fn upload(&self, name: &str, path: &Path) -> Result<(), TransportError> {
        let target = self.out_path(name)?;
        let temp = if self.allow_rename {
            self.out_path(&format!("{name}.part"))?
        } else {
            target.clone()
        };
        let expected = tokio::fs::metadata(path)
            .await
            .map_err(|e| TransportError::io("read", display(path), &e))?
            .len();
        let result = async {
            tokio::fs::copy(path, &temp)
                .await
                .map_err(|e| TransportError::io("write", display(&temp), &e))?;
            // Durable before it becomes visible under its final name.
            let file = tokio::fs::File::open(&temp)
                .await
                .map_err(|e| TransportError::io("open", display(&temp), &e))?;
            file.sync_all()
                .await
                .map_err(|e| TransportError::io("sync", display(&temp), &e))?;
            let actual = file
                .metadata()
                .await
                .map_err(|e| TransportError::io("stat", display(&temp), &e))?
                .len();
            if actual != expected {
                return Err(TransportError::SizeMismatch {
                    path: display(&temp),
                    expected,
                    actual,
                });
            }
            if temp != target {
                tokio::fs::rename(&temp, &target)
                    .await
                    .map_err(|e| TransportError::io("rename", display(&temp), &e))?;
            }
            Ok(())
        }
        .await;
        if result.is_err() && temp != target {
            let _ = tokio::fs::remove_file(&temp).await;
        }
        result
    }

    async fn outbound_size(&self, name: &str) -> Result<Option<u64>, TransportError> {
        let path = self.out_path(name)?;
        match tokio::fs::metadata(&path).await {
            Ok(m) => Ok(Some(m.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(TransportError::io("stat", display(&path), &e)),
        }
    }

    async fn list_inbound(&self) -> Result<Vec<RemoteEntry>, TransportError> {
        let mut dir = tokio::fs::read_dir(&self.inbound)
            .await
            .map_err(|e| TransportError::io("list", display(&self.inbound), &e))?;
        let mut entries = Vec::new();
        while let Some(entry) = dir
            .next_entry()
            .await
            .map_err(|e| TransportError::io("list", display(&self.inbound), &e))?
        {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if is_temporary(&name) {
                continue;
            }
            let Ok(meta) = entry.metadata().await else {
                continue;
            };
            if !meta.is_file() {
                continue;
            }
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .and_then(|d| i64::try_from(d.as_secs()).ok());
            entries.push(RemoteEntry {
                name,
                size: meta.len(),
                modified,
            });
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(entries)
    }

    async fn download(&self, name: &str, limit: u64) -> Result<Vec<u8>, TransportError> {
        let path = self.in_path(name)?;
        let size = tokio::fs::metadata(&path)
            .await
            .map_err(|e| TransportError::io("stat", display(&path), &e))?
            .len();
        if size > limit {
            return Err(TransportError::TooLarge {
                path: display(&path),
                size,
                limit,
            });
        }
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|e| TransportError::io("read", display(&path), &e))?;
        if bytes.len() as u64 != size {
            return Err(TransportError::SizeMismatch {
                path: display(&path),
                expected: size,
                actual: bytes.len() as u64,
            });
        }
        Ok(bytes)
    }

    async fn dispose(&self, name: &str, disposal: &Disposal) -> Result<(), TransportError> {
        let path = self.in_path(name)?;
        match disposal {
            Disposal::Leave => Ok(()),
            Disposal::Delete => match tokio::fs::remove_file(&path).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(TransportError::io("delete", display(&path), &e)),
            },
            Disposal::MoveTo(dir) => {
                let dir = self.inbound.join(dir);
                tokio::fs::create_dir_all(&dir)
                    .await
                    .map_err(|e| TransportError::io("create", display(&dir), &e))?;
                let to = dir.join(name);
                tokio::fs::rename(&path, &to)
                    .await
                    .map_err(|e| TransportError::io("move", display(&path), &e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(rename: bool) -> (tempfile::TempDir, LocalDirectory) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("out")).unwrap();
        std::fs::create_dir_all(dir.path().join("in")).unwrap();
        let link = LocalDirectory {
            outbound: dir.path().join("out"),
            inbound: dir.path().join("in"),
            allow_rename: rename,
        };
        (dir, link)
    }

    #[tokio::test]
    async fn upload_renames_and_leaves_no_part() {
        for rename in [true, false] {
            let (dir, link) = link(rename);
            let src = dir.path().join("src.xml");
            std::fs::write(&src, b"<Document/>").unwrap();
            link.upload("a.xml", &src).await.unwrap();
            assert_eq!(link.outbound_size("a.xml").await.unwrap(), Some(11));
            assert_eq!(link.outbound_size("b.xml").await.unwrap(), None);
            let names: Vec<_> = std::fs::read_dir(&link.outbound)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            assert_eq!(names, ["a.xml"]);
        }
    }

    #[tokio::test]
    async fn inbound_lists_downloads_and_disposes() {
        let (_dir, link) = link(true);
        std::fs::write(link.inbound.join("r1.xml"), b"12345").unwrap();
        std::fs::write(link.inbound.join("r2.xml.part"), b"x").unwrap();
        std::fs::write(link.inbound.join(".hidden"), b"x").unwrap();
        let listed = link.list_inbound().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].name.as_str(), listed[0].size), ("r1.xml", 5));
        assert!(matches!(
            link.download("r1.xml", 4).await,
            Err(TransportError::TooLarge { .. })
        ));
        assert_eq!(link.download("r1.xml", 5).await.unwrap(), b"12345");
        link.dispose("r1.xml", &Disposal::MoveTo("done".into()))
            .await
            .unwrap();
        assert!(link.inbound.join("done/r1.xml").is_file());
        assert!(link.list_inbound().await.unwrap().is_empty());
        assert!(link.download("../x", 10).await.is_err());
    }
}
