//! Transports: how built files reach a bank and how the bank's files come back.
//!
//! The engine speaks only to the [`Transport`] trait. [`local::LocalDirectory`] serves
//! tests and banks reached through a mounted share; the SFTP transport (russh) plugs into
//! the same trait. This module is the only place that knows a wire protocol.
//!
//! # The upload protocol (every transport)
//! `upload(name, path)` writes `<name>.part` (or `name` itself where the bank forbids
//! rename), checks the remote size against the local one, then renames to `name`. A
//! failed attempt removes its temporary file when it can. Before re-sending a file whose
//! earlier attempt may have succeeded, the engine asks [`Transport::outbound_size`]: a
//! file present under its final name with the right size was delivered.

pub mod keys;
pub mod local;
pub mod sftp;
pub mod sftp_server;

use std::future::Future;
use std::path::Path;

/// A file in the bank's outgoing (our inbound) directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteEntry {
    pub name: String,
    pub size: u64,
    /// Modification time, seconds since the Unix epoch, when the server tells it.
    pub modified: Option<i64>,
}

/// What happens to a bank file once it has been fetched and recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposal {
    /// Delete it from the server.
    Delete,
    /// Move it into this remote directory (relative to the inbound directory, or absolute).
    MoveTo(String),
    /// Leave it; the inbound ledger (name, size, mtime, SHA-256) remembers it was processed.
    Leave,
}

/// Why a transport call failed. [`TransportError::retryable`] tells the engine whether
/// to retry with backoff or to stop the connection and alert an operator.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The server's host key matched none of the pinned fingerprints: nothing was sent.
    #[error(
        "host key {seen} of {host} matches no pinned fingerprint (pinned: {pinned}); nothing was sent"
    )]
    HostKeyMismatch {
        host: String,
        seen: String,
        pinned: String,
    },
    #[error("authentication as {user} at {host} was refused")]
    AuthenticationRefused { host: String, user: String },
    #[error("{operation} {path}: permission denied")]
    PermissionDenied {
        operation: &'static str,
        path: String,
    },
    #[error("{operation} {path}: {message}")]
    Io {
        operation: &'static str,
        path: String,
        message: String,
    },
    #[error("{operation} timed out after {seconds} s")]
    Timeout {
        operation: &'static str,
        seconds: u64,
    },
    #[error("{path}: expected {expected} bytes on the server, found {actual}")]
    SizeMismatch {
        path: String,
        expected: u64,
        actual: u64,
    },
    #[error("{path}: {size} bytes is over the limit of {limit} bytes")]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error("{0}")]
    Configuration(String),
}

impl TransportError {
    /// Whether the same call may succeed later. Host key mismatches, refused
    /// authentication, permission problems, oversized files and configuration errors do
    /// not heal by retrying: the connection stops and an operator is alerted.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            TransportError::Io { .. }
                | TransportError::Timeout { .. }
                | TransportError::SizeMismatch { .. }
        )
    }

    /// From a local IO error, classifying permission problems.
    pub fn io(operation: &'static str, path: impl Into<String>, e: &std::io::Error) -> Self {
        let path = path.into();
        if e.kind() == std::io::ErrorKind::PermissionDenied {
            TransportError::PermissionDenied { operation, path }
        } else {
            TransportError::Io {
                operation,
                path,
                message: e.to_string(),
            }
        }
    }
}

/// One bank connection's file exchange. Methods return `Send` futures; use the trait
/// generically. Implementations bound every wait with a timeout.
pub trait Transport: Send + Sync {
    /// Where this transport goes, for logs (never a secret): `file:///srv/bank`,
    /// `sftp://user@host:port`.
    fn describe(&self) -> String;

    /// Uploads the local file at `path` to the outbound directory as `name`, following
    /// the upload protocol (temporary name, size check, rename).
    fn upload(
        &self,
        name: &str,
        path: &Path,
    ) -> impl Future<Output = Result<(), TransportError>> + Send;

