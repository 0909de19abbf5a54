//! A target without the sandbox API, configured from a file: the standalone `ucr-mock` binary
//! started with `--no-sandbox` and a fixture, tested with `ucr-conformance --config`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use ucr_conformance::report::{CheckStatus, Provisioning, Report};

/// Tokens of the fixture's representatives; none may appear in any evidence.
const INITIATOR: &str = "tok-initiator-6f1c2e";
const APPROVER: &str = "tok-approver-93ab07";
const SOLE_A: &str = "tok-sole-a-51d4c8";
const SOLE_B: &str = "tok-sole-b-0e7f3a";
const EXCHANGE: &str = "tok-exchange-7a2b90";
const EXCHANGE_SECRET: &str = "secret-exchange-44c1d2";
const BROKER: &str = "tok-broker-c3e5f1";
const BROKER_SECRET: &str = "secret-broker-9b0a6e";
const REGISTRY: &str = "tok-registry-18d7e4";
const REGISTRY_SECRET: &str = "secret-registry-5f2c3b";
const SECRETS: [&str; 10] = [
    INITIATOR,
    APPROVER,
    SOLE_A,
    SOLE_B,
    EXCHANGE,
    EXCHANGE_SECRET,
    BROKER,
    BROKER_SECRET,
    REGISTRY,
    REGISTRY_SECRET,
];

const FIXTURE: &str = r#"{
  "holders": [
    {"holder_id": "AH-000001", "name": "Mallee Carbon Pty Ltd"},
    {"holder_id": "AH-000002", "name": "Riverina Offsets Pty Ltd"},
    {"holder_id": "AH-000003", "name": "Pilbara Abatement Pty Ltd"}
  ],
  "accounts": [
    {"account_id": "AU-1000001", "holder_id": "AH-000001", "name": "Mallee trading"},
    {"account_id": "AU-1000002", "holder_id": "AH-000002", "name": "Riverina holding"},
    {"account_id": "AU-1000003", "holder_id": "AH-000003", "name": "Pilbara holding"}
  ],
  "representatives": [
    {"representative_id": "AR-000001", "name": "Priya Natarajan", "token": "tok-initiator-6f1c2e",
     "appointments": [{"account_id": "AU-1000001", "roles": ["initiator"]}]},
    {"representative_id": "AR-000002", "name": "Sam Whitlam", "token": "tok-approver-93ab07",
     "appointments": [{"account_id": "AU-1000001", "roles": ["approver"]}]},
    {"representative_id": "AR-000003", "name": "Jo Nguyen", "token": "tok-sole-a-51d4c8",
     "appointments": [{"account_id": "AU-1000002", "roles": ["initiator", "approver"]}]},
    {"representative_id": "AR-000004", "name": "Ali Haddad", "token": "tok-sole-b-0e7f3a",
     "appointments": [{"account_id": "AU-1000003", "roles": ["initiator", "approver"]}]}
  ],
  "issuances": [
    {"account_id": "AU-1000001", "unit_type": "ACCU", "quantity": 5000, "project_id": "ERF101234",
     "vintage": "2023-24", "method": "Human-induced regeneration of a permanent even-aged native forest",
     "kyoto_status": "NON_KYOTO", "state": "NSW", "issued_on": "2024-09-12"},
    {"account_id": "AU-1000002", "unit_type": "SMC", "quantity": 300, "facility_id": "SGF-000417",
     "facility_name": "Pilbara LNG Processing Facility", "issuance_year": 2025,
     "vintage": "2024-25", "state": "WA", "issued_on": "2025-10-01"}
  ],
  "platforms": [
    {"platform_id": "TP-0001", "kind": "trading_platform", "name": "Carbon Exchange",
     "token": "tok-exchange-7a2b90", "client_id": "exchange-client", "client_secret": "secret-exchange-44c1d2"},
    {"platform_id": "TP-0002", "kind": "trading_platform", "name": "Offset Brokers",
     "token": "tok-broker-c3e5f1", "client_id": "broker-client", "client_secret": "secret-broker-9b0a6e"},
    {"platform_id": "TR-0001", "kind": "third_party_registry", "name": "Green Certificates Registry",
     "token": "tok-registry-18d7e4", "client_id": "registry-client", "client_secret": "secret-registry-5f2c3b"}
  ]
}"#;

