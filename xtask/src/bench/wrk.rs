//! One `wrk` run and what its report says: requests per second, errors, the 99th percentile latency
//! and any lines a Lua script printed.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// What to send: a path (with query) and its headers, or a Lua script that builds requests.
#[derive(Debug, Clone)]
pub struct Load<'a> {
    /// The server.
    pub addr: SocketAddr,
    /// The server's process, whose CPU time the run reads.
    pub pid: u32,
    /// Path and query of the URL wrk is given (a script may send others).
    pub path: &'a str,
    /// Extra request headers, `name: value`.
    pub headers: Vec<String>,
    /// A Lua script and the arguments its `init` receives.
    pub script: Option<(&'a Path, Vec<String>)>,
}

/// How hard and how long.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// wrk threads (`-t`).
    pub threads: usize,
    /// Kept-alive connections (`-c`).
    pub connections: usize,
    /// Duration (`-d`, whole seconds).
    pub duration: Duration,
}

impl Shape {
    /// The command-line flags, as the report quotes them.
    pub fn flags(&self) -> String {
        format!(
            "-t{} -c{} -d{}s",
            self.threads,
            self.connections,
            self.duration.as_secs().max(1)
        )
    }
}

/// The parts of a wrk report the bench uses.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Requests completed.
    pub requests: u64,
    /// `Requests/sec`.
    pub rps: f64,
    /// Responses outside 2xx/3xx.
    pub non_2xx: u64,
    /// Connect, read, write and timeout errors, summed.
    pub socket_errors: u64,
    /// 99th percentile latency in milliseconds.
    pub p99_ms: f64,
    /// The report's summary lines (`N requests in …`, `Requests/sec: …`), for the log.
    pub summary: String,
    /// Lines the script's `done` printed as `key value`.
    pub script: Vec<(String, String)>,
    /// CPU seconds the server used during the run (all its threads).
    pub server_cpu: f64,
    /// CPU seconds wrk used (all its threads).
    pub generator_cpu: f64,
    /// Wall seconds of the run.
    pub wall: f64,
}

impl Outcome {
    /// Server CPU microseconds per request completed.
    pub fn server_us_per_request(&self) -> f64 {
        1e6 * self.server_cpu / self.requests.max(1) as f64
    }

    /// The share of its threads' time the generator spent on a CPU (1.0: every wrk thread busy
    /// all the time, so the generator could send no faster).
    pub fn generator_busy(&self, threads: usize) -> f64 {
        self.generator_cpu / (self.wall * threads.max(1) as f64)
    }
}

