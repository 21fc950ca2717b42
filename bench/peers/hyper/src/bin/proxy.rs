//! Seed 003's tokio proxy ("Tokio (32K buffer, 1 thread)"): every client connection
//! is paired with a new upstream connection; each direction reads into its own 32 KiB
//! buffer and writes it all on, then shuts the other side's write half down at EOF.
//! `--port N --upstream HOST:PORT [--threads N]`; one thread is a current-thread
//! runtime, like ours. TCP_NODELAY on both sockets, as Go, HAProxy and nginx set it.
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

const BUFFER: usize = 32 * 1024;

async fn forward(mut from: OwnedReadHalf, mut to: OwnedWriteHalf) -> std::io::Result<()> {
    let mut buffer = vec![0u8; BUFFER];
    loop {
        let n = from.read(&mut buffer).await?;
        if n == 0 {
            return to.shutdown().await;
        }
        to.write_all(&buffer[..n]).await?;
    }
}

async fn serve(client: TcpStream, upstream: SocketAddr) {
    let server = match TcpStream::connect(upstream).await {
        Ok(server) => server,
        Err(_) => return,
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    // A direction that fails drops its halves; the other ends on its own error or EOF.
    let up = tokio::spawn(forward(client_read, server_write));
    let _ = forward(server_read, client_write).await;
    let _ = up.await;
}

fn main() {
    let flags = hyper_peers::parse_flags("tokio-proxy", 20000);
    let upstream: SocketAddr = flags
        .upstream
        .as_deref()
        .unwrap_or_else(|| hyper_peers::fail("tokio-proxy", "--upstream HOST:PORT is required"))
        .parse()
        .unwrap_or_else(|_| hyper_peers::fail("tokio-proxy", "bad --upstream"));
    let runtime = hyper_peers::runtime(flags.threads);
    let address = SocketAddr::from(([127, 0, 0, 1], flags.port));
    runtime.block_on(async move {
        let listener = TcpListener::bind(address).await.unwrap_or_else(|e| {
            hyper_peers::fail("tokio-proxy", &format!("cannot listen on {address}: {e}"))
        });
        loop {
            if let Ok((client, _)) = listener.accept().await {
                tokio::spawn(serve(client, upstream));
            }
        }
    });
}
