//! A throwaway PostgreSQL cluster for the register's conformance tests.
//!
//! Test files include this with `#[path = "support/postgres.rs"] mod postgres;`, or through
//! `mod support;` (`support/mod.rs`) as `support::postgres`.
//!
//! [`TestCluster::start`] runs `initdb` into a fresh temporary folder (named `weerbaar-pg-…`, so
//! CI can clean leftovers with `pkill -f weerbaar-pg-`), starts the server on a free port on
//! 127.0.0.1 with trust authentication for the `postgres` role, and stops it and removes the
//! folder again on drop. As root, the PostgreSQL binaries run as the `postgres` system user,
//! because the server refuses to run as root.
//!
//! Without PostgreSQL installed, `start` returns `None` and says loudly on stderr that PostgreSQL
//! was skipped — unless `CI=true`, where a skip is a failure and `start` panics instead.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

/// A running PostgreSQL server in its own temporary folder. Dropping it stops the server
/// (`pg_ctl stop -m immediate`, or a kill of the postmaster) and removes the folder.
#[derive(Debug)]
pub struct TestCluster {
    /// The folder holding PostgreSQL's binaries (`initdb`, `pg_ctl`, `createdb`, …).
    bindir: PathBuf,
    /// Whether the server's binaries must run as the `postgres` system user (we are root).
    as_postgres: bool,
    /// The TCP port on 127.0.0.1; 0 until the server runs.
    port: u16,
    /// The data directory, which also holds the server's log (`log`) and its Unix socket.
    /// Declared last so it is removed only after `Drop::drop` has stopped the server.
    dir: tempfile::TempDir,
}

/// Numbers the databases [`TestCluster::fresh_database`] creates within this process.
static NEXT_DATABASE: AtomicU64 = AtomicU64::new(1);

/// How often `start` tries another port when the one it picked was taken in the meantime.
const PORT_ATTEMPTS: usize = 5;

