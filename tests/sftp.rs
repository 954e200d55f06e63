//! The SFTP transport against real servers: OpenSSH `sshd` on 127.0.0.1 (started per
//! test by `common::sshd`) for compatibility, and the in-process server
//! (`transport::sftp_server`) for faults OpenSSH cannot be made to show on demand.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bankgate::config::{SecretSource, SftpEndpoint};
use bankgate::transport::sftp::{SftpTransport, key_info};
use bankgate::transport::sftp_server::{RunningServer, ServerSettings, SftpServer};
use bankgate::transport::{Disposal, Transport, TransportError};
use common::sshd::{self, Sshd};

const MIB: usize = 1024 * 1024;

/// A file of `len` random bytes.
fn random_file(dir: &Path, name: &str, len: usize) -> PathBuf {
    let mut bytes = vec![0u8; len];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .expect("read /dev/urandom");
    let path = dir.join(name);
    std::fs::write(&path, &bytes).unwrap();
    path
}

/// SHA-256 by coreutils' `sha256sum` (the sha2 crate unoptimized in test builds
/// takes 8 s per 64 MiB).
fn sha256(path: &Path) -> String {
    let out = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("run sha256sum");
    assert!(out.status.success(), "sha256sum {}", path.display());
    let text = String::from_utf8(out.stdout).unwrap();
    let digest = text.split_whitespace().next().unwrap().to_owned();
    assert_eq!(digest.len(), 64, "{text}");
    digest
}

/// The names in a directory, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------------
// Against OpenSSH sshd

#[tokio::test]
async fn round_trip_against_openssh() {
    let sshd = Sshd::start();
    let link = SftpTransport::new(sshd.endpoint());
    assert_eq!(
        link.describe(),
        format!("sftp://{}@127.0.0.1:{}", sshd.user, sshd.port)
    );
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("pain.xml");
    std::fs::write(&src, b"<Document/>").unwrap();

    link.upload("pain.001.xml", &src).await.unwrap();
    assert_eq!(names(&sshd.bank().join("inbox")), ["pain.001.xml"]);
    assert_eq!(
        std::fs::read(sshd.bank().join("inbox/pain.001.xml")).unwrap(),
        b"<Document/>"
    );
    assert_eq!(link.outbound_size("pain.001.xml").await.unwrap(), Some(11));
    assert_eq!(link.outbound_size("other.xml").await.unwrap(), None);

    let outbox = sshd.bank().join("outbox");
    std::fs::write(outbox.join("pain.002.xml"), b"12345").unwrap();
    std::fs::write(outbox.join("camt.053.xml"), b"123").unwrap();
    std::fs::write(outbox.join("half.xml.part"), b"x").unwrap();
    std::fs::write(outbox.join(".hidden"), b"x").unwrap();
    std::fs::create_dir(outbox.join("archive")).unwrap();
    std::os::unix::fs::symlink(outbox.join("camt.053.xml"), outbox.join("link.xml")).unwrap();

    let listed = link.list_inbound().await.unwrap();
    let got: Vec<_> = listed.iter().map(|e| (e.name.as_str(), e.size)).collect();
    assert_eq!(got, [("camt.053.xml", 3), ("pain.002.xml", 5)]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mtime = listed[1].modified.expect("sshd reports mtime");
    assert!((now - mtime).abs() < 120, "mtime {mtime} vs now {now}");

    assert!(matches!(
        link.download("pain.002.xml", 4).await,
        Err(TransportError::TooLarge {
            size: 5,
            limit: 4,
            ..
        })
    ));
    assert_eq!(link.download("pain.002.xml", 5).await.unwrap(), b"12345");
    link.dispose("pain.002.xml", &Disposal::MoveTo("done/2026".into()))
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(outbox.join("done/2026/pain.002.xml")).unwrap(),
        b"12345"
    );
    link.dispose("camt.053.xml", &Disposal::Delete)
        .await
        .unwrap();
    assert!(!outbox.join("camt.053.xml").exists());
    link.dispose("camt.053.xml", &Disposal::Delete)
        .await
        .expect("deleting what is gone is done");
    link.dispose("link.xml", &Disposal::Leave).await.unwrap();
    assert!(link.list_inbound().await.unwrap().is_empty());
    assert!(matches!(
        link.download("../inbox/pain.001.xml", 100).await,
        Err(TransportError::Configuration(_))
    ));
}

