//! Seed 002's Rust key-value store: hyper + DashMap. GET /{key} → value (empty when
//! missing), POST /{key} → stores the body and returns it, DELETE → 204, GET /size.
use std::convert::Infallible;
use std::sync::Arc;

use dashmap::DashMap;
use hyper::{Body, Method, Request, Response, StatusCode};

type Store = Arc<DashMap<String, String>>;

async fn handle(store: Store, req: Request<Body>) -> Result<Response<Body>, Infallible> {
    let key = req.uri().path().trim_start_matches('/').to_string();
    let response = match (req.method().clone(), key.as_str()) {
        (Method::GET, "size") => Response::new(Body::from(store.len().to_string())),
        (_, "") => Response::builder()
            .status(StatusCode::BAD_REQUEST)
            .body(Body::empty())
            .unwrap(),
        (Method::GET, _) => {
            let value = store
                .get(&key)
                .map(|v| v.value().clone())
                .unwrap_or_default();
            Response::new(Body::from(value))
        }
        (Method::POST, _) => match hyper::body::to_bytes(req.into_body()).await {
            Ok(bytes) => {
                let value = String::from_utf8_lossy(&bytes).into_owned();
                store.insert(key, value.clone());
                Response::new(Body::from(value))
            }
            Err(_) => Response::builder()
                .status(StatusCode::BAD_REQUEST)
                .body(Body::empty())
                .unwrap(),
        },
        (Method::DELETE, _) => {
            store.remove(&key);
            Response::builder()
                .status(StatusCode::NO_CONTENT)
                .body(Body::empty())
                .unwrap()
        }
        _ => Response::builder()
            .status(StatusCode::METHOD_NOT_ALLOWED)
            .body(Body::empty())
            .unwrap(),
    };
    Ok(response)
}

fn main() {
    let flags = hyper_peers::parse_flags("hyper-kv", 8082);
    let store: Store = Arc::new(DashMap::new());
    hyper_peers::serve(&flags, move |req| handle(store.clone(), req));
}
