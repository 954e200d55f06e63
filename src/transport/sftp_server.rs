//! An in-process SFTP server (russh + russh-sftp's server side) serving a real
//! directory, for the simulated bank and for fault tests. It binds `127.0.0.1:0`,
//! authenticates one user by public key and/or password, and keeps every path inside
//! its root. Faults can be switched on and off while it runs ([`Faults`]).
//!
//! The SFTP semantics follow OpenSSH's where they matter to the upload protocol:
//! `rename` never overwrites an existing target, `readdir` reports `lstat` attributes.

use std::collections::HashMap;
use std::io::Read;
use std::net::SocketAddr;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use russh::keys::{HashAlg, PrivateKey, PublicKey};
use russh::server::{self, Auth, ChannelOpenHandle, Msg, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, MethodKind, MethodSet};
use russh_sftp::protocol::{
    Attrs, Data, File, FileAttributes, Handle, Name, OpenFlags, Status, StatusCode, Version,
};
use russh_sftp::server::StatusReply;
use secrecy::{ExposeSecret, SecretString};

/// Where the server's host key comes from.
#[derive(Debug, Clone)]
pub enum HostKey {
    /// A fresh Ed25519 key for this run.
    Generate,
    /// An unencrypted OpenSSH private key file.
    File(PathBuf),
}

/// What to serve and to whom.
pub struct ServerSettings {
    /// The directory served as `/`; nothing outside it is reachable.
    pub root: PathBuf,
    pub host_key: HostKey,
    /// The one user name accepted.
    pub user: String,
    /// Accepted client keys, as OpenSSH public key lines (`ssh-ed25519 AAAA… comment`).
    pub authorized_keys: Vec<String>,
    /// Accepted password, when password authentication is offered.
    pub password: Option<SecretString>,
    /// Fault switches, shared so tests can flip them while the server runs.
    pub faults: Arc<Faults>,
}

impl ServerSettings {
    /// Serves `root` to `user` with a generated host key, no keys, no password, no faults.
    pub fn new(root: impl Into<PathBuf>, user: impl Into<String>) -> Self {
        ServerSettings {
            root: root.into(),
            host_key: HostKey::Generate,
            user: user.into(),
            authorized_keys: Vec::new(),
            password: None,
            faults: Arc::new(Faults::default()),
        }
    }
}

/// Faults to inject, each switchable at any time.
#[derive(Debug)]
pub struct Faults {
    refuse_rename: AtomicBool,
    /// `u64::MAX` when off.
    drop_after_bytes: AtomicU64,
    hang: AtomicBool,
    disk_full: AtomicBool,
    replace_host_key: AtomicBool,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            refuse_rename: AtomicBool::new(false),
            drop_after_bytes: AtomicU64::new(u64::MAX),
            hang: AtomicBool::new(false),
            disk_full: AtomicBool::new(false),
            replace_host_key: AtomicBool::new(false),
        }
    }
}

impl Faults {
    /// `rename` answers SSH_FX_FAILURE.
    pub fn set_refuse_rename(&self, on: bool) {
        self.refuse_rename.store(on, Ordering::SeqCst);
    }
    pub fn refuse_rename(&self) -> bool {
        self.refuse_rename.load(Ordering::SeqCst)
    }
    /// Once this many bytes were written to one open file, the connection is closed.
    pub fn set_drop_after_bytes(&self, bytes: Option<u64>) {
        self.drop_after_bytes
            .store(bytes.unwrap_or(u64::MAX), Ordering::SeqCst);
    }
    pub fn drop_after_bytes(&self) -> Option<u64> {
        match self.drop_after_bytes.load(Ordering::SeqCst) {
            u64::MAX => None,
            n => Some(n),
        }
    }
    /// SFTP requests get no answer while this is on (SSH itself keeps working).
    pub fn set_hang(&self, on: bool) {
        self.hang.store(on, Ordering::SeqCst);
    }
    pub fn hang(&self) -> bool {
        self.hang.load(Ordering::SeqCst)
    }
    /// Writes fail with SSH_FX_FAILURE "no space left on device".
    pub fn set_disk_full(&self, on: bool) {
        self.disk_full.store(on, Ordering::SeqCst);
    }
    pub fn disk_full(&self) -> bool {
        self.disk_full.load(Ordering::SeqCst)
    }
    /// New connections are served the replacement host key.
    pub fn set_replace_host_key(&self, on: bool) {
        self.replace_host_key.store(on, Ordering::SeqCst);
    }
    pub fn replace_host_key(&self) -> bool {
        self.replace_host_key.load(Ordering::SeqCst)
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("host key {path}: {message}")]
    HostKey { path: String, message: String },
    #[error("authorized key {index}: {message}")]
    AuthorizedKey { index: usize, message: String },
    #[error("root {path}: {message}")]
    Root { path: String, message: String },
    #[error("cannot listen on 127.0.0.1: {0}")]
    Bind(std::io::Error),
}

