//! `[[connections]]`: one bank or PSP ("third-party connection") each: the schemes it
//! carries, when files go out (cut-off schedules), how files are named, how often the
//! bank's files are fetched, and how the bank is reached (`[connections.local]` or
//! `[connections.sftp]`). Secrets are never in the TOML: only the files (or systemd
//! credentials, `credential:NAME`) that hold them.

use std::path::{Path, PathBuf};

use jiff::civil::Time;
use serde_json::Value;

use crate::domain::rule::RuleViolation;
use crate::domain::scheme::Scheme;
use crate::fields::Fields;
use crate::transport::Disposal;

use super::{parse_name_key, parse_path};

/// The smallest poll interval: banks throttle clients that poll harder.
pub const MIN_POLL_SECONDS: u64 = 1;

/// One bank connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub id: String,
    /// The schemes this connection carries; instructions for others are refused at intake.
    pub schemes: Vec<Scheme>,
    /// When approved payments become files, per scheme; schemes without a schedule go
    /// out at once (`submit = "immediately"`).
    pub schedules: Vec<Schedule>,
    /// Outbound file name template; must contain `{msg_id}` (unique per file). Also
    /// `{connection}`, `{kind}` (`pain.001` / `pain.008`), `{date}` (UTC, YYYYMMDD).
    pub file_name: String,
    pub poll_seconds: u64,
    /// At most this many payments go into one file; more make several files.
    pub max_payments_per_file: usize,
    /// Bank files larger than this are not downloaded (alert instead).
    pub max_inbound_bytes: u64,
    /// What happens to a bank file once fetched and recorded.
    pub after_fetch: Disposal,
    /// What happens to a payment whose requested date can no longer be met.
    pub late_payments: LatePolicy,
    pub endpoint: Endpoint,
}

impl Connection {
    /// The schedule that governs `scheme` (the first listing it), if any.
    pub fn schedule(&self, scheme: Scheme) -> Option<&Schedule> {
        self.schedules.iter().find(|s| s.schemes.contains(&scheme))
    }

    /// The outbound file name for a message.
    pub fn file_name_for(&self, msg_id: &str, kind: &str, date: jiff::civil::Date) -> String {
        self.file_name
            .replace("{msg_id}", msg_id)
            .replace("{connection}", &self.id)
            .replace("{kind}", kind)
            .replace("{date}", &date.strftime("%Y%m%d").to_string())
    }
}

/// A payment whose requested execution date is already out of reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LatePolicy {
    /// Execute on the earliest possible date instead (recorded on the payment's event).
    Move,
    /// Fail it (`FAILED`, reason `timing.*`), for the ERP to decide.
    Fail,
}

/// When the payments of some schemes become files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub schemes: Vec<Scheme>,
    pub submit: Submit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submit {
    /// As soon as payments are approved (instant schemes; also the default).
    Immediately,
    /// At windows `lead_minutes` before each cut-off, on business days of the scheme's
    /// calendar, in `time_zone`.
    CutOffs {
        times: Vec<Time>,
        time_zone: String,
        lead_minutes: u32,
    },
}

/// How the bank is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Local(LocalEndpoint),
    Sftp(Box<SftpEndpoint>),
}

/// `[connections.local]`: two directories (tests, or a bank reached through a share).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalEndpoint {
    pub outbound_dir: PathBuf,
    pub inbound_dir: PathBuf,
    pub allow_rename: bool,
}

/// Where a secret is read from: a file, or a systemd credential
/// (`credential:NAME` → `$CREDENTIALS_DIRECTORY/NAME`, see `LoadCredential=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    File(PathBuf),
    Credential(String),
}

impl SecretSource {
    /// The file holding the secret now (credentials resolve at read time).
    pub fn path(&self) -> Result<PathBuf, String> {
        match self {
            SecretSource::File(p) => Ok(p.clone()),
            SecretSource::Credential(name) => std::env::var_os("CREDENTIALS_DIRECTORY")
                .map(|d| PathBuf::from(d).join(name))
                .ok_or_else(|| {
                    format!("credential {name}: CREDENTIALS_DIRECTORY is not set (use LoadCredential= in the unit)")
                }),
        }
    }
}

