// Command hello: the hello benchmark (seed 000) on Go's net/http. Any GET or HEAD gets
// 200 "Hello world!" with Content-Length and Date only: 88 bytes on the wire, like
// coring's hello and hyper's (net/http writes the header names capitalised).
package main

import (
	"net/http"

	"coring.bench/peers/go/peer"
)

var body = []byte("Hello world!")

func hello(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		peer.Text(w, http.StatusMethodNotAllowed, "only GET\n")
		return
	}
	peer.NoContentType(w)
	w.Header()["Content-Length"] = []string{"12"}
	_, _ = w.Write(body)
}

func main() {
	flags := peer.Register(8000)
	peer.Parse("go-hello", flags)
	peer.Serve("go-hello", flags, http.HandlerFunc(hello))
}
