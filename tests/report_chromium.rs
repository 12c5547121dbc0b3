//! The HTML report opened in a real browser: headless Chromium driven over the DevTools
//! protocol. The page must load without script errors, console errors or any network request,
//! and must render its charts. Chromium is required (CI installs Debian's `chromium`): a
//! missing browser fails this test rather than skipping it.

mod common;
mod stats_fixture;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// `POUROVER_CHROMIUM`, else Debian's path, else `chromium` on PATH.
fn chromium_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("POUROVER_CHROMIUM") {
        return PathBuf::from(path);
    }
    let debian = PathBuf::from("/usr/bin/chromium");
    if debian.exists() {
        return debian;
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("chromium"))
        .find(|candidate| candidate.exists())
        .unwrap_or_else(|| {
            panic!(
                "this test needs Chromium: `apt-get install -y chromium` (CI does this), \
                 or point POUROVER_CHROMIUM at a Chromium binary"
            )
        })
}

/// A browser that is killed when dropped.
struct Browser {
    child: tokio::process::Child,
    _profile: tempfile::TempDir,
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// Every event received so far, in order.
    events: Vec<Value>,
}

impl Browser {
    async fn launch() -> Self {
        let profile = tempfile::tempdir().unwrap();
        let child = tokio::process::Command::new(chromium_binary())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("Chromium should start");
        // Chromium writes its port and browser endpoint there once it listens.
        let port_file = profile.path().join("DevToolsActivePort");
        let endpoint = common::eventually(
            "Chromium's DevToolsActivePort file",
            Duration::from_secs(30),
            || async {
                let text = tokio::fs::read_to_string(&port_file).await.ok()?;
                let mut lines = text.lines();
                let port = lines.next()?.trim().to_string();
                let path = lines.next()?.trim().to_string();
                Some(format!("ws://127.0.0.1:{port}{path}"))
            },
        )
        .await;
        let (socket, _) = tokio_tungstenite::connect_async(endpoint.as_str())
            .await
            .expect("the DevTools endpoint should accept a connection");
        Self {
            child,
            _profile: profile,
            socket,
            next_id: 0,
            events: Vec::new(),
        }
    }

    /// Sends one command (to a page when `session` is set) and returns its result, keeping
    /// the events that arrive meanwhile.
    async fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut command = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            command["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::Text(command.to_string().into()))
            .await
            .unwrap();
        loop {
            let message = self.receive().await;
            if message["id"] == json!(id) {
                assert!(message.get("error").is_none(), "{method} failed: {message}");
                return message["result"].clone();
            }
            self.events.push(message);
        }
    }

    /// Waits until an event named `method` has arrived (or had already).
    async fn wait_for_event(&mut self, method: &str) {
        while !self.events.iter().any(|e| e["method"] == json!(method)) {
            let message = self.receive().await;
            self.events.push(message);
        }
    }

    async fn receive(&mut self) -> Value {
        loop {
            match self.socket.next().await {
                Some(Ok(Message::Text(text))) => return serde_json::from_str(&text).unwrap(),
                Some(Ok(_)) => continue,
                other => panic!("the DevTools connection ended: {other:?}"),
            }
        }
    }

    async fn close(mut self) {
        let _ = self.call(None, "Browser.close", json!({})).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
    }
}

/// What the page looks like once loaded, read inside the browser.
const INSPECT: &str = r#"JSON.stringify({
  title: document.title,
  charts: [...document.querySelectorAll('figure.chart svg')].map(svg => {
    const box = svg.getBoundingClientRect();
    return {
      id: svg.getAttribute('aria-labelledby'),
      title: svg.querySelector('title') ? svg.querySelector('title').textContent : null,
      width: box.width,
      height: box.height,
      shapes: svg.querySelectorAll('rect, polyline, path, circle').length,
      labels: svg.querySelectorAll('text').length,
    };
  }),
  scripts: document.scripts.length,
  external: [...document.querySelectorAll('[src], [href], link, iframe, img, object, embed')].length,
  cards: document.querySelectorAll('.card').length,
  rows: document.querySelectorAll('table tbody tr').length,
})"#;