/// The in-process SFTP server.
pub struct SftpServer;

impl SftpServer {
    /// Starts serving on `127.0.0.1:<free port>`.
    pub async fn start(settings: ServerSettings) -> Result<RunningServer, ServerError> {
        let root = settings
            .root
            .canonicalize()
            .map_err(|e| ServerError::Root {
                path: settings.root.display().to_string(),
                message: e.to_string(),
            })?;
        if !root.is_dir() {
            return Err(ServerError::Root {
                path: root.display().to_string(),
                message: "not a directory".into(),
            });
        }
        let key = match &settings.host_key {
            HostKey::Generate => generate_ed25519()?,
            HostKey::File(path) => {
                russh::keys::load_secret_key(path, None).map_err(|e| ServerError::HostKey {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?
            }
        };
        let replacement = generate_ed25519()?;
        let authorized = settings
            .authorized_keys
            .iter()
            .enumerate()
            .map(|(index, line)| {
                PublicKey::from_openssh(line.trim()).map_err(|e| ServerError::AuthorizedKey {
                    index,
                    message: e.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;

        let mut methods = MethodSet::empty();
        if !authorized.is_empty() {
            methods.push(MethodKind::PublicKey);
        }
        if settings.password.is_some() {
            methods.push(MethodKind::Password);
        }
        let config = |key: PrivateKey| {
            Arc::new(server::Config {
                keys: vec![key],
                methods: methods.clone(),
                auth_rejection_time: Duration::from_millis(20),
                auth_rejection_time_initial: Some(Duration::ZERO),
                inactivity_timeout: Some(Duration::from_secs(600)),
                nodelay: true,
                ..Default::default()
            })
        };
        let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
        let public_key = key
            .public_key()
            .to_openssh()
            .map_err(|e| ServerError::HostKey {
                path: "generated".into(),
                message: e.to_string(),
            })?;
        let replacement_fingerprint = replacement.fingerprint(HashAlg::Sha256).to_string();
        let configs = (config(key), config(replacement));

        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(ServerError::Bind)?;
        let addr = listener.local_addr().map_err(ServerError::Bind)?;
        let shared = Arc::new(Shared {
            root,
            user: settings.user,
            authorized,
            password: settings.password,
            faults: settings.faults.clone(),
            stopped: AtomicBool::new(false),
            sessions: StdMutex::new(HashMap::new()),
            next_session: AtomicU64::new(0),
        });
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        let accept = tokio::spawn(accept_loop(listener, configs, shared.clone(), stop_rx));
        tracing::info!(%addr, host_key = %fingerprint, "In-process SFTP server listening.");
        Ok(RunningServer {
            addr,
            fingerprint,
            public_key,
            replacement_fingerprint,
            shared,
            stop,
            accept: Some(accept),
        })
    }
}

/// A started server; dropping it (or [`RunningServer::stop`]) stops it and closes
/// every session.
pub struct RunningServer {
    addr: SocketAddr,
    fingerprint: String,
    public_key: String,
    replacement_fingerprint: String,
    shared: Arc<Shared>,
    stop: tokio::sync::watch::Sender<bool>,
    accept: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for RunningServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningServer")
            .field("addr", &self.addr)
            .field("host_key", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl RunningServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
    /// The served host key's `SHA256:` fingerprint (before `replace_host_key`).
    pub fn host_key_fingerprint(&self) -> &str {
        &self.fingerprint
    }
    /// The host key as an OpenSSH public key line (for a known_hosts file).
    pub fn host_public_key(&self) -> &str {
        &self.public_key
    }
    /// The fingerprint served once `replace_host_key` is on.
    pub fn replacement_host_key_fingerprint(&self) -> &str {
        &self.replacement_fingerprint
    }
    pub fn faults(&self) -> &Arc<Faults> {
        &self.shared.faults
    }
    /// The served directory (canonical).
    pub fn root(&self) -> &Path {
        &self.shared.root
    }

    /// Stops accepting, disconnects every session and waits for the listener to close.
    pub async fn stop(mut self) {
        self.shutdown();
        let sessions = std::mem::take(&mut *lock(&self.shared.sessions));
        for session in sessions.into_values() {
            let _ = tokio::time::timeout(
                Duration::from_secs(1),
                session.disconnect(
                    russh::Disconnect::ByApplication,
                    "server stopping".into(),
                    "en".into(),
                ),
            )
            .await;
        }
        if let Some(accept) = self.accept.take() {
            let _ = tokio::time::timeout(Duration::from_secs(1), accept).await;
        }
    }

    fn shutdown(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        let _ = self.stop.send(true);
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.shutdown();
        if let Some(accept) = self.accept.take() {
            accept.abort();
        }
        let sessions = std::mem::take(&mut *lock(&self.shared.sessions));
        if !sessions.is_empty()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                for session in sessions.into_values() {
                    let _ = tokio::time::timeout(
                        Duration::from_secs(1),
                        session.disconnect(
                            russh::Disconnect::ByApplication,
                            "server stopping".into(),
                            "en".into(),
                        ),
                    )
                    .await;
                }
            });
        }
    }
}

/// State shared by the listener and every session.
struct Shared {
    root: PathBuf,
    user: String,
    authorized: Vec<PublicKey>,
    password: Option<SecretString>,
    faults: Arc<Faults>,
    stopped: AtomicBool,
    /// Live sessions, to disconnect on stop.
    sessions: StdMutex<HashMap<u64, server::Handle>>,
    next_session: AtomicU64,
}

fn lock<T>(m: &StdMutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    configs: (Arc<server::Config>, Arc<server::Config>),
    shared: Arc<Shared>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let (stream, peer) = tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "In-process SFTP server cannot accept; retrying.");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let config = if shared.faults.replace_host_key() {
            configs.1.clone()
        } else {
            configs.0.clone()
        };
        let handler = SshHandler {
            shared: shared.clone(),
            channels: HashMap::new(),
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            match server::run_stream(config, stream, handler).await {
                Ok(running) => {
                    let id = shared.next_session.fetch_add(1, Ordering::SeqCst);
                    lock(&shared.sessions).insert(id, running.handle());
                    if let Err(e) = running.await {
                        tracing::debug!(%peer, error = %e, "In-process SFTP session ended with an error.");
                    }
                    lock(&shared.sessions).remove(&id);
                }
                Err(e) => {
                    tracing::debug!(%peer, error = %e, "In-process SFTP session did not start.")
                }
            }
        });
    }
}

/// One SSH connection.
struct SshHandler {
    shared: Arc<Shared>,
    channels: HashMap<ChannelId, Channel<Msg>>,
}

impl SshHandler {
    fn key_accepted(&self, user: &str, key: &PublicKey) -> bool {
        user == self.shared.user
            && self
                .shared
                .authorized
                .iter()
                .any(|k| k.key_data() == key.key_data())
    }
}

impl server::Handler for SshHandler {
    type Error = russh::Error;

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        offer: server::PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        Ok(if self.key_accepted(user, offer.public_key) {
            Auth::Accept
        } else {
            Auth::reject()
        })
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        Ok(if self.key_accepted(user, key.public_key) {
            Auth::Accept
        } else {
            Auth::reject()
        })
    }

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        let accepted = user == self.shared.user
            && self
                .shared
                .password
                .as_ref()
                .is_some_and(|p| p.expose_secret() == password);
        Ok(if accepted {
            Auth::Accept
        } else {
            Auth::reject()
        })
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.channels.insert(channel.id(), channel);
        reply.accept().await;
        Ok(())
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        match (name, self.channels.remove(&channel)) {
            ("sftp", Some(open)) => {
                session.channel_success(channel)?;
                let fs = FsHandler {
                    shared: self.shared.clone(),
                    session: session.handle(),
                    handles: HashMap::new(),
                    next_handle: 0,
                    dropped: false,
                };
                russh_sftp::server::run(open.into_stream(), fs).await;
            }
            _ => session.channel_failure(channel)?,
        }
        Ok(())
    }
}

