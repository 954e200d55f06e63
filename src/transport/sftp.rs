//! The SFTP transport: russh (SSH) + russh-sftp, following the upload protocol of
//! [`super`]. One SSH session with one SFTP channel is kept and reused across calls;
//! any failed call drops it, so the next call reconnects.
//!
//! Trust: the server's host key must match a pinned `SHA256:` fingerprint or a key
//! recorded in the configured known_hosts file, checked during key exchange, so a
//! mismatch stops the connection before authentication and before any file is opened.
//! Secrets (private key, passphrase, password) are read from their files at each
//! connect, held in [`secrecy`] wrappers and never logged, formatted or put in errors.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use russh::client;
use russh::keys::{HashAlg, PrivateKey, PrivateKeyWithHashAlg, PublicKey, PublicKeyOrCertificate};
use russh_sftp::client::SftpSession;
use russh_sftp::client::error::Error as SftpError;
use russh_sftp::protocol::{FileType, StatusCode};
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Disposal, RemoteEntry, Transport, TransportError, check_file_name, is_temporary};
use crate::config::{SecretSource, SftpEndpoint};

/// Bytes read from the local file per pipelined `write_all`: well above the 32 KiB
/// SFTP write size, so russh-sftp keeps its 16 writes in flight (smaller slices, e.g.
/// `tokio::io::copy`'s 8 KiB, cost about 40 % of the throughput).
const CHUNK: usize = 256 * 1024;
/// SFTP writes kept in flight per file (russh-sftp's default; more was slower on loopback).
const MAX_CONCURRENT_WRITES: usize = 16;
/// An idle session is closed after this long when keepalives are off.
const IDLE_SECONDS: u64 = 300;

/// A bank reached over SFTP. Cheap to share behind an `Arc`; calls may run
/// concurrently over the one session.
pub struct SftpTransport {
    endpoint: SftpEndpoint,
    session: tokio::sync::Mutex<Option<Arc<Session>>>,
}

/// A connected, authenticated SSH session and its SFTP channel.
struct Session {
    sftp: SftpSession,
    ssh: client::Handle<HostKeyCheck>,
}

impl fmt::Debug for SftpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SftpTransport")
            .field("endpoint", &self.describe())
            .finish_non_exhaustive()
    }
}

impl SftpTransport {
    /// A transport for `endpoint`. Nothing is read or connected until the first call.
    pub fn new(endpoint: SftpEndpoint) -> Self {
        SftpTransport {
            endpoint,
            session: tokio::sync::Mutex::new(None),
        }
    }

    /// `sftp://user@host:port`, for logs (never a secret).
    pub fn describe(&self) -> String {
        format!("sftp://{}@{}", self.endpoint.user, self.address())
    }

    /// The endpoint this transport goes to.
    pub fn endpoint(&self) -> &SftpEndpoint {
        &self.endpoint
    }

    /// Closes the session if one is open (the next call reconnects).
    pub async fn disconnect(&self) {
        let session = self.session.lock().await.take();
        if let Some(session) = session {
            let _ = tokio::time::timeout(self.io_timeout(), async {
                let _ = session.sftp.close().await;
                session
                    .ssh
                    .disconnect(russh::Disconnect::ByApplication, "bye", "en")
                    .await
            })
            .await;
        }
    }

    fn address(&self) -> String {
        let host = &self.endpoint.host;
        if host.contains(':') {
            format!("[{host}]:{}", self.endpoint.port)
        } else {
            format!("{host}:{}", self.endpoint.port)
        }
    }

    fn io_timeout(&self) -> Duration {
        Duration::from_secs(self.endpoint.io_timeout_seconds)
    }

    /// Runs one remote step bounded by the IO timeout.
    async fn timed<T>(
        &self,
        operation: &'static str,
        step: impl Future<Output = Result<T, TransportError>>,
    ) -> Result<T, TransportError> {
        match tokio::time::timeout(self.io_timeout(), step).await {
            Ok(result) => result,
            Err(_) => Err(TransportError::Timeout {
                operation,
                seconds: self.endpoint.io_timeout_seconds,
            }),
        }
    }

    /// The open session, connecting first when there is none (or it died), and
    /// whether it was reused.
    async fn session(&self) -> Result<(Arc<Session>, bool), TransportError> {
        let mut slot = self.session.lock().await;
        if let Some(session) = slot.as_ref() {
            if !session.ssh.is_closed() {
                return Ok((session.clone(), true));
            }
            tracing::info!(endpoint = %self.describe(), "SFTP session was closed; reconnecting.");
        }
        *slot = None;
        let seconds = self.endpoint.connect_timeout_seconds;
        let session = match tokio::time::timeout(Duration::from_secs(seconds), self.connect()).await
        {
            Ok(Ok(session)) => Arc::new(session),
            Ok(Err(e)) => {
                tracing::warn!(endpoint = %self.describe(), error = %e, "SFTP connection failed.");
                return Err(e);
            }
            Err(_) => {
                tracing::warn!(endpoint = %self.describe(), seconds, "SFTP connection timed out.");
                return Err(TransportError::Timeout {
                    operation: "connect",
                    seconds,
                });
            }
        };
        *slot = Some(session.clone());
        Ok((session, false))
    }