/// The standalone mock, killed on drop.
struct Mock {
    child: Child,
    base_url: String,
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `ucr-mock` binary next to `ucr-conformance`, built first when this package's tests run
/// alone (`cargo test -p ucr-conformance` does not build another package's binaries).
fn mock_binary() -> PathBuf {
    let dir = Path::new(env!("CARGO_BIN_EXE_ucr-conformance"))
        .parent()
        .expect("the binary has a directory")
        .to_path_buf();
    let binary = dir.join(format!("ucr-mock{}", std::env::consts::EXE_SUFFIX));
    // Always ask cargo: a binary left over from an older build would test old code (a no-op when
    // `cargo test --workspace` has just built it).
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "-p", "ucr-mock", "--bin", "ucr-mock"])
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building ucr-mock failed");
    assert!(binary.exists(), "cargo built {}", binary.display());
    binary
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ucr-configured-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Starts `ucr-mock --no-sandbox --fixture …` on a free loopback port.
fn start_mock(dir: &Path) -> Mock {
    let fixture = dir.join("fixture.json");
    std::fs::write(&fixture, FIXTURE).expect("fixture written");
    let mut child = Command::new(mock_binary())
        .args(["--addr", "127.0.0.1:0", "--no-sandbox", "--fixture"])
        .arg(&fixture)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ucr-mock starts");
    let stderr = child.stderr.take().expect("stderr piped");
    let mut lines = BufReader::new(stderr).lines();
    let base_url = loop {
        let line = lines
            .next()
            .expect("ucr-mock logs its address before exiting")
            .expect("stderr readable");
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest
                .split_whitespace()
                .next()
                .expect("an address")
                .to_owned();
        }
    };
    assert!(
        base_url.starts_with("http://127.0.0.1:"),
        "loopback only: {base_url}"
    );
    // Keep draining the log so the mock never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Mock { child, base_url }
}

/// A configuration for the mock: every model and the features it has, no sandbox.
/// The approver's token is read from `UCR_IT_APPROVER_TOKEN` (`token_env`), set by [`conformance`].
fn config(base_url: &str) -> String {
    format!(
        r#"
base_url = "{base_url}"
label = "ucr-mock --no-sandbox (configured)"

[capabilities]
models = ["A.1", "B.1", "B.2", "B.3", "B.4", "B.5", "C.1", "AS"]
features = ["public_registers", "oauth_client_credentials", "webhooks"]

[[accounts]]
account_id = "AU-1000001"
representatives = [
  {{ representative_id = "AR-000001", token = "{INITIATOR}" }},
  {{ representative_id = "AR-000002", token_env = "UCR_IT_APPROVER_TOKEN" }},
]

[[accounts]]
account_id = "AU-1000002"
representatives = [{{ representative_id = "AR-000003", token = "{SOLE_A}" }}]

[[accounts]]
account_id = "AU-1000003"
representatives = [{{ representative_id = "AR-000004", token = "{SOLE_B}" }}]

[[platforms]]
platform_id = "TP-0001"
token = "{EXCHANGE}"
client_id = "exchange-client"
client_secret = "{EXCHANGE_SECRET}"

[[platforms]]
platform_id = "TP-0002"
token = "{BROKER}"
client_id = "broker-client"
client_secret = "{BROKER_SECRET}"

[[platforms]]
platform_id = "TR-0001"
token = "{REGISTRY}"
client_id = "registry-client"
client_secret_env = "UCR_IT_REGISTRY_SECRET"
"#
    )
}

