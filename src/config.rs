//! Configuration: one TOML file, overridable by `BANKGATE__`-prefixed environment
//! variables (`BANKGATE__SECTION__KEY`, double underscore between levels).
//!
//! Loading never stops at the first problem: [`load`] returns every problem with its
//! key path (`accounts[1].iban`). Secrets never live in this file; later sections name
//! files or systemd credentials that hold them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::domain::account::{Bic, CreditorId, Iban};
use crate::domain::money::Currency;
use crate::domain::rule::{FieldViolation, RuleViolation};
use crate::fields::Fields;

/// Prefix of environment variables that override configuration keys.
pub const ENV_PREFIX: &str = "BANKGATE";

/// The whole validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub accounts: Vec<Account>,
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
}

impl Config {
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
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
    from_tree(&tree).map_err(|problems| ConfigError::Invalid {
        path: path.to_owned(),
        problems,
    })
}

/// Validates an already-parsed configuration tree.
pub fn from_tree(tree: &Value) -> Result<Config, Vec<FieldViolation>> {
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
    // Uniqueness is checked on every id given, valid account or not.
    let ids = tree
        .get("accounts")
        .and_then(Value::as_array)
        .map(|items| items.iter().map(|a| a.get("id").and_then(Value::as_str)));
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut duplicates = Vec::new();
    for (index, id) in ids.into_iter().flatten().enumerate() {
        let Some(id) = id else { continue };
        if let Some(first) = seen.get(id) {
            duplicates.push(FieldViolation::new(
                format!("accounts[{index}].id"),
                RuleViolation::new(
                    "account.id_unique",
                    "an id no other account has",
                    format!("{id:?}, also used by accounts[{first}]"),
                ),
            ));
        } else {
            seen.insert(id, index);
        }
    }
    root.extend(duplicates);
    let problems = root.finish();
    if problems.is_empty() {
        Ok(Config { accounts })
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