    /// Starts a call: the session and the answer to the call's first request.
    ///
    /// A reused session whose connection died while it sat idle fails that first
    /// request without any answer from the server. It is then replaced once and the
    /// request sent again, which is safe because every call's first request is
    /// idempotent (open for writing with truncation, stat, list, remove). Failures
    /// later in a call are returned, never retried here.
    async fn begin(
        &self,
        operation: &'static str,
        request: First<'_>,
    ) -> Result<(Arc<Session>, Answer), TransportError> {
        let path = request.path();
        let (session, reused) = self.session().await?;
        let first = tokio::time::timeout(self.io_timeout(), request.send(&session.sftp)).await;
        let (session, first) = match first {
            Ok(Err(e)) if reused && connection_lost(&e) => {
                tracing::info!(endpoint = %self.describe(), error = %e, "SFTP session was lost while idle; reconnecting.");
                self.forget(&session).await;
                let (session, _) = self.session().await?;
                let first =
                    tokio::time::timeout(self.io_timeout(), request.send(&session.sftp)).await;
                (session, first)
            }
            first => (session, first),
        };
        let e = match first {
            Ok(Ok(value)) => return Ok((session, value)),
            Ok(Err(e)) => sftp_error(operation, path, e),
            Err(_) => TransportError::Timeout {
                operation,
                seconds: self.endpoint.io_timeout_seconds,
            },
        };
        self.settle(&session, Err(e)).await
    }

    /// Drops `session` if it is still the current one.
    async fn forget(&self, session: &Arc<Session>) {
        let mut slot = self.session.lock().await;
        if slot.as_ref().is_some_and(|s| Arc::ptr_eq(s, session)) {
            *slot = None;
        }
    }

    /// After a call on `session`: keeps the session on success, drops it on failure,
    /// so the next call starts afresh.
    async fn settle<T>(
        &self,
        session: &Arc<Session>,
        result: Result<T, TransportError>,
    ) -> Result<T, TransportError> {
        if let Err(e) = &result {
            tracing::debug!(endpoint = %self.describe(), error = %e, "Dropping the SFTP session after a failed call.");
            self.forget(session).await;
        }
        result
    }

