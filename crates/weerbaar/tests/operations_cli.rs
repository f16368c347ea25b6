//! `weerbaar serve` as an operator runs it: JSON logs on standard error with
//! `log.format = "json"`, `/metrics` behind its bearer token, and the `[oidc]` and
//! `[metrics]` keys checked before the server starts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

/// `weerbaar --data-dir DATA ARGS…`, without the `WEERBAAR_*` variables of the
/// environment the tests run in.
fn weerbaar(data: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_weerbaar"));
    command.arg("--data-dir").arg(data).args(args);
    for (name, _) in std::env::vars_os() {
        if name
            .to_string_lossy()
            .to_ascii_uppercase()
            .starts_with("WEERBAAR_")
        {
            command.env_remove(name);
        }
    }
    command.stdin(Stdio::null());
    command
}

#[track_caller]
fn succeed(output: Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A GET over plain HTTP/1.1: (status, body).
fn get(address: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The configuration `text` with `line` set in its `[table]` (which `weerbaar init`
/// writes with its keys commented out), or in a new table at the end.
fn set_in_table(text: &str, table: &str, line: &str) -> String {
    let header = format!("[{table}]\n");
    if text.contains(&header) {
        text.replacen(&header, &format!("{header}{line}\n"), 1)
    } else {
        format!("{text}\n{header}{line}\n")
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn serve_logs_json_and_answers_metrics_with_its_token() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    succeed(
        weerbaar(&data, &["init", "--preset", "model"])
            .output()
            .unwrap(),
    );
    let config = data.join("weerbaar.toml");
    let text = set_in_table(
        &std::fs::read_to_string(&config).unwrap(),
        "log",
        "format = \"json\"",
    );
    let text = set_in_table(&text, "metrics", &format!("token = \"{TOKEN}\""));
    std::fs::write(&config, text).unwrap();
    let address = format!("127.0.0.1:{}", free_port());
    let mut child = Killed(
        weerbaar(&data, &["serve", "--listen", &address])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stderr = child.0.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let first = lines.next().expect("a log line").unwrap();
    let event: serde_json::Value =
        serde_json::from_str(&first).unwrap_or_else(|error| panic!("not JSON ({error}): {first}"));
    assert_eq!(event["level"], "INFO", "{first}");
    assert_eq!(event["message"], "weerbaar serve started", "{first}");
    assert!(event["timestamp"].is_string(), "{first}");

    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(&address).is_err() {
        assert!(Instant::now() < deadline, "serve did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(get(&address, "/healthz", None).0, 200);
    assert_eq!(get(&address, "/metrics", None).0, 401);
    assert_eq!(get(&address, "/metrics", Some("fout")).0, 401);
    let (status, body) = get(&address, "/metrics", Some(TOKEN));
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(
            "weerbaar_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "{body}"
    );
    assert!(
        body.contains("weerbaar_overdue_tasks{organisation="),
        "{body}"
    );
}

#[test]
fn serve_refuses_an_incomplete_oidc_table_and_a_short_metrics_token() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    succeed(
        weerbaar(&data, &["init", "--preset", "model"])
            .output()
            .unwrap(),
    );
    let config = data.join("weerbaar.toml");
    let original = std::fs::read_to_string(&config).unwrap_or_default();
    let cases = [
        (
            "\n[oidc]\nissuer = \"https://login.gemeente.nl\"\nclient_id = \"weerbaar\"\norganisation = \"x\"\n",
            "server.public_url",
        ),
        ("\n[oidc]\nclient_id = \"weerbaar\"\n", "oidc.issuer"),
        (
            "\n[oidc]\nissuer = \"https://login.gemeente.nl\"\nclient_id = \"weerbaar\"\norganisation = \"x\"\nredirect_url = \"https://weerbaar.gemeente.nl/aanmelden/extern/terug\"\nclaim = \"given_name\"\n",
            "oidc.claim",
        ),
    ];
    let tables = [
        ("metrics", "token = \"kort\"", "metrics.token"),
        ("log", "format = \"xml\"", "log.format"),
    ];
    for (table, line, named) in tables {
        std::fs::write(&config, set_in_table(&original, table, line)).unwrap();
        let output = weerbaar(&data, &["serve", "--listen", "127.0.0.1:0"])
            .output()
            .unwrap();
        assert!(!output.status.success(), "{line} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(named), "{line}: {stderr}");
    }
    for (extra, named) in cases {
        let text = &original;
        std::fs::write(&config, format!("{text}{extra}")).unwrap();
        let output = weerbaar(&data, &["serve", "--listen", "127.0.0.1:0"])
            .output()
            .unwrap();
        assert!(!output.status.success(), "{extra} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(named), "{extra}: {stderr}");
    }
}
