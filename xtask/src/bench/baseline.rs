//! `xtask bench-baseline`: the bare hyper server the mock is compared with. It answers each known
//! path (with query) with fixed bytes, and every other request with the `*` body, so the load
//! generator's ceiling and the mock's pages are measured against the least work a server can do.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;

/// The path whose body is a few bytes: the generator's ceiling is measured on it.
pub const CALIBRATION_PATH: &str = "/calibrate";

/// The key of the body answered to any other path.
pub const FALLBACK: &str = "*";

/// Runs the server: `--addr HOST:PORT --bodies FILE` (a JSON object from path to body).
pub fn baseline(args: &[String]) -> Result<(), String> {
    let mut addr = None;
    let mut bodies = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--addr" => addr = it.next().cloned(),
            "--bodies" => bodies = it.next().cloned(),
            other => return Err(format!("bench-baseline: unknown argument {other}")),
        }
    }
    let addr: SocketAddr = addr
        .ok_or("--addr is required")?
        .parse()
        .map_err(|e| format!("--addr: {e}"))?;
    let text = std::fs::read_to_string(bodies.ok_or("--bodies is required")?)
        .map_err(|e| e.to_string())?;
    let map: BTreeMap<String, String> = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let map: Arc<BTreeMap<String, Bytes>> =
        Arc::new(map.into_iter().map(|(k, v)| (k, Bytes::from(v))).collect());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| e.to_string())?;
        loop {
            let (stream, _) = listener.accept().await.map_err(|e| e.to_string())?;
            let map = map.clone();
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
                        let key = request.uri().path_and_query().map_or("", |p| p.as_str());
                        let body = map
                            .get(key)
                            .or_else(|| map.get(FALLBACK))
                            .cloned()
                            .unwrap_or_default();
                        async move {
                            // Read the request body so the connection stays kept alive.
                            let _ = request.into_body().collect().await;
                            hyper::Response::builder()
                                .header("content-type", "application/json")
                                .body(Full::new(body))
                        }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

/// Starts the release baseline server with `bodies` (path → body; [`FALLBACK`] for any other
/// path), written to a temporary file that lives as long as the server is needed.
pub async fn start(
    release: &std::path::Path,
    bodies: &BTreeMap<String, String>,
) -> Result<super::process::Server, String> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let file = std::env::temp_dir().join(format!(
        "ucr-bench-bodies-{}-{}.json",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(
        &file,
        serde_json::to_string(bodies).map_err(|e| e.to_string())?,
    )
    .map_err(|e| format!("writing {}: {e}", file.display()))?;
    let server = super::process::Server::start(
        &super::binary(release, "xtask"),
        &[
            "bench-baseline".to_owned(),
            "--bodies".to_owned(),
            file.display().to_string(),
        ],
        std::time::Duration::from_secs(5),
    )
    .await;
    // The server has read the file once it answers.
    let _ = std::fs::remove_file(&file);
    server
}