    async fn connect(&self) -> Result<Session, TransportError> {
        let ep = &self.endpoint;
        // Everything local first, off the async workers (file reads, and decrypting a
        // key runs a deliberately slow KDF): a broken key file is a configuration
        // error, found before the bank sees a connection.
        let Credentials {
            key,
            password,
            known,
        } = {
            let ep = ep.clone();
            tokio::task::spawn_blocking(move || Credentials::load(&ep))
                .await
                .map_err(|e| {
                    TransportError::Configuration(format!("reading the credentials failed: {e}"))
                })??
        };
        let seen = Arc::new(StdMutex::new(None));
        let check = HostKeyCheck {
            pinned: ep
                .host_key_fingerprints
                .iter()
                .map(|f| normalize_fingerprint(f).to_owned())
                .collect(),
            known,
            seen: seen.clone(),
        };

        let address = self.address();
        let tcp = tokio::net::TcpStream::connect((ep.host.as_str(), ep.port))
            .await
            .map_err(|e| TransportError::Io {
                operation: "connect",
                path: address.clone(),
                message: e.to_string(),
            })?;
        tcp.set_nodelay(true).map_err(|e| TransportError::Io {
            operation: "connect",
            path: address.clone(),
            message: e.to_string(),
        })?;
        let mut ssh = client::connect_stream(Arc::new(self.client_config()), tcp, check)
            .await
            .map_err(|e| match e {
                russh::Error::UnknownKey => TransportError::HostKeyMismatch {
                    host: address.clone(),
                    seen: seen
                        .lock()
                        .map(|s| s.clone())
                        .ok()
                        .flatten()
                        .unwrap_or_else(|| "none".into()),
                    pinned: self.pinned_description(),
                },
                e => TransportError::Io {
                    operation: "handshake",
                    path: address.clone(),
                    message: e.to_string(),
                },
            })?;
        let fingerprint = seen.lock().ok().and_then(|s| s.clone()).unwrap_or_default();
        tracing::debug!(endpoint = %self.describe(), host_key = %fingerprint, "SFTP server's host key matched the pin.");

        self.authenticate(&mut ssh, key, password).await?;

        let ssh_error = |operation: &'static str| {
            let address = address.clone();
            move |e: russh::Error| TransportError::Io {
                operation,
                path: address,
                message: e.to_string(),
            }
        };
        let mut channel = ssh
            .channel_open_session()
            .await
            .map_err(ssh_error("open channel"))?;
        channel
            .request_subsystem(true, "sftp")
            .await
            .map_err(ssh_error("sftp subsystem"))?;
        // request_subsystem only sends the request: wait for the answer, or a refusal
        // would only show as russh-sftp's init timeout.
        loop {
            match channel.wait().await {
                Some(russh::ChannelMsg::Success) => break,
                Some(russh::ChannelMsg::Failure) => {
                    return Err(TransportError::Io {
                        operation: "sftp subsystem",
                        path: address,
                        message: "the server refused the sftp subsystem".into(),
                    });
                }
                Some(_) => continue,
                None => {
                    return Err(TransportError::Io {
                        operation: "sftp subsystem",
                        path: address,
                        message: "the channel closed before the sftp subsystem started".into(),
                    });
                }
            }
        }
        let config = russh_sftp::client::Config {
            // A backstop only: every step is bounded by `timed` (the IO timeout) first.
            request_timeout_secs: ep.io_timeout_seconds + 5,
            max_concurrent_writes: MAX_CONCURRENT_WRITES,
            ..Default::default()
        };
        let sftp = SftpSession::new_with_config(channel.into_stream(), config)
            .await
            .map_err(|e| sftp_error("sftp init", &address, e))?;
        tracing::info!(endpoint = %self.describe(), host_key = %fingerprint, "SFTP session established.");
        Ok(Session { sftp, ssh })
    }

    async fn authenticate(
        &self,
        ssh: &mut client::Handle<HostKeyCheck>,
        key: Option<Arc<PrivateKey>>,
        password: Option<SecretString>,
    ) -> Result<(), TransportError> {
        let ep = &self.endpoint;
        let failed = |e: russh::Error| TransportError::Io {
            operation: "authenticate",
            path: self.address(),
            message: e.to_string(),
        };
        let mut done = false;
        if let Some(key) = key {
            let hash = if key.algorithm().is_rsa() {
                match ssh.best_supported_rsa_hash().await.map_err(failed)? {
                    Some(hash) => hash,
                    // No server-sig-algs: an old server; SHA-1 only when allowed.
                    None if ep.legacy_algorithms => None,
                    None => Some(HashAlg::Sha256),
                }
            } else {
                None
            };
            let result = ssh
                .authenticate_publickey(&ep.user, PrivateKeyWithHashAlg::new(key, hash))
                .await
                .map_err(failed)?;
            done = result.success();
        }
        // Also the second factor where a bank asks for key and password.
        if !done && let Some(password) = password {
            let result = ssh
                .authenticate_password(&ep.user, password.expose_secret())
                .await
                .map_err(failed)?;
            done = result.success();
        }
        if done {
            Ok(())
        } else {
            tracing::warn!(endpoint = %self.describe(), "SFTP server refused authentication.");
            Err(TransportError::AuthenticationRefused {
                host: self.address(),
                user: ep.user.clone(),
            })
        }
    }

    fn client_config(&self) -> client::Config {
        let ep = &self.endpoint;
        let mut preferred = russh::Preferred::default();
        // ssh-rsa (SHA-1 signatures) only on request.
        let mut keys: Vec<_> = preferred
            .key
            .iter()
            .filter(|a| !matches!(a, russh::keys::Algorithm::Rsa { hash: None }))
            .cloned()
            .collect();
        if ep.legacy_algorithms {
            keys.push(russh::keys::Algorithm::Rsa { hash: None });
            let mut kex = preferred.kex.to_vec();
            // Before the extension pseudo-algorithms, which must stay last.
            let at = kex
                .iter()
                .position(|k| {
                    k.as_ref().starts_with("ext-info") || k.as_ref().starts_with("kex-strict")
                })
                .unwrap_or(kex.len());
            kex.insert(at, russh::kex::DH_G14_SHA1);
            preferred.kex = kex.into();
            let mut mac = preferred.mac.to_vec();
            mac.extend([russh::mac::HMAC_SHA1_ETM, russh::mac::HMAC_SHA1]);
            preferred.mac = mac.into();
        }
        preferred.key = keys.into();
        client::Config {
            preferred,
            nodelay: true,
            keepalive_interval: (ep.keepalive_seconds > 0)
                .then(|| Duration::from_secs(ep.keepalive_seconds)),
            keepalive_max: 3,
            inactivity_timeout: Some(Duration::from_secs(IDLE_SECONDS.max(ep.io_timeout_seconds))),
            ..Default::default()
        }
    }

    fn pinned_description(&self) -> String {
        let ep = &self.endpoint;
        let mut pinned = ep.host_key_fingerprints.join(", ");
        if let Some(path) = &ep.known_hosts {
            if !pinned.is_empty() {
                pinned.push_str(", ");
            }
            pinned.push_str(&format!("known_hosts {}", path.display()));
        }
        if pinned.is_empty() {
            pinned.push_str("none");
        }
        pinned
    }

    fn out_path(&self, name: &str) -> Result<String, TransportError> {
        check_file_name(name)?;
        Ok(remote_join(&self.endpoint.outbound_dir, name))
    }

    fn in_path(&self, name: &str) -> Result<String, TransportError> {
        check_file_name(name)?;
        Ok(remote_join(&self.endpoint.inbound_dir, name))
    }

    /// Streams `local` into the opened `remote` (at `temp`), checks the size, renames.
    #[allow(clippy::too_many_arguments)]
    async fn upload_on(
        &self,
        sftp: &SftpSession,
        mut remote: russh_sftp::client::fs::File,
        local: Local,
        local_path: &Path,
        expected: u64,
        temp: &str,
        target: &str,
    ) -> Result<(), TransportError> {
        // `write_all` returns once the writes are queued; acknowledgements are awaited
        // as the pipeline fills and at shutdown.
        let sent = match local {
            Local::Whole(bytes) => {
                self.timed("write", async {
                    remote
                        .write_all(&bytes)
                        .await
                        .map_err(|e| remote_io_error("write", temp, e))
                })
                .await?;
                bytes.len() as u64
            }
            Local::Stream(mut file) => {
                let mut buffer = vec![0u8; CHUNK];
                let mut sent = 0u64;
                loop {
                    let n = file.read(&mut buffer).await.map_err(|e| {
                        TransportError::io("read", local_path.display().to_string(), &e)
                    })?;
                    if n == 0 {
                        break;
                    }
                    self.timed("write", async {
                        remote
                            .write_all(&buffer[..n])
                            .await
                            .map_err(|e| remote_io_error("write", temp, e))
                    })
                    .await?;
                    sent += n as u64;
                }
                sent
            }
        };
        // Waits for every write acknowledgement, then for CLOSE.
        self.timed("close", async {
            remote
                .shutdown()
                .await
                .map_err(|e| remote_io_error("close", temp, e))
        })
        .await?;
        let actual = self
            .timed("stat", async {
                sftp.metadata(temp)
                    .await
                    .map_err(|e| sftp_error("stat", temp, e))
            })
            .await?
            .size
            .unwrap_or(0);
        if actual != expected || sent != expected {
            return Err(TransportError::SizeMismatch {
                path: temp.to_owned(),
                expected,
                actual: if actual != expected { actual } else { sent },
            });
        }
        if temp != target {
            self.timed("rename", async {
                sftp.rename(temp, target)
                    .await
                    .map_err(|e| sftp_error("rename", temp, e))
            })
            .await?;
        }
        Ok(())
    }

    /// Creates `dir` and missing parents (mkdir -p), tolerating ones that exist.
    async fn create_dir_all(&self, sftp: &SftpSession, dir: &str) -> Result<(), TransportError> {
        let mut prefix = if dir.starts_with('/') {
            String::from("/")
        } else {
            String::new()
        };
        for part in dir.split('/').filter(|p| !p.is_empty()) {
            if !prefix.is_empty() && !prefix.ends_with('/') {
                prefix.push('/');
            }
            prefix.push_str(part);
            if part == ".." || part == "." {
                continue;
            }
            let exists = self
                .timed("stat", async {
                    match sftp.metadata(prefix.as_str()).await {
                        Ok(m) => Ok(Some(m.file_type())),
                        Err(SftpError::Status(s)) if s.status_code == StatusCode::NoSuchFile => {
                            Ok(None)
                        }
                        Err(e) => Err(sftp_error("stat", &prefix, e)),
                    }
                })
                .await?;
            match exists {
                Some(FileType::Dir) => {}
                Some(_) => {
                    return Err(TransportError::Io {
                        operation: "create",
                        path: prefix,
                        message: "exists and is not a directory".into(),
                    });
                }
                None => {
                    self.timed("create", async {
                        sftp.create_dir(prefix.as_str())
                            .await
                            .map_err(|e| sftp_error("create", &prefix, e))
                    })
                    .await?
                }
            }
        }
        Ok(())
    }
}