    /// The size of `name` in the outbound directory, `None` when it is not there.
    fn outbound_size(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<u64>, TransportError>> + Send;

    /// The files waiting in the inbound directory (regular files only; temporary names
    /// such as `*.part` and dot files are left out).
    fn list_inbound(&self)
    -> impl Future<Output = Result<Vec<RemoteEntry>, TransportError>> + Send;

    /// Downloads `name` from the inbound directory whole; fails when it is larger than
    /// `limit` bytes or changes size while being read.
    fn download(
        &self,
        name: &str,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<u8>, TransportError>> + Send;

    /// Deletes or moves a processed inbound file (nothing for [`Disposal::Leave`]).
    fn dispose(
        &self,
        name: &str,
        disposal: &Disposal,
    ) -> impl Future<Output = Result<(), TransportError>> + Send;
}

/// The transport of a configured connection, whichever kind it is.
pub enum Link {
    Local(local::LocalDirectory),
    Sftp(Box<sftp::SftpTransport>),
}

impl Link {
    /// Builds the transport for `endpoint`. Connections are made lazily, on first use.
    pub fn for_endpoint(endpoint: &crate::config::Endpoint) -> Result<Self, TransportError> {
        match endpoint {
            crate::config::Endpoint::Local(l) => {
                for dir in [&l.outbound_dir, &l.inbound_dir] {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| TransportError::io("create", dir.display().to_string(), &e))?;
                }
                Ok(Link::Local(local::LocalDirectory {
                    outbound: l.outbound_dir.clone(),
                    inbound: l.inbound_dir.clone(),
                    allow_rename: l.allow_rename,
                }))
            }
            crate::config::Endpoint::Sftp(s) => Ok(Link::Sftp(Box::new(sftp::SftpTransport::new(
                (**s).clone(),
            )))),
        }
    }
}

impl Transport for Link {
    fn describe(&self) -> String {
        match self {
            Link::Local(l) => l.describe(),
            Link::Sftp(s) => s.describe(),
        }
    }

    async fn upload(&self, name: &str, path: &Path) -> Result<(), TransportError> {
        match self {
            Link::Local(l) => l.upload(name, path).await,
            Link::Sftp(s) => s.upload(name, path).await,
        }
    }

    async fn outbound_size(&self, name: &str) -> Result<Option<u64>, TransportError> {
        match self {
            Link::Local(l) => l.outbound_size(name).await,
            Link::Sftp(s) => s.outbound_size(name).await,
        }
    }

    async fn list_inbound(&self) -> Result<Vec<RemoteEntry>, TransportError> {
        match self {
            Link::Local(l) => l.list_inbound().await,
            Link::Sftp(s) => s.list_inbound().await,
        }
    }

    async fn download(&self, name: &str, limit: u64) -> Result<Vec<u8>, TransportError> {
        match self {
            Link::Local(l) => l.download(name, limit).await,
            Link::Sftp(s) => s.download(name, limit).await,
        }
    }

    async fn dispose(&self, name: &str, disposal: &Disposal) -> Result<(), TransportError> {
        match self {
            Link::Local(l) => l.dispose(name, disposal).await,
            Link::Sftp(s) => s.dispose(name, disposal).await,
        }
    }
}

/// The type and `SHA256:` fingerprint of the private key in `source` (public
/// information, for operators).
pub fn describe_key(source: &crate::config::SecretSource) -> Result<(String, String), String> {
    sftp::key_info(source)
}

/// Whether a remote name is a temporary or hidden one that must not be fetched.
pub fn is_temporary(name: &str) -> bool {
    name.starts_with('.') || name.ends_with(".part") || name.ends_with(".tmp")
}

/// Checks a file name the engine or a bank hands us: one path component, no
/// separators, not `.` or `..`.
pub fn check_file_name(name: &str) -> Result<(), TransportError> {
    let ok = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && name.len() <= 255;
    if ok {
        Ok(())
    } else {
        Err(TransportError::Configuration(format!(
            "file name {name:?}: expected one path component of 1 to 255 bytes"
        )))
    }
}
