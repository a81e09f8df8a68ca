//! The accept loop: HTTP/1.1 connections from a socket to the router, with the limits
//! that live below it (request head size, time to send the head) and graceful shutdown.
//! `axum::serve` would do the rest but does not expose those limits.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// The address a request came from, in its extensions (absent where a test calls the
/// router directly).
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub std::net::SocketAddr);

/// A request line and headers past this size are answered 431.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// A client that has not sent its first request head by then is answered 408 and
/// disconnected (on a kept-alive connection, a later head that stalls is disconnected).
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// How long shutdown waits for requests in flight.
const DRAIN: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight
/// finish (up to 10 s).
pub async fn serve(listener: TcpListener, app: Router, shutdown: impl Future<Output = ()>) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(HEAD_TIMEOUT).max_buf_size(MAX_HEAD_BYTES);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors, say: wait a little instead of spinning.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Small replies must not wait for delayed ACKs.
        let _ = stream.set_nodelay(true);
        // The peer's address, for the handlers that need it (the sign-in limit).
        let service = TowerToHyperService::new(app.clone().map_request(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(Peer(peer));
                request
            },
        ));
        let (http, watcher) = (http.clone(), graceful.watcher());
        tokio::spawn(async move {
            if !first_head(&stream).await {
                return request_timeout(stream).await;
            }
            let connection = watcher.watch(http.serve_connection(TokioIo::new(stream), service));
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still in flight after {DRAIN:?}: closing them");
    }
}

/// Whether the first request head arrives within [`HEAD_TIMEOUT`] (or the client closes,
/// or sends more than a head may hold: hyper answers those). Looks without reading, so
/// hyper then reads the request itself.
async fn first_head(stream: &tokio::net::TcpStream) -> bool {
    let deadline = tokio::time::Instant::now() + HEAD_TIMEOUT;
    let mut buffer = vec![0; MAX_HEAD_BYTES];
    loop {
        let peeked = tokio::time::timeout_at(deadline, stream.peek(&mut buffer)).await;
        let seen = match peeked {
            Err(_) => return false,
            Ok(Err(_)) => return true,
            Ok(Ok(n)) => n,
        };
        if seen == 0 || seen == buffer.len() || buffer[..seen].windows(4).any(|w| w == b"\r\n\r\n")
        {
            return true;
        }
        // Part of a head: the bytes stay unread, so wait a little before looking again.
        if tokio::time::timeout_at(deadline, tokio::time::sleep(Duration::from_millis(25)))
            .await
            .is_err()
        {
            return false;
        }
    }
}

/// Answers 408 with the JSON error on a connection whose head never came, and closes it.
async fn request_timeout(mut stream: tokio::net::TcpStream) {
    use tokio::io::AsyncWriteExt;
    let body = format!(
        r#"{{"error":{{"code":"request_timeout","message":"the request head did not arrive within {} s"}}}}"#,
        HEAD_TIMEOUT.as_secs()
    );
    let response = format!(
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}
