//! Drop folder: real temporary directories, an in-memory recorder.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fs;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bankgate::domain::money::Currency;
use bankgate::intake::folder::{
    DeferReason, DropFolder, FileAction, FolderSettings, IncomingFile, LEDGER, RecordError,
    RecordVerdict, Recorder, RunError,
};
use bankgate::intake::{AccountBook, AccountFacts, FileReport, Limits};
use serde_json::Value;

fn accounts() -> AccountBook {
    let mut book = AccountBook::default();
    book.insert(
        "acme-eur",
        AccountFacts {
            currency: Currency::EUR,
            collecting: true,
            connection: None,
        },
    );
    book
}

/// A store in memory: files by SHA-256, instructions by id (content as its debug text).
#[derive(Default)]
struct FakeStore {
    state: Mutex<FakeState>,
}

#[derive(Default)]
struct FakeState {
    files: HashSet<String>,
    instructions: HashMap<String, String>,
    /// Names of the files `record` was called with, in order.
    calls: Vec<String>,
    /// Errors to answer before behaving normally.
    script: VecDeque<RecordError>,
}

impl FakeStore {
    fn failing_with(errors: impl IntoIterator<Item = RecordError>) -> Self {
        let store = Self::default();
        store.state.lock().unwrap().script = errors.into_iter().collect();
        store
    }

    fn calls(&self) -> Vec<String> {
        self.state.lock().unwrap().calls.clone()
    }

    fn instruction_count(&self) -> usize {
        self.state.lock().unwrap().instructions.len()
    }
}

impl Recorder for FakeStore {
    fn record(
        &self,
        file: &IncomingFile,
        report: &FileReport,
    ) -> impl Future<Output = Result<RecordVerdict, RecordError>> + Send {
        assert!(report.is_valid(), "only valid files are recorded");
        assert_eq!(file.sha256.len(), 64);
        let mut state = self.state.lock().unwrap();
        state.calls.push(file.name.clone());
        let result = if let Some(error) = state.script.pop_front() {
            Err(error)
        } else if state.files.contains(&file.sha256) {
            Ok(RecordVerdict::DuplicateFile)
        } else {
            let mut conflict = None;
            let (mut new, mut already_recorded) = (0, 0);
            for instruction in report.instructions() {
                let content = format!("{instruction:?}");
                match state.instructions.get(instruction.key()) {
                    Some(existing) if *existing == content => already_recorded += 1,
                    Some(_) => {
                        conflict.get_or_insert(instruction.key().to_owned());
                    }
                    None => new += 1,
                }
            }
            match conflict {
                Some(key) => Err(RecordError::Conflict {
                    key,
                    detail: "a different instruction".to_owned(),
                }),
                None => {
                    for instruction in report.instructions() {
                        state
                            .instructions
                            .insert(instruction.key().to_owned(), format!("{instruction:?}"));
                    }
                    state.files.insert(file.sha256.clone());
                    Ok(RecordVerdict::Recorded {
                        new,
                        already_recorded,
                    })
                }
            }
        };
        async move { result }
    }
}

fn ct(id: &str, amount: &str) -> String {
    format!(
        r#"{{"type": "credit_transfer", "id": "{id}", "source_account": "acme-eur", "scheme": "SEPA_CREDIT_TRANSFER", "amount": "{amount}", "currency": "EUR", "counterparty": {{"name": "Muster GmbH", "account": {{"type": "IBAN", "number": "DE89370400440532013000"}}}}}}"#
    )
}

const CSV_HEADER: &str = "type,id,source_account,scheme,amount,currency,counterparty_name,counterparty_account_type,counterparty_account_number";

fn csv_row(id: &str, amount: &str) -> String {
    format!(
        "credit_transfer,{id},acme-eur,SEPA_CREDIT_TRANSFER,{amount},EUR,Muster GmbH,IBAN,DE89370400440532013000"
    )
}

struct Folder {
    _dir: tempfile::TempDir,
    root: PathBuf,
    folder: DropFolder,
}

impl Folder {
    fn new() -> Self {
        Self::with(FolderSettings::default())
    }

