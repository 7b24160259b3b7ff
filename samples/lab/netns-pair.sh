# Sourced by the two-host lab scripts (make-http-samples.sh, make-tls-keylog-samples.sh): a
# server and a client namespace joined by one veth pair, IPv4 only. Needs NS_SRV, NS_CLI,
# IF_SRV, IF_CLI, WEB_IP and CLI_IP set. Nothing leaves the two namespaces.
netns_pair_down() {
  ip netns del "$NS_SRV" 2>/dev/null || true
  ip netns del "$NS_CLI" 2>/dev/null || true
}

netns_pair_up() {
  netns_pair_down
  ip netns add "$NS_SRV"
  ip netns add "$NS_CLI"
  ip link add "$IF_SRV" netns "$NS_SRV" type veth peer name "$IF_CLI" netns "$NS_CLI"
  ip -n "$NS_SRV" addr add "$WEB_IP/24" dev "$IF_SRV"
  ip -n "$NS_CLI" addr add "$CLI_IP/24" dev "$IF_CLI"
  for ns in "$NS_SRV" "$NS_CLI"; do
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  done
  ip -n "$NS_SRV" link set "$IF_SRV" up
  ip -n "$NS_CLI" link set "$IF_CLI" up
}
