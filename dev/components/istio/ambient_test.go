package sim

// Ambient mode with Istio's own code: the fake discovery server with ambient enabled builds Istio's ambient index
// (pilot/pkg/serviceregistry/ambient, what istiod serves ztunnel over WDS) and generates the waypoint proxy's
// listeners and clusters (pilot/pkg/networking/core, listener_waypoint.go), as Istio's waypoint tests do
// (pilot/pkg/xds/waypoint_test.go: the same objects are given both as config and as Kubernetes objects, because the
// ambient index reads ServiceEntries, AuthorizationPolicies and Gateways from the Kubernetes client).
//
// Ambient is switched on by PILOT_ENABLE_AMBIENT=true in the environment, as istiod's ambient profile sets it: Istio
// reads it, and the flags that depend on it, once at start-up (pilot/pkg/features/ambient.go).
//
// Input: the JSON file named by ISTIO_SIM_INPUT. Output: JSON written to ISTIO_SIM_OUTPUT.

import (
	"encoding/json"
	"net/netip"
	"os"
	"testing"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	rbac "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/rbac/v3"
	tcp "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"istio.io/api/label"
	"istio.io/istio/pilot/pkg/config/kube/crd"
	"istio.io/istio/pilot/pkg/features"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pilot/test/xdstest"
	"istio.io/istio/pkg/config/constants"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/workloadapi"
)

type waypointInput struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	IP        string `json:"ip"` // the waypoint Pod's IP
}

// A connection as the waypoint receives it from ztunnel: the original destination (address:port) inside HBONE.
type ambientCall struct {
	Address string `json:"address"`
	Port    int    `json:"port"`
}

type ambientInput struct {
	Config     string        `json:"config"` // Istio objects, multi-document YAML
	Kube       string        `json:"kube"`   // Namespaces, Gateway API objects, Services, Pods, multi-document YAML
	MeshConfig string        `json:"meshConfig"`
	Waypoint   waypointInput `json:"waypoint"`
	Lookups    []string      `json:"lookups"` // addresses to look up in the ambient index
	Calls      []ambientCall `json:"calls"`
	Detail     *bool         `json:"detail,omitempty"` // false: costs only (no chains, no index entries)
}

// What the ambient index holds for one address: the service whose VIP it is (as ztunnel gets it over WDS), and the
// workloads at that address.
type indexLookup struct {
	Address string `json:"address"`
	// namespace/hostname of the service with this VIP; empty: no service.
	Service string   `json:"service,omitempty"`
	Ports   []uint32 `json:"ports,omitempty"`
	// namespace/hostname of the waypoint the service is served through; empty: none (ztunnel goes direct).
	Waypoint     string `json:"waypoint,omitempty"`
	WaypointPort uint32 `json:"waypointPort,omitempty"`
	// Why the index gave no waypoint when the object asked for one (Istio's status message), if any.
	WaypointError string `json:"waypointError,omitempty"`
	// The WDS Address resource (protobuf JSON) ztunnel receives for this service.
	Resource json.RawMessage `json:"resource,omitempty"`
	// Workloads at this address. ztunnel looks an address up as a workload first and as a service VIP only when no
	// workload has it (istio/ztunnel src/state.rs find_address), so a workload here decides where ztunnel sends it.
	Workloads []indexWorkload `json:"workloads,omitempty"`
}

type indexWorkload struct {
	Name string `json:"name"` // namespace/name
	// namespace/hostname of the workload's own waypoint; empty: none.
	Waypoint       string `json:"waypoint,omitempty"`
	TunnelProtocol string `json:"tunnelProtocol"`
}

// One filter chain of the waypoint's main_internal listener, where ztunnel's HBONE connections land after
// connect_terminate: the RBAC network filters (AuthorizationPolicies) and where its TCP proxy sends the connection.
type waypointChain struct {
	Name    string `json:"name"`
	Cluster string `json:"cluster,omitempty"`
	// The cluster's discovery type: EDS (to the endpoints listed), ORIGINAL_DST (on to the address dialled).
	ClusterType string            `json:"clusterType,omitempty"`
	Endpoints   []string          `json:"endpoints,omitempty"`
	RBAC        []json.RawMessage `json:"rbac,omitempty"`
}

type ambientCallResult struct {
	Call  ambientCall `json:"call"`
	Chain string      `json:"chain,omitempty"`
	Error string      `json:"error,omitempty"`
}

