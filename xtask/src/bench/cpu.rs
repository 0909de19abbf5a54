//! CPU time from `/proc`: a server's (all its threads) and the load generator's (a waited-for child
//! of this process), so a sample can say what each request cost the server and whether the
//! generator's one thread was saturated, whatever the other figure was.

use std::process::Command;
use std::sync::OnceLock;

/// Clock ticks per second of `/proc`'s times (`getconf CLK_TCK`, 100 on Linux if it cannot say).
fn ticks_per_second() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// Fields of a `/proc/<pid>/stat` line after the command name (which may hold spaces), numbered
/// as `proc(5)` numbers them: the first returned is field 3.
fn fields(stat: &str) -> Result<Vec<&str>, String> {
    let after = stat
        .rfind(')')
        .map(|i| &stat[i + 1..])
        .ok_or("a /proc stat line without its command name")?;
    Ok(after.split_whitespace().collect())
}

/// Sums the ticks of `proc(5)` fields `numbers` of `stat`, in seconds.
fn seconds(stat: &str, numbers: &[usize]) -> Result<f64, String> {
    let fields = fields(stat)?;
    let mut ticks = 0u64;
    for &n in numbers {
        let field = fields
            .get(n - 3)
            .ok_or_else(|| format!("a /proc stat line without field {n}"))?;
        ticks += field
            .parse::<u64>()
            .map_err(|e| format!("/proc stat field {n} `{field}`: {e}"))?;
    }
    Ok(ticks as f64 / ticks_per_second())
}

/// User + system CPU seconds of process `pid`, all its threads.
pub fn process_seconds(pid: u32) -> Result<f64, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("reading /proc/{pid}/stat: {e}"))?;
    // utime, stime
    seconds(&stat, &[14, 15])
}

/// User + system CPU seconds of this process's children that have been waited for.
pub fn children_seconds() -> Result<f64, String> {
    let stat = std::fs::read_to_string("/proc/self/stat")
        .map_err(|e| format!("reading /proc/self/stat: {e}"))?;
    // cutime, cstime
    seconds(&stat, &[16, 17])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_times_after_a_command_name_with_spaces() {
        let stat = "4242 (tokio (rt) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 \
                    3 0 1000 0 0";
        let user_system = seconds(stat, &[14, 15]).unwrap() * ticks_per_second();
        assert!((user_system - 300.0).abs() < 1e-9);
        let children = seconds(stat, &[16, 17]).unwrap() * ticks_per_second();
        assert!((children - 10.0).abs() < 1e-9);
        assert!(seconds("no name here", &[14]).is_err());
        assert!(seconds("1 (x) S 1", &[14]).is_err());
    }

    #[test]
    fn this_process_uses_cpu() {
        let before = process_seconds(std::process::id()).unwrap();
        let mut x = 0u64;
        let start = std::time::Instant::now();
        while start.elapsed() < std::time::Duration::from_millis(100) {
            x = x.wrapping_mul(31).wrapping_add(1);
        }
        std::hint::black_box(x);
        let after = process_seconds(std::process::id()).unwrap();
        assert!(after > before, "{before} → {after}");
    }
}
