//! Seed 001's Rust/hyper user service: GET /v1/user → users.json with the first
//! createdAt set to now (same 24-character format), the seed's headers. With
//! `--upstream HOST:PORT` it fetches /v1/user from there instead (hyper's pooled
//! keep-alive client, 2 s deadline) and relays it: the seed's chained "Rust -> Rust".
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hyper::client::HttpConnector;
use hyper::{Body, Client, Method, Request, Response, StatusCode, Uri};

/// "2023-04-21T12:40:19.925Z" for now (UTC).
fn now_iso8601() -> [u8; 24] {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = since_epoch.as_secs() as i64;
    let (days, second_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + if month <= 2 { 1 } else { 0 };
    let text = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        year,
        month,
        day,
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60,
        since_epoch.subsec_millis()
    );
    let mut out = [0u8; 24];
    out.copy_from_slice(text.as_bytes());
    out
}

struct Users {
    body: Vec<u8>,
    created_at: usize, // offset of the first createdAt's 24-character value
}

async fn handle(users: Arc<Users>, req: Request<Body>) -> Result<Response<Body>, Infallible> {
    if req.uri().path() != "/v1/user" {
        return Ok(Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Body::empty())
            .unwrap());
    }
    if req.method() != Method::GET {
        return Ok(Response::builder()
            .status(StatusCode::METHOD_NOT_ALLOWED)
            .body(Body::empty())
            .unwrap());
    }
    let mut body = users.body.clone();
    body[users.created_at..users.created_at + 24].copy_from_slice(&now_iso8601());
    Ok(Response::builder()
        .header("content-type", "application/json")
        .header("engine", "Rust/Hype")
        .header("location", "/v1/user")
        .body(Body::from(body))
        .unwrap())
}

fn plain(status: StatusCode, reason: &'static str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain")
        .body(Body::from(reason))
        .unwrap()
}

struct Relay {
    client: Client<HttpConnector>,
    uri: Uri,
}

async fn relay(relay: Arc<Relay>, req: Request<Body>) -> Result<Response<Body>, Infallible> {
    if req.uri().path() != "/v1/user" {
        return Ok(plain(StatusCode::NOT_FOUND, "not found\n"));
    }
    if req.method() != Method::GET {
        return Ok(plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed\n",
        ));
    }
    let fetch = async {
        let upstream = relay.client.get(relay.uri.clone()).await?;
        let status = upstream.status();
        let body = hyper::body::to_bytes(upstream.into_body()).await?;
        Ok::<_, hyper::Error>((status, body))
    };
    let response = match tokio::time::timeout(Duration::from_secs(2), fetch).await {
        Ok(Ok((status, body))) => Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .header("engine", "Rust/Hype")
            .header("location", "/v1/user")
            .body(Body::from(body))
            .unwrap(),
        Ok(Err(_)) => plain(StatusCode::BAD_GATEWAY, "upstream failed\n"),
        Err(_) => plain(StatusCode::GATEWAY_TIMEOUT, "upstream timed out\n"),
    };
    Ok(response)
}

fn main() {
    let flags = hyper_peers::parse_flags("hyper-user", 8080);
    if let Some(upstream) = flags.upstream.clone() {
        let uri: Uri = format!("http://{upstream}/v1/user")
            .parse()
            .unwrap_or_else(|_| hyper_peers::fail("hyper-user", "bad --upstream"));
        let relay_state = Arc::new(Relay {
            client: Client::new(),
            uri,
        });
        hyper_peers::serve(&flags, move |req| relay(relay_state.clone(), req));
        return;
    }
    let path = flags
        .file
        .clone()
        .unwrap_or_else(|| hyper_peers::fail("hyper-user", "--file users.json is required"));
    let body = std::fs::read(&path)
        .unwrap_or_else(|e| hyper_peers::fail("hyper-user", &format!("{path}: {e}")));
    let key = b"\"createdAt\"";
    let at = body
        .windows(key.len())
        .position(|w| w == key)
        .and_then(|k| {
            body[k + key.len()..]
                .iter()
                .position(|&b| b == b'"')
                .map(|q| k + key.len() + q + 1)
        });
    let created_at = match at {
        Some(offset) if offset + 24 <= body.len() => offset,
        _ => hyper_peers::fail("hyper-user", "no createdAt value in the file"),
    };
    let users = Arc::new(Users { body, created_at });
    hyper_peers::serve(&flags, move |req| handle(users.clone(), req));
}
