// hello: the "hello world" benchmark server that async runtimes (tokio, smol) are
// compared with: the smallest possible HTTP answer, so the runtime's own cost shows.
// Any GET → 200 "Hello world!" with content-length and date: 88 bytes on the wire.

#include "http/launch.hpp"

namespace {

class hello_handler final : public coring::http::handler {
 public:
  bool handle(coring::http::request& req, coring::http::response& res) override {
    if (req.method != coring::http::method::get && req.method != coring::http::method::head) {
      res.send_text(405, "only GET\n");
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
  coring::cli flags(argc, argv,
                    "usage: hello [--port 8000] [--threads N] [options]\n"
                    "Answers every GET with 200 \"Hello world!\".\n\n" +
                        coring::http::server_flags_help(config));
  coring::http::take_server_flags(flags, config);
  flags.finish();
  hello_handler handler;  // stateless: one instance serves every thread
  return coring::http::run_server(
      config, [&handler](unsigned) -> coring::http::handler& { return handler; });
}