#[tokio::test]
async fn upload_without_rename_writes_the_final_name_only() {
    let sshd = Sshd::start();
    let mut endpoint = sshd.endpoint();
    endpoint.allow_rename = false;
    let link = SftpTransport::new(endpoint);
    let local = tempfile::tempdir().unwrap();
    let src = random_file(local.path(), "a", 100_000);
    link.upload("a.xml", &src).await.unwrap();
    assert_eq!(names(&sshd.bank().join("inbox")), ["a.xml"]);
    assert_eq!(sha256(&sshd.bank().join("inbox/a.xml")), sha256(&src));
    // Uploading again overwrites in place (no rename that would refuse a target).
    let src = random_file(local.path(), "b", 1000);
    link.upload("a.xml", &src).await.unwrap();
    assert_eq!(sha256(&sshd.bank().join("inbox/a.xml")), sha256(&src));
}

#[tokio::test]
async fn wrong_pinned_fingerprint_stops_before_authentication() {
    let sshd = Sshd::start();
    let other = tempfile::tempdir().unwrap();
    sshd::keygen(&other.path().join("k"), "");
    let wrong = sshd::fingerprint(&other.path().join("k.pub"));
    let mut endpoint = sshd.endpoint();
    endpoint.host_key_fingerprints = vec![wrong.clone()];
    let link = SftpTransport::new(endpoint);
    let local = tempfile::tempdir().unwrap();
    let src = random_file(local.path(), "a", 1000);

    let e = link.upload("a.xml", &src).await.unwrap_err();
    match &e {
        TransportError::HostKeyMismatch { host, seen, pinned } => {
            assert_eq!(host, &format!("127.0.0.1:{}", sshd.port));
            assert_eq!(seen, &sshd.host_fingerprint);
            assert_eq!(pinned, &wrong);
        }
        other => panic!("expected HostKeyMismatch, got {other:?}"),
    }
    assert!(!e.retryable());
    assert!(names(&sshd.bank().join("inbox")).is_empty());
    assert!(matches!(
        link.list_inbound().await,
        Err(TransportError::HostKeyMismatch { .. })
    ));
    // The server never saw an authentication attempt.
    std::thread::sleep(Duration::from_millis(50));
    let log = sshd.log();
    assert!(
        !log.iter()
            .any(|l| l.contains("Accepted") || l.contains("publickey")),
        "{log:?}"
    );
}

#[tokio::test]
async fn known_hosts_file_pins_the_key() {
    let sshd = Sshd::start();
    let mut endpoint = sshd.endpoint();
    endpoint.host_key_fingerprints.clear();
    endpoint.known_hosts = Some(sshd.known_hosts());
    let link = SftpTransport::new(endpoint.clone());
    let local = tempfile::tempdir().unwrap();
    let src = random_file(local.path(), "a", 1000);
    link.upload("a.xml", &src).await.unwrap();
    assert_eq!(names(&sshd.bank().join("inbox")), ["a.xml"]);

    // The same file naming another key for this host: refused.
    let other = tempfile::tempdir().unwrap();
    sshd::keygen(&other.path().join("k"), "");
    let hosts = other.path().join("known_hosts");
    std::fs::write(
        &hosts,
        format!(
            "[127.0.0.1]:{} {}\n",
            sshd.port,
            sshd::public_key_line(&other.path().join("k.pub"))
        ),
    )
    .unwrap();
    endpoint.known_hosts = Some(hosts);
    let e = SftpTransport::new(endpoint.clone())
        .upload("b.xml", &src)
        .await
        .unwrap_err();
    assert!(matches!(e, TransportError::HostKeyMismatch { .. }), "{e:?}");
    // A configured known_hosts file that is missing is a configuration error.
    endpoint.known_hosts = Some(other.path().join("missing"));
    let e = SftpTransport::new(endpoint)
        .upload("b.xml", &src)
        .await
        .unwrap_err();
    assert!(matches!(e, TransportError::Configuration(_)), "{e:?}");
    assert_eq!(names(&sshd.bank().join("inbox")), ["a.xml"]);
}

