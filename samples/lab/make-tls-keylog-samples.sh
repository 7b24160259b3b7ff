#!/usr/bin/env bash
# make-tls-keylog-samples.sh - record the HTTPS samples that capdiag reads with a TLS key log.
#
# WHAT IT DOES
#   Builds two network namespaces joined by one veth pair (no route anywhere else):
#     cdtls-srv: nginx on 10.99.0.3:443 (mail.contoso.test, self-signed certificate made here)
#                answering POST /autodiscover/autodiscover.xml with an Autodiscover POX
#                response (outlook responseschema 2006a: User, Account/Action settings,
#                Protocol EXCH and EXPR with EwsUrl), HTTP/1.1 only
#     cdtls-cli: the client 10.99.0.2 running curl with SSLKEYLOGFILE, posting the POX request
#                (EMailAddress crmsvc@contoso.test, AcceptableResponseSchema 2006a) as EWS does,
#                with the EWS Managed API's User-Agent
#   and for each variant starts tcpdump on the client's veth, runs curl once, and writes the
#   capture, curl's key log and (editcap --inject-secrets) a pcapng carrying that key log in a
#   Decryption Secrets Block. Every packet stays inside these namespaces; there is no DNS
#   (curl --resolve), no directory: the captures hold only TCP 443, TLS and the HTTPS POST.
#
# NEEDS
#   root, ip (iproute2), nginx, curl built with OpenSSL (SSLKEYLOGFILE), openssl, tcpdump,
#   editcap (wireshark-common). Installs nothing. Starts its own nginx and stops it (by PID).
#
# WHAT IT WRITES (in samples/, overwritten)
#   https-keylog-tls13.pcap + https-keylog-tls13.keylog   TLS 1.3 (curl's default)
#   https-keylog-tls12.pcap + https-keylog-tls12.keylog   TLS 1.2 (curl --tls-max 1.2)
#   https-keylog-tls12-cbc.pcap + .keylog                 TLS 1.2, ECDHE-RSA-AES128-SHA256
#                                                         (CBC + HMAC; OpenSSL on both ends
#                                                         negotiates encrypt-then-MAC)
#   https-keylog-tls13-dsb.pcapng                         the TLS 1.3 capture with its key log
#                                                         injected (editcap --inject-secrets)
#   The key logs are lab secrets of throwaway keys, committed as test fixtures. The
#   *.expect.toml files beside the captures are hand-written and NOT touched.
#
# USAGE
#   sudo samples/lab/make-tls-keylog-samples.sh                 # every variant
#   sudo samples/lab/make-tls-keylog-samples.sh tls12-cbc       # only these (tls13 tls12
#                                                               # tls12-cbc; dsb needs tls13)
#   LAB_OUT=DIR ...  write to DIR instead of samples/
set -euo pipefail
VARIANTS=${*:-}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${LAB_OUT:-$(cd "$HERE/.." && pwd)}
NS_SRV=cdtls-srv
NS_CLI=cdtls-cli
IF_SRV=cdt-srv
IF_CLI=cdt-cli
CLI_IP=10.99.0.2
WEB_IP=10.99.0.3
HOST=mail.contoso.test
URL="https://$HOST/autodiscover/autodiscover.xml"
EWS_UA="ExchangeServicesClient/15.00.0913.015"

log() { printf '[tls-lab %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it creates network namespaces)"
for t in ip nginx curl openssl tcpdump editcap; do
  command -v "$t" >/dev/null 2>&1 || die "missing tool: $t"
done

LAB_TAG=tls-lab
source "$HERE/tls-lab-lib.sh"

start_nginx

# ---------------------------------------------------------------- captures
capture() { # name, curl options...
  local name=$1; shift
  local pcap="$OUT/$name.pcap" keylog="$OUT/$name.keylog"
  rm -f "$pcap" "$keylog"
  ip netns exec "$NS_CLI" tcpdump -i "$IF_CLI" -s 0 -U --immediate-mode -w "$pcap" ip 2>/dev/null &
  local dump=$!
  sleep 1
  ip netns exec "$NS_CLI" env SSLKEYLOGFILE="$keylog" \
    curl -sk --http1.1 --resolve "$HOST:443:$WEB_IP" -A "$EWS_UA" -X POST \
      -H 'Content-Type: text/xml; charset=utf-8' --data-binary @"$STATE/request.xml" \
      -o "$STATE/$name.response" -w '%{http_code} %{ssl_verify_result}\n' "$@" "$URL" >&2
  sleep 1
  kill -INT "$dump"; wait "$dump" || true
  grep -q EwsUrl "$STATE/$name.response" || die "$name: no Autodiscover response"
  log "$name: $(wc -l < "$keylog") key log lines, capture $pcap"
}
for variant in ${VARIANTS:-tls13 tls12 tls12-cbc}; do
  case $variant in
    tls13)
      capture https-keylog-tls13 --tlsv1.3
      editcap --inject-secrets "tls,$OUT/https-keylog-tls13.keylog" \
        "$OUT/https-keylog-tls13.pcap" "$OUT/https-keylog-tls13-dsb.pcapng"
      log "wrote $OUT/https-keylog-tls13-dsb.pcapng"
      ;;
    tls12) capture https-keylog-tls12 --tls-max 1.2 ;;
    tls12-cbc) capture https-keylog-tls12-cbc --tls-max 1.2 --ciphers ECDHE-RSA-AES128-SHA256 ;;
    *) die "unknown variant $variant (tls13 tls12 tls12-cbc)" ;;
  esac
done
