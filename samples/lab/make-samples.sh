#!/usr/bin/env bash
# make-samples.sh - record capdiag's sample captures from a real, private AD lab.
#
# WHAT IT DOES
#   Builds two network namespaces joined by one veth pair (no route anywhere else):
#     cdlab-srv: Samba AD DC 10.99.0.1 (realm CONTOSO.TEST, domain CONTOSO,
#                SAMBA_INTERNAL DNS, KDC, LDAP), nginx on 10.99.0.3 (mail.contoso.test)
#                and 10.99.0.4 (autodiscover.contoso.test, only for http-redirect)
#     cdlab-cli: the client 10.99.0.2, which resolves via 10.99.0.1 (a lab resolv.conf
#                is bind-mounted for every command run in a namespace; /etc is untouched)
#   provisions the DC, publishes the Exchange Autodiscover SCP with ldapadd, adds DNS
#   records with samba-tool, makes a lab CA + certificates with openssl, and then for
#   each scenario reconfigures the server side, starts tcpdump on the client's
#   interface and runs client-run.sh (one whole EWS-like Autodiscover run) once.
#   Every packet stays inside these namespaces.
#
# NEEDS
#   root, Linux with network namespaces and veth, and the Debian packages listed in
#   install-deps.sh (samba with samba-ad-provision and python3-samba, winbind,
#   krb5-user, ldap-utils, dnsutils, tcpdump, nginx, curl, libsasl2-modules-gssapi-mit,
#   iproute2, nftables, openssl). It installs nothing: it
#   checks for the tools and tells you to run install-deps.sh. No systemd needed; it
#   starts its own samba and nginx and stops them (by recorded PID) on exit.
#   Not for CI: run it by hand.
#
# HOW LONG
#   About 35 s for all 15 scenarios on 2 cores (provision ~8 s, DC start ~3 s, each
#   capture 1-2 s, https-timeout ~5 s because it waits for curl's connect timeout).
#
# WHAT IT WRITES
#   samples/<scenario>.pcap for each scenario (overwritten on every run). The
#   *.pcap.expect.toml files beside them are hand-written ground truth and are NOT
#   touched. All private state (Samba databases, keys, configs, logs) lives in a
#   fresh temp dir (/tmp/capdiag-lab.XXXXXX) that is removed on exit unless
#   LAB_KEEP=1. Namespaces cdlab-srv/cdlab-cli are deleted on exit (and, if left
#   over by an earlier killed run, at start).
#
# USAGE
#   sudo samples/lab/make-samples.sh                 # all scenarios
#   sudo samples/lab/make-samples.sh complete tls-untrusted   # only these
#   LAB_KEEP=1 ...   keep the temp dir (logs, client transcripts) for inspection
#   LAB_HOLD=1 ...   set the lab up, run nothing, wait until <state>/release exists
#   LAB_OUT=DIR ...  write the captures to DIR instead of samples/
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${LAB_OUT:-$(cd "$HERE/.." && pwd)}
NS_SRV=cdlab-srv
NS_CLI=cdlab-cli
IF_SRV=cdl-srv
IF_CLI=cdl-cli
DC_IP=10.99.0.1
CLI_IP=10.99.0.2
WEB_IP=10.99.0.3
WEB2_IP=10.99.0.4
REALM=CONTOSO.TEST
DOMAIN=contoso.test
NBDOMAIN=CONTOSO
BASEDN="DC=contoso,DC=test"
CONFDN="CN=Configuration,$BASEDN"
ADMINPASS='Lab-Admin-Pw1!'
SVCUSER=crmsvc
SVCPASS='Crm-Svc-Pw1!'
ORG_DN="CN=Contoso,CN=Microsoft Exchange,CN=Services,$CONFDN"
SERVER_DN="CN=EXCH01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,$ORG_DN"
SCP_DN="CN=EXCH01,CN=Autodiscover,CN=Protocols,$SERVER_DN"
SCP_URL_GOOD="https://mail.contoso.test/Autodiscover/Autodiscover.xml"
SCP_URL_STALE="https://oldcas.contoso.test/Autodiscover/Autodiscover.xml"