impl std::fmt::Display for SecretSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretSource::File(p) => write!(f, "{}", p.display()),
            SecretSource::Credential(n) => write!(f, "credential:{n}"),
        }
    }
}

/// `[connections.sftp]`: a host-to-host SFTP link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SftpEndpoint {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub private_key: Option<SecretSource>,
    pub passphrase: Option<SecretSource>,
    pub password: Option<SecretSource>,
    /// `SHA256:...` fingerprints; the server's key must match one (several for rotation).
    pub host_key_fingerprints: Vec<String>,
    /// OpenSSH known_hosts file, as an alternative or addition to fingerprints.
    pub known_hosts: Option<PathBuf>,
    /// Remote directory our files go to (the bank's inbox).
    pub outbound_dir: String,
    /// Remote directory the bank's files come from.
    pub inbound_dir: String,
    pub allow_rename: bool,
    pub connect_timeout_seconds: u64,
    pub io_timeout_seconds: u64,
    pub keepalive_seconds: u64,
    /// Also offer legacy algorithms (ssh-rsa with SHA-1, diffie-hellman-group14-sha1)
    /// for banks that still need them.
    pub legacy_algorithms: bool,
}

pub(super) fn read_connection(
    root: &mut Fields<'_>,
    item: &Value,
    index: usize,
    base: &Path,
) -> Option<Connection> {
    let path = format!("connections[{index}]");
    let mut f = match Fields::new(item, &path) {
        Ok(f) => f,
        Err(problem) => {
            root.extend([problem]);
            return None;
        }
    };
    let id = f.parsed("id", true, parse_name_key);
    let schemes = f.texts("schemes", str::parse::<Scheme>);
    if schemes.as_ref().is_none_or(Vec::is_empty) && !f.has_problems() {
        f.problem(
            "schemes",
            RuleViolation::new("connection.schemes", "at least one scheme", "none"),
        );
    }
    let file_name = f
        .parsed("file_name", false, |s| {
            if !s.contains("{msg_id}") {
                return Err(RuleViolation::new(
                    "connection.file_name",
                    "a template containing {msg_id} (names must be unique)",
                    s,
                ));
            }
            let probe = s
                .replace("{msg_id}", "M")
                .replace("{connection}", "c")
                .replace("{kind}", "pain.001")
                .replace("{date}", "20260101");
            if probe.contains(['{', '}', '/', '\\']) {
                return Err(RuleViolation::new(
                    "connection.file_name",
                    "only the placeholders {msg_id} {connection} {kind} {date}, no path separators",
                    s,
                ));
            }
            Ok(s.to_owned())
        })
        .unwrap_or_else(|| "{connection}_{kind}_{msg_id}.xml".to_owned());
    let poll_seconds = f
        .number("poll_seconds", MIN_POLL_SECONDS, 86_400)
        .unwrap_or(60);
    let max_payments_per_file = f
        .number("max_payments_per_file", 1, 1_000_000)
        .unwrap_or(10_000) as usize;
    let max_inbound_bytes = f
        .number("max_inbound_bytes", 1, 1 << 34)
        .unwrap_or(256 << 20);
    let after_fetch = f
        .parsed("after_fetch", false, |s| match s {
            "delete" => Ok(Disposal::Delete),
            "leave" => Ok(Disposal::Leave),
            _ => match s.strip_prefix("move:") {
                Some(dir) if !dir.is_empty() && !dir.contains("..") => {
                    Ok(Disposal::MoveTo(dir.to_owned()))
                }
                _ => Err(RuleViolation::new(
                    "connection.after_fetch",
                    "delete, leave or move:DIRECTORY",
                    s,
                )),
            },
        })
        .unwrap_or(Disposal::Leave);
    let late_payments = f
        .parsed("late_payments", false, |s| match s {
            "move" => Ok(LatePolicy::Move),
            "fail" => Ok(LatePolicy::Fail),
            _ => Err(RuleViolation::new(
                "connection.late_payments",
                "move or fail",
                s,
            )),
        })
        .unwrap_or(LatePolicy::Move);
    let mut schedules = Vec::new();
    for (i, item) in f.list("schedules").unwrap_or_default().iter().enumerate() {
        let mut s = match Fields::new(item, &format!("{path}.schedules[{i}]")) {
            Ok(s) => s,
            Err(problem) => {
                f.extend([problem]);
                continue;
            }
        };
        if let Some(schedule) = read_schedule(&mut s) {
            for scheme in &schedule.schemes {
                if schemes.as_ref().is_some_and(|all| !all.contains(scheme)) {
                    s.problem(
                        "schemes",
                        RuleViolation::new(
                            "connection.schedule_scheme",
                            "schemes the connection carries",
                            scheme.as_str(),
                        ),
                    );
                }
            }
            schedules.push(schedule);
        }
        f.absorb(s);
    }
    let local = f.object("local", false);
    let sftp = f.object("sftp", false);
    let endpoint = match (local, sftp) {
        (Some(mut l), None) => {
            let e = read_local(&mut l, base);
            f.absorb(l);
            e.map(Endpoint::Local)
        }
        (None, Some(mut s)) => {
            let e = read_sftp(&mut s, base);
            f.absorb(s);
            e.map(|e| Endpoint::Sftp(Box::new(e)))
        }
        (l, s) => {
            let found = if l.is_some() { "both" } else { "neither" };
            if let Some(l) = l {
                f.absorb(l);
            }
            if let Some(s) = s {
                f.absorb(s);
            }
            f.problem(
                "local",
                RuleViolation::new(
                    "connection.endpoint",
                    "exactly one of [connections.local] or [connections.sftp]",
                    found,
                ),
            );
            None
        }
    };
    let problems = f.finish();
    let ok = problems.is_empty();
    root.extend(problems);
    if !ok {
        return None;
    }
    Some(Connection {
        id: id?,
        schemes: schemes?,
        schedules,
        file_name,
        poll_seconds,
        max_payments_per_file,
        max_inbound_bytes,
        after_fetch,
        late_payments,
        endpoint: endpoint?,
    })
}

