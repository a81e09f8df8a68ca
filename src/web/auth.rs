//! Access control for `serve --auth-file`: every page, feed and API route asks for
//! credentials (HTTP Basic for people, `Authorization: Bearer` for scripts); only
//! `/healthz` (for load balancers) and the static assets (the same for everyone, so the
//! 401 page keeps its style) are served without.
//!
//! Checking a secret is an argon2 run (tens of milliseconds and 19 MiB), so the guard
//! remembers the `Authorization` values it has accepted (as keyed hashes, never the
//! secrets) and checks only new ones, a few at once, on the blocking pool. Each client
//! may present [`BURST`] new credentials, then one more every [`REFILL`]; past that it is
//! answered 429 with `Retry-After` and nothing is checked, so guessing is slow and cannot
//! eat the CPU. The users file is read again when it changes: a removed user is refused
//! within [`RELOAD_EVERY`].

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use blake2::Digest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use super::error::{Format, WebError};
use super::listen::Peer;
use crate::auth::{AuthError, Presented, Users};

/// New credentials a client may present at once.
pub const BURST: u32 = 10;
/// And then one more each this long.
pub const REFILL: Duration = Duration::from_secs(6);
/// How often the users file is looked at for changes.
pub const RELOAD_EVERY: Duration = Duration::from_secs(2);

/// The challenge sent with every 401.
const CHALLENGE: &str = r#"Basic realm="archive", charset="UTF-8""#;
/// And for the API, the bearer challenge too.
const BEARER_CHALLENGE: &str = r#"Bearer realm="archive""#;

/// The users file, what it has accepted, and the failure budget of each client.
pub struct Guard {
    path: PathBuf,
    loaded: Mutex<Loaded>,
    /// Keyed hashes of accepted `Authorization` values.
    accepted: Mutex<HashSet<[u8; 32]>>,
    key: [u8; 32],
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    /// argon2 runs at once: one per core.
    checks: tokio::sync::Semaphore,
    /// Peers whose `X-Forwarded-For` names the client (a proxy in front).
    trusted_proxies: Vec<IpAddr>,
}

struct Loaded {
    users: Arc<Users>,
    stamp: Option<(SystemTime, u64)>,
    looked: Instant,
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

impl Guard {
    /// Reads the users file; a missing, unreadable or malformed file is an error.
    pub fn open(path: &Path, trusted_proxies: Vec<IpAddr>) -> Result<Guard, AuthError> {
        let stamp = stamp(path);
        let users = Users::load(path)?;
        if users.is_empty() {
            tracing::warn!(file = %path.display(), "the users file has no user: every request but /healthz will be refused");
        }
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        let quota = Quota::with_period(REFILL)
            .expect("the refill period is not zero")
            .allow_burst(NonZeroU32::new(BURST).expect("the burst is not zero"));
        let cores = crate::cores();
        Ok(Guard {
            path: path.to_owned(),
            loaded: Mutex::new(Loaded { users: Arc::new(users), stamp, looked: Instant::now() }),
            accepted: Mutex::new(HashSet::new()),
            key,
            limiter: DefaultKeyedRateLimiter::keyed(quota),
            checks: tokio::sync::Semaphore::new(cores),
            trusted_proxies,
        })
    }

    /// The users, read again if the file changed (looked at most every
    /// [`RELOAD_EVERY`]). A file that no longer parses keeps the users as they were.
    fn users(&self) -> Arc<Users> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if loaded.looked.elapsed() >= RELOAD_EVERY {
            loaded.looked = Instant::now();
            let now = stamp(&self.path);
            if now != loaded.stamp {
                match Users::load(&self.path) {
                    Ok(users) => {
                        tracing::info!(file = %self.path.display(), "users file changed: reloaded");
                        loaded.users = Arc::new(users);
                        loaded.stamp = now;
                        self.accepted.lock().unwrap_or_else(|e| e.into_inner()).clear();
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "users file changed but cannot be read: keeping the users as they were")
                    }
                }
            }
        }
        Arc::clone(&loaded.users)
    }

    fn fingerprint(&self, authorization: &[u8]) -> [u8; 32] {
        let mut hasher = blake2::Blake2b::<blake2::digest::consts::U32>::new();
        hasher.update(self.key);
        hasher.update(authorization);
        hasher.finalize().into()
    }

    fn is_accepted(&self, fingerprint: &[u8; 32]) -> bool {
        self.accepted.lock().unwrap_or_else(|e| e.into_inner()).contains(fingerprint)
    }

    /// Remembers accepted credentials (a bounded set: valid credentials are few).
    fn accept(&self, fingerprint: [u8; 32]) {
        let mut accepted = self.accepted.lock().unwrap_or_else(|e| e.into_inner());
        if accepted.len() >= 10_000 {
            accepted.clear();
        }
        accepted.insert(fingerprint);
    }

    /// The client's address: the peer, or the last hop a trusted proxy names.
    fn client(&self, request: &Request) -> IpAddr {
        let peer = request
            .extensions()
            .get::<Peer>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next()?.trim().parse().ok())
            .unwrap_or(peer)
    }
}

