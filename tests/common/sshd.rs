//! OpenSSH `sshd` on 127.0.0.1 for SFTP tests (and `benches/sftp_upload.rs`), after
//! /work/shared/docs/sftp-testing.md recipe B: a private config in a temporary
//! directory, host and client keys made by `ssh-keygen`, a free port, `sshd -D -e`,
//! ready on "Server listening". Logs in as the user running the tests; when that is
//! root, sshd needs `/run/sshd` (privilege separation), which is created.
//!
//! `sshd` and `ssh-keygen` are required (scripts/test.sh installs openssh-server and
//! openssh-client): a missing binary fails the test with a message saying so.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bankgate::config::{SecretSource, SftpEndpoint};

/// How long sshd may take to say it listens (it takes ~15 ms).
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// A running (or stopped) sshd with its keys and the served directory.
pub struct Sshd {
    dir: tempfile::TempDir,
    binary: PathBuf,
    pub port: u16,
    pub user: String,
    /// `SHA256:...` of the host key, as `ssh-keygen -lf` prints it.
    pub host_fingerprint: String,
    /// `ssh-ed25519 AAAA...` (no comment).
    pub host_public_key: String,
    /// The client key sshd accepts (unencrypted Ed25519).
    pub client_key: PathBuf,
    child: Option<Child>,
    log: Arc<Mutex<Vec<String>>>,
}

