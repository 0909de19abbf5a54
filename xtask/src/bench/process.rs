//! Servers the bench starts as child processes: spawned on a free loopback port, waited for,
//! killed on drop, their resident memory read from `/proc`.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process serving on `addr`, killed on drop.
pub struct Server {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Spawn → port answers.
    pub startup: Duration,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `program` with `args` plus `--addr <free port>` and waits up to `limit` for the port
    /// to answer.
    pub async fn start(program: &Path, args: &[String], limit: Duration) -> Result<Self, String> {
        let addr = free_addr()?;
        let started = Instant::now();
        let child = Command::new(program)
            .args(args)
            .args(["--addr", &addr.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting {}: {e}", program.display()))?;
        let mut server = Server {
            child,
            addr,
            startup: Duration::ZERO,
        };
        while started.elapsed() < limit {
            if let Some(status) = server.child.try_wait().map_err(|e| e.to_string())? {
                return Err(format!("{} exited with {status}", program.display()));
            }
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                server.startup = started.elapsed();
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Err(format!(
            "{} does not answer on {addr} after {} s",
            program.display(),
            limit.as_secs()
        ))
    }

    /// The process id (for `perf record -p`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory in KiB.
    pub fn rss_kib(&self) -> Result<u64, String> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .map_err(|e| format!("reading the server's /proc status: {e}"))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .ok_or_else(|| "no VmRSS line in the server's /proc status".to_owned())
    }
}

/// Memory the kernel says is available for new work, in KiB.
pub fn available_kib() -> Result<u64, String> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").map_err(|e| e.to_string())?;
    meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| "no MemAvailable line in /proc/meminfo".to_owned())
}

fn free_addr() -> Result<SocketAddr, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.local_addr().map_err(|e| e.to_string())
}
