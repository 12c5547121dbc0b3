//! `pourover serve` end to end: health, metrics, logs without secrets, graceful shutdown.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use pourover::app::RunningApp;

#[tokio::test]
async fn healthz_and_metrics_answer_on_a_random_port() {
    let dir = tempfile::tempdir().unwrap();
    let app = RunningApp::start(common::settings_in(dir.path(), &[]))
        .await
        .unwrap();
    let base = format!("http://{}", app.local_addr());
    let client = reqwest::Client::new();

    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");

    let metrics = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    assert!(
        metrics.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = metrics.text().await.unwrap();
    assert!(text.contains("# TYPE pourover_build_info gauge"), "{text}");
    // The /healthz call above was counted under its route.
    assert!(
        text.contains(
            r#"pourover_http_requests_total{method="GET",route="/healthz",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(text.trim_end().ends_with("# EOF"));

    let missing = client.get(format!("{base}/nope")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn healthz_reports_an_unreachable_database() {
    let dir = tempfile::tempdir().unwrap();
    let app = RunningApp::start(common::settings_in(dir.path(), &[]))
        .await
        .unwrap();
    app.store().close().await;
    let response = reqwest::get(format!("http://{}/healthz", app.local_addr()))
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    app.shutdown().await.unwrap();
}

/// Runs the real binary with secrets in its environment and verbose logs, and checks that
/// it serves, stops cleanly on SIGTERM, and never printed a secret.
#[test]
fn serve_logs_no_secret_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let slack_api_url = fake_slack_answering_auth_test();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pourover"))
        .arg("serve")
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "trace")
        .env("POUROVER_BIND", "127.0.0.1:0")
        .env("POUROVER_DATABASE_URL", "sqlite://data/pourover.db")
        .env("SLACK_BOT_TOKEN", "xoxb-SECRET-bot-token-1234")
        .env("SLACK_SIGNING_SECRET", "SECRET-signing-5678")
        .env("SLACK_API_URL", &slack_api_url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });

    let mut log = Vec::new();
    let addr = loop {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("serve should log its address");
        let found = line
            .split("addr=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_owned);
        log.push(line);
        if let Some(addr) = found.filter(|_| log.last().is_some_and(|l| l.contains("listening"))) {
            break addr;
        }
    };
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    use std::io::{Read, Write};
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let healthcheck = Command::new(env!("CARGO_BIN_EXE_pourover"))
        .args(["healthcheck", "--url", &format!("http://{addr}/healthz")])
        .output()
        .unwrap();
    assert!(healthcheck.status.success(), "{healthcheck:?}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    reader.join().unwrap();
    log.extend(lines_rx.try_iter());
    assert!(exit.success(), "exit {exit:?}; log:\n{}", log.join("\n"));
    let all = log.join("\n");
    assert!(all.contains("stopped"), "{all}");
    assert!(
        !all.contains("SECRET"),
        "a secret leaked into the logs:\n{all}"
    );
    assert!(dir.path().join("data/pourover.db").exists());

    let unhealthy = Command::new(env!("CARGO_BIN_EXE_pourover"))
        .args(["healthcheck", "--url", &format!("http://{addr}/healthz")])
        .output()
        .unwrap();
    assert!(!unhealthy.status.success(), "a stopped bot is not healthy");
}

/// The bot asks Slack who it is (auth.test) before serving; a stand-in answers that
/// (and anything else) with a fixed identity. Returns the API base URL.
fn fake_slack_answering_auth_test() -> String {
    use std::io::{BufRead, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|read| read > 2) {
                line.clear();
            }
            let body = r#"{"ok":true,"url":"https://acme.slack.com/","team":"Acme","user":"pourover","team_id":"T0ACME","user_id":"U0BOT","bot_id":"B0BOT"}"#;
            let _ = write!(
                reader.get_mut(),
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn a_malformed_setting_stops_start_up_with_one_line_and_exit_code_2() {
    let output = Command::new(env!("CARGO_BIN_EXE_pourover"))
        .arg("serve")
        .env("POUROVER_BIND", "not-an-address")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("server.bind"), "{stderr}");
    assert!(stderr.contains("POUROVER_BIND"), "{stderr}");
}

#[test]
fn migrate_creates_the_database_and_can_run_again() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let output = Command::new(env!("CARGO_BIN_EXE_pourover"))
            .arg("migrate")
            .current_dir(dir.path())
            .env("POUROVER_DATABASE_URL", "sqlite://state/bot.db")
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        assert!(String::from_utf8_lossy(&output.stdout).contains("up to date"));
    }
    assert!(dir.path().join("state/bot.db").exists());
}

#[test]
fn help_explains_the_commands() {
    let output = Command::new(env!("CARGO_BIN_EXE_pourover"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for word in ["serve", "migrate", "--config", "SLACK_BOT_TOKEN"] {
        assert!(help.contains(word), "--help should mention {word}:\n{help}");
    }
    let version = Command::new(env!("CARGO_BIN_EXE_pourover"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(
        String::from_utf8(version.stdout)
            .unwrap()
            .starts_with("pourover ")
    );
}

#[tokio::test]
async fn an_export_link_downloads_the_programs_csv_and_unknown_links_are_404() {
    let dir = tempfile::tempdir().unwrap();
    let settings = common::settings_in(
        dir.path(),
        &[("POUROVER_PUBLIC_URL", "https://coffee.example.com/")],
    );
    let app = RunningApp::start(settings).await.unwrap();
    let program = common::program_in_store(app.store(), "coffee").await;
    let link = app.core().exports.grant(program.id).unwrap();
    let path = link
        .strip_prefix("https://coffee.example.com")
        .expect("links use the public URL without a doubled slash");
    let base = format!("http://{}", app.local_addr());

    let response = reqwest::get(format!("{base}{path}")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("coffee-export.csv")
    );
    let csv = response.text().await.unwrap();
    assert!(csv.starts_with("round,members,"), "{csv}");

    let unknown = reqwest::get(format!("{base}/exports/{}.csv", "0".repeat(64)))
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_export_of_a_program_with_a_unicode_name_downloads_under_its_own_name() {
    let dir = tempfile::tempdir().unwrap();
    let settings = common::settings_in(
        dir.path(),
        &[("POUROVER_PUBLIC_URL", "https://coffee.example.com")],
    );
    let app = RunningApp::start(settings).await.unwrap();
    let program = common::program_in_store(app.store(), "kaffee-für-alle").await;
    let link = app.core().exports.grant(program.id).unwrap();
    let path = link.strip_prefix("https://coffee.example.com").unwrap();
    let response = reqwest::get(format!("http://{}{path}", app.local_addr()))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-disposition"].to_str().unwrap(),
        "attachment; filename=\"kaffee-f_r-alle-export.csv\"; \
         filename*=UTF-8''kaffee-f%C3%BCr-alle-export.csv"
    );
    app.shutdown().await.unwrap();
}