enum Open {
    File { file: std::fs::File, written: u64 },
    Dir { path: PathBuf, listed: bool },
}

/// The SFTP requests of one channel, served from the root directory.
struct FsHandler {
    shared: Arc<Shared>,
    session: server::Handle,
    handles: HashMap<String, Open>,
    next_handle: u64,
    /// The connection was dropped by the `drop_after_bytes` fault.
    dropped: bool,
}

fn ok(id: u32) -> Status {
    Status {
        id,
        status_code: StatusCode::Ok,
        error_message: "Ok".into(),
        language_tag: "en-US".into(),
    }
}

fn failure(message: &str) -> StatusReply {
    StatusCode::Failure.with_message(message)
}

fn io_status(e: std::io::Error) -> StatusReply {
    match e.kind() {
        std::io::ErrorKind::NotFound => StatusCode::NoSuchFile.with_message("No such file"),
        std::io::ErrorKind::PermissionDenied => {
            StatusCode::PermissionDenied.with_message("Permission denied")
        }
        _ => failure(&e.to_string()),
    }
}

fn attributes(meta: &std::fs::Metadata) -> FileAttributes {
    let mut attrs = FileAttributes::from(meta);
    // The full st_mode, so symlinks and other types keep their type bits.
    attrs.permissions = Some(meta.mode());
    attrs
}

