//! Configuration: one TOML file, overridable by `BANKGATE__`-prefixed environment
//! variables (`BANKGATE__SECTION__KEY`, double underscore between levels).
//!
//! Loading never stops at the first problem: [`load`] returns every problem with its
//! key path (`accounts[1].iban`). Secrets never live in this file; later sections name
//! files or systemd credentials that hold them.

mod connection;

pub use connection::{
    Connection, Endpoint, LatePolicy, LocalEndpoint, MIN_POLL_SECONDS, Schedule, SecretSource,
    SftpEndpoint, Submit,
};

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::domain::account::{Bic, CreditorId, Iban};
use crate::domain::money::Currency;
use crate::domain::rule::{FieldViolation, RuleViolation};
use crate::fields::Fields;
use crate::iso20022::{InitiatingParty, MessageVersion, Profile};
use crate::store::ApprovalPolicy;

/// Prefix of environment variables that override configuration keys.
pub const ENV_PREFIX: &str = "BANKGATE";

/// The whole validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub accounts: Vec<Account>,
    /// How each bank connection wants its files; connections without one get the defaults.
    pub profiles: Vec<ConnectionProfile>,
    pub store: StoreSettings,
    pub intake: IntakeSettings,
    /// Bank connections (`[[connections]]`); without any, the daemon only records.
    pub connections: Vec<Connection>,
    pub engine: EngineSettings,
}

/// `[engine]`: the connection workers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineSettings {
    /// How often each connection worker looks for work (windows, triggers, uploads).
    pub tick_milliseconds: u64,
    /// On SIGTERM, how long work in progress may take before it is abandoned at its
    /// last recorded point (keep it below systemd's `TimeoutStopSec`).
    pub shutdown_seconds: u64,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            tick_milliseconds: 1000,
            shutdown_seconds: 20,
        }
    }
}

/// `[store]`: where the embedded database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSettings {
    /// SQLite database file; relative paths are relative to the configuration file.
    pub path: PathBuf,
    /// The content-addressed archive of every file in and out; relative to the
    /// configuration file.
    pub archive_dir: PathBuf,
}

/// `[intake]`: the drop folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeSettings {
    /// Holds `inbox/`, `processed/`, `rejected/`; relative to the configuration file.
    pub dir: PathBuf,
    /// A file must be unchanged this long before it is read.
    pub settle_seconds: u64,
    /// Full rescan interval (the source of truth; file events are only hints).
    pub rescan_seconds: u64,
    /// Watch the inbox for file events (turn off on NFS/CIFS, where they do not arrive).
    pub watch: bool,
    pub max_file_bytes: u64,
    pub max_instructions: u64,
}

/// The bank profile of one connection (`[[profiles]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionProfile {
    pub connection: String,
    pub profile: Profile,
}

/// One of our own bank accounts, reached through a bank connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The name instructions use in `source_account` / `creditor_account`.
    pub id: String,
    /// The account holder's name as it goes into files (`Dbtr/Nm`, `Cdtr/Nm`).
    pub name: String,
    pub iban: Iban,
    pub bic: Option<Bic>,
    pub currency: Currency,
    /// Id of the bank connection that serves this account.
    pub connection: String,
    /// SEPA creditor identifier; present only for collecting accounts.
    pub creditor_id: Option<CreditorId>,
    /// How payments from this account are approved: `auto` (default), `manual`, or
    /// `four_eyes` (two distinct approvers).
    pub approval: ApprovalPolicy,
}

impl Config {
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    pub fn connection(&self, id: &str) -> Option<&Connection> {
        self.connections.iter().find(|c| c.id == id)
    }

    /// The profile of a connection, or the defaults.
    pub fn profile(&self, connection: &str) -> Profile {
        self.profiles
            .iter()
            .find(|p| p.connection == connection)
            .map(|p| p.profile.clone())
            .unwrap_or_default()
    }
}

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("configuration {path} has {} problem(s)", problems.len())]
    Invalid {
        path: PathBuf,
        problems: Vec<FieldViolation>,
    },
}

/// Reads `path` (TOML) plus environment overrides and validates everything.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let env = std::env::vars().filter(|(k, _)| k.starts_with(&format!("{ENV_PREFIX}__")));
    load_with_env(path, env.collect())
}

