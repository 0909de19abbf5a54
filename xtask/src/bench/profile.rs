//! A CPU profile of the standalone mock serving a holdings page under wrk: `perf record` with DWARF
//! call graphs, folded and drawn by inferno into `docs/profile-holdings-NAME.svg`, with the top
//! frames (self and inclusive) as text in `docs/profile-holdings-NAME.txt`.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::client::provision;
use super::process::Server;
use super::{Section, Settings, tools};

/// Seconds perf records for (a `--quick` run: fewer).
const RECORD_SECONDS: u64 = 5;
const QUICK_RECORD_SECONDS: u64 = 2;

/// Frames listed in each top-frames table.
const TOP: usize = 15;

/// Frames on at least this share of the samples are left out of the inclusive table: the runtime
/// and thread start every sample passes through.
const SCAFFOLDING: f64 = 0.9;

/// The profile section: profiles the holdings page, writes `profile-holdings-NAME.svg` and `.txt`
/// into `dir`, and shows this profile and, unless this is `before`, the committed `before`
/// profile and the notes in `docs/profile-notes.md`. A profile that cannot be taken (no perf, perf
/// not permitted, inferno missing in a `--quick` run) is skipped with the reason, printed and in
/// the section.
pub async fn section(
    release: &Path,
    wrk: &Path,
    settings: &Settings,
    dir: &Path,
    name: &str,
) -> Section {
    match profile(release, wrk, settings, dir, name).await {
        Ok(section) => section,
        Err(reason) => {
            eprintln!("profile skipped: {reason}");
            Section {
                title: "Profile: the holdings page".into(),
                intro: format!("Skipped: {reason}."),
                rows: Vec::new(),
                outro: String::new(),
            }
        }
    }
}

async fn profile(
    release: &Path,
    wrk: &Path,
    settings: &Settings,
    dir: &Path,
    name: &str,
) -> Result<Section, String> {
    // A smoke run installs nothing slow: it profiles only where the tools are already there.
    let (perf, inferno) = if settings.quick {
        (tools::installed_perf()?, tools::installed_inferno()?)
    } else {
        (tools::perf()?, tools::inferno()?)
    };
    let seconds = if settings.quick {
        QUICK_RECORD_SECONDS
    } else {
        RECORD_SECONDS
    };
    let docs = dir;
    let mock = Server::start(&settings.mock_binary(release), &[], Duration::from_secs(5)).await?;
    let account = provision(mock.addr, 300).await?;
    let path = format!("/v1/accounts/{}/holdings?limit=50", account.seller);
    let data = std::env::temp_dir().join(format!("ucr-bench-perf-{}.data", std::process::id()));
    let load = Command::new(wrk)
        .arg(format!("-t{}", settings.shape.threads))
        .arg(format!("-c{}", settings.shape.connections))
        .arg(format!("-d{}s", seconds + 2))
        .args(["-H", &format!("Authorization: Bearer {}", account.token)])
        .arg(format!("http://{}{path}", mock.addr))
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting wrk: {e}"))?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let recorded = Command::new(&perf)
        .args(["record", "-F", "499", "--call-graph", "dwarf,32768", "-p"])
        .arg(mock.pid().to_string())
        .arg("-o")
        .arg(&data)
        .args(["--", "sleep", &seconds.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("running perf record: {e}"))?;
    let wrk_output = load.wait_with_output().map_err(|e| e.to_string())?;
    if !recorded.success() {
        let _ = std::fs::remove_file(&data);
        return Err(
            "perf record failed (not permitted here? see /proc/sys/kernel/perf_event_paranoid)"
                .into(),
        );
    }
    let script = Command::new(&perf)
        .args(["script", "-i"])
        .arg(&data)
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("running perf script: {e}"))?;
    let _ = std::fs::remove_file(&data);
    let folded = pipe(
        &inferno.join("inferno-collapse-perf"),
        &["--all"],
        &script.stdout,
    )?;
    if folded.is_empty() {
        return Err("perf recorded no samples of ucr-mock".into());
    }
    let svg_name = format!("profile-holdings-{name}.svg");
    let svg = pipe(
        &inferno.join("inferno-flamegraph"),
        &[
            "--title",
            &format!("ucr-mock, holdings page under wrk ({name})"),
        ],
        &folded,
    )?;
    std::fs::write(docs.join(&svg_name), svg).map_err(|e| e.to_string())?;
    let rps = String::from_utf8_lossy(&wrk_output.stdout)
        .lines()
        .find(|l| l.starts_with("Requests/sec:"))
        .unwrap_or("Requests/sec: ?")
        .trim()
        .to_owned();
    let measured = match &settings.mock {
        Some(binary) => format!("the binary `{}`", binary.display()),
        None => format!("commit {}", commit(docs)),
    };
    let text = top_frames(
        &String::from_utf8_lossy(&folded),
        &format!(
            "`GET {}` on {measured}, `wrk {}` while perf recorded {seconds} s at 499 Hz \
             ({rps} with perf attached). Flame graph: [{svg_name}]({svg_name}).",
            path.replace(&account.seller, "{id}"),
            settings.shape.flags(),
        ),
    );
    std::fs::write(docs.join(format!("profile-holdings-{name}.txt")), &text)
        .map_err(|e| e.to_string())?;
    let mut intro = String::from(
        "`perf record --call-graph dwarf` of the standalone ucr-mock (release build, no debug \
         info: inlined functions are counted in their callers) while wrk reads a holdings page, \
         folded and drawn by inferno. Shares are of the CPU cycles sampled in the ucr-mock \
         process (the kernel's share included: `_[k]` frames).\n\n",
    );
    if name != "before"
        && let Ok(before) = std::fs::read_to_string(docs.join("profile-holdings-before.txt"))
    {
        intro.push_str("### Before\n\n");
        intro.push_str(before.trim_end());
        intro.push_str("\n\n");
    }
    intro.push_str(&format!("### {}\n\n", capitalise(name)));
    intro.push_str(text.trim_end());
    intro.push('\n');
    if name != "before"
        && let Ok(notes) = std::fs::read_to_string(docs.join("profile-notes.md"))
    {
        intro.push_str("\n### What changed between them\n\n");
        intro.push_str(notes.trim_end());
        intro.push('\n');
    }
    Ok(Section {
        title: "Profile: the holdings page".into(),
        intro,
        rows: Vec::new(),
        outro: String::new(),
    })
}

