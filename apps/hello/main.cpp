// hello: the "hello world" benchmark server that async runtimes (tokio, smol) are
// compared with: the smallest possible HTTP answer, so the runtime's own cost shows.
// Any GET → 200 "Hello world!" with content-length and date: 88 bytes on the wire.

#include "http/launch.hpp"

namespace {

class hello_handler final : public coring::http::handler {
 public:
  bool handle(coring::http::request& req, coring::http::response& res) override {
    if (req.method != coring::http::method::get && req.method != coring::http::method::head) {
      res.status(405);
      res.header("allow", "GET, HEAD");  // RFC 9110 §15.5.6: a 405 lists what is allowed
      res.header("content-type", "text/plain");
      res.body("only GET\n");
      return true;
    }
    res.body_static("Hello world!");
    return true;
  }
};

}  // namespace

int main(int argc, char** argv) {
  coring::http::server_config config;
  config.port = 8000;
  config.name = "hello";
  coring::http::parse_server_command_line(argc, argv,
                                          "Answers every GET with 200 \"Hello world!\".", config);
  hello_handler handler;  // stateless: one instance serves every thread
  return coring::http::run_server(
      config, [&handler](unsigned) -> coring::http::handler& { return handler; });
}