/// Marks a `/healthz` request without accepted credentials: it is told the status, not
/// what the archive holds.
#[derive(Debug, Clone, Copy)]
pub struct Anonymous;

/// The middleware: lets a request through with accepted credentials, or answers 401
/// (none or wrong) or 429 (too many new ones from this client). What it lets through is
/// private: no cache on the way may keep it.
pub async fn require(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    let mut response = checked(guard, request, next).await;
    if !response.headers().contains_key(header::CACHE_CONTROL) {
        let private = HeaderValue::from_static("private, no-store");
        response.headers_mut().insert(header::CACHE_CONTROL, private);
    }
    response
}

async fn checked(guard: Arc<Guard>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/static/") {
        return next.run(request).await;
    }
    if path == "/healthz" {
        let known = request.headers().get(header::AUTHORIZATION).map(|a| a.as_bytes());
        if !known.is_some_and(|a| guard.is_accepted(&guard.fingerprint(a))) {
            request.extensions_mut().insert(Anonymous);
        }
        return next.run(request).await;
    }
    let json = path.starts_with("/api/") || path == "/mcp" || path.starts_with("/mcp/");
    let format = if json { Format::Json } else { Format::Html };
    let users = guard.users();
    let Some(authorization) = request.headers().get(header::AUTHORIZATION) else {
        return unauthorized(format, "sign in to read this archive");
    };
    let fingerprint = guard.fingerprint(authorization.as_bytes());
    if guard.is_accepted(&fingerprint) {
        return next.run(request).await;
    }
    let client = guard.client(&request);
    let Some(presented) = authorization.to_str().ok().and_then(Presented::parse) else {
        tracing::warn!(%client, "authentication failed: a malformed Authorization header");
        return unauthorized(
            format,
            "the Authorization header is neither Basic nor Bearer credentials",
        );
    };
    // A name the file does not have may be a password typed in the wrong field: the log
    // does not repeat it.
    let user = match users.has(presented.user()) {
        true => presented.user().to_string(),
        false => "(not a user of the file)".to_string(),
    };
    if let Err(not_until) = guard.limiter.check_key(&client) {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        tracing::warn!(%client, %user, retry_after = seconds, "too many sign-in attempts: refused unchecked");
        return too_many(format, seconds.max(1));
    }
    let accepted = {
        let _turn = guard.checks.acquire().await.expect("the semaphore is never closed");
        let presented = presented.clone();
        tokio::task::spawn_blocking(move || users.verify(&presented)).await.unwrap_or(false)
    };
    if !accepted {
        tracing::warn!(%client, %user, "authentication failed: wrong credentials");
        if guard.limiter.len() > 100_000 {
            guard.limiter.retain_recent();
        }
        return unauthorized(format, "wrong user name, password or token");
    }
    guard.accept(fingerprint);
    next.run(request).await
}

/// 401 with the challenge (the browser then asks for a user name and password).
fn unauthorized(format: Format, message: &str) -> Response {
    let error = WebError {
        status: StatusCode::UNAUTHORIZED,
        code: "unauthorized",
        message: message.to_owned(),
        format,
    };
    let mut response = error.into_response();
    let headers = response.headers_mut();
    headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(CHALLENGE));
    if format == Format::Json {
        headers.append(header::WWW_AUTHENTICATE, HeaderValue::from_static(BEARER_CHALLENGE));
    }
    response
}

/// 429 with `Retry-After`.
fn too_many(format: Format, seconds: u64) -> Response {
    let error = WebError {
        status: StatusCode::TOO_MANY_REQUESTS,
        code: "too_many_attempts",
        message: format!("too many sign-in attempts from this address; retry in {seconds} s"),
        format,
    };
    ([(header::RETRY_AFTER, seconds.to_string())], error).into_response()
}