log() { printf '[lab %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- checks
[ "$(id -u)" = 0 ] || die "run as root (it creates network namespaces)"
missing=()
for t in ip samba samba-tool net ldapadd ldapmodify ldapdelete ldapsearch kinit dig \
         tcpdump nginx curl openssl nft unshare mount; do
  command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
compgen -G '/usr/lib/*/sasl2/libgssapiv2.so*' >/dev/null || missing+=("libsasl2-modules-gssapi-mit")
/usr/bin/python3 -c 'import samba.net' 2>/dev/null || missing+=("python3-samba")
[ ${#missing[@]} = 0 ] || die "missing: ${missing[*]} - run $HERE/install-deps.sh first"

STATE=$(mktemp -d /tmp/capdiag-lab.XXXXXX)
chmod 755 "$STATE"
PIDS=()          # daemons we started, stopped by PID on exit
NGINX_PID=""
TCPDUMP_PID=""

stop_pid() { # stop_pid PID: TERM, wait up to 5 s, then KILL
  local p=$1 i
  kill -0 "$p" 2>/dev/null || return 0
  kill -TERM "$p" 2>/dev/null || true
  for i in $(seq 50); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  set +e
  [ -n "$TCPDUMP_PID" ] && stop_pid "$TCPDUMP_PID"
  [ -n "$NGINX_PID" ] && stop_pid "$NGINX_PID"
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  ip netns del "$NS_CLI" 2>/dev/null
  ip netns del "$NS_SRV" 2>/dev/null
  if [ "${LAB_KEEP:-0}" = 1 ]; then log "kept state in $STATE"; else rm -rf "$STATE"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# nsx NS: sets NSX to a command prefix that runs a command in
# namespace NS, in its own UTS namespace (host name dc1 or crmsrv), with the lab's
# resolv.conf and hosts bind-mounted over /etc/resolv.conf and /etc/hosts (ip netns
# exec gives each command its own mount namespace, so nothing leaks to the host) and
# KRB5_CONFIG pointing at the lab's krb5.conf. Every step
# exec()s, so for a daemon started as '"${NSX[@]}" daemon ... &' $! is the daemon's
# own PID (a shell function started with & would give a subshell's PID instead).
nsx() {
  local name=dc1
  [ "$1" = "$NS_CLI" ] && name=crmsrv
  NSX=(ip netns exec "$1" unshare --uts /bin/sh -c
       'hostname "$1" && mount --bind "$2" /etc/resolv.conf && mount --bind "$3" /etc/hosts && shift 3 && exec "$@"'
       in_ns "$name" "$STATE/resolv.conf" "$STATE/hosts.$name"
       env KRB5_CONFIG="$STATE/krb5.conf" KRB5CCNAME="FILE:$STATE/client/ccache")
}
srv() { local NSX; nsx "$NS_SRV"; "${NSX[@]}" "$@"; }
cli() { local NSX; nsx "$NS_CLI"; "${NSX[@]}" "$@"; }

# ---------------------------------------------------------------- network
setup_net() {
  # leftovers of a killed run: namespaces are ours by name
  ip netns del "$NS_CLI" 2>/dev/null || true
  ip netns del "$NS_SRV" 2>/dev/null || true
  ip netns add "$NS_SRV"
  ip netns add "$NS_CLI"
  local ns
  for ns in "$NS_SRV" "$NS_CLI"; do
    # no IPv6 at all: keeps router solicitations/MLD out of the captures
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
  done
  # veth created directly inside the two namespaces: it never exists in the host's
  ip link add "$IF_SRV" netns "$NS_SRV" type veth peer name "$IF_CLI" netns "$NS_CLI"
  ip -n "$NS_SRV" addr add "$DC_IP/24" dev "$IF_SRV"
  ip -n "$NS_SRV" addr add "$WEB_IP/24" dev "$IF_SRV"
  ip -n "$NS_SRV" addr add "$WEB2_IP/24" dev "$IF_SRV"
  ip -n "$NS_CLI" addr add "$CLI_IP/24" dev "$IF_CLI"
  ip -n "$NS_SRV" link set "$IF_SRV" up
  ip -n "$NS_CLI" link set "$IF_CLI" up
  # no default route in either namespace: only 10.99.0.0/24 and loopback are reachable
  printf 'nameserver %s\nsearch %s\noptions timeout:2 attempts:1\n' "$DC_IP" "$DOMAIN" > "$STATE/resolv.conf"
  # each namespace also gets its own UTS namespace and host name (dc1 / crmsrv), and
  # knows that name from its hosts file, as Debian does with 127.0.1.1 (otherwise
  # libldap asks DNS for the host's own name before every connection)
  printf '127.0.0.1 localhost\n127.0.1.1 dc1.%s dc1\n' "$DOMAIN" > "$STATE/hosts.dc1"
  printf '127.0.0.1 localhost\n127.0.1.1 crmsrv.%s crmsrv\n' "$DOMAIN" > "$STATE/hosts.crmsrv"
  cat > "$STATE/krb5.conf" <<EOF
[libdefaults]
    default_realm = $REALM
    dns_lookup_realm = false
    dns_lookup_kdc = false
    rdns = false
    dns_canonicalize_hostname = false
[realms]
    $REALM = {
        kdc = $DC_IP
        admin_server = $DC_IP
    }
[domain_realm]
    .$DOMAIN = $REALM
    $DOMAIN = $REALM
EOF
  mkdir -p "$STATE/client"
}

# ---------------------------------------------------------------- Samba AD DC
SMBCONF=""
provision_dc() {
  local d="$STATE/samba"
  mkdir -p "$d"
  log "provisioning Samba AD DC (realm $REALM) in $d"
  srv samba-tool domain provision --realm="$REALM" --domain="$NBDOMAIN" --server-role=dc \
      --dns-backend=SAMBA_INTERNAL --host-name=dc1 --host-ip="$DC_IP" \
      --adminpass="$ADMINPASS" --targetdir="$d" \
      --option="interfaces = lo $DC_IP" --option="bind interfaces only = yes" \
      > "$STATE/provision.log" 2>&1 || { tail -30 "$STATE/provision.log" >&2; die "provision failed"; }
  SMBCONF="$d/etc/smb.conf"
  # provision ignores some --option values and points several paths at system
  # directories: rewrite [global] so that everything is private to $d.
  mkdir -p "$d/run" "$d/log"
  sed -i -E '/^\s*(dns forwarder|log file|max log size|pid directory|ncalrpc dir|winbindd socket directory|ntp signd socket directory|server services|disable netbios|ldap server require strong auth)\s*=/d' "$SMBCONF"
  sed -i -e "/^\[global\]/a\\
\\tldap server require strong auth = no\\
\\tpid directory = $d/run\\
\\tncalrpc dir = $d/run/ncalrpc\\
\\twinbindd socket directory = $d/run/winbindd\\
\\tntp signd socket directory = $d/run/ntp_signd\\
\\tlog file = $d/log/samba.log\\
\\tmax log size = 0\\
\\tdns forwarder =\\
\\tnsupdate command = /bin/true\\
\\tserver services = -dnsupdate -nbt\\
\\tdisable netbios = yes" "$SMBCONF"
  # dnsupdate is off (provision already wrote the DNS records; nbt is off so no NetBIOS
  # broadcasts reach the captures). Without dnsupdate, samba_spnupdate does not run
  # either: populate_dc runs it by hand, or GSSAPI binds fail (no ldap/ SPNs).
}

start_dc() {
  log "starting samba -M single"
  nsx "$NS_SRV"
  "${NSX[@]}" samba -s "$SMBCONF" -M single --foreground --no-process-group -d 1 \
      > "$STATE/samba/log/stdout.log" 2>&1 &
  PIDS+=($!)
  local i t0=$SECONDS
  for i in $(seq 120); do
    if srv ldapsearch -LLL -x -H "ldap://$DC_IP" -b "" -s base dnsHostName >/dev/null 2>&1 &&
       srv dig +short +time=1 +tries=1 @"$DC_IP" "dc1.$DOMAIN" A | grep -q "$DC_IP"; then
      log "DC answers LDAP and DNS after ~$((SECONDS - t0)) s"; return 0
    fi
    sleep 0.25
  done
  tail -30 "$STATE/samba/log/samba.log" >&2 || true
  die "DC did not come up"
}

admin_ldap() { # admin_ldap ldapadd|ldapmodify|ldapdelete ARGS...
  local tool=$1; shift
  srv "$tool" -x -H "ldap://$DC_IP" -D "Administrator@$DOMAIN" -w "$ADMINPASS" "$@"
}
stool() { srv samba-tool "$@" -s "$SMBCONF"; }

populate_dc() {
  srv samba_spnupdate -s "$SMBCONF" > "$STATE/spnupdate.log" 2>&1 || log "samba_spnupdate: see $STATE/spnupdate.log"
  log "creating service user $NBDOMAIN\\$SVCUSER"
  stool user create "$SVCUSER" "$SVCPASS" --description="CRM service account (lab)" >/dev/null
  log "publishing the Exchange SCP"
  {
    local dn parts=() i
    # parents, outermost first, as plain containers (Samba has no Exchange schema)
    dn="CN=Microsoft Exchange,CN=Services,$CONFDN"; parts+=("$dn")
    dn="CN=Contoso,$dn"; parts+=("$dn")
    dn="CN=Administrative Groups,$dn"; parts+=("$dn")
    dn="CN=Exchange Administrative Group (FYDIBOHF23SPDLT),$dn"; parts+=("$dn")
    dn="CN=Servers,$dn"; parts+=("$dn")
    dn="CN=EXCH01,$dn"; parts+=("$dn")
    dn="CN=Protocols,$dn"; parts+=("$dn")
    dn="CN=Autodiscover,$dn"; parts+=("$dn")
    for dn in "${parts[@]}"; do
      printf 'dn: %s\nobjectClass: container\n\n' "$dn"
    done
  } > "$STATE/scp-parents.ldif"
  admin_ldap ldapadd -f "$STATE/scp-parents.ldif" > "$STATE/ldapadd.log"
  publish_scp "$SCP_URL_GOOD"
  log "adding DNS records"
  stool dns add "$DC_IP" "$DOMAIN" mail A "$WEB_IP" -U "Administrator%$ADMINPASS" >/dev/null
}

# publish_scp URL: (re)create the SCP object with serviceBindingInformation URL
# scp_entry_ldif DN NAME URL: the LDIF of one URL SCP entry (Exchange's keyword, the lab's site).
scp_entry_ldif() {
  cat <<EOF
dn: $1
objectClass: serviceConnectionPoint
cn: $2
serviceClassName: ms-Exchange-AutoDiscover-Service
serviceDNSName: $2
keywords: 77378F46-2C66-4aa9-A6A6-3E7A48B19596
keywords: Site=Default-First-Site-Name
serviceBindingInformation: $3
EOF
}
publish_scp() {
  remove_scp
  scp_entry_ldif "$SCP_DN" EXCH01 "$1" > "$STATE/scp.ldif"
  admin_ldap ldapadd -f "$STATE/scp.ldif" >> "$STATE/ldapadd.log"
}
remove_scp() { admin_ldap ldapdelete "$SCP_DN" >/dev/null 2>&1 || true; }

# ---------------------------------------------------------------- TLS
make_certs() {
  local d="$STATE/pki"
  mkdir -p "$d"
  log "making the lab CA and certificates (EC P-256, small captures)"
  (
    cd "$d"
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -days 3650 \
      -subj "/O=Contoso Lab/CN=Contoso Lab Root CA" -keyout ca.key -out ca.crt \
      -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
      -subj "/O=Contoso Lab/CN=mail.contoso.test" -keyout mail.key -out mail.csr
    printf '%s\n' "subjectAltName=DNS:mail.contoso.test,DNS:autodiscover.contoso.test,DNS:contoso.test" \
      "extendedKeyUsage=serverAuth" "basicConstraints=CA:false" > mail.ext
    openssl x509 -req -in mail.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 \
      -extfile mail.ext -out mail.crt
    # the name-mismatch case: trusted (lab CA) but issued for another host only
    openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
      -subj "/O=Contoso Lab/CN=www.contoso.test" -keyout www.key -out www.csr
    printf '%s\n' "subjectAltName=DNS:www.contoso.test" "extendedKeyUsage=serverAuth" \
      "basicConstraints=CA:false" > www.ext
    openssl x509 -req -in www.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 \
      -extfile www.ext -out www.crt
    # the untrusted case: a self-signed certificate for the same name
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -days 825 \
      -subj "/CN=mail.contoso.test" -addext "subjectAltName=DNS:mail.contoso.test" \
      -keyout self.key -out self.crt
  ) > "$STATE/pki.log" 2>&1 || { cat "$STATE/pki.log" >&2; die "openssl failed"; }
  cp "$d/ca.crt" "$STATE/client/lab-ca.crt"
}

# ---------------------------------------------------------------- nginx
# nginx_start MODE: good | selfsigned | redirect (good + port-80 302 on 10.99.0.4)
nginx_start() {
  local mode=$1 d="$STATE/nginx" cert key protos
  nginx_stop
  mkdir -p "$d/tmp" "$d/logs"
  case $mode in
    selfsigned) cert=$STATE/pki/self.crt; key=$STATE/pki/self.key; protos="TLSv1.2" ;;
    wrongname)  cert=$STATE/pki/www.crt; key=$STATE/pki/www.key; protos="TLSv1.2" ;;
    *)          cert=$STATE/pki/mail.crt; key=$STATE/pki/mail.key; protos="TLSv1.2 TLSv1.3" ;;
  esac
  {
    cat <<EOF
worker_processes 1;
daemon off;
master_process on;
pid $d/nginx.pid;
error_log $d/logs/error.log info;
events { worker_connections 64; }
http {
  access_log $d/logs/access.log;
  client_body_temp_path $d/tmp/body; proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi; uwsgi_temp_path $d/tmp/uwsgi; scgi_temp_path $d/tmp/scgi;
  keepalive_timeout 5;
  server_tokens off;
  server {
    listen $WEB_IP:443 ssl;
    server_name mail.contoso.test autodiscover.contoso.test contoso.test;
    ssl_certificate $cert;
    ssl_certificate_key $key;
    ssl_protocols $protos;
    # the unauthenticated GET: Exchange answers 401 with its capability headers
    location ~* ^/autodiscover/autodiscover\.xml\$ {
      add_header X-SOAP-Enabled True always;
      add_header X-WSSecurity-Enabled True always;
      add_header WWW-Authenticate Negotiate always;
      return 401;
    }
    # the SOAP GetUserSettings POST (the lab answers without authentication)
    location ~* ^/autodiscover/autodiscover\.svc\$ {
      default_type 'text/xml; charset=utf-8';
      return 200 '<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetUserSettingsResponseMessage xmlns="http://schemas.microsoft.com/exchange/2010/Autodiscover"><Response><ErrorCode>NoError</ErrorCode><UserResponses><UserResponse><ErrorCode>NoError</ErrorCode><UserSettings><UserSetting><Name>InternalEwsUrl</Name><Value>https://mail.contoso.test/EWS/Exchange.asmx</Value></UserSetting></UserSettings></UserResponse></UserResponses></Response></GetUserSettingsResponseMessage></s:Body></s:Envelope>';
    }
    location / { return 404; }
  }
EOF
    if [ "$mode" = redirect ]; then
      cat <<EOF
  server {
    listen $WEB2_IP:80;
    server_name autodiscover.contoso.test;
    location / { return 302 https://mail.contoso.test/autodiscover/autodiscover.xml; }
  }
EOF
    fi
    echo "}"
  } > "$d/nginx.conf"
  nsx "$NS_SRV"
  "${NSX[@]}" nginx -e "$d/logs/error.log" -p "$d" -c "$d/nginx.conf" &
  NGINX_PID=$!
  local i
  for i in $(seq 50); do
    srv ss -Hltn "sport = :443" 2>/dev/null | grep -q "$WEB_IP:443" && return 0
    sleep 0.1
  done
  tail "$d/logs/error.log" >&2; die "nginx did not start"
}
nginx_stop() { if [ -n "$NGINX_PID" ]; then stop_pid "$NGINX_PID"; fi; NGINX_PID=""; }

# ---------------------------------------------------------------- nftables (server side)
nft_set() { # nft_set RULE: one input rule in the server namespace ("" = none)
  srv nft delete table inet cdlab 2>/dev/null || true
  [ -n "$*" ] || return 0
  printf 'table inet cdlab {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    %s\n  }\n}\n' \
    "$*" > "$STATE/nft.conf"
  srv nft -f "$STATE/nft.conf"
}

# ---------------------------------------------------------------- capture
# capture NAME CLIENT-ARGS...: tcpdump on the client's veth around one client run
capture() {
  local name=$1; shift
  local pcap="$OUT/$name.pcap" tlog="$STATE/tcpdump-$name.log" i rc
  # client state from a previous run (Kerberos tickets) must not leak into this one
  rm -f "$STATE/client/ccache"
  srv ip neigh flush all >/dev/null 2>&1 || true
  cli ip neigh flush all >/dev/null 2>&1 || true
  # "ip" as capture filter: only ARP is left out (IPv6 is off in the lab)
  nsx "$NS_CLI"
  "${NSX[@]}" tcpdump -i "$IF_CLI" -s 0 -U --immediate-mode -n -w "$STATE/$name.pcap" ip > /dev/null 2> "$tlog" &
  TCPDUMP_PID=$!
  for i in $(seq 50); do grep -qs 'listening on' "$tlog" && break; sleep 0.1; done
  log "[$name] client run"
  cli bash "$STATE/client-run.sh" --smbconf="$STATE/client/smb.conf" "$@" \
      > "$STATE/client-$name.log" 2>&1 && rc=0 || rc=$?
  sed 's/^/    /' "$STATE/client-$name.log" >&2
  sleep 0.5   # let the last FIN/ACKs arrive
  kill -INT "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null || true
  TCPDUMP_PID=""
  cp "$STATE/$name.pcap" "$pcap"
  log "[$name] client exit $rc, $(grep -o '[0-9]* packets captured' "$tlog"), $(stat -c %s "$pcap") bytes -> $pcap"
}

# ---------------------------------------------------------------- scenarios
GOOD=(--password="$SVCPASS")
sc_complete() {
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  capture complete "${GOOD[@]}" --cacert="$STATE/client/lab-ca.crt"
}
sc_srv_nxdomain() {
  # the client believes its AD domain is missing.contoso.test: a name inside the
  # zone contoso.test that does not exist -> NXDOMAIN for the locator's SRV query
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  capture srv-nxdomain "${GOOD[@]}" --ad-domain=missing.contoso.test --cacert="$STATE/client/lab-ca.crt"
}
sc_bind_invalid_credentials() {
  publish_scp "$SCP_URL_GOOD"; nginx_stop
  capture bind-invalid-credentials --password='Wrong-Pw-1!' --cacert="$STATE/client/lab-ca.crt"
}
sc_scp_missing() {
  remove_scp; nginx_stop
  capture scp-missing "${GOOD[@]}" --cacert="$STATE/client/lab-ca.crt"
}
sc_scp_stale_host() {
  publish_scp "$SCP_URL_STALE"; nginx_stop
  capture scp-stale-host "${GOOD[@]}" --cacert="$STATE/client/lab-ca.crt"
}
sc_https_refused() {
  publish_scp "$SCP_URL_GOOD"; nginx_stop
  capture https-refused "${GOOD[@]}" --cacert="$STATE/client/lab-ca.crt"
}
sc_tls_untrusted() {
  publish_scp "$SCP_URL_GOOD"; nginx_start selfsigned
  capture tls-untrusted "${GOOD[@]}"      # no --cacert: the system store only
}
sc_tls_name_mismatch() {
  # a certificate from the trusted lab CA, but for www.contoso.test only (TLS 1.2: in clear)
  publish_scp "$SCP_URL_GOOD"; nginx_start wrongname
  capture tls-name-mismatch "${GOOD[@]}" --cacert="$STATE/client/lab-ca.crt"
}
sc_https_timeout() {
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  nft_set "ip daddr $WEB_IP tcp dport 443 drop"
  capture https-timeout "${GOOD[@]}" --cacert="$STATE/client/lab-ca.crt" --connect-timeout=3
  nft_set ""
}
sc_ldap_refused() {
  publish_scp "$SCP_URL_GOOD"; nginx_stop
  nft_set "ip saddr $CLI_IP tcp dport 389 reject with tcp reset"
  capture ldap-refused "${GOOD[@]}" --cacert="$STATE/client/lab-ca.crt"
  nft_set ""
}
sc_kerberos_preauth_failed() {
  publish_scp "$SCP_URL_GOOD"; nginx_stop
  capture kerberos-preauth-failed --bind=gssapi --password='Wrong-Pw-1!' --cacert="$STATE/client/lab-ca.crt"
}
sc_kerberos_missing_spn() {
  # the DC account loses its ldap/ SPNs: the TGS-REQ for ldap/dc1.contoso.test gets
  # KDC_ERR_S_PRINCIPAL_UNKNOWN, the GSSAPI bind cannot start; the SPNs are put back after
  publish_scp "$SCP_URL_GOOD"; nginx_stop
  local spns
  spns=$(stool spn list 'DC1$' 2>/dev/null | awk '/^[[:space:]]*ldap\//{print $1}')
  for s in $spns; do stool spn delete "$s" 'DC1$' >/dev/null 2>&1 || true; done
  capture kerberos-missing-spn "${GOOD[@]}" --bind=gssapi --secprops=maxssf=0 --cacert="$STATE/client/lab-ca.crt"
  for s in $spns; do stool spn add "$s" 'DC1$' >/dev/null 2>&1 || true; done
}
sc_complete_gssapi() {
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  capture complete-gssapi "${GOOD[@]}" --bind=gssapi --secprops=maxssf=0 --cacert="$STATE/client/lab-ca.crt"
}
sc_sasl_sealed() {
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  capture sasl-sealed "${GOOD[@]}" --bind=gssapi --secprops= --cacert="$STATE/client/lab-ca.crt"
}
sc_sasl_sealed_scp_missing() {
  # sealed LDAP and no SCP: the capture cannot show why no SCP URL was used
  remove_scp; nginx_stop
  capture sasl-sealed-scp-missing "${GOOD[@]}" --bind=gssapi --secprops= --cacert="$STATE/client/lab-ca.crt"
}
sc_sasl_signed() {
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  capture sasl-signed "${GOOD[@]}" --bind=gssapi --secprops=minssf=1,maxssf=1 --cacert="$STATE/client/lab-ca.crt"
}
sc_http_redirect() {
  remove_scp; nginx_start redirect
  stool dns add "$DC_IP" "$DOMAIN" autodiscover A "$WEB2_IP" -U "Administrator%$ADMINPASS" >/dev/null
  capture http-redirect "${GOOD[@]}" --cacert="$STATE/client/lab-ca.crt"
  stool dns delete "$DC_IP" "$DOMAIN" autodiscover A "$WEB2_IP" -U "Administrator%$ADMINPASS" >/dev/null
}

# The client's smb.conf for Samba's CLDAP ping (python3-samba Net.finddc).
write_client_smbconf() {
  mkdir -p "$STATE/client/private" "$STATE/client/lock" "$STATE/client/state" "$STATE/client/cache"
  cat > "$STATE/client/smb.conf" <<EOF
[global]
	workgroup = $NBDOMAIN
	realm = $REALM
	netbios name = CRMSRV
	security = ads
	private dir = $STATE/client/private
	lock directory = $STATE/client/lock
	state directory = $STATE/client/state
	cache directory = $STATE/client/cache
	pid directory = $STATE/client/lock
	log file = $STATE/client/net.log
EOF
}

# make-samples-v2.sh sources this file for its lab functions and scenarios: stop here then
[ "${CDLAB_SOURCED:-0}" = 1 ] && return 0

ALL=(complete srv-nxdomain bind-invalid-credentials scp-missing scp-stale-host https-refused
     tls-untrusted tls-name-mismatch https-timeout ldap-refused kerberos-preauth-failed kerberos-missing-spn complete-gssapi
     sasl-sealed sasl-sealed-scp-missing sasl-signed http-redirect)
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=("${ALL[@]}")
for sc in "${SCENARIOS[@]}"; do
  declare -F "sc_${sc//-/_}" >/dev/null || die "unknown scenario '$sc' (known: ${ALL[*]})"
done

# ---------------------------------------------------------------- main
setup_net
provision_dc
start_dc
populate_dc
make_certs
cp "$HERE/client-run.sh" "$STATE/client-run.sh"
write_client_smbconf
if [ "${LAB_HOLD:-0}" = 1 ]; then
  log "lab is up (state $STATE). touch $STATE/release to tear down"
  while [ ! -e "$STATE/release" ]; do sleep 1; done
  exit 0
fi
t0=$SECONDS
for sc in "${SCENARIOS[@]}"; do "sc_${sc//-/_}"; done
nginx_stop
log "done: ${#SCENARIOS[@]} captures in $((SECONDS - t0)) s, written to $OUT"