#[tokio::test]
async fn unknown_client_key_is_refused_and_not_retryable() {
    let sshd = Sshd::start();
    let other = tempfile::tempdir().unwrap();
    sshd::keygen(&other.path().join("k"), "");
    let mut endpoint = sshd.endpoint();
    endpoint.private_key = Some(SecretSource::File(other.path().join("k")));
    let link = SftpTransport::new(endpoint);
    let e = link.list_inbound().await.unwrap_err();
    match &e {
        TransportError::AuthenticationRefused { host, user } => {
            assert_eq!(host, &format!("127.0.0.1:{}", sshd.port));
            assert_eq!(user, &sshd.user);
        }
        other => panic!("expected AuthenticationRefused, got {other:?}"),
    }
    assert!(!e.retryable());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_64_mib_file_arrives_intact() {
    let sshd = Sshd::start();
    let link = SftpTransport::new(sshd.endpoint());
    let local = tempfile::tempdir().unwrap();
    let src = random_file(local.path(), "big", 64 * MIB);
    link.upload("big.bin", &src).await.unwrap();
    assert_eq!(names(&sshd.bank().join("inbox")), ["big.bin"]);
    assert_eq!(
        link.outbound_size("big.bin").await.unwrap(),
        Some(64 * MIB as u64)
    );
    assert_eq!(sha256(&sshd.bank().join("inbox/big.bin")), sha256(&src));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sshd_killed_mid_upload_then_a_retry_delivers_once() {
    let mut sshd = Sshd::start();
    let link = std::sync::Arc::new(SftpTransport::new(sshd.endpoint()));
    let local = tempfile::tempdir().unwrap();
    let src = random_file(local.path(), "big", 64 * MIB);
    let part = sshd.bank().join("inbox/big.bin.part");

    let upload = {
        let (link, src) = (link.clone(), src.clone());
        tokio::spawn(async move { link.upload("big.bin", &src).await })
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0) < MIB as u64 {
        assert!(Instant::now() < deadline, "the upload never started");
        assert!(
            !upload.is_finished(),
            "the upload ended before sshd was killed"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    sshd.kill();
    let e = tokio::time::timeout(Duration::from_secs(15), upload)
        .await
        .expect("the upload ends once the server is gone")
        .unwrap()
        .unwrap_err();
    assert!(e.retryable(), "{e:?}");
    assert!(!sshd.bank().join("inbox/big.bin").exists());
    let written = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    assert!(written < 64 * MIB as u64, "{written} bytes were written");

    sshd.restart();
    link.upload("big.bin", &src).await.unwrap();
    assert_eq!(names(&sshd.bank().join("inbox")), ["big.bin"]);
    assert_eq!(sha256(&sshd.bank().join("inbox/big.bin")), sha256(&src));
    // Delivered: the engine's check before any re-send sees it with the right size.
    assert_eq!(
        link.outbound_size("big.bin").await.unwrap(),
        Some(64 * MIB as u64)
    );
}

#[tokio::test]
async fn one_transport_reconnects_after_the_server_restarted() {
    let mut sshd = Sshd::start();
    let link = SftpTransport::new(sshd.endpoint());
    let local = tempfile::tempdir().unwrap();
    let src = random_file(local.path(), "a", 1000);
    link.upload("a.xml", &src).await.unwrap();
    link.upload("b.xml", &src).await.unwrap();
    let logins = |sshd: &Sshd| {
        sshd.log()
            .iter()
            .filter(|l| l.contains("Accepted publickey"))
            .count()
    };
    // One session served both calls.
    assert_eq!(logins(&sshd), 1, "{:?}", sshd.log());
    sshd.restart();
    link.upload("c.xml", &src).await.unwrap();
    assert_eq!(
        names(&sshd.bank().join("inbox")),
        ["a.xml", "b.xml", "c.xml"]
    );
}

// ---------------------------------------------------------------------------------
// Against the in-process server

struct InProcess {
    server: RunningServer,
    endpoint: SftpEndpoint,
    _dir: tempfile::TempDir,
    root: PathBuf,
    local: PathBuf,
}

/// An in-process server over a fresh `root/{inbox,outbox}` accepting one client key.
async fn in_process() -> InProcess {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let local = dir.path().join("local");
    for sub in [&root.join("inbox"), &root.join("outbox"), &local] {
        std::fs::create_dir_all(sub).unwrap();
    }
    let key = dir.path().join("client_ed25519");
    sshd::keygen(&key, "");
    let mut settings = ServerSettings::new(&root, "bank-test");
    settings.authorized_keys = vec![std::fs::read_to_string(key.with_extension("pub")).unwrap()];
    let server = SftpServer::start(settings).await.unwrap();
    let endpoint = SftpEndpoint {
        host: "127.0.0.1".into(),
        port: server.port(),
        user: "bank-test".into(),
        private_key: Some(SecretSource::File(key)),
        passphrase: None,
        password: None,
        host_key_fingerprints: vec![server.host_key_fingerprint().to_owned()],
        known_hosts: None,
        outbound_dir: "/inbox".into(),
        inbound_dir: "outbox".into(),
        allow_rename: true,
        connect_timeout_seconds: 5,
        io_timeout_seconds: 5,
        keepalive_seconds: 5,
        legacy_algorithms: false,
    };
    InProcess {
        server,
        endpoint,
        root,
        local,
        _dir: dir,
    }
}

#[tokio::test]
async fn in_process_server_round_trip() {
    let t = in_process().await;
    let link = SftpTransport::new(t.endpoint.clone());
    let src = random_file(&t.local, "a", 300_000);
    link.upload("a.xml", &src).await.unwrap();
    assert_eq!(names(&t.root.join("inbox")), ["a.xml"]);
    assert_eq!(sha256(&t.root.join("inbox/a.xml")), sha256(&src));
    assert_eq!(link.outbound_size("a.xml").await.unwrap(), Some(300_000));
    std::fs::copy(&src, t.root.join("outbox/r.xml")).unwrap();
    std::fs::write(t.root.join("outbox/r.xml.part"), b"x").unwrap();
    let listed = link.list_inbound().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].name.as_str(), listed[0].size),
        ("r.xml", 300_000)
    );
    assert!(listed[0].modified.is_some());
    assert_eq!(
        link.download("r.xml", 300_000).await.unwrap(),
        std::fs::read(&src).unwrap()
    );
    link.dispose("r.xml", &Disposal::MoveTo("../archive".into()))
        .await
        .unwrap();
    assert!(t.root.join("archive/r.xml").is_file());
    // A second upload of the same name is refused by rename (never overwrites).
    assert!(link.upload("a.xml", &src).await.is_err());
    assert_eq!(names(&t.root.join("inbox")), ["a.xml"]);
}

#[tokio::test]
async fn refused_rename_leaves_no_file() {
    let t = in_process().await;
    t.server.faults().set_refuse_rename(true);
    let link = SftpTransport::new(t.endpoint.clone());
    let src = random_file(&t.local, "a", 100_000);
    let e = link.upload("a.xml", &src).await.unwrap_err();
    assert!(
        matches!(&e, TransportError::Io { operation: "rename", message, .. } if message.contains("rename refused")),
        "{e:?}"
    );
    assert!(names(&t.root.join("inbox")).is_empty());
    t.server.faults().set_refuse_rename(false);
    link.upload("a.xml", &src).await.unwrap();
    assert_eq!(names(&t.root.join("inbox")), ["a.xml"]);
}

#[tokio::test]
async fn dropped_connection_is_retryable_and_the_retry_delivers() {
    let t = in_process().await;
    t.server.faults().set_drop_after_bytes(Some(200_000));
    let link = SftpTransport::new(t.endpoint.clone());
    let src = random_file(&t.local, "a", 2 * MIB);
    let e = link.upload("a.xml", &src).await.unwrap_err();
    assert!(e.retryable(), "{e:?}");
    assert!(!t.root.join("inbox/a.xml").exists());
    let part = std::fs::metadata(t.root.join("inbox/a.xml.part"))
        .map(|m| m.len())
        .ok();
    assert!(part.is_none_or(|n| n <= 200_000), "{part:?}");

    t.server.faults().set_drop_after_bytes(None);
    link.upload("a.xml", &src).await.unwrap();
    assert_eq!(names(&t.root.join("inbox")), ["a.xml"]);
    assert_eq!(sha256(&t.root.join("inbox/a.xml")), sha256(&src));
}

#[tokio::test]
async fn replaced_host_key_is_a_mismatch() {
    let t = in_process().await;
    let src = random_file(&t.local, "a", 1000);
    SftpTransport::new(t.endpoint.clone())
        .upload("a.xml", &src)
        .await
        .unwrap();
    t.server.faults().set_replace_host_key(true);
    let e = SftpTransport::new(t.endpoint.clone())
        .upload("b.xml", &src)
        .await
        .unwrap_err();
    match &e {
        TransportError::HostKeyMismatch { seen, .. } => {
            assert_eq!(seen, t.server.replacement_host_key_fingerprint())
        }
        other => panic!("expected HostKeyMismatch, got {other:?}"),
    }
    assert!(!e.retryable());
    assert_eq!(names(&t.root.join("inbox")), ["a.xml"]);
}

#[tokio::test]
async fn full_disk_fails_and_removes_the_temporary_file() {
    let t = in_process().await;
    t.server.faults().set_disk_full(true);
    let link = SftpTransport::new(t.endpoint.clone());
    let src = random_file(&t.local, "a", 500_000);
    let e = link.upload("a.xml", &src).await.unwrap_err();
    assert!(
        matches!(&e, TransportError::Io { message, .. } if message.contains("no space")),
        "{e:?}"
    );
    assert!(names(&t.root.join("inbox")).is_empty());
}

#[tokio::test]
async fn hanging_server_times_out_within_the_io_timeout() {
    let mut t = in_process().await;
    t.endpoint.io_timeout_seconds = 1;
    t.endpoint.connect_timeout_seconds = 1;
    let link = SftpTransport::new(t.endpoint.clone());
    let src = random_file(&t.local, "a", 1000);
    link.upload("a.xml", &src).await.unwrap();
    t.server.faults().set_hang(true);
    let started = Instant::now();
    let e = link.upload("b.xml", &src).await.unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(e, TransportError::Timeout { seconds: 1, .. }),
        "{e:?}"
    );
    assert!(e.retryable());
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(2500),
        "{took:?}"
    );
    // A new connection hangs too (the SFTP handshake gets no answer): bounded as well.
    let started = Instant::now();
    let e = link.list_inbound().await.unwrap_err();
    assert!(
        matches!(
            e,
            TransportError::Timeout {
                operation: "connect",
                seconds: 1
            }
        ),
        "{e:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(2500));
    t.server.faults().set_hang(false);
    assert!(link.list_inbound().await.unwrap().is_empty());
}

