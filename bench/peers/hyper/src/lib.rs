//! What the three peer servers share: flags, the runtime, and the accept loop.
//! Written the way the seeds' hyper servers are (hyper 0.14 `Server`, one runtime),
//! so that bench/run.sh can put them beside ours on the same machine.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;

use hyper::service::{make_service_fn, service_fn};
use hyper::{Body, Request, Response, Server};

pub mod smol_io;

pub struct Flags {
    pub port: u16,
    pub threads: usize,
    pub file: Option<String>,
    pub upstream: Option<String>,
}

/// `--port N [--threads N] [--file PATH] [--upstream HOST:PORT]`; anything else exits 2
/// with a message.
pub fn parse_flags(program: &str, default_port: u16) -> Flags {
    let mut flags = Flags {
        port: default_port,
        threads: 1,
        file: None,
        upstream: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| fail(program, &format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--port" => {
                flags.port = value()
                    .parse()
                    .unwrap_or_else(|_| fail(program, "bad --port"))
            }
            "--threads" => {
                flags.threads = value()
                    .parse()
                    .unwrap_or_else(|_| fail(program, "bad --threads"));
                if flags.threads == 0 {
                    fail(program, "--threads must be at least 1");
                }
            }
            "--file" => flags.file = Some(value()),
            "--upstream" => flags.upstream = Some(value()),
            _ => fail(program, &format!("unknown argument {arg}")),
        }
    }
    flags
}

pub fn fail(program: &str, message: &str) -> ! {
    eprintln!(
        "{program}: {message} (usage: {program} --port N [--threads N] [--file PATH] \
         [--upstream HOST:PORT])"
    );
    std::process::exit(2)
}

/// A tokio runtime with `threads` workers (1: current-thread, like ours).
pub fn runtime(threads: usize) -> tokio::runtime::Runtime {
    if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    }
    .expect("tokio runtime")
}

/// Serves `handle` on 127.0.0.1:port with `threads` tokio workers (1: current-thread).
pub fn serve<H, F>(flags: &Flags, handle: H)
where
    H: Fn(Request<Body>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Result<Response<Body>, Infallible>> + Send + 'static,
{
    let runtime = runtime(flags.threads);
    let address = SocketAddr::from(([127, 0, 0, 1], flags.port));
    runtime.block_on(async move {
        let make = make_service_fn(move |_| {
            let handle = handle.clone();
            async move { Ok::<_, Infallible>(service_fn(handle)) }
        });
        let server = Server::try_bind(&address)
            .unwrap_or_else(|e| fail("peer", &format!("cannot listen on {address}: {e}")))
            .http1_pipeline_flush(true)
            .serve(make);
        if let Err(e) = server.await {
            eprintln!("server error: {e}");
        }
    });
}