impl Transport for SftpTransport {
    fn describe(&self) -> String {
        SftpTransport::describe(self)
    }

    async fn upload(&self, name: &str, path: &Path) -> Result<(), TransportError> {
        let target = self.out_path(name)?;
        let temp = if self.endpoint.allow_rename {
            check_file_name(&format!("{name}.part"))?;
            format!("{target}.part")
        } else {
            target.clone()
        };
        let (expected, local) = Local::open(path).await?;
        let started = std::time::Instant::now();
        // CREATE | TRUNCATE | WRITE: a leftover from an earlier attempt is overwritten.
        let (session, answer) = self.begin("open", First::Create(&temp)).await?;
        let Answer::File(remote) = answer else {
            unreachable!("create answers a file")
        };
        let remote = *remote;
        let result = self
            .upload_on(&session.sftp, remote, local, path, expected, &temp, &target)
            .await;
        match &result {
            Ok(()) => tracing::info!(
                endpoint = %self.describe(),
                file = name,
                bytes = expected,
                millis = started.elapsed().as_millis() as u64,
                "Uploaded a file over SFTP."
            ),
            Err(e) => {
                tracing::warn!(endpoint = %self.describe(), file = name, error = %e, "SFTP upload failed.");
                // After a timeout the session is presumed stuck: no further request.
                let usable =
                    !session.ssh.is_closed() && !matches!(e, TransportError::Timeout { .. });
                if temp != target && usable {
                    let removed = self
                        .timed("remove", async {
                            session
                                .sftp
                                .remove_file(temp.as_str())
                                .await
                                .map_err(|e| sftp_error("remove", &temp, e))
                        })
                        .await;
                    if let Err(e) = removed {
                        tracing::warn!(endpoint = %self.describe(), path = %temp, error = %e, "Cannot remove the temporary file after a failed upload.");
                    }
                }
            }
        }
        self.settle(&session, result).await
    }