#[tokio::test]
async fn password_and_passphrase_files_authenticate() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("inbox")).unwrap();
    let key = dir.path().join("client_ed25519");
    sshd::keygen(&key, "key pass phrase");
    std::fs::write(dir.path().join("passphrase"), "key pass phrase\n").unwrap();
    std::fs::write(dir.path().join("password"), "s3cret-Pa55\r\n").unwrap();
    std::fs::write(dir.path().join("wrong"), "not-it\n").unwrap();
    let mut settings = ServerSettings::new(&root, "bank-test");
    settings.password = Some("s3cret-Pa55".into());
    settings.authorized_keys = vec![std::fs::read_to_string(key.with_extension("pub")).unwrap()];
    let server = SftpServer::start(settings).await.unwrap();
    let endpoint = SftpEndpoint {
        host: "127.0.0.1".into(),
        port: server.port(),
        user: "bank-test".into(),
        private_key: None,
        passphrase: None,
        password: Some(SecretSource::File(dir.path().join("password"))),
        host_key_fingerprints: vec![server.host_key_fingerprint().to_owned()],
        known_hosts: None,
        outbound_dir: "inbox".into(),
        inbound_dir: "inbox".into(),
        allow_rename: true,
        connect_timeout_seconds: 5,
        io_timeout_seconds: 5,
        keepalive_seconds: 0,
        legacy_algorithms: false,
    };
    // Password only.
    SftpTransport::new(endpoint.clone())
        .list_inbound()
        .await
        .unwrap();
    // Wrong password: refused, and the secret appears nowhere.
    let mut wrong = endpoint.clone();
    wrong.password = Some(SecretSource::File(dir.path().join("wrong")));
    let link = SftpTransport::new(wrong);
    let e = link.list_inbound().await.unwrap_err();
    assert!(
        matches!(e, TransportError::AuthenticationRefused { .. }),
        "{e:?}"
    );
    for text in [format!("{e}"), format!("{e:?}"), format!("{link:?}")] {
        assert!(
            !text.contains("not-it") && !text.contains("s3cret"),
            "{text}"
        );
    }
    // Encrypted key with its passphrase file.
    let mut keyed = endpoint.clone();
    keyed.password = None;
    keyed.private_key = Some(SecretSource::File(key.clone()));
    keyed.passphrase = Some(SecretSource::File(dir.path().join("passphrase")));
    SftpTransport::new(keyed.clone())
        .list_inbound()
        .await
        .unwrap();
    // Wrong passphrase: a configuration error naming the file, never the secret.
    keyed.passphrase = Some(SecretSource::File(dir.path().join("wrong")));
    let e = SftpTransport::new(keyed.clone())
        .list_inbound()
        .await
        .unwrap_err();
    assert!(matches!(e, TransportError::Configuration(_)), "{e:?}");
    assert!(!e.retryable());
    assert!(!format!("{e}").contains("not-it"), "{e}");
    // Encrypted key without a passphrase file.
    keyed.passphrase = None;
    let e = SftpTransport::new(keyed).list_inbound().await.unwrap_err();
    assert!(
        matches!(&e, TransportError::Configuration(m) if m.contains("encrypted")),
        "{e:?}"
    );
}