impl FsHandler {
    /// Holds the request while the `hang` fault is on (until the server stops).
    async fn gate(&self) -> Result<(), StatusReply> {
        while self.shared.faults.hang() && !self.shared.stopped.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if self.dropped || self.shared.stopped.load(Ordering::SeqCst) {
            return Err(StatusCode::ConnectionLost.into());
        }
        Ok(())
    }

    fn resolve(&self, path: &str) -> Result<PathBuf, StatusReply> {
        resolve_in(&self.shared.root, path)
    }

    /// The client's view of a real path inside the root.
    fn virtual_path(&self, real: &Path) -> String {
        let relative = real.strip_prefix(&self.shared.root).unwrap_or(real);
        let mut out = String::from("/");
        let parts: Vec<_> = relative
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        out.push_str(&parts.join("/"));
        out
    }

    fn insert(&mut self, open: Open) -> String {
        self.next_handle += 1;
        let handle = format!("h{}", self.next_handle);
        self.handles.insert(handle.clone(), open);
        handle
    }

    async fn drop_connection(&mut self) {
        self.dropped = true;
        tracing::info!("In-process SFTP server drops the connection (fault injection).");
        let _ = tokio::time::timeout(
            Duration::from_secs(1),
            self.session.disconnect(
                russh::Disconnect::ConnectionLost,
                "connection dropped".into(),
                "en".into(),
            ),
        )
        .await;
    }
}

impl russh_sftp::server::Handler for FsHandler {
    type Error = StatusReply;

    fn unimplemented(&self) -> Self::Error {
        StatusCode::OpUnsupported.into()
    }

    async fn init(
        &mut self,
        _version: u32,
        _extensions: HashMap<String, String>,
    ) -> Result<Version, Self::Error> {
        self.gate().await?;
        Ok(Version::new())
    }

    async fn open(
        &mut self,
        id: u32,
        filename: String,
        pflags: OpenFlags,
        _attrs: FileAttributes,
    ) -> Result<Handle, Self::Error> {
        self.gate().await?;
        let path = self.resolve(&filename)?;
        let file = std::fs::OpenOptions::from(pflags)
            .open(&path)
            .map_err(io_status)?;
        if file.metadata().map_err(io_status)?.is_dir() {
            return Err(failure("is a directory"));
        }
        let handle = self.insert(Open::File { file, written: 0 });
        Ok(Handle { id, handle })
    }

    async fn close(&mut self, id: u32, handle: String) -> Result<Status, Self::Error> {
        self.gate().await?;
        match self.handles.remove(&handle) {
            Some(_) => Ok(ok(id)),
            None => Err(failure("invalid handle")),
        }
    }