/// Like [`load`] but with an explicit environment, for tests.
pub fn load_with_env(path: &Path, env: HashMap<String, String>) -> Result<Config, ConfigError> {
    if !path.is_file() {
        return Err(ConfigError::Read {
            path: path.to_owned(),
            message: "no such file".to_owned(),
        });
    }
    let tree: Value = config::Config::builder()
        .add_source(config::File::from(path).format(config::FileFormat::Toml))
        .add_source(
            config::Environment::with_prefix(ENV_PREFIX)
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true)
                .source(Some(env)),
        )
        .build()
        .and_then(|c| c.try_deserialize())
        .map_err(|e| ConfigError::Read {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
    // Relative paths are relative to the configuration file, not to the working directory.
    let base = path.parent().unwrap_or(Path::new("."));
    let mut config = from_tree_in(&tree, base).map_err(|problems| ConfigError::Invalid {
        path: path.to_owned(),
        problems,
    })?;
    config.store.path = base.join(&config.store.path);
    config.store.archive_dir = base.join(&config.store.archive_dir);
    config.intake.dir = base.join(&config.intake.dir);
    Ok(config)
}

/// Validates an already-parsed configuration tree.
pub fn from_tree(tree: &Value) -> Result<Config, Vec<FieldViolation>> {
    from_tree_in(tree, Path::new(""))
}

/// Like [`from_tree`], resolving connection paths against `base`.
pub fn from_tree_in(tree: &Value, base: &Path) -> Result<Config, Vec<FieldViolation>> {
    let mut root = Fields::new(tree, "").map_err(|p| vec![p])?;
    let mut accounts = Vec::new();
    match root.list("accounts") {
        Some(items) if !items.is_empty() => {
            for (index, item) in items.iter().enumerate() {
                if let Some(account) = read_account(&mut root, item, index) {
                    accounts.push(account);
                }
            }
        }
        _ => root.problem(
            "accounts",
            RuleViolation::new("config.accounts", "at least one [[accounts]] table", "none"),
        ),
    }
    let mut profiles = Vec::new();
    for (index, item) in root.list("profiles").unwrap_or_default().iter().enumerate() {
        if let Some(profile) = read_profile(&mut root, item, index) {
            profiles.push(profile);
        }
    }
    let mut connections = Vec::new();
    let items = root.list("connections").unwrap_or_default();
    for (index, item) in items.iter().enumerate() {
        if let Some(c) = connection::read_connection(&mut root, item, index, base) {
            connections.push(c);
        }
    }
    let store = read_store(&mut root);
    let intake = read_intake(&mut root);
    let mut engine = EngineSettings::default();
    if let Some(mut f) = root.object("engine", false) {
        if let Some(v) = f.number("tick_milliseconds", 50, 60_000) {
            engine.tick_milliseconds = v;
        }
        if let Some(v) = f.number("shutdown_seconds", 1, 3600) {
            engine.shutdown_seconds = v;
        }
        root.absorb(f);
    }
    let mut duplicates = unique(tree, "accounts", "id", "account.id_unique");
    duplicates.extend(unique(
        tree,
        "profiles",
        "connection",
        "profile.connection_unique",
    ));
    duplicates.extend(unique(tree, "connections", "id", "connection.id_unique"));
    root.extend(duplicates);
    // With connections configured, every account must name one of them.
    if !items.is_empty() {
        let accounts = tree.get("accounts").and_then(Value::as_array);
        for (index, account) in accounts.into_iter().flatten().enumerate() {
            let Some(name) = account.get("connection").and_then(Value::as_str) else {
                continue;
            };
            let known = items
                .iter()
                .any(|c| c.get("id").and_then(Value::as_str) == Some(name));
            if !known {
                let ids: Vec<_> = items
                    .iter()
                    .filter_map(|c| c.get("id").and_then(Value::as_str))
                    .collect();
                root.extend([FieldViolation::new(
                    format!("accounts[{index}].connection"),
                    RuleViolation::new(
                        "account.connection_known",
                        format!("the id of a [[connections]] entry ({})", ids.join(", ")),
                        name,
                    ),
                )]);
            }
        }
    }
    let problems = root.finish();
    if problems.is_empty() {
        Ok(Config {
            accounts,
            profiles,
            store,
            intake,
            connections,
            engine,
        })
    } else {
        Err(problems)
    }
}

fn read_account(root: &mut Fields<'_>, item: &Value, index: usize) -> Option<Account> {
    let path = format!("accounts[{index}]");
    let mut f = match Fields::new(item, &path) {
        Ok(f) => f,
        Err(problem) => {
            root.extend([problem]);
            return None;
        }
    };
    let id = f.parsed("id", true, parse_name_key);
    let name = f.parsed("name", true, |s| {
        crate::domain::instruction::check_text(s, crate::domain::instruction::MAX_NAME_LEN)
    });
    let iban = f.parsed("iban", true, Iban::parse);
    let bic = f.parsed("bic", false, Bic::parse);
    let currency = f.parsed("currency", true, str::parse::<Currency>);
    let connection = f.parsed("connection", true, parse_name_key);
    let creditor_id = f.parsed("creditor_id", false, CreditorId::parse);
    let approval = f
        .parsed("approval", false, |s| match s {
            "auto" => Ok(ApprovalPolicy::Auto),
            "manual" => Ok(ApprovalPolicy::Manual),
            "four_eyes" => Ok(ApprovalPolicy::FourEyes),
            _ => Err(RuleViolation::new(
                "account.approval",
                "auto, manual or four_eyes",
                s,
            )),
        })
        .unwrap_or(ApprovalPolicy::Auto);
    if let (Some(iban), Some(bic)) = (&iban, &bic) {
        let bic_country = bic.as_str().get(4..6).unwrap_or("");
        if bic_country != iban.country().as_str() {
            f.problem(
                "bic",
                RuleViolation::new(
                    "account.bic_country",
                    format!("a BIC of the IBAN's country {}", iban.country()),
                    bic.as_str(),
                ),
            );
        }
    }
    let problems = f.finish();
    let ok = problems.is_empty();
    root.extend(problems);
    if !ok {
        return None;
    }
    Some(Account {
        id: id?,
        name: name?,
        iban: iban?,
        bic,
        currency: currency?,
        connection: connection?,
        creditor_id,
        approval,
    })
}

fn read_store(root: &mut Fields<'_>) -> StoreSettings {
    let mut settings = StoreSettings {
        path: PathBuf::from("bankgate.db"),
        archive_dir: PathBuf::from("archive"),
    };
    if let Some(mut f) = root.object("store", false) {
        if let Some(path) = f.parsed("path", false, parse_path) {
            settings.path = path;
        }
        if let Some(dir) = f.parsed("archive_dir", false, parse_path) {
            settings.archive_dir = dir;
        }
        root.absorb(f);
    }
    settings
}

fn read_intake(root: &mut Fields<'_>) -> IntakeSettings {
    let mut settings = IntakeSettings {
        dir: PathBuf::from("intake"),
        settle_seconds: 2,
        rescan_seconds: 5,
        watch: true,
        max_file_bytes: 64 * 1024 * 1024,
        max_instructions: 100_000,
    };
    if let Some(mut f) = root.object("intake", false) {
        if let Some(dir) = f.parsed("dir", false, parse_path) {
            settings.dir = dir;
        }
        if let Some(v) = f.number("settle_seconds", 0, 3600) {
            settings.settle_seconds = v;
        }
        if let Some(v) = f.number("rescan_seconds", 1, 3600) {
            settings.rescan_seconds = v;
        }
        if let Some(v) = f.number("max_file_bytes", 1, 1 << 34) {
            settings.max_file_bytes = v;
        }
        if let Some(v) = f.number("max_instructions", 1, 10_000_000) {
            settings.max_instructions = v;
        }
        if let Some(watch) = f.boolean("watch") {
            settings.watch = watch;
        }
        root.absorb(f);
    }
    settings
}

pub(crate) fn parse_path(s: &str) -> Result<PathBuf, RuleViolation> {
    if s.trim().is_empty() {
        Err(RuleViolation::new(
            "config.path",
            "a file system path",
            "an empty text",
        ))
    } else {
        Ok(PathBuf::from(s))
    }
}
/// Every repeated `key` among the tables of `list`, checked on the raw values so that
/// invalid tables count too.
fn unique(tree: &Value, list: &str, key: &str, rule: &'static str) -> Vec<FieldViolation> {
    let values = tree
        .get(list)
        .and_then(Value::as_array)
        .map(|items| items.iter().map(|a| a.get(key).and_then(Value::as_str)));
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut duplicates = Vec::new();
    for (index, value) in values.into_iter().flatten().enumerate() {
        let Some(value) = value else { continue };
        if let Some(first) = seen.get(value) {
            duplicates.push(FieldViolation::new(
                format!("{list}[{index}].{key}"),
                RuleViolation::new(
                    rule,
                    format!("a {key} no other entry of {list} has"),
                    format!("{value:?}, also used by {list}[{first}]"),
                ),
            ));
        } else {
            seen.insert(value, index);
        }
    }
    duplicates
}

fn read_profile(root: &mut Fields<'_>, item: &Value, index: usize) -> Option<ConnectionProfile> {
    let path = format!("profiles[{index}]");
    let mut f = match Fields::new(item, &path) {
        Ok(f) => f,
        Err(problem) => {
            root.extend([problem]);
            return None;
        }
    };
    let defaults = Profile::default();
    let connection = f.parsed("connection", true, parse_name_key);
    let message = |kind_is_credit: bool| {
        move |s: &str| {
            let version: MessageVersion = s.parse()?;
            if version.is_credit_transfer() == kind_is_credit {
                Ok(version)
            } else {
                let expected = if kind_is_credit {
                    "pain.001.001.03 or pain.001.001.09"
                } else {
                    "pain.008.001.02 or pain.008.001.08"
                };
                Err(RuleViolation::new("profile.message", expected, s))
            }
        }
    };
    let credit_transfer_message = f
        .parsed("credit_transfer_message", false, message(true))
        .unwrap_or(defaults.credit_transfer_message);
    let direct_debit_message = f
        .parsed("direct_debit_message", false, message(false))
        .unwrap_or(defaults.direct_debit_message);
    let batch_booking = f.boolean("batch_booking").unwrap_or(defaults.batch_booking);
    let send_optional_bic = f
        .boolean("send_optional_bic")
        .unwrap_or(defaults.send_optional_bic);
    let send_control_sum = f
        .boolean("send_control_sum")
        .unwrap_or(defaults.send_control_sum);
    let strict_charset = f
        .boolean("strict_charset")
        .unwrap_or(defaults.strict_charset);
    let indent = f.boolean("indent").unwrap_or(defaults.indent);
    let name = f.parsed("initiating_party_name", false, |s| {
        crate::domain::instruction::check_text(s, crate::domain::instruction::MAX_NAME_LEN)
    });
    let organisation_id = f.parsed("initiating_party_id", false, |s| {
        crate::domain::instruction::check_text(s, 35)
    });
    if organisation_id.is_some() && name.is_none() {
        f.problem(
            "initiating_party_name",
            RuleViolation::new(
                "field.required",
                "a name when initiating_party_id is set",
                "nothing",
            ),
        );
    }
    let problems = f.finish();
    let ok = problems.is_empty();
    root.extend(problems);
    if !ok {
        return None;
    }
    Some(ConnectionProfile {
        connection: connection?,
        profile: Profile {
            credit_transfer_message,
            direct_debit_message,
            batch_booking,
            send_optional_bic,
            send_control_sum,
            strict_charset,
            indent,
            initiating_party: name.map(|name| InitiatingParty {
                name,
                organisation_id,
            }),
        },
    })
}

/// Ids of configured things: 1 to 64 of `a-z 0-9 - _ .`, starting with a letter or digit.
pub fn parse_name_key(s: &str) -> Result<String, RuleViolation> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
        && s.as_bytes()[0].is_ascii_alphanumeric();
    if ok {
        Ok(s.to_owned())
    } else {
        Err(RuleViolation::new(
            "config.id",
            "1 to 64 characters of a-z 0-9 - _ . starting with a letter or digit",
            s,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(tree: Value) -> Vec<(String, &'static str)> {
        match from_tree(&tree) {
            Ok(_) => Vec::new(),
            Err(problems) => problems
                .into_iter()
                .map(|p| (p.field, p.violation.rule))
                .collect(),
        }
    }

    fn account() -> Value {
        json!({"id": "acme-eur", "name": "ACME", "iban": "SE4550000000058398257466",
               "currency": "EUR", "connection": "demo-bank"})
    }

    #[test]
    fn profiles() {
        let ok = json!({"accounts": [account()], "profiles": [{"connection": "demo-bank",
            "credit_transfer_message": "pain.001.001.03", "batch_booking": false,
            "initiating_party_name": "ACME Treasury", "initiating_party_id": "5566778899"}]});
        let config = from_tree(&ok).unwrap();
        let profile = config.profile("demo-bank");
        assert_eq!(profile.credit_transfer_message, MessageVersion::Pain001V03);
        assert_eq!(profile.direct_debit_message, MessageVersion::Pain008V08);
        assert!(!profile.batch_booking);
        assert_eq!(
            profile.initiating_party.unwrap().organisation_id.as_deref(),
            Some("5566778899")
        );
        assert_eq!(config.profile("other-bank"), Profile::default());

        let bad = json!({"accounts": [account()], "profiles": [
            {"connection": "demo-bank", "credit_transfer_message": "pain.008.001.08",
             "batch_booking": "yes", "initiating_party_id": "x", "colour": "red"},
            {"connection": "demo-bank"}]});
        assert_eq!(
            problems(bad),
            vec![
                (
                    "profiles[0].credit_transfer_message".to_owned(),
                    "profile.message"
                ),
                ("profiles[0].batch_booking".to_owned(), "field.type"),
                (
                    "profiles[0].initiating_party_name".to_owned(),
                    "field.required"
                ),
                ("profiles[0].colour".to_owned(), "field.unknown"),
                (
                    "profiles[1].connection".to_owned(),
                    "profile.connection_unique"
                ),
            ]
        );
    }

    #[test]
    fn accounts_need_their_fields() {
        assert_eq!(
            problems(json!({})),
            vec![("accounts".to_owned(), "config.accounts")]
        );
        assert_eq!(
            problems(
                json!({"accounts": [{"id": "Bad Id", "iban": "SE4550000000058398257466",
                "bic": "COBADEFF", "currency": "EUR", "connection": "demo-bank", "name": "x"}]})
            ),
            vec![
                ("accounts[0].id".to_owned(), "config.id"),
                ("accounts[0].bic".to_owned(), "account.bic_country"),
            ]
        );
    }
}