#[test]
fn key_info_matches_ssh_keygen() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k");
    sshd::keygen(&key, "");
    let expected = sshd::fingerprint(&key.with_extension("pub"));
    let private = key_info(&SecretSource::File(key.clone())).unwrap();
    assert_eq!(private, ("ssh-ed25519".to_owned(), expected.clone()));
    let public = key_info(&SecretSource::File(key.with_extension("pub"))).unwrap();
    assert_eq!(public, private);
    // An encrypted OpenSSH key still tells its public half.
    let locked = dir.path().join("locked");
    sshd::keygen(&locked, "pass phrase");
    assert_eq!(
        key_info(&SecretSource::File(locked.clone())).unwrap().1,
        sshd::fingerprint(&locked.with_extension("pub"))
    );
    std::fs::write(dir.path().join("junk"), "not a key").unwrap();
    assert!(key_info(&SecretSource::File(dir.path().join("junk"))).is_err());
    assert!(key_info(&SecretSource::File(dir.path().join("missing"))).is_err());
}

#[tokio::test]
async fn paths_outside_the_served_directory_are_refused() {
    let mut t = in_process().await;
    t.endpoint.outbound_dir = "/inbox/../../outside".into();
    let link = SftpTransport::new(t.endpoint.clone());
    let src = random_file(&t.local, "a", 1000);
    let e = link.upload("a.xml", &src).await.unwrap_err();
    assert!(
        matches!(
            e,
            TransportError::PermissionDenied {
                operation: "open",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(!e.retryable());
    let parent = t.root.parent().unwrap();
    assert!(!parent.join("outside").exists());
    assert!(names(&t.root.join("inbox")).is_empty());
}

#[tokio::test]
async fn stopped_server_closes_sessions_and_refuses_connections() {
    let t = in_process().await;
    let link = SftpTransport::new(t.endpoint.clone());
    assert!(link.list_inbound().await.unwrap().is_empty());
    t.server.stop().await;
    // The open session was closed by the server, and nobody listens any more.
    let e = link.list_inbound().await.unwrap_err();
    assert!(e.retryable(), "{e:?}");
    let e = SftpTransport::new(t.endpoint.clone())
        .list_inbound()
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            TransportError::Io {
                operation: "connect",
                ..
            }
        ),
        "{e:?}"
    );
}