    async fn read(
        &mut self,
        id: u32,
        handle: String,
        offset: u64,
        len: u32,
    ) -> Result<Data, Self::Error> {
        self.gate().await?;
        let Some(Open::File { file, .. }) = self.handles.get(&handle) else {
            return Err(failure("invalid handle"));
        };
        let mut data = vec![0u8; (len as usize).min(256 * 1024)];
        let n = file.read_at(&mut data, offset).map_err(io_status)?;
        if n == 0 {
            return Err(StatusCode::Eof.into());
        }
        data.truncate(n);
        Ok(Data { id, data })
    }

    async fn write(
        &mut self,
        id: u32,
        handle: String,
        offset: u64,
        mut data: Vec<u8>,
    ) -> Result<Status, Self::Error> {
        self.gate().await?;
        if self.shared.faults.disk_full() {
            return Err(failure("no space left on device"));
        }
        let limit = self.shared.faults.drop_after_bytes();
        let Some(Open::File { file, written }) = self.handles.get_mut(&handle) else {
            return Err(failure("invalid handle"));
        };
        let mut drop_now = false;
        if let Some(limit) = limit {
            let room = limit.saturating_sub(*written);
            if data.len() as u64 >= room {
                data.truncate(room as usize);
                drop_now = true;
            }
        }
        file.write_all_at(&data, offset).map_err(io_status)?;
        *written += data.len() as u64;
        if drop_now {
            self.drop_connection().await;
            return Err(StatusCode::ConnectionLost.into());
        }
        Ok(ok(id))
    }

    async fn lstat(&mut self, id: u32, path: String) -> Result<Attrs, Self::Error> {
        self.gate().await?;
        let real = self.resolve(&path)?;
        let meta = std::fs::symlink_metadata(real).map_err(io_status)?;
        Ok(Attrs {
            id,
            attrs: attributes(&meta),
        })
    }

    async fn stat(&mut self, id: u32, path: String) -> Result<Attrs, Self::Error> {
        self.gate().await?;
        let real = self.resolve(&path)?;
        let meta = std::fs::metadata(real).map_err(io_status)?;
        Ok(Attrs {
            id,
            attrs: attributes(&meta),
        })
    }

    async fn fstat(&mut self, id: u32, handle: String) -> Result<Attrs, Self::Error> {
        self.gate().await?;
        let meta = match self.handles.get(&handle) {
            Some(Open::File { file, .. }) => file.metadata().map_err(io_status)?,
            Some(Open::Dir { path, .. }) => std::fs::metadata(path).map_err(io_status)?,
            None => return Err(failure("invalid handle")),
        };
        Ok(Attrs {
            id,
            attrs: attributes(&meta),
        })
    }

    async fn setstat(
        &mut self,
        id: u32,
        _path: String,
        _attrs: FileAttributes,
    ) -> Result<Status, Self::Error> {
        self.gate().await?;
        Ok(ok(id))
    }

    async fn fsetstat(
        &mut self,
        id: u32,
        _handle: String,
        _attrs: FileAttributes,
    ) -> Result<Status, Self::Error> {
        self.gate().await?;
        Ok(ok(id))
    }

    async fn opendir(&mut self, id: u32, path: String) -> Result<Handle, Self::Error> {
        self.gate().await?;
        let real = self.resolve(&path)?;
        if !std::fs::metadata(&real).map_err(io_status)?.is_dir() {
            return Err(failure("not a directory"));
        }
        let handle = self.insert(Open::Dir {
            path: real,
            listed: false,
        });
        Ok(Handle { id, handle })
    }

    async fn readdir(&mut self, id: u32, handle: String) -> Result<Name, Self::Error> {
        self.gate().await?;
        let Some(Open::Dir { path, listed }) = self.handles.get_mut(&handle) else {
            return Err(failure("invalid handle"));
        };
        if *listed {
            return Err(StatusCode::Eof.into());
        }
        *listed = true;
        let mut files = Vec::new();
        for entry in std::fs::read_dir(path).map_err(io_status)? {
            let entry = entry.map_err(io_status)?;
            let Ok(meta) = entry.path().symlink_metadata() else {
                continue; // removed meanwhile
            };
            files.push(File::new(
                entry.file_name().to_string_lossy().into_owned(),
                attributes(&meta),
            ));
        }
        Ok(Name { id, files })
    }

    async fn remove(&mut self, id: u32, filename: String) -> Result<Status, Self::Error> {
        self.gate().await?;
        let real = self.resolve(&filename)?;
        std::fs::remove_file(real).map_err(io_status)?;
        Ok(ok(id))
    }

