// Command user: seed 001's user service on Go's net/http. GET /v1/user answers the
// given users.json (3,696 bytes) with the first createdAt set to now, in the same
// 24-character form, and the seed's headers (engine names the server).
package main

import (
	"bytes"
	"flag"
	"net/http"
	"os"
	"strconv"
	"time"

	"coring.bench/peers/go/peer"
)

const program = "go-user"

// createdAtLength is len("2023-04-21T12:40:19.925Z").
const createdAtLength = 24

type users struct {
	body      []byte
	createdAt int // offset of the first createdAt value
}

func load(path string) users {
	body, err := os.ReadFile(path)
	if err != nil {
		peer.Fail(program, err.Error())
	}
	key := []byte(`"createdAt"`)
	k := bytes.Index(body, key)
	if k < 0 {
		peer.Fail(program, "no createdAt in "+path)
	}
	q := bytes.IndexByte(body[k+len(key):], '"')
	at := k + len(key) + q + 1
	if q < 0 || at+createdAtLength > len(body) {
		peer.Fail(program, "no createdAt value in "+path)
	}
	return users{body: body, createdAt: at}
}

func (u users) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/user" {
		peer.Text(w, http.StatusNotFound, "not found\n")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		peer.Text(w, http.StatusMethodNotAllowed, "method not allowed\n")
		return
	}
	body := make([]byte, len(u.body))
	copy(body, u.body)
	now := time.Now().UTC().AppendFormat(nil, "2006-01-02T15:04:05.000Z")
	copy(body[u.createdAt:u.createdAt+createdAtLength], now)
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Engine"] = []string{"Go"}
	h["Location"] = []string{"/v1/user"}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	_, _ = w.Write(body)
}

func main() {
	flags := peer.Register(8080)
	file := flag.String("file", "", "users.json to serve (required)")
	peer.Parse(program, flags)
	if *file == "" {
		peer.Fail(program, "--file users.json is required")
	}
	peer.Serve(program, flags, load(*file))
}