/// The path of a required tool. A missing one fails loudly, with the package to
/// install, under CI=true and everywhere else too: a test that skips proves nothing.
fn require(tool: &str, package: &str) -> PathBuf {
    let candidates = [
        format!("/usr/sbin/{tool}"),
        format!("/usr/bin/{tool}"),
        format!("/usr/local/sbin/{tool}"),
        format!("/usr/local/bin/{tool}"),
    ];
    for c in candidates {
        if Path::new(&c).is_file() {
            return PathBuf::from(c);
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let c = dir.join(tool);
            if c.is_file() {
                return c;
            }
        }
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    panic!(
        "{tool} is required for the SFTP tests (Debian package {package}; scripts/test.sh installs it){}",
        if ci {
            " — CI=true: prerequisites must be installed, tests never skip"
        } else {
            ""
        }
    );
}

/// `ssh-keygen -t ed25519` into `path` (and `path.pub`), with an optional passphrase.
pub fn keygen(path: &Path, passphrase: &str) {
    let keygen = require("ssh-keygen", "openssh-client");
    let out = Command::new(keygen)
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            passphrase,
            "-C",
            "bankgate-test",
            "-f",
        ])
        .arg(path)
        .output()
        .expect("run ssh-keygen");
    assert!(
        out.status.success(),
        "ssh-keygen failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `SHA256:` fingerprint `ssh-keygen -lf` prints for a key file.
pub fn fingerprint(path: &Path) -> String {
    let keygen = require("ssh-keygen", "openssh-client");
    let out = Command::new(keygen)
        .arg("-lf")
        .arg(path)
        .output()
        .expect("run ssh-keygen -lf");
    assert!(out.status.success(), "ssh-keygen -lf {}", path.display());
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(1)
        .expect("ssh-keygen -lf prints bits, fingerprint, comment")
        .to_owned()
}

/// A `.pub` file's `type base64` part.
pub fn public_key_line(pub_file: &Path) -> String {
    let text = std::fs::read_to_string(pub_file).expect("read .pub");
    text.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The login name of the user running this process (sshd lets only that user in).
pub fn current_user() -> String {
    let out = Command::new("id").arg("-un").output().expect("run id -un");
    assert!(out.status.success(), "id -un failed");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

impl Sshd {
    /// Starts sshd serving a fresh directory tree `bank/{inbox,outbox}` under the
    /// system's temporary directory.
    pub fn start() -> Sshd {
        Sshd::start_in(&std::env::temp_dir())
    }

    /// As [`Sshd::start`], with the keys, configuration and served tree in a new
    /// directory under `parent` (e.g. a tmpfs, to measure without disk effects).
    pub fn start_in(parent: &Path) -> Sshd {
        let binary = require("sshd", "openssh-server");
        let dir = tempfile::tempdir_in(parent).expect("tempdir");
        let d = dir.path();
        for sub in ["sshd", "keys", "bank/inbox", "bank/outbox"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        let host_key = d.join("sshd/ssh_host_ed25519_key");
        let client_key = d.join("keys/client_ed25519");
        keygen(&host_key, "");
        keygen(&client_key, "");
        std::fs::copy(
            d.join("keys/client_ed25519.pub"),
            d.join("sshd/authorized_keys"),
        )
        .unwrap();
        let is_root = std::fs::metadata("/proc/self")
            .map(|m| m.uid())
            .unwrap_or(1)
            == 0;
        if is_root {
            // Privilege separation directory, required when sshd runs as root.
            std::fs::create_dir_all("/run/sshd").expect("create /run/sshd");
        }
        let mut sshd = Sshd {
            host_fingerprint: fingerprint(&d.join("sshd/ssh_host_ed25519_key.pub")),
            host_public_key: public_key_line(&d.join("sshd/ssh_host_ed25519_key.pub")),
            dir,
            binary,
            port: 0,
            user: current_user(),
            client_key,
            child: None,
            log: Arc::new(Mutex::new(Vec::new())),
        };
        // A port picked this way can be taken before sshd binds it: try again then.
        let mut last = String::new();
        for _ in 0..5 {
            sshd.port = free_port();
            match sshd.spawn() {
                Ok(()) => return sshd,
                Err(e) => last = e,
            }
        }
        panic!("sshd did not start: {last}");
    }

    /// The directory sshd serves (the SFTP start directory).
    pub fn bank(&self) -> PathBuf {
        self.dir.path().join("bank")
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// sshd's log lines so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// An endpoint for this sshd: pinned fingerprint, the client key, `inbox` as the
    /// outbound and `outbox` as the inbound directory, short timeouts.
    pub fn endpoint(&self) -> SftpEndpoint {
        SftpEndpoint {
            host: "127.0.0.1".into(),
            port: self.port,
            user: self.user.clone(),
            private_key: Some(SecretSource::File(self.client_key.clone())),
            passphrase: None,
            password: None,
            host_key_fingerprints: vec![self.host_fingerprint.clone()],
            known_hosts: None,
            outbound_dir: "inbox".into(),
            inbound_dir: "outbox".into(),
            allow_rename: true,
            connect_timeout_seconds: 5,
            io_timeout_seconds: 5,
            keepalive_seconds: 5,
            legacy_algorithms: false,
        }
    }

    /// Writes a known_hosts file naming this server and returns its path.
    pub fn known_hosts(&self) -> PathBuf {
        let path = self.dir.path().join("keys/known_hosts");
        std::fs::write(
            &path,
            format!("[127.0.0.1]:{} {}\n", self.port, self.host_public_key),
        )
        .unwrap();
        path
    }

    fn config(&self) -> PathBuf {
        let d = self.dir.path();
        let config = d.join("sshd/sshd_config");
        std::fs::write(
            &config,
            format!(
                "ListenAddress 127.0.0.1:{port}\n\
                 HostKey {d}/sshd/ssh_host_ed25519_key\n\
                 PidFile none\n\
                 AuthorizedKeysFile {d}/sshd/authorized_keys\n\
                 PubkeyAuthentication yes\n\
                 PasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\n\
                 UsePAM no\n\
                 StrictModes no\n\
                 MaxStartups 100:30:200\n\
                 MaxSessions 50\n\
                 Subsystem sftp internal-sftp\n\
                 ForceCommand internal-sftp -d {d}/bank\n",
                port = self.port,
                d = d.display(),
            ),
        )
        .unwrap();
        config
    }

    /// Spawns sshd and waits for "Server listening"; an error when it exits first.
    fn spawn(&mut self) -> Result<(), String> {
        let config = self.config();
        let mut child = Command::new(&self.binary)
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            // Its own process group: never hit by signals meant for the test runner.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("spawn {}: {e}", self.binary.display()))?;
        let stderr = child.stderr.take().expect("piped stderr");
        let (ready_tx, ready_rx) = mpsc::channel();
        let log = self.log.clone();
        let wanted = format!("Server listening on 127.0.0.1 port {}", self.port);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if line.contains(&wanted) {
                    let _ = ready_tx.send(());
                }
                log.lock().unwrap().push(line);
            }
        });
        let started = Instant::now();
        loop {
            match ready_rx.recv_timeout(Duration::from_millis(20)) {
                Ok(()) => {
                    self.child = Some(child);
                    return Ok(());
                }
                Err(mpsc::RecvTimeoutError::Timeout)
                | Err(mpsc::RecvTimeoutError::Disconnected) => {}
            }
            if let Ok(Some(status)) = child.try_wait() {
                std::thread::sleep(Duration::from_millis(20)); // let the reader drain
                return Err(format!("sshd exited with {status}: {:?}", self.log()));
            }
            if started.elapsed() > READY_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "sshd did not report listening within {READY_TIMEOUT:?}: {:?}",
                    self.log()
                ));
            }
        }
    }

    /// Kills sshd and every session process it forked (SIGKILL, no goodbye on the
    /// wire), as a crash or a cut network would.
    pub fn kill(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let mut pids = vec![child.id()];
        pids.extend(descendants(child.id()));
        // Children first, so none is re-parented out of reach before its signal.
        for pid in pids.iter().rev() {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
        let _ = child.wait();
        // Session processes are not our children: wait until they are gone.
        let deadline = Instant::now() + Duration::from_secs(5);
        while pids[1..]
            .iter()
            .any(|p| Path::new(&format!("/proc/{p}")).exists())
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Starts sshd again on the same port with the same keys.
    pub fn restart(&mut self) {
        self.kill();
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            match self.spawn() {
                Ok(()) => return,
                Err(e) if Instant::now() < deadline => {
                    eprintln!("sshd restart on port {} failed, retrying: {e}", self.port);
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("sshd did not restart on port {}: {e}", self.port),
            }
        }
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Every process below `pid`, from /proc (parents before children).
fn descendants(pid: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(p) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // "pid (comm) state ppid ...": comm may hold spaces, so split after ')'.
            let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
                continue;
            };
            if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|s| s.parse().ok()) {
                parents.push((p, ppid));
            }
        }
    }
    let mut found = Vec::new();
    let mut frontier = vec![pid];
    while let Some(parent) = frontier.pop() {
        for &(p, pp) in &parents {
            if pp == parent && !found.contains(&p) {
                found.push(p);
                frontier.push(p);
            }
        }
    }
    found
}
