// Command pstest serves Google's in-memory Pub/Sub fake on a loopback address,
// so the Node client can talk to it through PUBSUB_EMULATOR_HOST.
//
// With -admin-addr it also serves, over HTTP, what the fake knows and Pub/Sub
// does not tell a client: which messages of a topic no subscriber has
// acknowledged yet. The test harness uses it to know when the event path has
// settled, instead of waiting for a quiet period.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"cloud.google.com/go/pubsub/v2/pstest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8085", "listen address (use 127.0.0.1, the Node client cannot parse IPv6 hosts)")
	adminAddr := flag.String("admin-addr", "", "HTTP listen address for GET /unacked?topic=projects/P/topics/T (off when empty)")
	flag.Parse()
	srv := pstest.NewServerWithAddress(*addr)
	defer srv.Close()
	if *adminAddr != "" {
		listener, err := net.Listen("tcp", *adminAddr)
		if err != nil {
			fmt.Fprintf(os.Stderr, "pstest: admin address: %v\n", err)
			os.Exit(1)
		}
		go func() { _ = http.Serve(listener, adminHandler(srv)) }()
		fmt.Printf("pstest admin listening on %s\n", listener.Addr())
	}
	// The harness waits for this line before it connects.
	fmt.Printf("pstest listening on %s\n", srv.Addr)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	<-signals
}

// unackedMessage is a message of the topic that no subscription has acknowledged.
type unackedMessage struct {
	ID         string `json:"id"`
	Deliveries int    `json:"deliveries"`
}

// adminHandler answers GET /unacked?topic=... with the topic's unacknowledged messages, as a JSON array.
func adminHandler(srv *pstest.Server) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /unacked", func(w http.ResponseWriter, r *http.Request) {
		topic := r.URL.Query().Get("topic")
		if topic == "" {
			http.Error(w, "topic is required", http.StatusBadRequest)
			return
		}
		unacked := []unackedMessage{}
		for _, m := range srv.Messages() {
			if m.Topic == topic && m.Acks == 0 {
				unacked = append(unacked, unackedMessage{ID: m.ID, Deliveries: m.Deliveries})
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(unacked)
	})
	return mux
}
