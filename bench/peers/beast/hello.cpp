// beast-hello: the hello benchmark (seed 000) on Boost.Beast. Any GET gets 200
// "Hello world!" with content-length and date: the 88 bytes coring and hyper send.
#include "peer.hpp"

int main(int argc, char** argv) {
  beast_peer::flags options("beast-hello", "[--port 8000] [--threads 1]");
  options.add("port", "8000");
  options.add("threads", "1");
  options.parse(argc, argv);
  return beast_peer::run(options, [](const beast_peer::request& req, beast_peer::response& res) {
    if (req.method() != boost::beast::http::verb::get) {
      beast_peer::reject(res, boost::beast::http::status::method_not_allowed, "only GET\n");
      return;
    }
    beast_peer::finish(res, "Hello world!");
  });
}
