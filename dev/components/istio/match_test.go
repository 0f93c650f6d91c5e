package sim

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"

	matcher "github.com/cncf/xds/go/xds/type/matcher/v3"
)

// matchChain follows the listener's filter_chain_matcher for a plain TCP connection to call.Address:call.Port, as
// Envoy's matcher tree does (envoy/config/listener/v3/listener.proto filter_chain_matcher; cncf/xds
// xds/type/matcher/v3): the inputs the waypoint's matcher uses are the destination IP (an IP range matcher), the
// destination port and the application protocol (exact-match maps), with on_no_match when nothing matches. Istio's
// traffic simulator (pilot/pkg/simulation) reads only the older filter_chain_match, so the walk is here; any other
// input fails instead of guessing. An empty name: no chain matched (Envoy closes the connection).
func matchChain(m *matcher.Matcher, call ambientCall) (string, error) {
	if m == nil {
		return "", nil
	}
	tree := m.GetMatcherTree()
	if tree == nil {
		return "", fmt.Errorf("matcher without a tree: %v", m)
	}
	var candidates []*matcher.Matcher_OnMatch
	switch input := tree.GetInput().GetName(); input {
	case "ip":
		ranges := &matcher.IPMatcher{}
		if err := tree.GetCustomMatch().GetTypedConfig().UnmarshalTo(ranges); err != nil {
			return "", fmt.Errorf("ip matcher: %v", err)
		}
		var err error
		if candidates, err = rangeCandidates(ranges, call.Address); err != nil {
			return "", err
		}
	case "port":
		if on := tree.GetExactMatchMap().GetMap()[strconv.Itoa(call.Port)]; on != nil {
			candidates = append(candidates, on)
		}
	case "application-protocol":
		// A plain TCP connection: the HTTP inspector finds no HTTP, so there is no application protocol to match.
	default:
		return "", fmt.Errorf("matcher input %q is not modelled", input)
	}
	// A candidate whose nested matcher matches nothing hands over to the next one, then to on_no_match.
	for _, on := range append(candidates, m.GetOnNoMatch()) {
		if on == nil {
			continue
		}
		if action := on.GetAction(); action != nil {
			return action.GetName(), nil
		}
		chain, err := matchChain(on.GetMatcher(), call)
		if err != nil || chain != "" {
			return chain, err
		}
	}
	return "", nil
}

// rangeCandidates lists the range matchers whose ranges hold the address, in the order Envoy tries them: longest
// prefix first, then in the order declared; an exclusive one only when no longer prefix matched (ip.proto).
func rangeCandidates(ranges *matcher.IPMatcher, address string) ([]*matcher.Matcher_OnMatch, error) {
	ip, err := netip.ParseAddr(address)
	if err != nil {
		return nil, err
	}
	type candidate struct {
		bits      int
		exclusive bool
		on        *matcher.Matcher_OnMatch
	}
	var found []candidate
	for _, rm := range ranges.GetRangeMatchers() {
		best := -1
		for _, r := range rm.GetRanges() {
			prefix, err := netip.ParsePrefix(r.GetAddressPrefix() + "/" + strconv.Itoa(int(r.GetPrefixLen().GetValue())))
			if err != nil {
				return nil, err
			}
			if prefix.Contains(ip) {
				best = max(best, prefix.Bits())
			}
		}
		if best >= 0 {
			found = append(found, candidate{bits: best, exclusive: rm.GetExclusive(), on: rm.GetOnMatch()})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].bits > found[j].bits })
	var out []*matcher.Matcher_OnMatch
	for _, c := range found {
		if c.exclusive && c.bits < found[0].bits {
			continue
		}
		out = append(out, c.on)
	}
	return out, nil
}
