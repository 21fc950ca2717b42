// The Beast peers' server loop: one thread runs an Asio io_context; every connection is
// a C++20 coroutine (asio::awaitable) that reads a request, lets the handler fill the
// response and writes it, the way Beast's awaitable example serves HTTP/1.1.
#include "peer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace beast_peer {

namespace {

using tcp = asio::ip::tcp;
constexpr auto no_throw = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> serve_connection(tcp::socket socket, const handler& handle) {
  boost::beast::flat_buffer buffer;  // keeps the bytes of pipelined requests between reads
  for (;;) {
    request req;
    auto [read_error, read_bytes] = co_await http::async_read(socket, buffer, req, no_throw);
    if (read_error) break;  // end of stream, or a request Beast cannot parse: close
    response res{http::status::ok, req.version()};
    handle(req, res);
    const bool keep_alive = req.keep_alive();
    auto [write_error, written] = co_await http::async_write(socket, res, no_throw);
    if (write_error || !keep_alive) break;
  }
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, const handler& handle) {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(no_throw);
    if (error) continue;  // e.g. out of descriptors: the listener itself stays
    socket.set_option(tcp::no_delay(true), error);
    asio::co_spawn(acceptor.get_executor(), serve_connection(std::move(socket), handle),
                   asio::detached);
  }
}

}  // namespace

int run(const flags& options, const handler& handle,
        const std::function<void(asio::io_context&)>& setup) {
  const auto port = static_cast<unsigned short>(options.number("port", 1, 65535));
  if (options.number("threads", 1, 1) != 1) return 2;  // number() already exited
  asio::io_context context(1);
  tcp::acceptor acceptor(context);
  const tcp::endpoint address(asio::ip::make_address("127.0.0.1"), port);
  boost::system::error_code error;
  acceptor.open(address.protocol(), error);
  if (!error) acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) acceptor.bind(address, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    std::fprintf(stderr, "cannot listen on 127.0.0.1:%u: %s\n", port, error.message().c_str());
    return 1;
  }
  if (setup) setup(context);
  asio::co_spawn(context, accept_loop(acceptor, handle), asio::detached);
  std::fprintf(stderr, "listening on 127.0.0.1:%u (1 thread)\n", port);
  context.run();
  return 0;
}

}  // namespace beast_peer