    async fn outbound_size(&self, name: &str) -> Result<Option<u64>, TransportError> {
        let path = self.out_path(name)?;
        match self.begin("stat", First::Stat(&path)).await? {
            (_, Answer::Meta(meta)) => Ok(meta.map(|m| m.size.unwrap_or(0))),
            _ => unreachable!("stat answers metadata"),
        }
    }

    async fn list_inbound(&self) -> Result<Vec<RemoteEntry>, TransportError> {
        let dir = self.endpoint.inbound_dir.as_str();
        let (_, Answer::Dir(entries)) = self.begin("list", First::ReadDir(dir)).await? else {
            unreachable!("read_dir answers entries")
        };
        let mut listed: Vec<RemoteEntry> = entries
            .filter(|e| !is_temporary(&e.file_name()))
            .filter(|e| e.file_type() == FileType::File)
            .map(|e| {
                let meta = e.metadata();
                RemoteEntry {
                    name: e.file_name(),
                    size: meta.size.unwrap_or(0),
                    modified: meta.mtime.map(i64::from),
                }
            })
            .collect();
        listed.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(listed)
    }

    async fn download(&self, name: &str, limit: u64) -> Result<Vec<u8>, TransportError> {
        let path = self.in_path(name)?;
        let (session, meta) = match self.begin("stat", First::Stat(&path)).await? {
            (session, Answer::Meta(meta)) => (session, meta),
            _ => unreachable!("stat answers metadata"),
        };
        let Some(meta) = meta else {
            let e = TransportError::Io {
                operation: "stat",
                path,
                message: "no such file".into(),
            };
            return self.settle(&session, Err(e)).await;
        };
        let size = meta.size.unwrap_or(0);
        if size > limit {
            // Decided here; the session is fine.
            return Err(TransportError::TooLarge { path, size, limit });
        }
        let result = async {
            let sftp = &session.sftp;
            let mut file = self
                .timed("open", async {
                    sftp.open(path.as_str())
                        .await
                        .map_err(|e| sftp_error("open", &path, e))
                })
                .await?;
            let mut bytes = Vec::with_capacity(size as usize);
            let mut buffer = vec![0u8; CHUNK];
            loop {
                let n = self
                    .timed("read", async {
                        file.read(&mut buffer)
                            .await
                            .map_err(|e| remote_io_error("read", &path, e))
                    })
                    .await?;
                if n == 0 {
                    break;
                }
                bytes.extend_from_slice(&buffer[..n]);
                if bytes.len() as u64 > size {
                    break; // grew while being read: reported below
                }
            }
            self.timed("close", async {
                file.shutdown()
                    .await
                    .map_err(|e| remote_io_error("close", &path, e))
            })
            .await?;
            if bytes.len() as u64 != size {
                return Err(TransportError::SizeMismatch {
                    path: path.clone(),
                    expected: size,
                    actual: bytes.len() as u64,
                });
            }
            Ok(bytes)
        }
        .await;
        self.settle(&session, result).await
    }

    async fn dispose(&self, name: &str, disposal: &Disposal) -> Result<(), TransportError> {
        let path = self.in_path(name)?;
        match disposal {
            Disposal::Leave => Ok(()),
            Disposal::Delete => {
                // Already gone (an earlier attempt's answer was lost) counts as done.
                self.begin("delete", First::Remove(&path)).await?;
                Ok(())
            }
            Disposal::MoveTo(dir) => {
                // As LocalDirectory: relative to the inbound directory, or absolute.
                let dir = if dir.starts_with('/') {
                    dir.clone()
                } else {
                    remote_join(&self.endpoint.inbound_dir, dir)
                };
                let to = remote_join(&dir, name);
                let (session, answer) = self.begin("stat", First::Stat(&path)).await?;
                if matches!(answer, Answer::Meta(None)) {
                    let e = TransportError::Io {
                        operation: "move",
                        path,
                        message: "no such file".into(),
                    };
                    return self.settle(&session, Err(e)).await;
                }
                let sftp = &session.sftp;
                let result = async {
                    self.create_dir_all(sftp, &dir).await?;
                    self.timed("move", async {
                        sftp.rename(path.as_str(), to.as_str())
                            .await
                            .map_err(|e| sftp_error("move", &path, e))
                    })
                    .await
                }
                .await;
                self.settle(&session, result).await
            }
        }
    }
}