    async fn mkdir(
        &mut self,
        id: u32,
        path: String,
        _attrs: FileAttributes,
    ) -> Result<Status, Self::Error> {
        self.gate().await?;
        let real = self.resolve(&path)?;
        std::fs::create_dir(real).map_err(io_status)?;
        Ok(ok(id))
    }

    async fn rmdir(&mut self, id: u32, path: String) -> Result<Status, Self::Error> {
        self.gate().await?;
        let real = self.resolve(&path)?;
        if real == self.shared.root {
            return Err(StatusCode::PermissionDenied.into());
        }
        std::fs::remove_dir(real).map_err(io_status)?;
        Ok(ok(id))
    }

    async fn realpath(&mut self, id: u32, path: String) -> Result<Name, Self::Error> {
        self.gate().await?;
        let real = self.resolve(&path)?;
        Ok(Name {
            id,
            files: vec![File::dummy(self.virtual_path(&real))],
        })
    }

    async fn rename(
        &mut self,
        id: u32,
        oldpath: String,
        newpath: String,
    ) -> Result<Status, Self::Error> {
        self.gate().await?;
        if self.shared.faults.refuse_rename() {
            return Err(failure("rename refused"));
        }
        let from = self.resolve(&oldpath)?;
        let to = self.resolve(&newpath)?;
        std::fs::symlink_metadata(&from).map_err(io_status)?;
        // As OpenSSH's SSH_FXP_RENAME: never replace an existing file.
        if std::fs::symlink_metadata(&to).is_ok() {
            return Err(failure("target exists"));
        }
        std::fs::rename(from, to).map_err(io_status)?;
        Ok(ok(id))
    }
}

/// The real path for a client path (absolute or relative to `/`, which is `root`).
/// `..` above the root and symlinks leading out of it are refused.
fn resolve_in(root: &Path, path: &str) -> Result<PathBuf, StatusReply> {
    let outside = || StatusCode::PermissionDenied.with_message("outside the served directory");
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop().ok_or_else(outside)?;
            }
            part => parts.push(part),
        }
    }
    let mut real = root.to_path_buf();
    real.extend(&parts);
    // The deepest existing ancestor must stay inside the root after following links.
    let mut existing = real.as_path();
    loop {
        match existing.canonicalize() {
            Ok(canonical) if canonical.starts_with(root) => break,
            Ok(_) => return Err(outside()),
            Err(_) => match existing.parent() {
                Some(parent) if existing != root => existing = parent,
                _ => break,
            },
        }
    }
    Ok(real)
}

/// A fresh Ed25519 key from the kernel's random source.
fn generate_ed25519() -> Result<PrivateKey, ServerError> {
    let mut seed = secrecy::zeroize::Zeroizing::new([0u8; 32]);
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut *seed))
        .map_err(|e| ServerError::HostKey {
            path: "/dev/urandom".into(),
            message: e.to_string(),
        })?;
    let pair = russh::keys::ssh_key::private::Ed25519Keypair::from_seed(&seed);
    Ok(PrivateKey::from(pair))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("inbox")).unwrap();
        std::os::unix::fs::symlink("/etc", dir.path().join("inbox/etc")).unwrap();
        let root = dir.path().canonicalize().unwrap();
        let resolve = |p: &str| resolve_in(&root, p).map_err(|r| r.status_code);
        assert_eq!(resolve("inbox/a.xml").unwrap(), root.join("inbox/a.xml"));
        assert_eq!(resolve("/inbox/../inbox/a").unwrap(), root.join("inbox/a"));
        assert_eq!(resolve("/").unwrap(), root);
        assert_eq!(resolve("..").unwrap_err(), StatusCode::PermissionDenied);
        assert_eq!(
            resolve("/inbox/../../x").unwrap_err(),
            StatusCode::PermissionDenied
        );
        assert_eq!(
            resolve("inbox/etc/passwd").unwrap_err(),
            StatusCode::PermissionDenied
        );
    }

    #[test]
    fn faults_switch_live() {
        let faults = Faults::default();
        assert_eq!(faults.drop_after_bytes(), None);
        faults.set_drop_after_bytes(Some(10));
        assert_eq!(faults.drop_after_bytes(), Some(10));
        faults.set_hang(true);
        assert!(faults.hang());
    }
}
