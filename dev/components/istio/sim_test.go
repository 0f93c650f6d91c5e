// Package sim answers "where would Envoy send this connection?" with Istio's own code: the fake discovery server
// Istio's tests use (pilot/test/xds) turns the given Istio objects and Kubernetes objects into the listeners, clusters
// and routes istiod would push, and Istio's traffic simulator (pilot/pkg/simulation) walks a call through them, as
// Istio's sidecar and gateway simulation tests do. It is a test binary (built with `go test -c`) because both need a
// *testing.T.
//
// Input: the JSON file named by ISTIO_SIM_INPUT. Output: JSON written to ISTIO_SIM_OUTPUT.
package sim

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pkg/config/mesh"

	"google.golang.org/protobuf/proto"
)

type proxyInput struct {
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels"`
	IP        string            `json:"ip"`
}

type callInput struct {
	From     string `json:"from"` // sidecar | egress-gateway
	Address  string `json:"address"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol"` // TCP only: the project routes plain TCP
}

type input struct {
	Config     string      `json:"config"`     // Istio objects, multi-document YAML
	Kube       string      `json:"kube"`       // Services, Pods, EndpointSlices, multi-document YAML
	MeshConfig string      `json:"meshConfig"` // MeshConfig YAML, applied over Istio's defaults
	Sidecar    proxyInput  `json:"sidecar"`
	Gateway    proxyInput  `json:"gateway"`
	Calls      []callInput `json:"calls"`
}

type result struct {
	Call        callInput `json:"call"`
	Listener    string    `json:"listener,omitempty"`
	FilterChain string    `json:"filterChain,omitempty"`
	Cluster     string    `json:"cluster,omitempty"`
	// The matched cluster's discovery type as Envoy gets it: EDS or STATIC (to the endpoints Istio lists),
	// ORIGINAL_DST (on to the address the client dialled).
	ClusterType string `json:"clusterType,omitempty"`
	Error       string `json:"error,omitempty"`
}

// What a proxy's configuration costs: how many listeners and clusters istiod would push, and their size as
// serialized protobuf (the bytes of the LDS and CDS resources, before any compression).
type proxyCost struct {
	Listeners     int `json:"listeners"`
	ListenerBytes int `json:"listenerBytes"`
	Clusters      int `json:"clusters"`
	ClusterBytes  int `json:"clusterBytes"`
}

type output struct {
	Results []result `json:"results"`
	// What each proxy was given, for a failure message: names only; and what it costs.
	Listeners map[string][]string  `json:"listeners"`
	Clusters  map[string][]string  `json:"clusters"`
	Cost      map[string]proxyCost `json:"cost"`
}

func readInput(t *testing.T) input {
	path := os.Getenv("ISTIO_SIM_INPUT")
	if path == "" {
		t.Skip("ISTIO_SIM_INPUT not set")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var in input
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatalf("input: %v", err)
	}
	return in
}

// proxies builds the two proxies the way Istio's simulation tests do; SetupProxy then attaches the sidecar scope,
// the Services whose Pods the proxy's IP belongs to (the gateway's listener ports come from their targetPorts) and
// the Gateways that select it.
func proxies(s *xds.FakeDiscoveryServer, in input) map[string]*model.Proxy {
	sidecar := &model.Proxy{
		Type:            model.SidecarProxy,
		ConfigNamespace: in.Sidecar.Namespace,
		Labels:          in.Sidecar.Labels,
		Metadata:        &model.NodeMetadata{Namespace: in.Sidecar.Namespace, Labels: in.Sidecar.Labels},
	}
	if in.Sidecar.IP != "" {
		sidecar.IPAddresses = []string{in.Sidecar.IP}
	}
	gateway := &model.Proxy{
		Type:            model.Router,
		ConfigNamespace: in.Gateway.Namespace,
		Labels:          in.Gateway.Labels,
		Metadata:        &model.NodeMetadata{Namespace: in.Gateway.Namespace, Labels: in.Gateway.Labels},
		ID:              "egress-gateway." + in.Gateway.Namespace,
	}
	if in.Gateway.IP != "" {
		gateway.IPAddresses = []string{in.Gateway.IP}
	}
	return map[string]*model.Proxy{"sidecar": s.SetupProxy(sidecar), "egress-gateway": s.SetupProxy(gateway)}
}

func TestSimulate(t *testing.T) {
	in := readInput(t)
	meshConfig, err := mesh.ApplyMeshConfigDefaults(in.MeshConfig)
	if err != nil {
		t.Fatalf("mesh config: %v", err)
	}
	s := xds.NewFakeDiscoveryServer(t, xds.FakeOptions{
		ConfigString:           in.Config,
		KubernetesObjectString: in.Kube,
		MeshConfig:             meshConfig,
	})
	out := output{Listeners: map[string][]string{}, Clusters: map[string][]string{}, Cost: map[string]proxyCost{}}
	sims := map[string]*simulation.Simulation{}
	clusterTypes := map[string]map[string]string{}
	for from, proxy := range proxies(s, in) {
		sim := simulation.NewSimulation(t, s, proxy)
		sims[from] = sim
		cost := proxyCost{Listeners: len(sim.Listeners), Clusters: len(sim.Clusters)}
		for _, l := range sim.Listeners {
			out.Listeners[from] = append(out.Listeners[from], l.Name)
			cost.ListenerBytes += proto.Size(l)
		}
		clusterTypes[from] = map[string]string{}
		for _, c := range sim.Clusters {
			out.Clusters[from] = append(out.Clusters[from], c.Name)
			cost.ClusterBytes += proto.Size(c)
			clusterTypes[from][c.Name] = c.GetType().String()
		}
		out.Cost[from] = cost
	}
	for _, call := range in.Calls {
		sim, ok := sims[call.From]
		if !ok {
			t.Fatalf("call from %q: want sidecar or egress-gateway", call.From)
		}
		if call.Protocol != "" && call.Protocol != "TCP" {
			t.Fatalf("call protocol %q: only TCP is simulated", call.Protocol)
		}
		mode := simulation.CallModeOutbound
		if call.From == "egress-gateway" {
			mode = simulation.CallModeGateway
		}
		r := sim.Run(simulation.Call{Address: call.Address, Port: call.Port, Protocol: simulation.TCP, TLS: simulation.Plaintext, CallMode: mode})
		res := result{Call: call, Listener: r.ListenerMatched, FilterChain: r.FilterChainMatched, Cluster: r.ClusterMatched, ClusterType: clusterTypes[call.From][r.ClusterMatched]}
		if r.Error != nil {
			res.Error = r.Error.Error()
		}
		out.Results = append(out.Results, res)
	}
	raw, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	target := os.Getenv("ISTIO_SIM_OUTPUT")
	if target == "" {
		t.Fatal(errors.New("ISTIO_SIM_OUTPUT not set"))
	}
	if err := os.WriteFile(target, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}