fn conformance(args: &[&str], approver_token: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ucr-conformance"))
        .args(args)
        .env("UCR_IT_APPROVER_TOKEN", approver_token)
        .env("UCR_IT_REGISTRY_SECRET", REGISTRY_SECRET)
        .output()
        .expect("ucr-conformance runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_target_without_the_sandbox_runs_from_a_config_file() {
    let dir = temp_dir("run");
    let mock = start_mock(&dir);
    let config_path = dir.join("target.toml");
    std::fs::write(&config_path, config(&mock.base_url)).expect("config written");
    let report_path = dir.join("report.json");
    let evidence = dir.join("evidence");
    let output = conformance(
        &[
            "--config",
            config_path.to_str().expect("UTF-8"),
            "--format",
            "json",
            "--output",
            report_path.to_str().expect("UTF-8"),
            "--evidence",
            evidence.to_str().expect("UTF-8"),
        ],
        APPROVER,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report: Report =
        serde_json::from_str(&std::fs::read_to_string(&report_path).expect("report written"))
            .expect("valid JSON report");

    assert_eq!(report.provisioning, Provisioning::Configured);
    assert_eq!(report.target, "ucr-mock --no-sandbox (configured)");
    assert_eq!(report.summary.failed, 0, "{report:#?}");
    assert_eq!(
        report.summary.total,
        ucr_conformance::registry().len(),
        "every check is reported"
    );
    assert!(
        report.summary.passed >= 35,
        "a substantial number of checks ran and passed: {}",
        report.summary.line()
    );
    // What ran: reads, registers, auth, access and bad input on the provisioned accounts, consents,
    // OAuth errors and webhook subscriptions of the provisioned platforms.
    for id in [
        "B1-CONSENT-007",
        "B1-CONSENT-008",
        "B1-OAUTH-002",
        "B1-WEBHOOK-001",
        "B4-WEBHOOK-004",
        "A1-ACCOUNTS-002",
        "A1-REGISTER-001",
        "A1-AUTH-002",
        "A1-ACCESS-002",
        "A1-INPUT-001",
        "A1-INPUT-009",
        "A1-INPUT-023",
        "A1-ORDER-003",
    ] {
        let check = report.checks.iter().find(|c| c.id == id).expect(id);
        assert_eq!(check.status, CheckStatus::Passed, "{id}: {check:#?}");
        assert!(!check.exchanges.is_empty(), "{id} has evidence");
    }
    // The rest is skipped, each with the reason.
    for check in report
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Skipped)
    {
        let reason = check.message.as_deref().unwrap_or_default();
        assert!(
            reason.contains("sandbox") || reason.contains("issued no units"),
            "{}: {reason}",
            check.id
        );
    }
    let issuing = report
        .checks
        .iter()
        .find(|c| c.id == "A1-TRANSFER-001")
        .expect("listed");
    assert_eq!(issuing.status, CheckStatus::Skipped);
    assert!(
        issuing
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("needs the sandbox API to"),
        "{issuing:#?}"
    );
    let clock = report
        .checks
        .iter()
        .find(|c| c.requires.iter().any(|r| r == "sandbox_clock"))
        .expect("a clock check");
    assert_eq!(clock.status, CheckStatus::Skipped);
    assert!(
        clock
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("does not declare"),
        "{clock:#?}"
    );

    // Evidence: one file per check, referenced from the report, no token anywhere.
    for check in &report.checks {
        let path = check.evidence.as_deref().expect("evidence referenced");
        let evidence = std::fs::read_to_string(path).expect("evidence file exists");
        for secret in SECRETS {
            assert!(
                !evidence.contains(secret),
                "{path} leaks a configured credential"
            );
        }
    }
    let auth = std::fs::read_to_string(evidence.join("A1-AUTH-002.json")).expect("evidence");
    assert!(auth.contains("Bearer <redacted>"), "{auth}");

    // The checks left nothing pending on the provisioned account: the engine rescinded it.
    let client = ucr_sdk::Client::builder(&mock.base_url)
        .bearer_token(INITIATOR)
        .build()
        .expect("client");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let pending = runtime.block_on(async {
        client
            .list_transactions()
            .account_id("AU-1000001")
            .status(ucr_sdk::types::TransactionStatus::PendingApproval)
            .limit(200u32)
            .send()
            .await
            .expect("history readable")
            .into_inner()
            .items
            .len()
    });
    assert_eq!(pending, 0, "pending transactions left on AU-1000001");
    // … and no consent active on the provisioned accounts, no webhook subscription left.
    let (active, subscriptions) = runtime.block_on(async {
        let as_sole = ucr_sdk::Client::builder(&mock.base_url)
            .bearer_token(SOLE_A)
            .build()
            .expect("client");
        let consents = as_sole
            .list_account_consents()
            .account_id("AU-1000002")
            .limit(200u32)
            .send()
            .await
            .expect("consents readable")
            .into_inner()
            .items;
        let as_exchange = ucr_sdk::Client::builder(&mock.base_url)
            .bearer_token(EXCHANGE)
            .build()
            .expect("client");
        let subscriptions = as_exchange
            .list_webhook_subscriptions()
            .send()
            .await
            .expect("subscriptions readable")
            .into_inner()
            .items;
        (
            consents
                .iter()
                .filter(|c| c.status == ucr_sdk::types::ConsentStatus::Active)
                .count(),
            subscriptions.len(),
        )
    });
    assert_eq!(
        (active, subscriptions),
        (0, 0),
        "active consents on AU-1000002, subscriptions of TP-0001"
    );

    // A second run against the same target passes the same way.
    let again = conformance(
        &["--config", config_path.to_str().expect("UTF-8")],
        APPROVER,
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));
    assert!(
        text(&again.stdout)
            .lines()
            .any(|l| l == report.summary.line()),
        "{}",
        text(&again.stdout)
    );
    drop(mock);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_misconfigured_token_is_a_clear_error_not_a_pass() {
    let dir = temp_dir("badtoken");
    let mock = start_mock(&dir);
    let config_path = dir.join("target.toml");
    std::fs::write(&config_path, config(&mock.base_url)).expect("config written");
    let output = conformance(
        &["--config", config_path.to_str().expect("UTF-8")],
        "tok-wrong",
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stdout));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("AR-000002")
            && stderr.contains("cannot read the account")
            && stderr.contains("401"),
        "{stderr}"
    );
    assert!(text(&output.stdout).is_empty(), "no report, no pass");

    // A token of another account's representative: it cannot see AU-1000001 either.
    std::fs::write(&config_path, config(&mock.base_url)).expect("config written");
    let output = conformance(&["--config", config_path.to_str().expect("UTF-8")], SOLE_A);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("404"),
        "{}",
        text(&output.stderr)
    );

    // A wrong platform token names the platform.
    std::fs::write(
        &config_path,
        config(&mock.base_url).replace(EXCHANGE, "tok-not-the-exchange"),
    )
    .expect("config written");
    let output = conformance(
        &["--config", config_path.to_str().expect("UTF-8")],
        APPROVER,
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("platforms[0] (TP-0001)") && stderr.contains("401"),
        "{stderr}"
    );

    // Declaring the sandbox the target does not offer is refused too.
    let with_sandbox = config(&mock.base_url).replace(
        "features = [\"public_registers\"",
        "features = [\"sandbox\", \"public_registers\"",
    );
    std::fs::write(&config_path, with_sandbox).expect("config written");
    let output = conformance(
        &["--config", config_path.to_str().expect("UTF-8")],
        APPROVER,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("does not offer the sandbox API"),
        "{}",
        text(&output.stderr)
    );
    drop(mock);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_invalid_config_file_is_a_usage_error() {
    let dir = temp_dir("invalid");
    let path = dir.join("target.toml");
    std::fs::write(
        &path,
        "base_url = \"http://127.0.0.1:9\"\n[capabilities]\nmodels = [\"A.1\"]\nfeatures = []\n",
    )
    .expect("written");
    let output = conformance(&["--config", path.to_str().expect("UTF-8")], APPROVER);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("[[accounts]]"),
        "{}",
        text(&output.stderr)
    );
    let output = conformance(
        &[
            "--config",
            path.to_str().expect("UTF-8"),
            "--base-url",
            "http://127.0.0.1:9",
        ],
        APPROVER,
    );
    assert_eq!(
        output.status.code(),
        Some(2),
        "--config and --base-url conflict"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
