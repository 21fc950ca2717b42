// Seed 003's Go proxy: every client connection is paired with a new connection to
// the upstream, and two goroutines copy the directions with io.Copy (which, between
// two *net.TCPConn on Linux, moves the bytes with splice(2) through a pipe, and falls
// back to a 32 KiB buffer elsewhere). EOF on one side half-closes the other.
// Standard library only; bench/peers/go-proxy/build.sh builds it offline.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:20000", "address to accept clients on")
	upstream := flag.String("upstream", "127.0.0.1:20001", "upstream HOST:PORT")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintf(os.Stderr, "go-proxy: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "go-proxy: %v\n", err)
		os.Exit(1)
	}
	for {
		client, err := listener.Accept()
		if err != nil {
			continue // e.g. out of fds: keep serving the others
		}
		go serve(client.(*net.TCPConn), *upstream)
	}
}

func serve(client *net.TCPConn, upstream string) {
	defer client.Close()
	conn, err := net.Dial("tcp", upstream)
	if err != nil {
		return
	}
	server := conn.(*net.TCPConn)
	defer server.Close()
	done := make(chan struct{})
	go func() {
		forward(server, client)
		close(done)
	}()
	forward(client, server)
	<-done
}

// forward copies src to dst until EOF, then half-closes dst.
func forward(dst, src *net.TCPConn) {
	_, _ = io.Copy(dst, src)
	_ = dst.CloseWrite()
}
