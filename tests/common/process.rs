//! The real `pourover serve` binary as a child process, for tests that must kill it with
//! SIGKILL (`kill -9`) and start it again on the same database.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct ServeProcess {
    child: Child,
    /// `host:port` the bot listens on.
    pub addr: String,
    log: Arc<Mutex<Vec<String>>>,
    /// Reads stderr into `log` until the process is gone.
    reader: Option<std::thread::JoinHandle<()>>,
}

impl ServeProcess {
    /// Starts `pourover serve` in `dir` with exactly `env` (plus PATH) and waits until it
    /// logs the address it listens on.
    pub fn start(dir: &Path, env: &[(&str, String)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pourover"));
        command.arg("serve");
        Self::start_command(command, dir, env)
    }

    /// Like `start`, with the process allowed at most `open_files` file descriptors
    /// (`ulimit -n`), as a small container might have.
    pub fn start_with_open_files(dir: &Path, env: &[(&str, String)], open_files: u32) -> Self {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("ulimit -n {open_files} && exec \"$0\" serve"))
            .arg(env!("CARGO_BIN_EXE_pourover"));
        Self::start_command(command, dir, env)
    }

    fn start_command(mut command: Command, dir: &Path, env: &[(&str, String)]) -> Self {
        command
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "info,pourover=debug")
            .env("POUROVER_BIND", "127.0.0.1:0")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("pourover serve starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().expect("log lock").push(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let addr = loop {
            let found = log.lock().expect("log lock").iter().find_map(|line| {
                line.contains("listening")
                    .then(|| line.split("addr=").nth(1))
                    .flatten()
                    .and_then(|rest| rest.split_whitespace().next())
                    .map(str::to_owned)
            });
            if let Some(addr) = found {
                break addr;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "pourover serve exited with {status} before listening:\n{}",
                    log.lock().expect("log lock").join("\n")
                );
            }
            assert!(
                Instant::now() < deadline,
                "pourover serve did not start:\n{}",
                log.lock().expect("log lock").join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        Self {
            child,
            addr,
            log,
            reader: Some(reader),
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// SIGKILL: no shutdown hooks, no flushing — a crash. Returns everything it logged.
    pub fn kill9(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The pipe closes with the process: the reader drains what is left, then stops.
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        self.log()
    }

    /// SIGTERM, as `docker stop` sends; waits up to `patience` for the process to exit and
    /// says how long it took (None: it was still running, and was then killed).
    pub fn terminate(mut self, patience: Duration) -> Option<Duration> {
        let sent = Instant::now();
        let signalled = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(signalled.success(), "SIGTERM was delivered");
        while sent.elapsed() < patience {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Some(sent.elapsed());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn log(&self) -> String {
        self.log.lock().expect("log lock").join("\n")
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
