//! The two transports in front of the router: a wiremock responder (in-process, for tests) and a
//! plain hyper server (the standalone `ucr-mock`, whose memory stays bounded).

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use ucr_spec::ProblemType;
use wiremock::{Respond, ResponseTemplate};

use crate::router::{ApiRequest, ApiResponse, Router};

/// Largest request body the standalone server reads.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How long shutdown waits for open connections to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// A wiremock [`Respond`] that answers every request through the router.
#[derive(Debug, Clone)]
pub struct RegistryResponder {
    router: Router,
}

impl RegistryResponder {
    /// A responder over `router`.
    pub fn new(router: Router) -> Self {
        RegistryResponder { router }
    }
}

impl Respond for RegistryResponder {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let response = self.router.handle(&ApiRequest {
            method: &request.method,
            path: request.url.path(),
            query: request.url.query(),
            headers: &request.headers,
            body: &request.body,
        });
        ResponseTemplate::new(response.status)
            .append_headers(
                response
                    .headers
                    .iter()
                    .map(|(name, value)| (name.clone(), value.clone())),
            )
            .set_body_bytes(response.body.to_vec())
    }
}

/// Serves the router over HTTP/1.1 on `listener` until `shutdown` completes, then waits up to ten
/// seconds for open connections to finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        // Typically out of file descriptors: back off instead of spinning.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let router = router.clone();
                let service = service_fn(move |request| {
                    let router = router.clone();
                    async move { Ok::<_, Infallible>(answer(&router, request).await) }
                });
                let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => tracing::warn!("connections still open after the grace period"),
    }
    Ok(())
}

/// Reads the body (up to [`MAX_BODY_BYTES`]) and answers through the router.
async fn answer(router: &Router, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) => {
            let mut problem = ProblemType::MalformedRequest.problem(format!(
                "the request body could not be read (at most {MAX_BODY_BYTES} bytes): {error}"
            ));
            problem.instance = Some(parts.uri.path().to_owned());
            let mut response = Response::new(Full::new(Bytes::from(
                serde_json::to_vec(&problem).unwrap_or_default(),
            )));
            *response.status_mut() = StatusCode::BAD_REQUEST;
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static(ucr_spec::problem::PROBLEM_JSON),
            );
            return response;
        }
    };
    let ApiResponse {
        status,
        headers,
        body,
    } = router.handle(&ApiRequest {
        method: &parts.method,
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body: &body,
    });
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}
