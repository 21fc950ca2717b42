// Command kv: seed 002's Go key-value store on net/http with a sync.Map. GET /{key} →
// the value (empty when missing), POST|PUT /{key} → store it and echo it, DELETE →
// 204, GET /size → the number of keys. Keys over --max-key characters get 400, values
// over --max-value bytes 413 (32 and 32, the seed's Go limits); an entry expires
// --ttl after its last write (lazily on read, and by a sweep every --ttl).
package main

import (
	"flag"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"coring.bench/peers/go/peer"
)

const program = "go-kv"

type entry struct {
	value   []byte
	expires int64 // unix nanoseconds; 0 = never
}

type store struct {
	entries  sync.Map // string → entry
	keys     atomic.Int64
	maxKey   int
	maxValue int
	ttl      time.Duration
}

func (s *store) get(key string) []byte {
	v, ok := s.entries.Load(key)
	if !ok {
		return nil
	}
	e := v.(entry)
	if e.expires != 0 && time.Now().UnixNano() >= e.expires {
		s.remove(key)
		return nil
	}
	return e.value
}

func (s *store) put(key string, value []byte) {
	e := entry{value: value}
	if s.ttl > 0 {
		e.expires = time.Now().Add(s.ttl).UnixNano()
	}
	// LoadOrStore, then Store: sync.Map has no Swap before Go 1.20 (Debian 12 has 1.19).
	if _, existed := s.entries.LoadOrStore(key, e); existed {
		s.entries.Store(key, e)
	} else {
		s.keys.Add(1)
	}
}

func (s *store) remove(key string) {
	if _, existed := s.entries.LoadAndDelete(key); existed {
		s.keys.Add(-1)
	}
}

// sweep drops expired entries every ttl, so keys nobody reads again do not stay.
func (s *store) sweep() {
	for range time.Tick(s.ttl) {
		now := time.Now().UnixNano()
		s.entries.Range(func(k, v any) bool {
			if e := v.(entry); e.expires != 0 && now >= e.expires {
				s.remove(k.(string))
			}
			return true
		})
	}
}

func (s *store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Path[1:]
	peer.NoContentType(w)
	switch {
	case key == "size":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			peer.Text(w, http.StatusMethodNotAllowed, "method not allowed\n")
			return
		}
		size := strconv.AppendInt(nil, s.keys.Load(), 10)
		w.Header()["Content-Length"] = []string{strconv.Itoa(len(size))}
		_, _ = w.Write(size)
	case key == "":
		peer.Text(w, http.StatusBadRequest, "empty key\n")
	case len(key) > s.maxKey:
		peer.Text(w, http.StatusBadRequest, "key too long\n")
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		value := s.get(key)
		w.Header()["Content-Length"] = []string{strconv.Itoa(len(value))}
		_, _ = w.Write(value)
	case r.Method == http.MethodPost || r.Method == http.MethodPut:
		s.write(w, r, key)
	case r.Method == http.MethodDelete:
		s.remove(key)
		w.WriteHeader(http.StatusNoContent)
	default:
		peer.Text(w, http.StatusMethodNotAllowed, "method not allowed\n")
	}
}

func (s *store) write(w http.ResponseWriter, r *http.Request, key string) {
	value, err := io.ReadAll(io.LimitReader(r.Body, int64(s.maxValue)+1))
	if err != nil {
		peer.Text(w, http.StatusBadRequest, "cannot read the body\n")
		return
	}
	if len(value) > s.maxValue {
		peer.Text(w, http.StatusRequestEntityTooLarge, "value too long\n")
		return
	}
	s.put(key, value)
	w.Header()["Content-Length"] = []string{strconv.Itoa(len(value))}
	_, _ = w.Write(value)
}

func main() {
	flags := peer.Register(8081)
	s := &store{}
	flag.IntVar(&s.maxKey, "max-key", 32, "longest key in characters (400 beyond)")
	flag.IntVar(&s.maxValue, "max-value", 32, "longest value in bytes (413 beyond)")
	flag.DurationVar(&s.ttl, "ttl", 60*time.Second, "an entry's life after its last write (0 = never)")
	peer.Parse(program, flags)
	if s.maxKey < 1 || s.maxValue < 0 || s.ttl < 0 {
		peer.Fail(program, "--max-key must be ≥ 1, --max-value and --ttl ≥ 0")
	}
	if s.ttl > 0 {
		go s.sweep()
	}
	peer.Serve(program, flags, s)
}
