// Command pstest serves Google's in-memory Pub/Sub fake on a loopback address,
// so the Node client can talk to it through PUBSUB_EMULATOR_HOST.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"cloud.google.com/go/pubsub/v2/pstest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8085", "listen address (use 127.0.0.1, the Node client cannot parse IPv6 hosts)")
	flag.Parse()
	srv := pstest.NewServerWithAddress(*addr)
	defer srv.Close()
	// The harness waits for this line before it connects.
	fmt.Printf("pstest listening on %s\n", srv.Addr)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	<-signals
}
