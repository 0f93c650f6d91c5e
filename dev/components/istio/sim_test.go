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

	"istio.io/istio/pilot/pkg/features"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pilot/test/xdstest"
	"istio.io/istio/pkg/config/mesh"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	rbac "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/rbac/v3"
	tls "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"google.golang.org/protobuf/encoding/protojson"
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
	// How the connection arrives: plaintext (default), tls, or mtls (Istio mutual TLS, as a sidecar sends it to the
	// egress gateway under a DestinationRule with ISTIO_MUTUAL); Sni is the server name it carries.
	TLS string `json:"tls,omitempty"`
	Sni string `json:"sni,omitempty"`
}

type input struct {
	Config     string      `json:"config"`     // Istio objects, multi-document YAML
	Kube       string      `json:"kube"`       // Services, Pods, EndpointSlices, multi-document YAML
	MeshConfig string      `json:"meshConfig"` // MeshConfig YAML, applied over Istio's defaults
	Sidecar    proxyInput  `json:"sidecar"`
	Gateway    proxyInput  `json:"gateway"`
	Calls      []callInput `json:"calls"`
	// An istiod with ambient on (PILOT_ENABLE_AMBIENT=true, as the ambient profile sets it), as in a mesh where some
	// pods are ambient: Istio's ambient index then reads ServiceEntries, Namespaces and waypoints from the Kubernetes
	// client, so the Istio objects are given there too (as ambient_test.go does).
	Ambient bool `json:"ambient,omitempty"`
}

type result struct {
	Call        callInput `json:"call"`
	Listener    string    `json:"listener,omitempty"`
	FilterChain string    `json:"filterChain,omitempty"`
	Cluster     string    `json:"cluster,omitempty"`
	// The matched cluster's discovery type as Envoy gets it: EDS or STATIC (to the endpoints Istio lists),
	// ORIGINAL_DST (on to the address the client dialled).
	ClusterType string `json:"clusterType,omitempty"`
	// The matched cluster's endpoints as Envoy gets them (EDS, or a STATIC cluster's own): none means nowhere to
	// send the connection. An HBONE endpoint is an internal address (`connect_originate;<waypoint ip:port>`).
	Endpoints []string `json:"endpoints,omitempty"`
	Error     string   `json:"error,omitempty"`
}

// What a proxy's configuration costs: how many listeners and clusters istiod would push, and their size as
// serialized protobuf (the bytes of the LDS and CDS resources, before any compression).
type proxyCost struct {
	Listeners     int `json:"listeners"`
	ListenerBytes int `json:"listenerBytes"`
	Clusters      int `json:"clusters"`
	ClusterBytes  int `json:"clusterBytes"`
}

// One filter chain of one listener of the egress gateway, as Envoy gets it: whether it terminates TLS and requires a
// client certificate (Istio mutual TLS), and its RBAC network filters (Istio's AuthorizationPolicies, as Envoy's
// RBAC config in protobuf JSON: action, policies, permissions, principals).
type gatewayChain struct {
	Listener          string            `json:"listener"`
	Port              uint32            `json:"port"`
	ServerNames       []string          `json:"serverNames,omitempty"`
	TLS               bool              `json:"tls"`
	RequireClientCert bool              `json:"requireClientCert"`
	RBAC              []json.RawMessage `json:"rbac,omitempty"`
}

// The TLS a cluster originates upstream: its SNI, and whether it presents Istio's workload certificate.
type clusterTLS struct {
	Sni         string `json:"sni"`
	IstioMutual bool   `json:"istioMutual"`
}

