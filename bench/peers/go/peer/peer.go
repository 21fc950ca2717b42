// Package peer holds what the Go peer servers share: the common flags and the server.
package peer

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"runtime"
)

// Flags common to every Go peer; each server adds its own before calling Parse.
type Flags struct {
	Port    int
	Threads int
}

// Register adds --port and --threads to the command line with the given default port.
func Register(defaultPort int) *Flags {
	f := &Flags{}
	flag.IntVar(&f.Port, "port", defaultPort, "TCP port on 127.0.0.1")
	flag.IntVar(&f.Threads, "threads", 1, "GOMAXPROCS: threads running Go code (1, like every server in the bench)")
	return f
}

// Parse reads the command line; a bad or extra argument exits 2 with a message.
func Parse(program string, f *Flags) {
	flag.CommandLine.Init(program, flag.ExitOnError)
	flag.Parse()
	if flag.NArg() > 0 {
		Fail(program, fmt.Sprintf("unexpected argument %q", flag.Arg(0)))
	}
	if f.Port < 1 || f.Port > 65535 {
		Fail(program, "--port must be in 1..65535")
	}
	if f.Threads < 1 {
		Fail(program, "--threads must be at least 1")
	}
}

// Fail prints "program: message" and the usage, and exits 2.
func Fail(program, message string) {
	fmt.Fprintf(os.Stderr, "%s: %s\n", program, message)
	flag.Usage()
	os.Exit(2)
}

// Serve runs handler on 127.0.0.1:port with GOMAXPROCS=threads until the process dies.
func Serve(program string, f *Flags, handler http.Handler) {
	runtime.GOMAXPROCS(f.Threads)
	server := &http.Server{Addr: fmt.Sprintf("127.0.0.1:%d", f.Port), Handler: handler}
	fmt.Fprintf(os.Stderr, "%s: listening on %s (GOMAXPROCS %d)\n", program, server.Addr, f.Threads)
	if err := server.ListenAndServe(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", program, err)
		os.Exit(1)
	}
}

// NoContentType stops net/http from sniffing a Content-Type for the body, so that
// the response carries the headers the benchmark's servers send and nothing more.
func NoContentType(w http.ResponseWriter) {
	w.Header()["Content-Type"] = nil
}

// Text answers status with a short text/plain reason.
func Text(w http.ResponseWriter, status int, reason string) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(reason))
}