impl TestCluster {
    /// Starts a fresh cluster, or `None` when PostgreSQL is not installed and `CI` is not
    /// `"true"` (then prints a loud line to stderr: `POSTGRESQL SKIPPED: <why>`). Under `CI=true`
    /// a missing PostgreSQL panics with a clear message. Any other failure to start panics with
    /// the server's log.
    pub fn start() -> Option<TestCluster> {
        let as_postgres = running_as_root();
        let bindir = match find_bindir() {
            Ok(bindir) => bindir,
            Err(why) => return skip(&why),
        };
        if as_postgres && !postgres_user_exists() {
            return skip(&format!(
                "running as root, but there is no `postgres` system user to run {} as",
                bindir.display()
            ));
        }

        let dir = tempfile::Builder::new()
            .prefix("weerbaar-pg-")
            .tempdir()
            .unwrap_or_else(|e| {
                panic!("PostgreSQL test cluster: cannot create a temporary folder: {e}")
            });
        if as_postgres {
            let output = Command::new("chown")
                .arg("postgres:")
                .arg(dir.path())
                .stdin(Stdio::null())
                .output()
                .unwrap_or_else(|e| panic!("PostgreSQL test cluster: cannot run chown: {e}"));
            if !output.status.success() {
                panic!(
                    "PostgreSQL test cluster: chown postgres: {} failed\n{}",
                    dir.path().display(),
                    describe(&output)
                );
            }
        }

        // From here on, a panic drops `cluster`, which stops whatever server runs and removes
        // the folder.
        let mut cluster = TestCluster {
            bindir,
            as_postgres,
            port: 0,
            dir,
        };

        // `--no-sync` for the same reason as `fsync=off` below: nothing here must survive a crash.
        let data = cluster.data_dir();
        let output = cluster.run_pg(
            "initdb",
            &[
                "-D",
                data.as_str(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        if !output.status.success() {
            panic!(
                "PostgreSQL test cluster: initdb into {data} failed\n{}",
                describe(&output)
            );
        }

        for attempt in 1..=PORT_ATTEMPTS {
            let port = free_port();
            // fsync and full-page writes are off ONLY because this is a throwaway cluster for the
            // conformance tests: it is deleted when the tests end and never has to survive a
            // crash. Durability tests must not use this cluster.
            let options = format!(
                "-p {port} -k '{data}' -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
            );
            let log = format!("{data}/log");
            let output = cluster.run_pg(
                "pg_ctl",
                &[
                    "-D",
                    data.as_str(),
                    "-l",
                    log.as_str(),
                    "-o",
                    options.as_str(),
                    "-t",
                    "60",
                    "-w",
                    "start",
                ],
            );
            if output.status.success() {
                cluster.port = port;
                return Some(cluster);
            }
            let server_log = std::fs::read_to_string(&log).unwrap_or_default();
            let port_taken = server_log.contains("could not bind")
                || server_log.contains("Address already in use");
            if port_taken && attempt < PORT_ATTEMPTS {
                // Another process took the port between our check and the server's bind; make
                // sure nothing half-started lingers, then try a different one.
                cluster.stop_server();
                continue;
            }
            panic!(
                "PostgreSQL test cluster: pg_ctl start on 127.0.0.1:{port} failed\n{}\n--- server log ({log}) ---\n{server_log}",
                describe(&output)
            );
        }
        unreachable!("the last attempt either returns or panics")
    }

    /// Creates a new, empty database and returns its URL: `postgres://postgres@127.0.0.1:PORT/NAME`.
    pub fn fresh_database(&self) -> String {
        let name = format!(
            "t{}_{}",
            NEXT_DATABASE.fetch_add(1, Ordering::Relaxed),
            std::process::id()
        );
        let port = self.port.to_string();
        // Over TCP with trust authentication, so this needs no `runuser`.
        let output = Command::new(self.bindir.join("createdb"))
            .args(["-h", "127.0.0.1", "-p", port.as_str(), "-U", "postgres"])
            .arg(&name)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("PostgreSQL test cluster: cannot run createdb: {e}"));
        if !output.status.success() {
            panic!(
                "PostgreSQL test cluster: createdb {name} on 127.0.0.1:{port} failed\n{}\n--- server log ---\n{}",
                describe(&output),
                std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
            );
        }
        format!("postgres://postgres@127.0.0.1:{port}/{name}")
    }

    /// The port the server listens on, on 127.0.0.1.
    /// A plain-text dump of one database of this cluster, as `pg_dump` writes it.
    pub fn dump(&self, database_url: &str) -> Vec<u8> {
        let name = database_url.rsplit('/').next().unwrap_or_default();
        let output = Command::new(self.bindir.join("pg_dump"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                name,
            ])
            .output()
            .expect("pg_dump runs");
        assert!(
            output.status.success(),
            "pg_dump failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The data directory as a string (it is passed to the binaries as an argument).
    fn data_dir(&self) -> String {
        self.dir.path().to_string_lossy().into_owned()
    }

    /// Runs one of PostgreSQL's binaries, as the `postgres` user when we are root, in the
    /// cluster's folder (the `postgres` user may not be allowed into the current directory).
    fn command(&self, program: &str) -> Command {
        let binary = self.bindir.join(program);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(binary);
            command
        } else {
            Command::new(binary)
        };
        command.current_dir(self.dir.path()).stdin(Stdio::null());
        command
    }

    fn run_pg(&self, program: &str, args: &[&str]) -> Output {
        self.command(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("PostgreSQL test cluster: cannot run {program}: {e}"))
    }

    /// Stops the server if one runs; never panics.
    fn stop_server(&self) {
        let data = self.data_dir();
        let stopped = self
            .command("pg_ctl")
            .args([
                "-D",
                data.as_str(),
                "-m",
                "immediate",
                "-t",
                "30",
                "-w",
                "stop",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if stopped {
            return;
        }
        // pg_ctl could not stop it (or there was nothing to stop): kill the postmaster, if its
        // pid file names one. Its children exit by themselves once it is gone.
        let pid_file = self.dir.path().join("postmaster.pid");
        let Ok(contents) = std::fs::read_to_string(pid_file) else {
            return;
        };
        let Some(pid) = contents
            .lines()
            .next()
            .and_then(|line| line.trim().parse::<u32>().ok())
        else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        // Never panics: `stop_server` ignores every failure, and the `TempDir` field removes the
        // folder afterwards, ignoring failures too.
        self.stop_server();
    }
}

/// Says that PostgreSQL is skipped and returns `None`, or panics under `CI=true`.
fn skip(why: &str) -> Option<TestCluster> {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "PostgreSQL is required under CI=true, but {why}. Install PostgreSQL \
             (`.ci/run` does: apt-get install postgresql) so the conformance tests run against it."
        );
    }
    // Straight to the process's stderr rather than `eprintln!`, which the test harness captures
    // and hides for passing tests: a skip must be visible in every run.
    let _ = writeln!(
        std::io::stderr(),
        "POSTGRESQL SKIPPED: {why} (the PostgreSQL conformance tests did not run; under CI=true this is a failure)"
    );
    None
}

/// Where PostgreSQL's server binaries are: `pg_config --bindir` when it has them, otherwise the
/// highest version under `/usr/lib/postgresql/*/bin`.
fn find_bindir() -> Result<PathBuf, String> {
    if let Ok(output) = Command::new("pg_config")
        .arg("--bindir")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        && output.status.success()
    {
        let bindir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if has_server_binaries(&bindir) {
            return Ok(bindir);
        }
    }

    let mut versions: Vec<(Vec<u64>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let version = name
                .split('.')
                .map(|part| part.parse::<u64>().ok())
                .collect::<Option<Vec<u64>>>()?;
            let bindir = entry.path().join("bin");
            has_server_binaries(&bindir).then_some((version, bindir))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bindir)| bindir).ok_or_else(|| {
        "PostgreSQL is not installed (no initdb, pg_ctl, postgres and createdb in \
         `pg_config --bindir` or /usr/lib/postgresql/*/bin)"
            .to_owned()
    })
}

fn has_server_binaries(bindir: &Path) -> bool {
    ["initdb", "pg_ctl", "postgres", "createdb"]
        .iter()
        .all(|binary| bindir.join(binary).is_file())
}

/// Whether this process runs as root (`id -u` prints 0).
fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|output| {
            output.status.success() && String::from_utf8_lossy(&output.stdout).trim() == "0"
        })
}

fn postgres_user_exists() -> bool {
    Command::new("id")
        .arg("postgres")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// A port on 127.0.0.1 that was free a moment ago: bind port 0, note the port, close it.
fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap_or_else(|e| panic!("PostgreSQL test cluster: cannot bind 127.0.0.1:0: {e}"));
    listener
        .local_addr()
        .unwrap_or_else(|e| panic!("PostgreSQL test cluster: no local address: {e}"))
        .port()
}

/// A command's exit status and output, for a panic message.
fn describe(output: &Output) -> String {
    let mut text = output.status.to_string();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !stdout.trim().is_empty() {
        let _ = write!(text, "\n--- stdout ---\n{}", stdout.trim_end());
    }
    if !stderr.trim().is_empty() {
        let _ = write!(text, "\n--- stderr ---\n{}", stderr.trim_end());
    }
    text
}