type output struct {
	Results []result `json:"results"`
	// The egress gateway's filter chains, for what it enforces on each port.
	GatewayChains []gatewayChain `json:"gatewayChains"`
	// Per proxy, each cluster that originates TLS (a subset with ISTIO_MUTUAL), by cluster name.
	ClusterTLS map[string]map[string]clusterTLS `json:"clusterTls"`
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
	if in.Ambient != features.EnableAmbient {
		t.Fatalf("ambient %v asked, PILOT_ENABLE_AMBIENT gives %v", in.Ambient, features.EnableAmbient)
	}
	kube := in.Kube
	if in.Ambient {
		kube = in.Config + "\n---\n" + in.Kube
	}
	s := xds.NewFakeDiscoveryServer(t, xds.FakeOptions{
		ConfigString:           in.Config,
		KubernetesObjectString: kube,
		MeshConfig:             meshConfig,
	})
	out := output{
		Listeners: map[string][]string{}, Clusters: map[string][]string{}, Cost: map[string]proxyCost{},
		ClusterTLS: map[string]map[string]clusterTLS{}, GatewayChains: []gatewayChain{},
	}
	sims := map[string]*simulation.Simulation{}
	clusterTypes := map[string]map[string]string{}
	endpoints := map[string]map[string][]string{}
	for from, proxy := range proxies(s, in) {
		sim := simulation.NewSimulation(t, s, proxy)
		sims[from] = sim
		// EDS clusters' endpoints as istiod would send them, then STATIC clusters' own.
		endpoints[from] = xdstest.ExtractLoadAssignments(s.Endpoints(proxy))
		for name, eps := range xdstest.ExtractClusterEndpoints(sim.Clusters) {
			endpoints[from][name] = append(endpoints[from][name], eps...)
		}
		cost := proxyCost{Listeners: len(sim.Listeners), Clusters: len(sim.Clusters)}
		for _, l := range sim.Listeners {
			out.Listeners[from] = append(out.Listeners[from], l.Name)
			cost.ListenerBytes += proto.Size(l)
		}
		clusterTypes[from] = map[string]string{}
		out.ClusterTLS[from] = map[string]clusterTLS{}
		for _, c := range sim.Clusters {
			out.Clusters[from] = append(out.Clusters[from], c.Name)
			cost.ClusterBytes += proto.Size(c)
			clusterTypes[from][c.Name] = c.GetType().String()
			if ct, ok := upstreamTLS(c); ok {
				out.ClusterTLS[from][c.Name] = ct
			}
		}
		if from == "egress-gateway" {
			for _, l := range sim.Listeners {
				out.GatewayChains = append(out.GatewayChains, chainsOf(t, l)...)
			}
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
		tlsMode := simulation.Plaintext
		if call.TLS != "" {
			tlsMode = simulation.TLSMode(call.TLS)
		}
		r := sim.Run(simulation.Call{
			Address: call.Address, Port: call.Port, Protocol: simulation.TCP, TLS: tlsMode, Sni: call.Sni, CallMode: mode,
		})
		res := result{
			Call: call, Listener: r.ListenerMatched, FilterChain: r.FilterChainMatched, Cluster: r.ClusterMatched,
			ClusterType: clusterTypes[call.From][r.ClusterMatched], Endpoints: endpoints[call.From][r.ClusterMatched],
		}
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

// chainsOf reads each filter chain of a gateway listener: its TLS termination and its RBAC network filters.
func chainsOf(t *testing.T, l *listener.Listener) []gatewayChain {
	var chains []gatewayChain
	for _, fc := range l.GetFilterChains() {
		chain := gatewayChain{
			Listener:    l.GetName(),
			Port:        l.GetAddress().GetSocketAddress().GetPortValue(),
			ServerNames: fc.GetFilterChainMatch().GetServerNames(),
		}
		if ts := fc.GetTransportSocket(); ts != nil {
			ctx := &tls.DownstreamTlsContext{}
			if err := ts.GetTypedConfig().UnmarshalTo(ctx); err != nil {
				t.Fatalf("listener %s: transport socket: %v", l.GetName(), err)
			}
			chain.TLS = true
			chain.RequireClientCert = ctx.GetRequireClientCertificate().GetValue()
		}
		for _, f := range fc.GetFilters() {
			if f.GetName() != "envoy.filters.network.rbac" {
				continue
			}
			config := &rbac.RBAC{}
			if err := f.GetTypedConfig().UnmarshalTo(config); err != nil {
				t.Fatalf("listener %s: rbac filter: %v", l.GetName(), err)
			}
			raw, err := protojson.Marshal(config)
			if err != nil {
				t.Fatal(err)
			}
			chain.RBAC = append(chain.RBAC, raw)
		}
		chains = append(chains, chain)
	}
	return chains
}

// upstreamTLS reads the TLS a cluster originates: Istio's mutual TLS presents the workload certificate ("default").
// A DestinationRule's explicit TLS is the cluster's transport socket (pilot/pkg/networking/core/cluster_tls.go);
// auto mTLS, which only applies when the endpoint runs a sidecar, goes to transport socket matches and is not read.
func upstreamTLS(c *cluster.Cluster) (clusterTLS, bool) {
	ts := c.GetTransportSocket()
	if ts == nil || ts.GetTypedConfig() == nil {
		return clusterTLS{}, false
	}
	ctx := &tls.UpstreamTlsContext{}
	if err := ts.GetTypedConfig().UnmarshalTo(ctx); err != nil {
		return clusterTLS{}, false
	}
	certs := ctx.GetCommonTlsContext().GetTlsCertificateSdsSecretConfigs()
	return clusterTLS{Sni: ctx.GetSni(), IstioMutual: len(certs) > 0 && certs[0].GetName() == "default"}, true
}