// What ztunnel gets: WDS Address resources (services and workloads), not Envoy listeners.
type indexCost struct {
	Services  int `json:"services"`
	Workloads int `json:"workloads"`
	Ports     int `json:"ports"` // service ports over all services
	Bytes     int `json:"bytes"` // serialized Address resources
}

type waypointCost struct {
	proxyCost
	FilterChains  int `json:"filterChains"`
	Endpoints     int `json:"endpoints"`
	EndpointBytes int `json:"endpointBytes"`
	// Services the index attaches to this waypoint (what it builds chains for).
	Services int `json:"services"`
}

type ambientOutput struct {
	Lookups   []indexLookup       `json:"lookups"`
	Chains    []waypointChain     `json:"chains"`
	Calls     []ambientCallResult `json:"calls"`
	Listeners []string            `json:"listeners"`
	Cost      struct {
		Waypoint waypointCost `json:"waypoint"`
		Index    indexCost    `json:"index"`
	} `json:"cost"`
}

func TestAmbient(t *testing.T) {
	if !features.EnableAmbient {
		t.Fatal("ambient is off: run with PILOT_ENABLE_AMBIENT=true")
	}
	path := os.Getenv("ISTIO_SIM_INPUT")
	if path == "" {
		t.Skip("ISTIO_SIM_INPUT not set")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var in ambientInput
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatalf("input: %v", err)
	}
	meshConfig, err := mesh.ApplyMeshConfigDefaults(in.MeshConfig)
	if err != nil {
		t.Fatalf("mesh config: %v", err)
	}
	// A misspelt kind or field would otherwise leave an object out silently (a policy missing admits everyone).
	if _, unknown, err := crd.ParseInputs(in.Config); err != nil || len(unknown) > 0 {
		t.Fatalf("Istio objects not read: %v, unknown kinds %v", err, unknown)
	}
	all := in.Config + "\n---\n" + in.Kube
	s := xds.NewFakeDiscoveryServer(t, xds.FakeOptions{
		ConfigString:           all,
		KubernetesObjectString: all,
		MeshConfig:             meshConfig,
	})
	if s.AmbientIndex == nil {
		t.Fatal("the fake discovery server built no ambient index")
	}
	// As Istio's waypoint tests set up the proxy: a waypoint-type proxy with the labels Istio puts on a waypoint Pod.
	proxy := s.SetupProxy(&model.Proxy{
		Type:            model.Waypoint,
		ConfigNamespace: in.Waypoint.Namespace,
		Labels: map[string]string{
			label.IoK8sNetworkingGatewayGatewayName.Name: in.Waypoint.Name,
			label.GatewayManaged.Name:                    constants.ManagedGatewayMeshControllerLabel,
		},
		IPAddresses: []string{in.Waypoint.IP},
	})
	detail := in.Detail == nil || *in.Detail
	out := ambientOutput{Lookups: []indexLookup{}, Chains: []waypointChain{}, Calls: []ambientCallResult{}}
	for _, address := range in.Lookups {
		out.Lookups = append(out.Lookups, lookup(t, s, address))
	}
	out.Cost.Index = costOfIndex(s)
	out.Cost.Waypoint.Services = len(s.AmbientIndex.ServicesForWaypoint(model.WaypointKeyForProxy(proxy)))

	listeners := s.Listeners(proxy)
	clusters := s.Clusters(proxy)
	loads := s.Endpoints(proxy)
	cost := &out.Cost.Waypoint
	cost.Listeners, cost.Clusters = len(listeners), len(clusters)
	for _, l := range listeners {
		out.Listeners = append(out.Listeners, l.GetName())
		cost.ListenerBytes += proto.Size(l)
		cost.FilterChains += len(l.GetFilterChains())
	}
	for _, c := range clusters {
		cost.ClusterBytes += proto.Size(c)
	}
	for _, cla := range loads {
		cost.EndpointBytes += proto.Size(cla)
		cost.Endpoints += len(xdstest.ExtractEndpoints(cla))
	}
	internal := xdstest.ExtractListener("main_internal", listeners)
	if internal == nil {
		t.Fatalf("the waypoint has no main_internal listener; it has %v", out.Listeners)
	}
	if detail {
		out.Chains = waypointChains(t, internal, xdstest.ExtractLoadAssignments(loads), xdstest.ExtractClusters(clusters))
	}
	for _, call := range in.Calls {
		res := ambientCallResult{Call: call}
		chain, err := matchChain(internal.GetFilterChainMatcher(), call)
		if err != nil {
			res.Error = err.Error()
		} else if chain == "" {
			res.Error = "no filter chain matched"
		}
		res.Chain = chain
		out.Calls = append(out.Calls, res)
	}
	writeOutput(t, out)
}