fn read_schedule(s: &mut Fields<'_>) -> Option<Schedule> {
    let schemes = s.texts("schemes", str::parse::<Scheme>);
    let submit = s.text("submit", false);
    let times = s.texts("cutoffs", |t| {
        t.parse::<Time>()
            .map_err(|_| RuleViolation::new("schedule.cutoff", "a time such as 14:00", t))
    });
    let time_zone = s.parsed("time_zone", false, |z| {
        jiff::tz::TimeZone::get(z)
            .map(|_| z.to_owned())
            .map_err(|_| RuleViolation::new("schedule.time_zone", "an IANA time zone", z))
    });
    let lead_minutes = s.number("lead_minutes", 0, 720).unwrap_or(15) as u32;
    let submit = match (submit, times) {
        (Some("immediately"), None) => Some(Submit::Immediately),
        (None, Some(times)) if !times.is_empty() => Some(Submit::CutOffs {
            times,
            time_zone: time_zone.unwrap_or_else(|| "UTC".to_owned()),
            lead_minutes,
        }),
        (submit, times) => {
            let found = match (submit, times) {
                (Some(v), None) => format!("submit = {v:?}"),
                (Some(_), Some(_)) => "both submit and cutoffs".to_owned(),
                _ => "neither".to_owned(),
            };
            s.problem(
                "cutoffs",
                RuleViolation::new(
                    "schedule.submit",
                    "either cutoffs = [\"HH:MM\", ...] or submit = \"immediately\"",
                    found,
                ),
            );
            None
        }
    };
    if schemes.as_ref().is_none_or(Vec::is_empty) {
        s.problem(
            "schemes",
            RuleViolation::new("schedule.schemes", "at least one scheme", "none"),
        );
    }
    Some(Schedule {
        schemes: schemes?,
        submit: submit?,
    })
}

