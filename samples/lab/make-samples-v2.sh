#!/usr/bin/env bash
# make-samples-v2.sh - the second set of capdiag sample captures, from the same private
# AD lab as make-samples.sh (whose functions it sources: provisioning, SCP publishing,
# certificates, nginx, nftables, capture), with more client implementations and more
# topologies.
#
# WHAT IT ADDS TO make-samples.sh
#   Topology: the DC side (namespace cdlab-srv) holds a bridge cdl-br with the DC
#   10.99.0.1 (+ fd99::1), nginx 10.99.0.3 (+ fd99::3), 10.99.0.4 and 10.99.0.7 (a "dc2"
#   with nothing on 389). Four namespaces hang off it by veth pairs:
#     cdlab-cli   10.99.0.2 (fd99::2)  host crmsrv   the usual client (capture point cdl-cli)
#     cdlab-cli5  10.99.0.5            host ws05     second client (dc-side-three-clients)
#     cdlab-cli6  10.99.0.6            host ws06     third client  (dc-side-three-clients)
#     cdlab-fwd   10.99.0.9            host fwd      a tiny DNS server (dns-fwd.py) that is
#                                                    the DC's DNS forwarder
#   No route anywhere else; every packet stays in these namespaces. IPv6 is on only on
#   the DC side (for Samba to listen on fd99::1) and, during ipv6-only, in cdlab-cli.
#   Clients (run inside the client namespaces): client-run.sh (as v1), client-lib.sh
#   (dig/curl/CLDAP steps as bash functions), ldapc.py (python ldap3 simple/NTLM,
#   Samba's python ldb with Kerberos or NTLM sign+seal, impacket NTLM over a raw
#   socket), OpenLDAP ldapsearch, MIT kinit/kvno, Heimdal kinit, impacket's Kerberos.
#
# NEEDS  root; install-deps.sh and install-deps-v2.sh (faketime, socat, heimdal
#        clients unpacked in /opt/heimdal-clients, ldap3 + impacket for /usr/bin/python3).
# USAGE  sudo samples/lab/make-samples-v2.sh [scenario...]    (default: all, ~2-3 min)
#        LAB_KEEP=1 keep the state dir; LAB_OUT=DIR write captures there;
#        LAB_HOLD=1 set the lab up and wait for <state>/release (<state>/in-ns NS CMD runs
#        a command in a lab namespace with the lab's resolv.conf/hosts/krb5.conf).
# WRITES samples/<scenario>.pcap only; the .expect.toml files are hand-written.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CDLAB_SOURCED=1
# shellcheck source=make-samples.sh
source "$HERE/make-samples.sh"

HEIMDAL_KINIT=/opt/heimdal-clients/usr/bin/kinit.heimdal
missing=()
for t in faketime socat "$HEIMDAL_KINIT" kvno; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
/usr/bin/python3 -c 'import ldap3, impacket' 2>/dev/null || missing+=("ldap3/impacket for /usr/bin/python3")
[ ${#missing[@]} = 0 ] || die "missing: ${missing[*]} - run $HERE/install-deps-v2.sh first"

NS_CLI5=cdlab-cli5
NS_CLI6=cdlab-cli6
NS_FWD=cdlab-fwd
IF_BR=cdl-br
CLI5_IP=10.99.0.5
CLI6_IP=10.99.0.6
DC2_IP=10.99.0.7
FWD_IP=10.99.0.9
DC_IP6=fd99::1
CLI_IP6=fd99::2
WEB_IP6=fd99::3
ALL_NS=("$NS_CLI" "$NS_CLI5" "$NS_CLI6" "$NS_FWD" "$NS_SRV")
SCP_DN_PTR="CN=EXCH-PTR,CN=Autodiscover,CN=Protocols,$SERVER_DN"
RF_DN="CN=Resource Forest Autodiscover,CN=Program Data,$BASEDN"
SCP_DN_RF="CN=EXCH02,$RF_DN"
DNSFWD_PID=""

cleanup() {  # replaces make-samples.sh's (the EXIT trap calls it by name)
  local rc=$?
  set +e
  [ -n "$TCPDUMP_PID" ] && stop_pid "$TCPDUMP_PID"
  [ -n "$NGINX_PID" ] && stop_pid "$NGINX_PID"
  [ -n "$DNSFWD_PID" ] && stop_pid "$DNSFWD_PID"
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  for ns in "${ALL_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
  if [ "${LAB_KEEP:-0}" = 1 ]; then log "kept state in $STATE"; else rm -rf "$STATE"; fi
  exit $rc
}

nsname() {
  case $1 in
    "$NS_CLI") echo crmsrv ;; "$NS_CLI5") echo ws05 ;; "$NS_CLI6") echo ws06 ;;
    "$NS_FWD") echo fwd ;; *) echo dc1 ;;
  esac
}
nsx() {  # as make-samples.sh's, for every lab namespace
  local name; name=$(nsname "$1")
  NSX=(ip netns exec "$1" unshare --uts /bin/sh -c
       'hostname "$1" && mount --bind "$2" /etc/resolv.conf && mount --bind "$3" /etc/hosts && shift 3 && exec "$@"'
       in_ns "$name" "$STATE/resolv.conf" "$STATE/hosts.$name"
       env KRB5_CONFIG="$STATE/krb5.conf" KRB5CCNAME="FILE:$STATE/client/ccache"
       PATH="$STATE/bin:$PATH")
}
in_ns() { local ns=$1 NSX; shift; nsx "$ns"; "${NSX[@]}" "$@"; }
cli5() { in_ns "$NS_CLI5" "$@"; }
cli6() { in_ns "$NS_CLI6" "$@"; }