func lookup(t *testing.T, s *xds.FakeDiscoveryServer, address string) indexLookup {
	res := indexLookup{Address: address}
	// The default network is empty in the fake discovery server: keys are "<network>/<ip>".
	key := "/" + address
	if svc := s.AmbientIndex.ServiceInfo(key); svc != nil {
		res.Service = svc.Service.GetNamespace() + "/" + svc.Service.GetHostname()
		for _, p := range svc.Service.GetPorts() {
			res.Ports = append(res.Ports, p.GetServicePort())
		}
		if wp := svc.Service.GetWaypoint(); wp != nil {
			res.Waypoint, res.WaypointPort = gatewayName(wp), wp.GetHboneMtlsPort()
		}
		if e := svc.Waypoint.Error; e != nil {
			res.WaypointError = e.Message
		}
		resource, err := protojson.Marshal(svc.AsAddress.Address)
		if err != nil {
			t.Fatal(err)
		}
		res.Resource = resource
	}
	for _, a := range s.AmbientIndex.Lookup(key) {
		if w := a.GetWorkload(); w != nil {
			res.Workloads = append(res.Workloads, indexWorkload{
				Name:           w.GetNamespace() + "/" + w.GetName(),
				Waypoint:       gatewayName(w.GetWaypoint()),
				TunnelProtocol: w.GetTunnelProtocol().String(),
			})
		}
	}
	return res
}

func gatewayName(wp *workloadapi.GatewayAddress) string {
	if h := wp.GetHostname(); h != nil {
		return h.GetNamespace() + "/" + h.GetHostname()
	}
	if a := wp.GetAddress(); a != nil {
		ip, _ := netip.AddrFromSlice(a.GetAddress())
		return a.GetNetwork() + "/" + ip.String()
	}
	return ""
}

func costOfIndex(s *xds.FakeDiscoveryServer) indexCost {
	var c indexCost
	for _, a := range s.AmbientIndex.All() {
		c.Bytes += proto.Size(a.Address)
		switch v := a.GetType().(type) {
		case *workloadapi.Address_Service:
			c.Services++
			c.Ports += len(v.Service.GetPorts())
		case *workloadapi.Address_Workload:
			c.Workloads++
		}
	}
	return c
}

// waypointChains reads each filter chain of main_internal: its RBAC network filters and its TCP proxy's cluster,
// with that cluster's endpoints as EDS gives them.
func waypointChains(
	t *testing.T, l *listener.Listener, loads map[string][]string, clusters map[string]*cluster.Cluster,
) []waypointChain {
	var chains []waypointChain
	for _, fc := range l.GetFilterChains() {
		chain := waypointChain{Name: fc.GetName()}
		for _, f := range fc.GetFilters() {
			switch f.GetName() {
			case "envoy.filters.network.rbac":
				config := &rbac.RBAC{}
				if err := f.GetTypedConfig().UnmarshalTo(config); err != nil {
					t.Fatalf("chain %s: rbac filter: %v", fc.GetName(), err)
				}
				raw, err := protojson.Marshal(config)
				if err != nil {
					t.Fatal(err)
				}
				chain.RBAC = append(chain.RBAC, raw)
			case "envoy.filters.network.tcp_proxy":
				config := &tcp.TcpProxy{}
				if err := f.GetTypedConfig().UnmarshalTo(config); err != nil {
					t.Fatalf("chain %s: tcp proxy: %v", fc.GetName(), err)
				}
				chain.Cluster = config.GetCluster()
				chain.Endpoints = loads[chain.Cluster]
				if c := clusters[chain.Cluster]; c != nil {
					chain.ClusterType = c.GetType().String()
				}
			}
		}
		chains = append(chains, chain)
	}
	return chains
}

func writeOutput(t *testing.T, out any) {
	raw, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	target := os.Getenv("ISTIO_SIM_OUTPUT")
	if target == "" {
		t.Fatal("ISTIO_SIM_OUTPUT not set")
	}
	if err := os.WriteFile(target, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}
