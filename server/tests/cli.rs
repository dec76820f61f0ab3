//! The `master-ia` binary as an operator meets it: configuration errors name the key, a first
//! start creates the data directory, key file and database, and SIGTERM shuts down cleanly.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_master-ia");

fn run_with_env(vars: &[(&str, &str)]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(BIN)
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn unknown_config_keys_stop_the_start_by_name() {
    let (code, stderr) = run_with_env(&[("MASTER_IA_ADRESS", "127.0.0.1:1")]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("adress"), "{stderr}");
}

#[test]
fn bad_config_values_stop_the_start_by_name() {
    let (code, stderr) = run_with_env(&[("MASTER_IA_ADDR", "not-an-address")]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("addr"), "{stderr}");
    let (code, stderr) = run_with_env(&[("MASTER_IA_WORKERS", "many")]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.to_lowercase().contains("workers"), "{stderr}");
    let (code, stderr) = run_with_env(&[("DATABASE_URL", "mysql://root@localhost/x")]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("database_url"), "{stderr}");
}

#[test]
fn config_file_is_read_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("master-ia.toml"), "workers = \"lots\"\n").unwrap();
    let output = Command::new(BIN).current_dir(dir.path()).env_clear().output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("workers"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn first_start_creates_data_and_stops_on_sigterm() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(BIN)
        .current_dir(dir.path())
        .env_clear()
        .env("MASTER_IA_ADDR", format!("127.0.0.1:{port}"))
        .env("MASTER_IA_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // Logs (JSON lines) share stdout; the URL line comes once the server listens.
    let url = format!("http://127.0.0.1:{port}");
    let mut seen = Vec::new();
    for line in BufReader::new(stdout).lines().take(50) {
        let line = line.unwrap();
        let done = line.starts_with("Master IA is running at") && line.contains(&url);
        seen.push(line);
        if done {
            break;
        }
    }
    assert!(seen.last().is_some_and(|l| l.contains(&url)), "prints the URL: {seen:?}");

    let data = dir.path().join("data");
    let key_mode = std::fs::metadata(data.join("secret.key")).unwrap().permissions().mode();
    assert_eq!(key_mode & 0o777, 0o600);
    assert!(data.join("master-ia.db").exists(), "SQLite database in the data dir");
    assert!(data.join("outbox").is_dir());

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            stream
                .write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).unwrap();
            assert!(response.starts_with("HTTP/1.1 200"), "{response}");
            break;
        }
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }

    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "graceful exit, got {status}");
            break;
        }
        assert!(Instant::now() < deadline, "did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}