async fn report_file(dir: &Path) -> PathBuf {
    let db = dir.join("pourover.db");
    stats_fixture::acme(&db).await;
    let out = dir.join("report.html");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pourover"))
        .args(["report", "--out"])
        .arg(&out)
        .current_dir(dir)
        .env(
            "POUROVER_DATABASE_URL",
            format!("sqlite://{}", db.display()),
        )
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    out
}

#[tokio::test]
async fn the_report_renders_its_charts_in_headless_chromium_without_errors() {
    let dir = tempfile::tempdir().unwrap();
    let report = report_file(dir.path()).await;
    let url = format!("file://{}", report.display());

    let result = tokio::time::timeout(Duration::from_secs(90), async {
        let mut browser = Browser::launch().await;
        let target = browser
            .call(None, "Target.createTarget", json!({ "url": "about:blank" }))
            .await;
        let attached = browser
            .call(
                None,
                "Target.attachToTarget",
                json!({ "targetId": target["targetId"], "flatten": true }),
            )
            .await;
        let session = attached["sessionId"].as_str().unwrap().to_string();
        let page = Some(session.as_str());
        for domain in ["Page", "Runtime", "Log", "Network"] {
            browser
                .call(page, &format!("{domain}.enable"), json!({}))
                .await;
        }
        browser
            .call(
                page,
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": 1280, "height": 2000, "deviceScaleFactor": 1, "mobile": false }),
            )
            .await;
        browser
            .call(page, "Page.navigate", json!({ "url": url }))
            .await;
        browser.wait_for_event("Page.loadEventFired").await;
        let inspected = browser
            .call(
                page,
                "Runtime.evaluate",
                json!({ "expression": INSPECT, "returnByValue": true }),
            )
            .await;
        let screenshot = browser
            .call(page, "Page.captureScreenshot", json!({ "format": "png" }))
            .await;
        let events = std::mem::take(&mut browser.events);
        browser.close().await;
        (inspected, screenshot, events)
    })
    .await;
    let (inspected, screenshot, events) = result.expect("Chromium answered within 90 s");

    // Nothing went wrong while loading: no exception, no console or log error, and no request
    // for anything but the file itself.
    for event in &events {
        let method = event["method"].as_str().unwrap_or_default();
        let params = &event["params"];
        assert_ne!(method, "Runtime.exceptionThrown", "{event}");
        if method == "Runtime.consoleAPICalled" {
            assert!(
                !matches!(
                    params["type"].as_str(),
                    Some("error" | "warning" | "assert")
                ),
                "{event}"
            );
        }
        if method == "Log.entryAdded" {
            assert_ne!(params["entry"]["level"], "error", "{event}");
        }
        if method == "Network.requestWillBeSent" {
            let requested = params["request"]["url"].as_str().unwrap_or_default();
            assert!(requested == url, "the report fetched {requested}");
        }
    }

    let page: Value = serde_json::from_str(inspected["result"]["value"].as_str().unwrap()).unwrap();
    assert_eq!(page["title"], "Pourover report: all programs");
    assert_eq!(page["scripts"], 0, "{page}");
    assert_eq!(page["external"], 0, "{page}");
    let charts = page["charts"].as_array().unwrap();
    let titles: Vec<&str> = charts
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    // Overall heat map; coffee and lunch: participation, reach, heat map; book-club: none.
    assert_eq!(
        titles,
        vec![
            "Meetings between teams",
            "Participation and met rate per round",
            "Reach over time",
            "Meetings between teams",
            "Participation and met rate per round",
            "Reach over time",
            "Meetings between teams",
        ],
        "{page}"
    );
    for chart in charts {
        assert!(chart["width"].as_f64().unwrap() > 300.0, "{chart}");
        assert!(chart["height"].as_f64().unwrap() > 200.0, "{chart}");
        assert!(chart["shapes"].as_u64().unwrap() > 5, "{chart}");
        assert!(chart["labels"].as_u64().unwrap() > 5, "{chart}");
    }
    assert!(page["cards"].as_u64().unwrap() >= 16, "{page}");
    // Coffee shows 5 rounds and 5 connectors, lunch 2 rounds and 5 connectors.
    assert_eq!(page["rows"], 5 + 5 + 2 + 5, "{page}");

    // Kept for people to look at: target/tmp/report-screenshot.png.
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD
        .decode(screenshot["data"].as_str().unwrap())
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png"),
        png,
    )
    .unwrap();
}