setup_net() {  # replaces make-samples.sh's: a bridge on the DC side, four namespaces
  local ns
  for ns in "${ALL_NS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  for ns in "${ALL_NS[@]}"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  # DC side: IPv6 on (Samba must be able to bind fd99::1), no RA/DAD/autoconf
  ip netns exec "$NS_SRV" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
      net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
      net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0
  ip -n "$NS_SRV" link add "$IF_BR" type bridge stp_state 0 forward_delay 0 mcast_snooping 0
  ip netns exec "$NS_SRV" sysctl -qw net.ipv6.conf.$IF_BR.accept_dad=0 net.ipv6.conf.$IF_BR.accept_ra=0 \
      net.ipv6.conf.$IF_BR.router_solicitations=0 net.ipv6.conf.$IF_BR.addr_gen_mode=1
  local a
  for a in "$DC_IP" "$WEB_IP" "$WEB2_IP" "$DC2_IP"; do ip -n "$NS_SRV" addr add "$a/24" dev "$IF_BR"; done
  for a in "$DC_IP6" "$WEB_IP6"; do ip -n "$NS_SRV" addr add "$a/64" dev "$IF_BR" nodad; done
  ip -n "$NS_SRV" link set "$IF_BR" up
  # pair NS IF_IN_NS IP: veth from the bridge to a namespace
  pair() {
    local ns=$1 ifc=$2 ip=$3 ifs="s${2#cdl-}"
    ip link add "$ifs" netns "$NS_SRV" type veth peer name "$ifc" netns "$ns"
    ip -n "$NS_SRV" link set "$ifs" master "$IF_BR"
    ip -n "$NS_SRV" link set "$ifs" up
    ip -n "$ns" addr add "$ip/24" dev "$ifc"
    ip -n "$ns" link set "$ifc" up
  }
  pair "$NS_CLI" "$IF_CLI" "$CLI_IP"
  pair "$NS_CLI5" cdl-cli5 "$CLI5_IP"
  pair "$NS_CLI6" cdl-cli6 "$CLI6_IP"
  pair "$NS_FWD" cdl-fwd "$FWD_IP"
  printf 'nameserver %s\nsearch %s\noptions timeout:2 attempts:1\n' "$DC_IP" "$DOMAIN" > "$STATE/resolv.conf"
  for a in dc1 crmsrv ws05 ws06 fwd; do
    printf '127.0.0.1 localhost\n127.0.1.1 %s.%s %s\n' "$a" "$DOMAIN" "$a" > "$STATE/hosts.$a"
  done
  write_krb5_conf "$STATE/krb5.conf" "$DC_IP"
  mkdir -p "$STATE/client" "$STATE/bin"
}
write_krb5_conf() { # FILE KDC [extra libdefaults line]
  cat > "$1" <<EOF
[libdefaults]
    default_realm = $REALM
    dns_lookup_realm = false
    dns_lookup_kdc = false
    rdns = false
    dns_canonicalize_hostname = false
${3:-}
[realms]
    $REALM = {
        kdc = $2
        admin_server = $2
    }
[domain_realm]
    .$DOMAIN = $REALM
    $DOMAIN = $REALM
EOF
}

dc_listen_v6() {  # Samba also listens on fd99::1 (before start_dc)
  sed -i -E "s/^(\s*interfaces\s*=).*/\1 lo $DC_IP $DC_IP6/" "$SMBCONF"
  sed -i -E "s/^(\s*dns forwarder\s*=).*/\1 $FWD_IP/" "$SMBCONF"
}
start_dnsfwd() {
  local NSX; nsx "$NS_FWD"
  "${NSX[@]}" /usr/bin/python3 "$HERE/dns-fwd.py" "$FWD_IP" > "$STATE/dns-fwd.log" 2>&1 &
  DNSFWD_PID=$!
}
sdns() { stool dns "$1" "$DC_IP" "${@:2}" -U "Administrator%$ADMINPASS" >/dev/null; }