/// The first request of a call (see [`SftpTransport::begin`]); each is idempotent.
enum First<'a> {
    /// Open for writing, creating or truncating.
    Create(&'a str),
    /// Metadata, `None` when there is no such file.
    Stat(&'a str),
    ReadDir(&'a str),
    /// Remove a file; one that is not there counts as removed.
    Remove(&'a str),
}

enum Answer {
    File(Box<russh_sftp::client::fs::File>),
    Meta(Option<russh_sftp::client::fs::Metadata>),
    Dir(russh_sftp::client::fs::ReadDir),
    Removed,
}

impl First<'_> {
    fn path(&self) -> &str {
        match self {
            First::Create(p) | First::Stat(p) | First::ReadDir(p) | First::Remove(p) => p,
        }
    }

    async fn send(&self, sftp: &SftpSession) -> Result<Answer, SftpError> {
        let missing = |e: &SftpError| matches!(e, SftpError::Status(s) if s.status_code == StatusCode::NoSuchFile);
        match *self {
            First::Create(p) => sftp.create(p).await.map(|f| Answer::File(Box::new(f))),
            First::Stat(p) => match sftp.metadata(p).await {
                Ok(m) => Ok(Answer::Meta(Some(m))),
                Err(e) if missing(&e) => Ok(Answer::Meta(None)),
                Err(e) => Err(e),
            },
            First::ReadDir(p) => sftp.read_dir(p).await.map(Answer::Dir),
            First::Remove(p) => match sftp.remove_file(p).await {
                Ok(()) => Ok(Answer::Removed),
                Err(e) if missing(&e) => Ok(Answer::Removed),
                Err(e) => Err(e),
            },
        }
    }
}

/// Whether a request failed because the connection is gone (no answer from the
/// server), as opposed to an answer or a timeout.
fn connection_lost(e: &SftpError) -> bool {
    matches!(e, SftpError::UnexpectedBehavior(_) | SftpError::IO(_))
}

/// The local file to upload: read whole when small (one blocking hop instead of
/// four `tokio::fs` calls per file), streamed in `CHUNK`s otherwise.
enum Local {
    Whole(Vec<u8>),
    Stream(tokio::fs::File),
}

impl Local {
    /// The file's size and contents (or stream).
    async fn open(path: &Path) -> Result<(u64, Local), TransportError> {
        let owned = path.to_path_buf();
        let opened = tokio::task::spawn_blocking(move || {
            let mut file = std::fs::File::open(&owned)?;
            let size = file.metadata()?.len();
            if size <= CHUNK as u64 {
                let mut bytes = Vec::with_capacity(size as usize);
                std::io::Read::read_to_end(&mut file, &mut bytes)?;
                Ok((size, Local::Whole(bytes)))
            } else {
                Ok((size, Local::Stream(tokio::fs::File::from_std(file))))
            }
        })
        .await
        .map_err(|e| TransportError::Io {
            operation: "read",
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        opened
            .map_err(|e: std::io::Error| TransportError::io("read", path.display().to_string(), &e))
    }
}

/// What a connection needs from local files; secrets stay wrapped.
struct Credentials {
    key: Option<Arc<PrivateKey>>,
    password: Option<SecretString>,
    /// Keys recorded for the host in the known_hosts file.
    known: Vec<PublicKey>,
}

impl Credentials {
    fn load(ep: &SftpEndpoint) -> Result<Credentials, TransportError> {
        Ok(Credentials {
            key: match &ep.private_key {
                Some(source) => Some(Arc::new(load_private_key(source, ep.passphrase.as_ref())?)),
                None => None,
            },
            password: match &ep.password {
                Some(source) => Some(read_secret_text(source, "password")?),
                None => None,
            },
            known: match &ep.known_hosts {
                Some(path) => known_host_keys(path, &ep.host, ep.port)?,
                None => Vec::new(),
            },
        })
    }
}

/// Checks the server's host key during key exchange, before authentication.
struct HostKeyCheck {
    /// Normalized `SHA256:` fingerprints (no base64 padding).
    pinned: Vec<String>,
    /// Keys recorded for this host and port in the known_hosts file.
    known: Vec<PublicKey>,
    /// The fingerprint the server showed, for the error and the log.
    seen: Arc<StdMutex<Option<String>>>,
}

impl client::Handler for HostKeyCheck {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let (accepted, seen) = match key {
            PublicKeyOrCertificate::PublicKey { key, .. } => {
                let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
                let accepted = self
                    .pinned
                    .iter()
                    .any(|p| p == normalize_fingerprint(&fingerprint))
                    || self.known.iter().any(|k| k.key_data() == key.key_data());
                (accepted, fingerprint)
            }
            // We advertise no certificate algorithms; a certificate is not a pinned key.
            PublicKeyOrCertificate::Certificate(cert) => (
                false,
                format!(
                    "certificate for {}",
                    cert.public_key().fingerprint(HashAlg::Sha256)
                ),
            ),
        };
        if let Ok(mut slot) = self.seen.lock() {
            *slot = Some(seen);
        }
        Ok(accepted)
    }
}

fn normalize_fingerprint(fingerprint: &str) -> &str {
    fingerprint.trim().trim_end_matches('=')
}

/// `dir/name`, or `name` when `dir` is empty.
fn remote_join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// From a russh-sftp error: permission problems and timeouts keep their meaning.
fn sftp_error(operation: &'static str, path: &str, e: SftpError) -> TransportError {
    match e {
        SftpError::Status(s) if s.status_code == StatusCode::PermissionDenied => {
            TransportError::PermissionDenied {
                operation,
                path: path.to_owned(),
            }
        }
        SftpError::Timeout => TransportError::Io {
            operation,
            path: path.to_owned(),
            message: "the server did not answer in time".into(),
        },
        SftpError::Status(s) => TransportError::Io {
            operation,
            path: path.to_owned(),
            message: if s.error_message.is_empty() {
                s.status_code.to_string()
            } else {
                format!("{}: {}", s.status_code, s.error_message)
            },
        },
        e => TransportError::Io {
            operation,
            path: path.to_owned(),
            message: e.to_string(),
        },
    }
}

/// From the `io::Error` that russh-sftp's `File` reports (the status code is lost
/// there; only the server's message remains).
fn remote_io_error(operation: &'static str, path: &str, e: std::io::Error) -> TransportError {
    if e.kind() == std::io::ErrorKind::PermissionDenied
        || e.to_string().eq_ignore_ascii_case("permission denied")
    {
        TransportError::PermissionDenied {
            operation,
            path: path.to_owned(),
        }
    } else {
        TransportError::Io {
            operation,
            path: path.to_owned(),
            message: e.to_string(),
        }
    }
}

/// The whole file behind `source`, in memory that is wiped on drop.
fn read_secret_bytes(
    source: &SecretSource,
    what: &str,
) -> Result<Zeroizing<Vec<u8>>, TransportError> {
    let path = source.path().map_err(TransportError::Configuration)?;
    std::fs::read(&path).map(Zeroizing::new).map_err(|e| {
        TransportError::Configuration(format!("{what} {source}: cannot be read: {}", e.kind()))
    })
}

/// A password or passphrase file's text without its trailing newline.
fn read_secret_text(source: &SecretSource, what: &str) -> Result<SecretString, TransportError> {
    let bytes = read_secret_bytes(source, what)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| TransportError::Configuration(format!("{what} {source}: is not UTF-8")))?;
    Ok(SecretString::from(
        text.trim_end_matches(['\n', '\r']).to_owned(),
    ))
}

fn load_private_key(
    source: &SecretSource,
    passphrase: Option<&SecretSource>,
) -> Result<PrivateKey, TransportError> {
    let bytes = read_secret_bytes(source, "private key")?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        TransportError::Configuration(format!(
            "private key {source}: is not text (PEM or OpenSSH)"
        ))
    })?;
    let passphrase = match passphrase {
        Some(p) => Some(read_secret_text(p, "passphrase")?),
        None => None,
    };
    // The decoder's error says nothing about the secret; keep only its kind.
    russh::keys::decode_secret_key(text, passphrase.as_ref().map(|p| p.expose_secret())).map_err(
        |e| {
            let hint = match e {
                russh::keys::Error::KeyIsEncrypted => {
                    "it is encrypted and no passphrase_file is configured"
                }
                _ if passphrase.is_some() => "wrong passphrase or not a private key",
                _ => "not a private key in OpenSSH, PKCS#8 or PKCS#1 format",
            };
            TransportError::Configuration(format!(
                "private key {source}: cannot be decoded: {hint}"
            ))
        },
    )
}