fn read_local(l: &mut Fields<'_>, base: &Path) -> Option<LocalEndpoint> {
    let outbound_dir = l.parsed("outbound_dir", true, parse_path);
    let inbound_dir = l.parsed("inbound_dir", true, parse_path);
    let allow_rename = l.boolean("allow_rename").unwrap_or(true);
    Some(LocalEndpoint {
        outbound_dir: base.join(outbound_dir?),
        inbound_dir: base.join(inbound_dir?),
        allow_rename,
    })
}

fn parse_secret(base: &Path) -> impl Fn(&str) -> Result<SecretSource, RuleViolation> + '_ {
    move |s: &str| match s.strip_prefix("credential:") {
        Some(name) => parse_name_key(name).map(SecretSource::Credential),
        None => parse_path(s).map(|p| SecretSource::File(base.join(p))),
    }
}

fn read_sftp(s: &mut Fields<'_>, base: &Path) -> Option<SftpEndpoint> {
    let host = s.parsed("host", true, |h| {
        if h.is_empty() || h.contains(char::is_whitespace) {
            Err(RuleViolation::new("sftp.host", "a host name or address", h))
        } else {
            Ok(h.to_owned())
        }
    });
    let port = s.number("port", 1, 65_535).unwrap_or(22) as u16;
    let user = s.parsed("user", true, |u| {
        if u.is_empty() || u.contains(char::is_whitespace) {
            Err(RuleViolation::new("sftp.user", "a user name", u))
        } else {
            Ok(u.to_owned())
        }
    });
    let private_key = s.parsed("private_key_file", false, parse_secret(base));
    let passphrase = s.parsed("passphrase_file", false, parse_secret(base));
    let password = s.parsed("password_file", false, parse_secret(base));
    let host_key_fingerprints = s
        .texts("host_key_fingerprints", |fp| {
            let ok = fp
                .strip_prefix("SHA256:")
                .is_some_and(|b64| b64.len() == 43 || b64.len() == 44);
            if ok {
                Ok(fp.to_owned())
            } else {
                Err(RuleViolation::new(
                    "sftp.host_key_fingerprint",
                    "SHA256: followed by 43 base64 characters (ssh-keygen -lf)",
                    fp,
                ))
            }
        })
        .unwrap_or_default();
    let known_hosts = s
        .parsed("known_hosts_file", false, parse_path)
        .map(|p| base.join(p));
    let outbound_dir = s.text("outbound_dir", true).map(str::to_owned);
    let inbound_dir = s.text("inbound_dir", true).map(str::to_owned);
    let allow_rename = s.boolean("allow_rename").unwrap_or(true);
    let connect_timeout_seconds = s.number("connect_timeout_seconds", 1, 600).unwrap_or(30);
    let io_timeout_seconds = s.number("io_timeout_seconds", 1, 3600).unwrap_or(60);
    let keepalive_seconds = s.number("keepalive_seconds", 0, 3600).unwrap_or(30);
    let legacy_algorithms = s.boolean("legacy_algorithms").unwrap_or(false);
    if host_key_fingerprints.is_empty() && known_hosts.is_none() && !s.has_problems() {
        s.problem(
            "host_key_fingerprints",
            RuleViolation::new(
                "sftp.pinned_host_key",
                "at least one pinned host key fingerprint or a known_hosts_file",
                "none: bankgate never trusts an unpinned server",
            ),
        );
    }
    if private_key.is_none() && password.is_none() && !s.has_problems() {
        s.problem(
            "private_key_file",
            RuleViolation::new(
                "sftp.authentication",
                "private_key_file or password_file (or both)",
                "neither",
            ),
        );
    }
    if passphrase.is_some() && private_key.is_none() {
        s.problem(
            "passphrase_file",
            RuleViolation::new(
                "sftp.passphrase",
                "a passphrase only together with private_key_file",
                "a passphrase without a key",
            ),
        );
    }
    Some(SftpEndpoint {
        host: host?,
        port,
        user: user?,
        private_key,
        passphrase,
        password,
        host_key_fingerprints,
        known_hosts,
        outbound_dir: outbound_dir?,
        inbound_dir: inbound_dir?,
        allow_rename,
        connect_timeout_seconds,
        io_timeout_seconds,
        keepalive_seconds,
        legacy_algorithms,
    })
}