/// Runs wrk once and parses its report. A run with non-2xx answers or socket errors is returned,
/// not refused: the caller decides.
pub fn run(wrk: &Path, load: &Load<'_>, shape: Shape) -> Result<Outcome, String> {
    let mut command = Command::new(wrk);
    command
        .arg(format!("-t{}", shape.threads))
        .arg(format!("-c{}", shape.connections))
        .arg(format!("-d{}s", shape.duration.as_secs().max(1)))
        .arg("--latency")
        .args(["--timeout", "10s"]);
    for header in &load.headers {
        command.args(["-H", header]);
    }
    if let Some((script, _)) = &load.script {
        command.arg("-s").arg(script);
    }
    command.arg(format!("http://{}{}", load.addr, load.path));
    if let Some((_, args)) = &load.script {
        command.arg("--").args(args);
    }
    let (server_before, generator_before) = (
        super::cpu::process_seconds(load.pid)?,
        super::cpu::children_seconds()?,
    );
    let started = std::time::Instant::now();
    let output = command
        .output()
        .map_err(|e| format!("running {}: {e}", wrk.display()))?;
    let wall = started.elapsed().as_secs_f64();
    let (server_after, generator_after) = (
        super::cpu::process_seconds(load.pid)?,
        super::cpu::children_seconds()?,
    );
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return Err(format!(
            "wrk failed: {}{}",
            text,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let mut outcome = parse(&text)?;
    outcome.server_cpu = server_after - server_before;
    outcome.generator_cpu = generator_after - generator_before;
    outcome.wall = wall;
    Ok(outcome)
}

/// Parses a wrk report (`--latency`).
fn parse(text: &str) -> Result<Outcome, String> {
    let mut outcome = Outcome {
        requests: 0,
        rps: f64::NAN,
        non_2xx: 0,
        socket_errors: 0,
        p99_ms: f64::NAN,
        summary: String::new(),
        script: Vec::new(),
        server_cpu: 0.0,
        generator_cpu: 0.0,
        wall: 0.0,
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("Requests/sec:") {
            outcome.rps = rest.trim().parse().map_err(|e| format!("{trimmed}: {e}"))?;
            outcome.summary.push_str(trimmed);
            outcome.summary.push('\n');
        } else if trimmed.contains(" requests in ") {
            outcome.requests = trimmed
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| format!("cannot read the request count in `{trimmed}`"))?;
            outcome.summary.push_str(trimmed);
            outcome.summary.push('\n');
        } else if let Some(rest) = trimmed.strip_prefix("Non-2xx or 3xx responses:") {
            outcome.non_2xx = rest.trim().parse().map_err(|e| format!("{trimmed}: {e}"))?;
            outcome.summary.push_str(trimmed);
            outcome.summary.push('\n');
        } else if let Some(rest) = trimmed.strip_prefix("Socket errors:") {
            outcome.socket_errors = rest
                .split(',')
                .filter_map(|part| part.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum();
            outcome.summary.push_str(trimmed);
            outcome.summary.push('\n');
        } else if let Some(rest) = trimmed.strip_prefix("99%") {
            outcome.p99_ms = millis(rest.trim())?;
        } else if let Some(rest) = trimmed.strip_prefix("script:") {
            let mut parts = rest.trim().splitn(2, ' ');
            if let (Some(key), Some(value)) = (parts.next(), parts.next()) {
                outcome
                    .script
                    .push((key.to_owned(), value.trim().to_owned()));
            }
        }
    }
    if outcome.rps.is_nan() {
        return Err(format!("wrk printed no Requests/sec line:\n{text}"));
    }
    Ok(outcome)
}

/// A wrk duration such as `812.00us`, `1.23ms` or `2.01s`, in milliseconds.
fn millis(text: &str) -> Result<f64, String> {
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| format!("no unit in latency `{text}`"))?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|e| format!("latency `{text}`: {e}"))?;
    match unit {
        "us" => Ok(number / 1000.0),
        "ms" => Ok(number),
        "s" => Ok(number * 1000.0),
        "m" => Ok(number * 60_000.0),
        other => Err(format!("unknown latency unit `{other}` in `{text}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "\
Running 5s test @ http://127.0.0.1:8080/v1/registers/accu-projects?limit=50
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   692.08us  135.88us   4.06ms   89.62%
    Req/Sec    23.19k   676.41    24.21k    70.00%
  Latency Distribution
     50%  663.00us
     75%  713.00us
     90%  802.00us
     99%    1.21ms
  115412 requests in 5.00s, 1.88GB read
  Socket errors: connect 0, read 2, write 1, timeout 0
  Non-2xx or 3xx responses: 3
Requests/sec:  23082.67
Transfer/sec:    384.55MB
script: transfers 1234
";

    #[test]
    fn reads_a_wrk_report() {
        let outcome = parse(REPORT).unwrap();
        assert_eq!(outcome.requests, 115_412);
        assert!((outcome.rps - 23_082.67).abs() < 1e-6);
        assert_eq!(outcome.non_2xx, 3);
        assert_eq!(outcome.socket_errors, 3);
        assert!((outcome.p99_ms - 1.21).abs() < 1e-9);
        assert_eq!(
            outcome.script,
            vec![("transfers".to_owned(), "1234".to_owned())]
        );
        assert!(outcome.summary.contains("Requests/sec:  23082.67"));
    }

    #[test]
    fn refuses_a_report_without_a_rate() {
        assert!(parse("Running 5s test @ http://127.0.0.1:1/\n").is_err());
    }

    #[test]
    fn converts_latency_units() {
        assert!((millis("812.00us").unwrap() - 0.812).abs() < 1e-9);
        assert!((millis("2.50s").unwrap() - 2500.0).abs() < 1e-9);
        assert!(millis("3.0").is_err());
    }
}