/// The keys recorded for `host`:`port` in a known_hosts file (`[host]:port` form for
/// ports other than 22; hashed names are matched).
fn known_host_keys(
    path: &PathBuf,
    host: &str,
    port: u16,
) -> Result<Vec<PublicKey>, TransportError> {
    // russh's reader treats a missing file as empty; for a configured file that is an error.
    std::fs::metadata(path).map_err(|e| {
        TransportError::Configuration(format!(
            "known_hosts file {}: cannot be read: {}",
            path.display(),
            e.kind()
        ))
    })?;
    russh::keys::known_hosts::known_host_keys_path(host, port, path)
        .map(|keys| keys.into_iter().map(|(_, key)| key).collect())
        .map_err(|e| {
            TransportError::Configuration(format!("known_hosts file {}: {e}", path.display()))
        })
}

/// The key type and `SHA256:` fingerprint of a key file (private, possibly
/// passphrase-protected, or public), for operators; nothing secret is returned.
pub fn key_info(source: &SecretSource) -> Result<(String, String), String> {
    let path = source.path()?;
    let bytes = Zeroizing::new(
        std::fs::read(&path).map_err(|e| format!("{source}: cannot be read: {}", e.kind()))?,
    );
    let text = std::str::from_utf8(&bytes).map_err(|_| format!("{source}: is not a key file"))?;
    let public = if let Ok(private) = russh::keys::ssh_key::PrivateKey::from_openssh(text) {
        // The public half of an OpenSSH key is stored in clear, even when encrypted.
        private.public_key().clone()
    } else if let Ok(public) = PublicKey::from_openssh(text.trim()) {
        public
    } else {
        match russh::keys::decode_secret_key(text, None) {
            Ok(private) => private.public_key().clone(),
            Err(russh::keys::Error::KeyIsEncrypted) => {
                return Err(format!(
                    "{source}: an encrypted PEM key; its public half needs the passphrase"
                ));
            }
            Err(_) => return Err(format!("{source}: not an SSH private or public key")),
        }
    };
    Ok((
        public.algorithm().as_str().to_owned(),
        public.fingerprint(HashAlg::Sha256).to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_paths_join_without_doubled_separators() {
        assert_eq!(remote_join("inbox", "a.xml"), "inbox/a.xml");
        assert_eq!(remote_join("/srv/in/", "a.xml"), "/srv/in/a.xml");
        assert_eq!(remote_join("", "a.xml"), "a.xml");
    }

    #[test]
    fn fingerprints_compare_without_padding() {
        assert_eq!(
            normalize_fingerprint("SHA256:abc= "),
            normalize_fingerprint("SHA256:abc")
        );
    }

    fn endpoint(legacy: bool) -> SftpEndpoint {
        SftpEndpoint {
            host: "::1".into(),
            port: 2222,
            user: "bank".into(),
            private_key: None,
            passphrase: None,
            password: Some(SecretSource::Credential("pw".into())),
            host_key_fingerprints: vec!["SHA256:x".into()],
            known_hosts: None,
            outbound_dir: "in".into(),
            inbound_dir: "out".into(),
            allow_rename: true,
            connect_timeout_seconds: 1,
            io_timeout_seconds: 1,
            keepalive_seconds: 0,
            legacy_algorithms: legacy,
        }
    }

    #[test]
    fn legacy_algorithms_only_on_request() {
        let sha1_rsa = russh::keys::Algorithm::Rsa { hash: None };
        let modern = SftpTransport::new(endpoint(false)).client_config();
        assert!(!modern.preferred.key.contains(&sha1_rsa));
        assert!(!modern.preferred.kex.contains(&russh::kex::DH_G14_SHA1));
        assert!(modern.nodelay);
        assert_eq!(modern.keepalive_interval, None);
        let legacy = SftpTransport::new(endpoint(true)).client_config();
        assert!(legacy.preferred.key.contains(&sha1_rsa));
        let kex: Vec<&str> = legacy.preferred.kex.iter().map(|k| k.as_ref()).collect();
        let at = kex
            .iter()
            .position(|k| *k == "diffie-hellman-group14-sha1")
            .unwrap();
        assert!(
            kex[..at]
                .iter()
                .all(|k| !k.starts_with("ext-info") && !k.starts_with("kex-strict"))
        );
        assert!(legacy.preferred.mac.contains(&russh::mac::HMAC_SHA1));
    }

    #[test]
    fn describe_brackets_ipv6_and_debug_shows_no_endpoint_secrets() {
        let link = SftpTransport::new(endpoint(false));
        assert_eq!(link.describe(), "sftp://bank@[::1]:2222");
        assert_eq!(
            format!("{link:?}"),
            "SftpTransport { endpoint: \"sftp://bank@[::1]:2222\", .. }"
        );
    }

    #[test]
    fn permission_denied_status_is_not_retryable() {
        let status = russh_sftp::protocol::Status {
            id: 1,
            status_code: StatusCode::PermissionDenied,
            error_message: "Permission denied".into(),
            language_tag: "en".into(),
        };
        let e = sftp_error("open", "inbox/a", SftpError::Status(status));
        assert!(matches!(e, TransportError::PermissionDenied { .. }));
        assert!(!e.retryable());
        let e = sftp_error("open", "inbox/a", SftpError::IO("broken pipe".into()));
        assert!(e.retryable());
    }
}