# capture2 NAME NS IFACE FILTER -- CMD...: tcpdump in NS on IFACE around CMD (run in the
# client namespace NS_CLI unless CAP_RUN_NS is set). TCPDUMP_EXTRA adds tcpdump options.
capture2() {
  local name=$1 ns=$2 ifc=$3 filter=$4; shift 5
  local pcap="$OUT/$name.pcap" tlog="$STATE/tcpdump-$name.log" i rc NSX
  rm -f "$STATE/client/ccache"
  for n in "${ALL_NS[@]}"; do in_ns "$n" ip neigh flush all >/dev/null 2>&1 || true; done
  nsx "$ns"
  # shellcheck disable=SC2086
  "${NSX[@]}" tcpdump -i "$ifc" ${TCPDUMP_EXTRA:-} -s 0 -U --immediate-mode -n -w "$STATE/$name.pcap" $filter > /dev/null 2> "$tlog" &
  TCPDUMP_PID=$!
  for i in $(seq 50); do grep -qs 'listening on' "$tlog" && break; sleep 0.1; done
  log "[$name] client run"
  "$@" > "$STATE/client-$name.log" 2>&1 && rc=0 || rc=$?
  sed 's/^/    /' "$STATE/client-$name.log" >&2
  sleep 0.5
  kill -INT "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null || true
  TCPDUMP_PID=""
  cp "$STATE/$name.pcap" "$pcap"
  log "[$name] client exit $rc, $(grep -o '[0-9]* packets captured' "$tlog"), $(stat -c %s "$pcap") bytes -> $pcap"
}
# ccli NS SCRIPT-TEXT: run a bash client script (client-lib.sh sourced) in namespace NS
ccli() {
  local ns=$1; shift
  in_ns "$ns" env LAB="$STATE/client" LABLIB="$STATE/lib" SMBCONF_CLI="$STATE/client/smb.conf" \
      CACERT="$STATE/client/lab-ca.crt" PW="$SVCPASS" HEIMDAL_KINIT="$HEIMDAL_KINIT" ${CCLI_ENV:-} bash -c "set -u; source \"\$LABLIB/client-lib.sh\"; $1"
}
ON_CLI=(ccli "$NS_CLI")

# Another scenario set (samples/lab/adversarial/adv-run.sh) names its file, the array of its
# scenario names and the client scripts it needs beside ldapc.py.
source "${LAB_SCENARIO_FILE:-$HERE/scenarios-v2.sh}"
declare -n ALL_SCENARIOS="${LAB_ALL_VAR:-ALL2}"

SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=("${ALL_SCENARIOS[@]}")
for sc in "${SCENARIOS[@]}"; do
  declare -F "sc2_${sc//-/_}" >/dev/null || die "unknown scenario '$sc' (known: ${ALL_SCENARIOS[*]})"
done

# ---------------------------------------------------------------- main
setup_net
provision_dc
dc_listen_v6
start_dnsfwd
start_dc
populate_dc
make_certs
mkdir -p "$STATE/lib"
cp "$HERE/client-run.sh" "$STATE/client-run.sh"
# shellcheck disable=SC2086 # LAB_EXTRA_LIB is a list of files
cp "$HERE/client-lib.sh" "$HERE/ldapc.py" ${LAB_EXTRA_LIB:-} "$STATE/lib/"
write_client_smbconf
cat > "$STATE/in-ns" <<EOF
#!/bin/bash
# in-ns NS CMD...: run CMD in a lab namespace as the lab scripts do
ns=\$1; shift; name=dc1
case \$ns in $NS_CLI) name=crmsrv;; $NS_CLI5) name=ws05;; $NS_CLI6) name=ws06;; $NS_FWD) name=fwd;; esac
exec ip netns exec "\$ns" unshare --uts /bin/sh -c 'hostname "\$1" && mount --bind "\$2" /etc/resolv.conf && mount --bind "\$3" /etc/hosts && shift 3 && exec "\$@"' in_ns "\$name" "$STATE/resolv.conf" "$STATE/hosts.\$name" env KRB5_CONFIG="$STATE/krb5.conf" KRB5CCNAME="FILE:$STATE/client/ccache" LAB="$STATE/client" LABLIB="$STATE/lib" SMBCONF_CLI="$STATE/client/smb.conf" CACERT="$STATE/client/lab-ca.crt" PATH="$STATE/bin:\$PATH" "\$@"
EOF
chmod +x "$STATE/in-ns"
if [ "${LAB_HOLD:-0}" = 1 ]; then
  log "lab is up (state $STATE). touch $STATE/release to tear down"
  while [ ! -e "$STATE/release" ]; do sleep 1; done
  exit 0
fi
t0=$SECONDS
for sc in "${SCENARIOS[@]}"; do "sc2_${sc//-/_}"; done
nginx_stop
log "done: ${#SCENARIOS[@]} captures in $((SECONDS - t0)) s, written to $OUT"
