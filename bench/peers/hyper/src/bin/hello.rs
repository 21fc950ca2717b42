//! Seed 000's hyper-on-tokio hello: 200, "Hello world!", content-length and date.
use std::convert::Infallible;

use hyper::{Body, Request, Response};

async fn hello(_: Request<Body>) -> Result<Response<Body>, Infallible> {
    Ok(Response::new(Body::from("Hello world!")))
}

fn main() {
    let flags = hyper_peers::parse_flags("hyper-hello", 8000);
    hyper_peers::serve(&flags, hello);
}
