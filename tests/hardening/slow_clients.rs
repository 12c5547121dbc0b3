//! Slow and stalled clients: half-sent requests are cut off, cannot use up the server's
//! connections or file descriptors, and do not hold up a stop.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use pourover::app::RunningApp;

use crate::common::process::ServeProcess;
use crate::common::settings_in;

/// The start of a request whose headers never end.
const HALF_A_REQUEST: &[u8] = b"POST /slack/commands HTTP/1.1\r\nHost: pourover\r\nX-Slack-";

/// Opens a connection and sends half a request.
fn half_open(addr: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).expect("the bot accepts a connection");
    stream.write_all(HALF_A_REQUEST).expect("half a request");
    stream
}

/// What the server sends back before closing, within `patience` (None: it kept the
/// connection open without a word).
fn answer_within(stream: &mut TcpStream, patience: Duration) -> Option<String> {
    stream
        .set_read_timeout(Some(patience))
        .expect("read timeout");
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => Some(String::from_utf8_lossy(&answer).into_owned()),
        Err(_) => None,
    }
}

fn healthz(addr: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: pourover\r\nConnection: close\r\n\r\n")
        .ok()?;
    let answer = answer_within(&mut stream, Duration::from_secs(15))?;
    answer.get(9..12)?.parse().ok()
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let settings = settings_in(dir.path(), &[("POUROVER_READ_TIMEOUT_MS", "500")]);
    let app = RunningApp::start(settings).await.expect("the bot starts");
    let addr = app.local_addr().to_string();
    let closed = tokio::task::spawn_blocking(move || {
        let mut stream = half_open(&addr);
        answer_within(&mut stream, Duration::from_secs(10))
    })
    .await
    .expect("the client ran");
    assert!(
        closed.is_some(),
        "the half-open connection was never closed"
    );
    app.shutdown().await.expect("the bot stops");
}

#[tokio::test]
async fn a_client_that_stops_sending_its_body_gets_408() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let settings = settings_in(dir.path(), &[("POUROVER_READ_TIMEOUT_MS", "500")]);
    let app = RunningApp::start(settings).await.expect("the bot starts");
    let addr = app.local_addr().to_string();
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(&addr).expect("connects");
        stream
            .write_all(
                b"POST /api/messages HTTP/1.1\r\nHost: pourover\r\nContent-Length: 100\r\n\r\n{\"type\":",
            )
            .expect("headers and a tenth of the body");
        answer_within(&mut stream, Duration::from_secs(10))
    })
    .await
    .expect("the client ran");
    let answer = answer.expect("an answer before the connection closed");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    app.shutdown().await.expect("the bot stops");
}

#[tokio::test]
async fn half_open_connections_cannot_exhaust_file_descriptors_and_healthz_still_answers() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let database = settings_in(dir.path(), &[]).database.url;
    let env = [
        ("POUROVER_DATABASE_URL", database),
        ("POUROVER_MAX_CONNECTIONS", "32".to_owned()),
        ("POUROVER_READ_TIMEOUT_MS", "1000".to_owned()),
    ];
    let path = dir.path().to_path_buf();
    // 128 descriptors: 200 half-open connections would take them all.
    let serve =
        tokio::task::spawn_blocking(move || ServeProcess::start_with_open_files(&path, &env, 128))
            .await
            .expect("pourover serve starts");
    let addr = serve.addr.clone();
    let (held, status) = tokio::task::spawn_blocking(move || {
        let held: Vec<TcpStream> = (0..200)
            .filter_map(|_| {
                let mut stream = TcpStream::connect(&addr).ok()?;
                stream.write_all(HALF_A_REQUEST).ok()?;
                Some(stream)
            })
            .collect();
        (held.len(), healthz(&addr))
    })
    .await
    .expect("the clients ran");
    assert!(held > 100, "the attack opened {held} connections");
    assert_eq!(status, Some(200), "/healthz answers during the attack");
    let log = serve.log();
    assert!(!log.contains("Too many open files"), "{log}");
    let stopped = tokio::task::spawn_blocking(move || serve.terminate(Duration::from_secs(20)))
        .await
        .expect("stopped");
    assert!(stopped.is_some(), "pourover serve stops after the attack");
}

#[tokio::test]
async fn sigterm_stops_serve_promptly_even_with_half_open_connections() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let database = settings_in(dir.path(), &[]).database.url;
    // A long read timeout: the stop itself must cut the connections off.
    let env = [
        ("POUROVER_DATABASE_URL", database),
        ("POUROVER_READ_TIMEOUT_MS", "600000".to_owned()),
    ];
    let path = dir.path().to_path_buf();
    let serve = tokio::task::spawn_blocking(move || ServeProcess::start(&path, &env))
        .await
        .expect("pourover serve starts");
    let addr = serve.addr.clone();
    let stopped = tokio::task::spawn_blocking(move || {
        let _held: Vec<TcpStream> = (0..5).map(|_| half_open(&addr)).collect();
        let mut stalled_body = TcpStream::connect(&addr).expect("connects");
        stalled_body
            .write_all(
                b"POST /api/messages HTTP/1.1\r\nHost: pourover\r\nContent-Length: 100\r\n\r\n{",
            )
            .expect("half a body");
        let started = Instant::now();
        let stopped = serve.terminate(Duration::from_secs(30));
        (stopped, started.elapsed())
    })
    .await
    .expect("the clients ran");
    let (stopped, waited) = stopped;
    let took = stopped.unwrap_or_else(|| panic!("still running {waited:?} after SIGTERM"));
    // The shutdown deadline for connections is 5 s; nothing else is slow here.
    assert!(took < Duration::from_secs(15), "SIGTERM took {took:?}");
}