    fn with(settings: FolderSettings) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("drop");
        let folder = DropFolder::open(&root, settings).unwrap();
        Self {
            _dir: dir,
            root,
            folder,
        }
    }

    fn path(&self, sub: &str) -> PathBuf {
        self.root.join(sub)
    }

    /// Drops a file the way the protocol says: temporary name, then rename. Its
    /// modification time is a minute old, so it is past the settle time.
    fn drop_file(&self, name: &str, content: impl AsRef<[u8]>) {
        let temp = self.path("inbox").join(format!(".{name}.tmp"));
        fs::write(&temp, content).unwrap();
        age(&temp, Duration::from_secs(60));
        fs::rename(&temp, self.path("inbox").join(name)).unwrap();
    }

    fn names(&self, sub: &str) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.path(sub))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    fn ledger(&self) -> Vec<Value> {
        fs::read_to_string(self.path("processed").join(LEDGER))
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    fn errors(&self, stored_as: &str) -> Value {
        let path = self
            .path("rejected")
            .join(format!("{stored_as}.errors.json"));
        serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
    }
}

fn age(path: &Path, by: Duration) {
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::now() - by)
        .unwrap();
}

/// The (rule, field, location) of each diagnostic in an errors file.
fn rules(errors: &Value) -> Vec<(String, Value, Value)> {
    errors["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["field"].clone(),
                d["location"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn open_creates_the_directories() {
    let f = Folder::new();
    assert_eq!(
        f.names(""),
        ["inbox", "processed", "rejected", "work"].map(String::from)
    );
}

#[tokio::test]
async fn a_valid_file_is_recorded_once_and_moved_to_processed_with_a_ledger_line() {
    let cases = [
        (
            "payments.json",
            format!("[{}, {}]", ct("a-1", "10.00"), ct("a-2", "20.00")),
        ),
        (
            "payments.ndjson",
            format!("{}\n{}\n", ct("a-1", "10.00"), ct("a-2", "20.00")),
        ),
        (
            "payments.jsonl",
            format!("{}\n{}\n", ct("a-1", "10.00"), ct("a-2", "20.00")),
        ),
        (
            "payments.csv",
            format!(
                "{CSV_HEADER}\n{}\n{}\n",
                csv_row("a-1", "10.00"),
                csv_row("a-2", "20.00")
            ),
        ),
    ];
    for (name, content) in cases {
        let f = Folder::new();
        let store = FakeStore::default();
        f.drop_file(name, &content);
        let report = f.folder.scan_once(&accounts(), &store).await;
        assert_eq!(
            report.action(name),
            Some(&FileAction::Processed {
                stored_as: name.to_owned(),
                verdict: RecordVerdict::Recorded {
                    new: 2,
                    already_recorded: 0
                },
                instructions: 2,
            }),
            "{name}"
        );
        assert_eq!(store.calls(), [name], "{name}");
        assert!(f.names("inbox").is_empty(), "{name}");
        assert_eq!(f.names("processed"), [LEDGER, name], "{name}");
        assert_eq!(
            fs::read_to_string(f.path("processed").join(name)).unwrap(),
            content
        );
        let ledger = f.ledger();
        assert_eq!(ledger.len(), 1, "{name}");
        let line = &ledger[0];
        assert_eq!(line["name"], name);
        assert_eq!(line["stored_as"], name);
        assert_eq!(line["size"], content.len());
        assert_eq!(line["verdict"], "recorded");
        assert_eq!(line["instructions"], 2);
        assert_eq!(line["new"], 2);
        assert_eq!(line["already_recorded"], 0);
        let sha = line["sha256"].as_str().unwrap();
        assert!(sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(line["received_at"].as_str().unwrap().ends_with('Z'));

        // Nothing left to do.
        let again = f.folder.scan_once(&accounts(), &store).await;
        assert!(again.files.is_empty(), "{name}: {again:?}");
        assert_eq!(store.calls().len(), 1);
    }
}

#[tokio::test]
async fn an_invalid_file_is_rejected_with_every_diagnostic_and_never_recorded() {
    let f = Folder::new();
    let store = FakeStore::default();
    let content = format!(
        "{}\n{}\n{}\n",
        ct("ok-1", "10.00"),
        ct("bad-1", "10.005"),
        ct("bad-2", "1.00").replace("acme-eur", "nobody")
    );
    f.drop_file("mixed.ndjson", &content);
    let report = f.folder.scan_once(&accounts(), &store).await;
    let Some(FileAction::Rejected {
        stored_as,
        diagnostics,
    }) = report.action("mixed.ndjson")
    else {
        panic!("{report:?}");
    };
    assert_eq!(stored_as, "mixed.ndjson");
    assert!(store.calls().is_empty(), "the recorder is not called");
    assert_eq!(
        f.names("rejected"),
        ["mixed.ndjson", "mixed.ndjson.errors.json"]
    );
    assert!(f.names("inbox").is_empty());
    assert_eq!(f.names("processed"), Vec::<String>::new());
    assert_eq!(
        fs::read_to_string(f.path("rejected/mixed.ndjson")).unwrap(),
        content
    );

    let errors = f.errors("mixed.ndjson");
    assert_eq!(errors["file"], "mixed.ndjson");
    assert_eq!(errors["size"], content.len());
    assert_eq!(errors["sha256"].as_str().unwrap().len(), 64);
    let listed = errors["diagnostics"].as_array().unwrap();
    assert_eq!(listed.len(), diagnostics.len());
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(
        listed[0],
        serde_json::json!({
            "file": "mixed.ndjson", "location": {"line": 2}, "id": "bad-1", "field": "amount",
            "rule": "amount.decimals", "expected": listed[0]["expected"], "actual": "10.005",
        })
    );
    assert!(
        listed[0]["expected"]
            .as_str()
            .unwrap()
            .contains("2 decimals")
    );
    assert_eq!(listed[1]["location"], serde_json::json!({"line": 3}));
    assert_eq!(listed[1]["id"], "bad-2");
    assert_eq!(listed[1]["field"], "source_account");
    assert_eq!(listed[1]["actual"], "nobody");
    for d in listed {
        for key in [
            "file", "location", "id", "field", "rule", "expected", "actual",
        ] {
            assert!(d.get(key).is_some(), "{key} in {d}");
        }
    }
}

#[tokio::test]
async fn file_level_problems_are_rejected_by_rule() {
    // (name, content, limits, rules expected in the errors file)
    let two = format!("{}\n{}\n", ct("a-1", "1.00"), ct("a-2", "2.00"));
    let small = Limits {
        max_file_bytes: 1000,
        max_instructions: 1,
    };
    let cases: Vec<(&str, Vec<u8>, Limits, Vec<&str>)> = vec![
        (
            "empty.json",
            b"[]".to_vec(),
            Limits::default(),
            vec!["file.empty"],
        ),
        (
            "latin1.csv",
            b"type\n\xe9\n".to_vec(),
            Limits::default(),
            vec!["file.encoding"],
        ),
        (
            "two.ndjson",
            two.into_bytes(),
            small,
            vec!["file.instructions"],
        ),
        (
            "dup.ndjson",
            format!("{}\n{}\n", ct("a-1", "1.00"), ct("a-1", "1.00")).into_bytes(),
            Limits::default(),
            vec!["id.duplicate_in_file"],
        ),
    ];
    for (name, content, limits, expected) in cases {
        let f = Folder::with(FolderSettings {
            limits,
            ..FolderSettings::default()
        });
        let store = FakeStore::default();
        f.drop_file(name, &content);
        let report = f.folder.scan_once(&accounts(), &store).await;
        assert!(
            matches!(report.action(name), Some(FileAction::Rejected { .. })),
            "{name}: {report:?}"
        );
        let found: Vec<String> = rules(&f.errors(name)).into_iter().map(|r| r.0).collect();
        assert_eq!(found, expected, "{name}");
        assert!(store.calls().is_empty(), "{name}");
    }
}

#[tokio::test]
async fn an_oversized_file_is_rejected_by_its_size_without_being_read() {
    let f = Folder::with(FolderSettings {
        limits: Limits {
            max_file_bytes: 100,
            max_instructions: 10,
        },
        ..FolderSettings::default()
    });
    let store = FakeStore::default();
    // Not UTF-8 either: had it been read, file.encoding would be reported.
    let content = vec![0xffu8; 101];
    f.drop_file("big.csv", &content);
    f.drop_file("fits.csv", &content[..100]);
    let report = f.folder.scan_once(&accounts(), &store).await;
    assert!(matches!(
        report.action("big.csv"),
        Some(FileAction::Rejected { .. })
    ));
    let errors = f.errors("big.csv");
    assert_eq!(
        rules(&errors),
        [("file.size".to_owned(), Value::Null, Value::from("file"))]
    );
    assert_eq!(errors["diagnostics"][0]["expected"], "at most 100 bytes");
    assert_eq!(errors["diagnostics"][0]["actual"], "101 bytes");
    assert_eq!(errors["sha256"], Value::Null, "never read, so never hashed");
    // At the limit: read (and refused for its encoding).
    let fits: Vec<String> = rules(&f.errors("fits.csv"))
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(fits, ["file.encoding"]);
    assert!(store.calls().is_empty());
}

#[tokio::test]
async fn unknown_extensions_are_rejected_as_file_format() {
    let f = Folder::new();
    let store = FakeStore::default();
    for name in ["payments.xlsx", "README", "payments.json.done"] {
        f.drop_file(name, ct("a-1", "1.00"));
    }
    let report = f.folder.scan_once(&accounts(), &store).await;
    assert_eq!(report.files.len(), 3);
    for name in ["payments.xlsx", "README", "payments.json.done"] {
        assert!(
            matches!(report.action(name), Some(FileAction::Rejected { .. })),
            "{name}"
        );
        let errors = f.errors(name);
        assert_eq!(
            rules(&errors),
            [("file.format".to_owned(), Value::Null, Value::from("file"))]
        );
        assert_eq!(errors["diagnostics"][0]["actual"], name);
    }
    assert!(f.names("inbox").is_empty());
    assert!(store.calls().is_empty());
    // Reported once: they are gone from the inbox.
    assert!(
        f.folder
            .scan_once(&accounts(), &store)
            .await
            .files
            .is_empty()
    );
}

#[tokio::test]
async fn temporary_names_and_directories_are_never_read() {
    let f = Folder::new();
    let store = FakeStore::default();
    let names = [
        ".x.json",
        "a.json.tmp",
        "a.part",
        "b.json~",
        "C.JSON.TMP",
        ".hidden",
    ];
    for name in names {
        let path = f.path("inbox").join(name);
        fs::write(&path, "not even json").unwrap();
        age(&path, Duration::from_secs(60));
    }
    fs::create_dir(f.path("inbox/sub.json")).unwrap();
    for _ in 0..2 {
        let report = f.folder.scan_once(&accounts(), &store).await;
        assert!(report.files.is_empty(), "{report:?}");
    }
    let mut expected: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    expected.push("sub.json".to_owned());
    expected.sort();
    assert_eq!(f.names("inbox"), expected);
    assert!(f.names("rejected").is_empty());
    assert!(store.calls().is_empty());
}

#[tokio::test]
async fn a_file_still_being_written_is_deferred_until_it_settles() {
    let f = Folder::with(FolderSettings {
        settle: Duration::from_secs(2),
        ..FolderSettings::default()
    });
    let store = FakeStore::default();
    let path = f.path("inbox/slow.ndjson");
    // A writer that ignores the protocol: writes in place.
    fs::write(&path, format!("{}\n", ct("s-1", "1.00"))).unwrap();
    let first = f.folder.scan_once(&accounts(), &store).await;
    assert_eq!(
        first.action("slow.ndjson"),
        Some(&FileAction::Deferred(DeferReason::TooYoung))
    );
    let after = first.rescan_after.expect("a rescan is asked for");
    assert!(after <= Duration::from_secs(2), "{after:?}");

    // It grows; its modification time says old, but the size changed since the last scan.
    fs::write(
        &path,
        format!("{}\n{}\n", ct("s-1", "1.00"), ct("s-2", "2.00")),
    )
    .unwrap();
    age(&path, Duration::from_secs(60));
    let second = f.folder.scan_once(&accounts(), &store).await;
    assert_eq!(
        second.action("slow.ndjson"),
        Some(&FileAction::Deferred(DeferReason::Changing))
    );
    // Only the modification time changes.
    age(&path, Duration::from_secs(30));
    let third = f.folder.scan_once(&accounts(), &store).await;
    assert_eq!(
        third.action("slow.ndjson"),
        Some(&FileAction::Deferred(DeferReason::Changing))
    );
    assert!(store.calls().is_empty());

    let fourth = f.folder.scan_once(&accounts(), &store).await;
    assert!(
        matches!(
            fourth.action("slow.ndjson"),
            Some(FileAction::Processed {
                instructions: 2,
                ..
            })
        ),
        "{fourth:?}"
    );
    assert_eq!(store.calls(), ["slow.ndjson"]);
}

#[tokio::test]
async fn a_file_with_a_future_modification_time_is_read_once_it_stays_unchanged() {
    let f = Folder::with(FolderSettings {
        settle: Duration::from_millis(300),
        ..FolderSettings::default()
    });
    let store = FakeStore::default();
    let path = f.path("inbox/skew.ndjson");
    fs::write(&path, format!("{}\n", ct("k-1", "1.00"))).unwrap();
    // The writer's clock is an hour ahead (e.g. an NFS server).
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(SystemTime::now() + Duration::from_secs(3600))
        .unwrap();
    let first = f.folder.scan_once(&accounts(), &store).await;
    assert_eq!(
        first.action("skew.ndjson"),
        Some(&FileAction::Deferred(DeferReason::TooYoung))
    );
    tokio::time::sleep(first.rescan_after.unwrap()).await;
    let second = f.folder.scan_once(&accounts(), &store).await;
    assert!(
        matches!(
            second.action("skew.ndjson"),
            Some(FileAction::Processed { .. })
        ),
        "{second:?}"
    );
}

#[tokio::test]
async fn the_same_file_again_goes_to_processed_under_a_new_name_and_overwrites_nothing() {
    let f = Folder::new();
    let store = FakeStore::default();
    let content = format!("[{}]", ct("d-1", "5.00"));
    f.drop_file("batch.json", &content);
    f.folder.scan_once(&accounts(), &store).await;
    for (round, stored_as) in [(1, "batch.1.json"), (2, "batch.2.json")] {
        f.drop_file("batch.json", &content);
        let report = f.folder.scan_once(&accounts(), &store).await;
        assert_eq!(
            report.action("batch.json"),
            Some(&FileAction::Processed {
                stored_as: stored_as.to_owned(),
                verdict: RecordVerdict::DuplicateFile,
                instructions: 1,
            }),
            "round {round}"
        );
    }
    assert_eq!(
        f.names("processed"),
        ["batch.1.json", "batch.2.json", "batch.json", LEDGER]
    );
    assert_eq!(store.instruction_count(), 1);
    let verdicts: Vec<_> = f
        .ledger()
        .iter()
        .map(|l| {
            (
                l["stored_as"].as_str().unwrap().to_owned(),
                l["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("batch.json".to_owned(), "recorded".to_owned()),
            ("batch.1.json".to_owned(), "duplicate_file".to_owned()),
            ("batch.2.json".to_owned(), "duplicate_file".to_owned()),
        ]
    );
    let ledger = f.ledger();
    assert_eq!(ledger[0]["sha256"], ledger[1]["sha256"]);
}

#[tokio::test]
async fn a_file_named_like_the_ledger_never_replaces_it() {
    let f = Folder::new();
    let store = FakeStore::default();
    f.drop_file("first.ndjson", ct("l-1", "1.00"));
    f.drop_file(LEDGER, ct("l-2", "1.00"));
    f.folder.scan_once(&accounts(), &store).await;
    assert_eq!(
        f.names("processed"),
        ["first.ndjson", "ledger.1.ndjson", LEDGER]
    );
    assert_eq!(f.ledger().len(), 2);
}

#[tokio::test]
async fn the_same_id_resent_is_reported_and_different_content_is_a_conflict() {
    let f = Folder::new();
    let store = FakeStore::default();
    f.drop_file("one.ndjson", format!("{}\n", ct("r-1", "7.00")));
    f.folder.scan_once(&accounts(), &store).await;

    // Same instruction (same content) plus a new one, in another file.
    f.drop_file(
        "two.ndjson",
        format!("{}\n{}\n", ct("r-2", "8.00"), ct("r-1", "7.00")),
    );
    let report = f.folder.scan_once(&accounts(), &store).await;
    assert_eq!(
        report.action("two.ndjson"),
        Some(&FileAction::Processed {
            stored_as: "two.ndjson".to_owned(),
            verdict: RecordVerdict::Recorded {
                new: 1,
                already_recorded: 1
            },
            instructions: 2,
        })
    );
    assert_eq!(f.ledger()[1]["already_recorded"], 1);

    // Same id, different amount: rejected, nothing recorded.
    f.drop_file(
        "three.ndjson",
        format!("{}\n{}\n", ct("r-3", "1.00"), ct("r-1", "9.99")),
    );
    let report = f.folder.scan_once(&accounts(), &store).await;
    assert!(matches!(
        report.action("three.ndjson"),
        Some(FileAction::Rejected { .. })
    ));
    let errors = f.errors("three.ndjson");
    assert_eq!(
        errors["diagnostics"],
        serde_json::json!([{
            "file": "three.ndjson", "location": {"line": 2}, "id": "r-1", "field": "id",
            "rule": "id.conflict",
            "expected": "the same content as the instruction already recorded with this id",
            "actual": "a different instruction",
        }])
    );
    assert_eq!(store.instruction_count(), 2, "r-3 was not recorded");
    assert_eq!(f.names("rejected").len(), 2);
    assert_eq!(f.ledger().len(), 2);
}

#[tokio::test]
async fn a_retryable_failure_leaves_the_file_for_the_next_scan() {
    let f = Folder::new();
    let store = FakeStore::failing_with([
        RecordError::Retryable("database is locked".to_owned()),
        RecordError::Retryable("database is locked".to_owned()),
    ]);
    f.drop_file("later.ndjson", ct("t-1", "3.00"));
    for _ in 0..2 {
        let report = f.folder.scan_once(&accounts(), &store).await;
        assert_eq!(
            report.action("later.ndjson"),
            Some(&FileAction::Retry("database is locked".to_owned()))
        );
        assert_eq!(f.names("inbox"), ["later.ndjson"]);
        assert!(f.ledger().is_empty());
    }
    let report = f.folder.scan_once(&accounts(), &store).await;
    assert!(matches!(
        report.action("later.ndjson"),
        Some(FileAction::Processed { .. })
    ));
    assert_eq!(store.calls().len(), 3);
    assert!(f.names("inbox").is_empty());
}

#[tokio::test]
async fn a_fatal_failure_stops_the_scan_and_leaves_files_in_the_inbox() {
    let f = Folder::new();
    let store = FakeStore::failing_with([RecordError::Fatal("store is corrupt".to_owned())]);
    f.drop_file("a.ndjson", ct("f-1", "1.00"));
    f.drop_file("b.ndjson", ct("f-2", "1.00"));
    let report = f.folder.scan_once(&accounts(), &store).await;
    assert_eq!(report.fatal(), Some("store is corrupt"));
    assert_eq!(report.files.len(), 1, "the scan stopped: {report:?}");
    assert_eq!(f.names("inbox"), ["a.ndjson", "b.ndjson"]);

    // run stops with the error too.
    let store = FakeStore::failing_with([RecordError::Fatal("store is corrupt".to_owned())]);
    let result = tokio::time::timeout(
        Duration::from_secs(10),
        f.folder
            .run(&accounts(), &store, std::future::pending::<()>()),
    )
    .await
    .expect("run stops on a fatal error");
    assert!(matches!(result, Err(RunError::Fatal(reason)) if reason == "store is corrupt"));
    assert_eq!(f.names("inbox"), ["a.ndjson", "b.ndjson"]);
}

#[tokio::test]
async fn a_crash_between_recording_and_moving_ends_in_processed_as_a_duplicate() {
    let f = Folder::new();
    let store = FakeStore::default();
    let content = format!("{}\n{}\n", ct("c-1", "1.00"), ct("c-2", "2.00"));
    f.drop_file("crash.ndjson", &content);
    f.folder.scan_once(&accounts(), &store).await;
    // The daemon died after the recorder committed but before the move.
    fs::rename(
        f.path("processed/crash.ndjson"),
        f.path("inbox/crash.ndjson"),
    )
    .unwrap();
    // A restart: a new DropFolder on the same root, the same store.
    let restarted = DropFolder::open(&f.root, FolderSettings::default()).unwrap();
    let report = restarted.scan_once(&accounts(), &store).await;
    assert_eq!(
        report.action("crash.ndjson"),
        Some(&FileAction::Processed {
            stored_as: "crash.ndjson".to_owned(),
            verdict: RecordVerdict::DuplicateFile,
            instructions: 2,
        })
    );
    assert_eq!(store.instruction_count(), 2);
    assert!(f.names("inbox").is_empty());
    assert_eq!(f.names("processed"), ["crash.ndjson", LEDGER]);
}

#[tokio::test]
async fn rejected_files_with_the_same_name_keep_both_reports() {
    let f = Folder::new();
    let store = FakeStore::default();
    f.drop_file("bad.ndjson", ct("b-1", "1.001"));
    f.folder.scan_once(&accounts(), &store).await;
    f.drop_file("bad.ndjson", "{");
    f.folder.scan_once(&accounts(), &store).await;
    assert_eq!(
        f.names("rejected"),
        [
            "bad.1.ndjson",
            "bad.1.ndjson.errors.json",
            "bad.ndjson",
            "bad.ndjson.errors.json"
        ]
    );
    assert_eq!(rules(&f.errors("bad.ndjson"))[0].0, "amount.decimals");
    assert_ne!(rules(&f.errors("bad.1.ndjson"))[0].0, "amount.decimals");
    assert_eq!(f.errors("bad.1.ndjson")["file"], "bad.ndjson");
}

#[tokio::test]
async fn open_clears_stale_temporary_files_of_the_scanner() {
    let f = Folder::new();
    fs::write(f.path("work/x.errors.json.tmp"), "half").unwrap();
    DropFolder::open(&f.root, FolderSettings::default()).unwrap();
    assert!(f.names("work").is_empty());
}

async fn wait_for(what: &str, mut ready: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    start.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_picks_up_a_dropped_file_on_a_hint_and_stops_on_shutdown() {
    let f = Arc::new(Folder::with(FolderSettings {
        // Far away: only a file-system hint can explain a quick pick-up.
        rescan: Duration::from_secs(3600),
        ..FolderSettings::default()
    }));
    let store = Arc::new(FakeStore::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn({
        let f = f.clone();
        let store = store.clone();
        async move {
            let accounts = accounts();
            f.folder
                .run(&accounts, &*store, async {
                    let _ = stopped.await;
                })
                .await
        }
    });
    // The watcher starts before the first (immediate) scan; once this file is handled,
    // hints are flowing.
    f.drop_file("first.ndjson", ct("h-0", "1.00"));
    wait_for("the first file in processed", || {
        f.path("processed/first.ndjson").exists()
    })
    .await;

    f.drop_file("hinted.ndjson", ct("h-1", "1.00"));
    let took = wait_for("the file in processed", || {
        f.path("processed/hinted.ndjson").exists()
    })
    .await;
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(store.calls(), ["first.ndjson", "hinted.ndjson"]);

    // A file written in place is picked up once it settles (2 s), not at the hourly scan.
    fs::write(f.path("inbox/young.ndjson"), ct("h-2", "1.00")).unwrap();
    let took = wait_for("the young file in processed", || {
        f.path("processed/young.ndjson").exists()
    })
    .await;
    assert!(took < Duration::from_secs(6), "{took:?}");

    let start = Instant::now();
    stop.send(()).unwrap();
    let result = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("run stops promptly")
        .unwrap();
    assert!(result.is_ok());
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn run_without_hints_finds_files_by_the_periodic_scan() {
    let f = Folder::with(FolderSettings {
        rescan: Duration::from_millis(200),
        watch: false,
        ..FolderSettings::default()
    });
    let store = FakeStore::default();
    f.drop_file("before.ndjson", ct("p-0", "1.00"));
    let accounts = accounts();
    let run = f.folder.run(&accounts, &store, async {
        wait_for("the first file", || f.names("inbox").is_empty()).await;
        for i in 1..=20 {
            f.drop_file(&format!("f{i:02}.ndjson"), ct(&format!("p-{i}"), "1.00"));
        }
        wait_for("every file", || f.names("inbox").is_empty()).await;
    });
    tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("run stops")
        .unwrap();
    assert_eq!(store.calls().len(), 21);
    assert_eq!(f.ledger().len(), 21);
    assert_eq!(store.instruction_count(), 21);
}

#[tokio::test]
async fn a_burst_beyond_the_hint_capacity_loses_no_file() {
    let f = Folder::with(FolderSettings {
        rescan: Duration::from_secs(3600),
        hint_capacity: 1,
        ..FolderSettings::default()
    });
    let store = FakeStore::default();
    f.drop_file("first.ndjson", ct("q-0", "1.00"));
    let accounts = accounts();
    let run = f.folder.run(&accounts, &store, async {
        wait_for("the first file", || f.names("inbox").is_empty()).await;
        for i in 1..=30 {
            f.drop_file(&format!("f{i:02}.ndjson"), ct(&format!("q-{i}"), "1.00"));
        }
        wait_for("every file", || f.names("inbox").is_empty()).await;
    });
    tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("run stops")
        .unwrap();
    assert_eq!(store.calls().len(), 31);
}
