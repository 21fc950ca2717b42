//! hyper 0.14 on smol instead of tokio: an executor, an acceptor and a stream adapter.
//! hyper speaks tokio's I/O traits; smol's `Async<TcpStream>` speaks the `futures` ones,
//! so each call is forwarded. Everything runs on one `LocalExecutor` (one thread, like
//! every server in the bench).

use std::future::Future;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_lite::{AsyncRead, AsyncWrite};
use hyper::server::accept::Accept;
use smol::{Async, LocalExecutor};

/// Spawns hyper's connection tasks on the thread's local executor.
#[derive(Clone)]
pub struct LocalSpawner(pub Rc<LocalExecutor<'static>>);

impl<F: Future + 'static> hyper::rt::Executor<F> for LocalSpawner {
    fn execute(&self, future: F) {
        self.0.spawn(future).detach();
    }
}

/// A nonblocking listener polled through smol's reactor.
pub struct SmolAcceptor(pub Async<TcpListener>);

impl Accept for SmolAcceptor {
    type Conn = SmolStream;
    type Error = io::Error;

    fn poll_accept(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<SmolStream, io::Error>>> {
        loop {
            match self.0.get_ref().accept() {
                Ok((stream, _)) => return Poll::Ready(Some(Async::new(stream).map(SmolStream))),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if let Err(e) = futures_lite::ready!(self.0.poll_readable(cx)) {
                        return Poll::Ready(Some(Err(e)));
                    }
                }
                Err(e) => return Poll::Ready(Some(Err(e))),
            }
        }
    }
}

/// smol's TCP stream seen through tokio's `AsyncRead`/`AsyncWrite`.
pub struct SmolStream(pub Async<TcpStream>);

impl tokio::io::AsyncRead for SmolStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = futures_lite::ready!(Pin::new(&mut self.0).poll_read(cx, buf.initialize_unfilled()))?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl tokio::io::AsyncWrite for SmolStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_close(cx)
    }
}
