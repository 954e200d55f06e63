//! SFTP upload throughput: bankgate's `SftpTransport` against OpenSSH's `sftp -b`, side
//! by side in one run, both uploading to the same OpenSSH `sshd` on 127.0.0.1 with the
//! same protocol (`put name.part`, then `rename` to the final name).
//!
//! Cases: 1,000 files of 20 KiB (sequential, and 8 concurrent uploads over bankgate's
//! one session), one file of 64 MiB. Each case runs `RUNS` times, alternating which
//! client goes first; the inbox is emptied and `sync` run before every run. Two server
//! targets: a directory on disk (`/tmp`, realistic) and on tmpfs (`/dev/shm`, protocol
//! cost without the file system). Reported: every run's wall time and the median.
//!
//! `cargo bench --bench sftp_upload` (figures in docs/BENCHMARKS.md, "SFTP upload").

#[path = "../tests/common/sshd.rs"]
mod sshd;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bankgate::transport::Transport;
use bankgate::transport::sftp::SftpTransport;

const RUNS: usize = 5;
const SMALL_FILES: usize = 1000;
const SMALL_SIZE: usize = 20 * 1024;
const BIG_SIZE: usize = 64 * 1024 * 1024;
const MIB: f64 = 1024.0 * 1024.0;

fn random_bytes(len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .expect("read /dev/urandom");
    bytes
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Empties the server's inbox and flushes the page cache's dirty data, so each run
/// starts from the same disk state.
fn reset(inbox: &Path) {
    for entry in std::fs::read_dir(inbox).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let _ = Command::new("sync").status();
}

fn check_delivered(inbox: &Path, names: &[String], size: usize) {
    for name in names {
        let len = std::fs::metadata(inbox.join(name))
            .unwrap_or_else(|e| panic!("{name} was not delivered: {e}"))
            .len();
        assert_eq!(len, size as u64, "{name}");
    }
    let count = std::fs::read_dir(inbox).unwrap().count();
    assert_eq!(count, names.len(), "only final names are left");
}

struct OpenSsh {
    args: Vec<String>,
}

impl OpenSsh {
    fn new(server: &sshd::Sshd) -> OpenSsh {
        let known_hosts = server.known_hosts();
        let args = [
            "-q",
            "-i",
            server.client_key.to_str().unwrap(),
            "-P",
            &server.port.to_string(),
            "-o",
            &format!("UserKnownHostsFile={}", known_hosts.display()),
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        OpenSsh { args }
    }

    /// Runs a batch file; the wall time of the whole `sftp` process (connect included).
    fn batch(&self, server: &sshd::Sshd, lines: &[String], dir: &Path) -> Duration {
        let batch = dir.join("batch.txt");
        std::fs::write(&batch, lines.join("\n") + "\n").unwrap();
        let started = Instant::now();
        let out = Command::new("sftp")
            .args(&self.args)
            .arg("-b")
            .arg(&batch)
            .arg(format!("{}@127.0.0.1", server.user))
            .output()
            .expect("run sftp (Debian package openssh-client)");
        let took = started.elapsed();
        assert!(
            out.status.success(),
            "sftp -b failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        took
    }

    fn put_lines(locals: &[PathBuf], names: &[String]) -> Vec<String> {
        locals
            .iter()
            .zip(names)
            .flat_map(|(local, name)| {
                [
                    format!("put {} inbox/{name}.part", local.display()),
                    format!("rename inbox/{name}.part inbox/{name}"),
                ]
            })
            .collect()
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let work = tempfile::tempdir().unwrap();
    let small_dir = work.path().join("small");
    std::fs::create_dir(&small_dir).unwrap();
    let names: Vec<String> = (0..SMALL_FILES).map(|i| format!("f{i:04}.xml")).collect();
    let smalls: Vec<PathBuf> = names
        .iter()
        .map(|n| {
            let p = small_dir.join(n);
            std::fs::write(&p, random_bytes(SMALL_SIZE)).unwrap();
            p
        })
        .collect();
    let big = work.path().join("big.bin");
    std::fs::write(&big, random_bytes(BIG_SIZE)).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let data = Data {
        work: work.path(),
        names: &names,
        smalls: &smalls,
        big: &big,
    };
    println!("sftp_upload: {}", sshd_version());
    bench_target("disk (ext4, /tmp)", &std::env::temp_dir(), &data, &runtime);
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        bench_target("tmpfs (/dev/shm)", shm, &data, &runtime);
    }
}

/// The local files every run uploads.
struct Data<'a> {
    work: &'a Path,
    names: &'a [String],
    smalls: &'a [PathBuf],
    big: &'a Path,
}

/// Every case against one sshd whose served directory lies under `parent`.
fn bench_target(label: &str, parent: &Path, data: &Data<'_>, runtime: &tokio::runtime::Runtime) {
    let server = sshd::Sshd::start_in(parent);
    let inbox = server.bank().join("inbox");
    let (work, names, smalls, big) = (data.work, data.names, data.smalls, data.big);
    let big_name = vec!["big.bin".to_string()];
    let openssh = OpenSsh::new(&server);
    println!();
    println!(
        "## target: {label}, sshd on 127.0.0.1:{}, served directory {}",
        server.port,
        server.bank().display()
    );
    // Connect cost alone, for reading the figures below.
    let mut ours_connect = Vec::new();
    let mut ssh_connect = Vec::new();
    for _ in 0..RUNS {
        let link = SftpTransport::new(server.endpoint());
        let started = Instant::now();
        runtime.block_on(link.outbound_size("none")).unwrap();
        ours_connect.push(started.elapsed().as_secs_f64());
        runtime.block_on(link.disconnect());
        ssh_connect.push(
            openssh
                .batch(&server, &["pwd".to_string()], work)
                .as_secs_f64(),
        );
    }

    let mut results: Vec<(&str, Vec<f64>)> = vec![
        ("bankgate SftpTransport, 1000 x 20 KiB, sequential", vec![]),
        ("OpenSSH sftp -b, 1000 x 20 KiB", vec![]),
        (
            "bankgate SftpTransport, 1000 x 20 KiB, 8 concurrent",
            vec![],
        ),
        ("bankgate SftpTransport, 64 MiB", vec![]),
        ("OpenSSH sftp -b, 64 MiB", vec![]),
    ];
    for run in 0..RUNS {
        let ours_first = run % 2 == 0;
        for ours in [ours_first, !ours_first] {
            reset(&inbox);
            if ours {
                let link = SftpTransport::new(server.endpoint());
                let started = Instant::now();
                runtime.block_on(async {
                    for (local, name) in smalls.iter().zip(names) {
                        link.upload(name, local).await.unwrap();
                    }
                });
                results[0].1.push(started.elapsed().as_secs_f64());
            } else {
                let lines = OpenSsh::put_lines(smalls, names);
                let took = openssh.batch(&server, &lines, work);
                results[1].1.push(took.as_secs_f64());
            }
            check_delivered(&inbox, names, SMALL_SIZE);
        }

        reset(&inbox);
        let link = Arc::new(SftpTransport::new(server.endpoint()));
        let started = Instant::now();
        runtime.block_on(async {
            let mut tasks = tokio::task::JoinSet::new();
            for lane in 0..8 {
                let (link, smalls, names) = (link.clone(), smalls.to_vec(), names.to_vec());
                tasks.spawn(async move {
                    for i in (lane..SMALL_FILES).step_by(8) {
                        link.upload(&names[i], &smalls[i]).await.unwrap();
                    }
                });
            }
            while let Some(done) = tasks.join_next().await {
                done.unwrap();
            }
        });
        results[2].1.push(started.elapsed().as_secs_f64());
        check_delivered(&inbox, names, SMALL_SIZE);

        for ours in [ours_first, !ours_first] {
            reset(&inbox);
            if ours {
                let link = SftpTransport::new(server.endpoint());
                let started = Instant::now();
                runtime.block_on(link.upload("big.bin", big)).unwrap();
                results[3].1.push(started.elapsed().as_secs_f64());
            } else {
                let lines = OpenSsh::put_lines(&[big.to_path_buf()], &big_name);
                let took = openssh.batch(&server, &lines, work);
                results[4].1.push(took.as_secs_f64());
            }
            check_delivered(&inbox, &big_name, BIG_SIZE);
        }
    }

    println!();
    println!(
        "connect + authenticate + SFTP init: bankgate {:.3} s, OpenSSH sftp -b (pwd only, whole process) {:.3} s (medians of {RUNS})",
        median(ours_connect.clone()),
        median(ssh_connect.clone())
    );
    println!();
    let connect = [median(ours_connect), median(ssh_connect)];
    println!(
        "| case | runs (s, wall, connect included) | median (s) | rate | median − connect (s) | rate without connect |"
    );
    println!("|---|---|---|---|---|---|");
    for (i, (case, runs)) in results.iter().enumerate() {
        let m = median(runs.clone());
        let c = m - connect[usize::from(i == 1 || i == 4)];
        let rate = |t: f64| {
            if i < 3 {
                format!(
                    "{:.0} files/s, {:.1} MiB/s",
                    SMALL_FILES as f64 / t,
                    (SMALL_FILES * SMALL_SIZE) as f64 / MIB / t
                )
            } else {
                format!("{:.0} MiB/s", BIG_SIZE as f64 / MIB / t)
            }
        };
        let all: Vec<String> = runs.iter().map(|r| format!("{r:.3}")).collect();
        println!(
            "| {case} | {} | {m:.3} | {} | {c:.3} | {} |",
            all.join(", "),
            rate(m),
            rate(c)
        );
    }
    println!();
    let ratio_small = median(results[1].1.clone()) / median(results[0].1.clone());
    let ratio_big = median(results[4].1.clone()) / median(results[3].1.clone());
    println!(
        "bankgate / OpenSSH throughput (same work, sequential): 1000 x 20 KiB {ratio_small:.2}x, 64 MiB {ratio_big:.2}x"
    );
}

fn sshd_version() -> String {
    // `sshd -V` prints the version on stderr ("OpenSSH_9.2p1 ..., OpenSSL ...").
    let out = Command::new("/usr/sbin/sshd").arg("-V").output();
    out.map(|o| {
        String::from_utf8_lossy(&o.stderr)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned()
    })
    .unwrap_or_default()
}
