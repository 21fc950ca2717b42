//! Seed 000's hyper-on-smol hello ("hello-smol"): the same service as `hello`, with
//! hyper 0.14 driven by smol's reactor and a local executor on one thread.
use std::convert::Infallible;
use std::net::{SocketAddr, TcpListener};
use std::rc::Rc;

use hyper::service::{make_service_fn, service_fn};
use hyper::{Body, Request, Response, Server};
use hyper_peers::smol_io::{LocalSpawner, SmolAcceptor};
use smol::{Async, LocalExecutor};

async fn hello(_: Request<Body>) -> Result<Response<Body>, Infallible> {
    Ok(Response::new(Body::from("Hello world!")))
}

fn main() {
    let flags = hyper_peers::parse_flags("smol-hello", 8000);
    if flags.threads != 1 {
        hyper_peers::fail("smol-hello", "runs on one thread: --threads 1 only");
    }
    let address = SocketAddr::from(([127, 0, 0, 1], flags.port));
    let listener = Async::<TcpListener>::bind(address).unwrap_or_else(|e| {
        hyper_peers::fail("smol-hello", &format!("cannot listen on {address}: {e}"))
    });
    let executor = Rc::new(LocalExecutor::new());
    let make = make_service_fn(|_| async { Ok::<_, Infallible>(service_fn(hello)) });
    let server = Server::builder(SmolAcceptor(listener))
        .executor(LocalSpawner(executor.clone()))
        .http1_pipeline_flush(true)
        .serve(make);
    if let Err(e) = smol::block_on(executor.run(server)) {
        eprintln!("server error: {e}");
    }
}