fn capitalise(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

/// The short hash of the commit the worktree is on (`+` if it has changes).
fn commit(dir: &Path) -> String {
    let run = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    let hash = run(&["rev-parse", "--short", "HEAD"]);
    let dirty = !run(&["status", "--porcelain", "--untracked-files=no"]).is_empty();
    format!("`{hash}{}`", if dirty { "+" } else { "" })
}

/// Runs `program args` with `input` on stdin and returns its stdout.
fn pipe(program: &Path, args: &[&str], input: &[u8]) -> Result<Vec<u8>, String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", program.display()))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    let _ = writer.join();
    if !output.status.success() {
        return Err(format!("{} failed", program.display()));
    }
    Ok(output.stdout)
}

/// A frame name without its symbol hash and with generic noise kept short.
fn frame(name: &str) -> String {
    let name = match name.rfind("::h") {
        Some(at)
            if name.len() - at == 19 && name[at + 3..].chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            &name[..at]
        }
        _ => name,
    };
    let name = name.strip_suffix("_[k]").unwrap_or(name);
    name.replace('|', "\\|")
}

/// The top frames of folded stacks (`a;b;c weight` lines) by own and by inclusive weight, as
/// Markdown after `heading`. Frames on at least [`SCAFFOLDING`] of the weight are left out of the
/// inclusive table.
pub fn top_frames(folded: &str, heading: &str) -> String {
    let mut own: HashMap<String, u64> = HashMap::new();
    let mut inclusive: HashMap<String, u64> = HashMap::new();
    let mut total = 0;
    let mut stacks = 0;
    for line in folded.lines() {
        let Some((stack, count)) = line.rsplit_once(' ') else {
            continue;
        };
        let Ok(count) = count.parse::<u64>() else {
            continue;
        };
        total += count;
        stacks += 1;
        let frames: Vec<String> = stack.split(';').map(frame).collect();
        if let Some(leaf) = frames.last() {
            *own.entry(leaf.clone()).or_default() += count;
        }
        let mut seen = std::collections::HashSet::new();
        for f in frames {
            if seen.insert(f.clone()) {
                *inclusive.entry(f).or_default() += count;
            }
        }
    }
    let share = |count: u64| count as f64 / total.max(1) as f64;
    inclusive.retain(|_, count| share(*count) < SCAFFOLDING);
    let table = |map: HashMap<String, u64>, what: &str| {
        let mut entries: Vec<(String, u64)> = map.into_iter().collect();
        entries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut out = format!("| {what} | share |\n| --- | ---: |\n");
        for (name, count) in entries.into_iter().take(TOP) {
            out.push_str(&format!("| `{name}` | {:.1} % |\n", 100.0 * share(count)));
        }
        out
    };
    format!(
        "{heading} {stacks} distinct stacks, {:.2} billion cycles sampled.\n\nTop frames by own \
         time:\n\n{}\nTop frames by inclusive time (the frame and what it calls; frames on \
         {:.0} % or more of the samples, the runtime's and the thread's start, left out):\n\n{}",
        total as f64 / 1e9,
        table(own, "frame (self)"),
        100.0 * SCAFFOLDING,
        table(inclusive, "frame (inclusive)")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_frames_by_own_and_inclusive_samples() {
        let folded = "ucr-mock;main;serde_json::ser::format_escaped_str::h0123456789abcdef 6\n\
                      ucr-mock;main;alloc::raw_vec::grow 3\n\
                      ucr-mock;main 1\n";
        let text = top_frames(folded, "Holdings.");
        assert!(text.starts_with("Holdings. 3 distinct stacks, 0.00 billion cycles sampled."));
        assert!(text.contains("| `serde_json::ser::format_escaped_str` | 60.0 % |"));
        let (own, inclusive) = text.split_once("inclusive time").unwrap();
        assert!(own.contains("| `main` | 10.0 % |"));
        // `main` is on every sample: scaffolding, left out of the inclusive table.
        assert!(!inclusive.contains("`main`"));
        assert!(inclusive.contains("| `alloc::raw_vec::grow` | 30.0 % |"));
    }
}
