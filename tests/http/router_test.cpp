// router: {param} capture, 404 for an unknown path, 405 (with Allow) for a known path
// with the wrong method, HEAD served by a GET route, routes tried in order.

#include "http/router.hpp"

#include <gtest/gtest.h>

#include <string>

#include "test_client.hpp"
#include "test_server.hpp"

namespace coring::http::test {
namespace {

class Router : public testing::Test {
 protected:
  Router() {
    routes_.get("/users/{id}", [](request& req, response& res) {
      res.body("user " + std::string(req.param("id")));
    });
    routes_.get("/users/{id}/posts/{post}", [](request& req, response& res) {
      res.body(std::string(req.param("id")) + "/" + std::string(req.param("post")));
    });
    routes_.post("/users",
                 [](request& req, response& res) { res.body("created " + std::string(req.body)); });
    routes_.get("/s/static", [](request&, response& res) { res.body("static"); });
    routes_.get("/s/{anything}", [](request& req, response& res) {
      res.body("fallback " + std::string(req.param("anything")));
    });
  }
  router routes_;
  test_server server_{routes_};
};

TEST_F(Router, CapturesParameters) {
  client c(server_.port());
  EXPECT_EQ(c.roundtrip(get_request("/users/42")).body, "user 42");
  EXPECT_EQ(c.roundtrip(get_request("/users/7/posts/99")).body, "7/99");
  EXPECT_EQ(c.roundtrip(get_request("/users/abc?x=1")).body, "user abc");  // query is not path
}

TEST_F(Router, FirstMatchingRouteWins) {
  client c(server_.port());
  EXPECT_EQ(c.roundtrip(get_request("/s/static")).body, "static");
  EXPECT_EQ(c.roundtrip(get_request("/s/other")).body, "fallback other");
}

TEST_F(Router, UnknownPathGets404) {
  client c(server_.port());
  EXPECT_EQ(c.roundtrip(get_request("/users/1/comments")).status, 404);
  EXPECT_EQ(c.roundtrip(get_request("/users/")).status, 404);  // empty {id}
  EXPECT_EQ(c.roundtrip(get_request("/a/b/c/d")).status, 404);
  EXPECT_EQ(c.roundtrip(get_request("/users/1")).status, 200);  // connection still fine
}

TEST_F(Router, WrongMethodGets405WithAllow) {
  client c(server_.port());
  const http_response r = c.roundtrip("DELETE /users/5 HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(r.status, 405);
  // RFC 9110 §15.5.6: a 405 must carry Allow with the methods the resource supports.
  ASSERT_TRUE(r.header("allow").has_value()) << r.raw;
  EXPECT_NE(r.header("allow")->find("GET"), std::string::npos) << *r.header("allow");
  EXPECT_EQ(r.header("allow")->find("POST"), std::string::npos) << *r.header("allow");
  const http_response post_only =
      c.roundtrip("PUT /users HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(post_only.status, 405);
  EXPECT_EQ(post_only.header("allow"), "POST") << post_only.raw;
}

TEST_F(Router, PostRouteGetsTheBody) {
  client c(server_.port());
  EXPECT_EQ(c.roundtrip("POST /users HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nbob").body,
            "created bob");
}

TEST_F(Router, HeadIsServedByTheGetRouteWithoutBody) {
  client c(server_.port());
  const http_response r =
      c.roundtrip("HEAD /users/9 HTTP/1.1\r\nHost: h\r\n\r\n", /*no_body=*/true);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-length"), "6");  // "user 9"
}

}  // namespace
}  // namespace coring::http::test
