#!/usr/bin/env bash
# make-http-samples.sh - record the clear-HTTP Autodiscover sample captures.
#
# WHAT IT DOES
#   Builds two network namespaces joined by one veth pair (no route anywhere else):
#     cdhttp-srv: nginx on 10.99.1.4:80 (autodiscover.contoso.test)
#     cdhttp-cli: the client 10.99.1.2 (curl)
#   and for each scenario writes an nginx configuration, starts tcpdump on the client's
#   interface and has curl POST the POX Autodiscover request for user@contoso.test to
#   http://autodiscover.contoso.test/autodiscover/autodiscover.xml (curl --resolve: no DNS).
#   These are clear-HTTP shapes of the answers an Autodiscover server gives; no AD is
#   involved, so the captures hold only the HTTP exchange. Every packet stays inside these
#   namespaces.
#
# SCENARIOS (samples/http-autodiscover-<name>.pcap)
#   401-basic          401 with only "WWW-Authenticate: Basic realm=..."
#   403                403 Forbidden
#   404                an empty directory at /autodiscover: 404 Not Found
#   500                500 Internal Server Error
#   error-600          200 with the POX Error block ErrorCode 600 "Invalid Request"
#   redirectaddr-loop  one keep-alive connection: user@ -> redirectAddr alias.user@,
#                      alias.user@ -> redirectAddr user@ (told apart by Content-Length)
#
# NEEDS
#   root, Linux with network namespaces and veth, iproute2, nginx, curl, tcpdump.
#   Not for CI: run it by hand.
#
# USAGE
#   sudo samples/lab/make-http-samples.sh            # all scenarios
#   sudo samples/lab/make-http-samples.sh 403 404    # only these
#   LAB_OUT=DIR ...  write the captures to DIR instead of samples/
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${LAB_OUT:-$(cd "$HERE/.." && pwd)}
NS_SRV=cdhttp-srv
NS_CLI=cdhttp-cli
IF_SRV=cdh-srv
IF_CLI=cdh-cli
CLI_IP=10.99.1.2
WEB_IP=10.99.1.4
HOST=autodiscover.contoso.test
URL="http://$HOST/autodiscover/autodiscover.xml"
OUTLOOK_SCHEMA=http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a
TOP_SCHEMA=http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006

log() { printf '[http-lab %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it creates network namespaces)"
for t in ip nginx curl tcpdump; do command -v "$t" >/dev/null || die "missing $t"; done

STATE=$(mktemp -d /tmp/capdiag-http-lab.XXXXXX)
NGINX_PID=""
TCPDUMP_PID=""
source "$HERE/netns-pair.sh"
cleanup() {
  [ -n "$TCPDUMP_PID" ] && kill "$TCPDUMP_PID" 2>/dev/null || true
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
  netns_pair_down
  rm -rf "$STATE"
}
trap cleanup EXIT

# ---------------------------------------------------------------- namespaces
netns_pair_up

# ---------------------------------------------------------------- bodies
pox_request() {
  printf '<?xml version="1.0" encoding="utf-8"?>\n<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>%s</EMailAddress><AcceptableResponseSchema>%s</AcceptableResponseSchema></Request></Autodiscover>\n' "$1" "$OUTLOOK_SCHEMA"
}
redirect_addr() {
  printf '<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="%s"><Response xmlns="%s"><Account><Action>redirectAddr</Action><RedirectAddr>%s</RedirectAddr></Account></Response></Autodiscover>' "$TOP_SCHEMA" "$OUTLOOK_SCHEMA" "$1"
}
ERROR_600="<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover xmlns=\"$TOP_SCHEMA\"><Response xmlns=\"$OUTLOOK_SCHEMA\"><Error Time=\"16:56:32.6164027\" Id=\"1054084152\"><ErrorCode>600</ErrorCode><Message>Invalid Request</Message><DebugData /></Error></Response></Autodiscover>"
pox_request user@contoso.test > "$STATE/user.xml"
pox_request alias.user@contoso.test > "$STATE/alias.xml"

# ---------------------------------------------------------------- nginx
# nginx_start LOCATION-BODY [HTTP-LEVEL-LINES]
nginx_start() {
  local d="$STATE/nginx"
  nginx_stop
  rm -rf "$d"; mkdir -p "$d/logs" "$d/www/autodiscover" "$d/tmp"
  cat > "$d/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/logs/error.log;
events { worker_connections 64; }
http {
  access_log $d/logs/access.log;
  client_body_temp_path $d/tmp;
  proxy_temp_path $d/tmp;
  fastcgi_temp_path $d/tmp;
  uwsgi_temp_path $d/tmp;
  scgi_temp_path $d/tmp;
  keepalive_timeout 10;
  ${2:-}
  server {
    listen $WEB_IP:80;
    server_name $HOST;
    root $d/www;
    location /autodiscover/ {
      $1
    }
  }
}
CONF
  ip netns exec "$NS_SRV" nginx -p "$d" -c "$d/nginx.conf" &
  NGINX_PID=$!
  for _ in $(seq 50); do
    ip netns exec "$NS_CLI" bash -c "exec 3<>/dev/tcp/$WEB_IP/80" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$d/logs/error.log" >&2; die "nginx did not start"
}
nginx_stop() {
  if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
  NGINX_PID=""
}

# ---------------------------------------------------------------- capture
# capture NAME CURL-ARGS...: tcpdump on the client's veth around one curl run
capture() {
  local name=$1; shift
  local pcap="$OUT/http-autodiscover-$name.pcap" tlog="$STATE/tcpdump-$name.log"
  ip netns exec "$NS_CLI" tcpdump -i "$IF_CLI" -s 0 -U --immediate-mode -n -w "$STATE/$name.pcap" ip > /dev/null 2> "$tlog" &
  TCPDUMP_PID=$!
  for _ in $(seq 50); do grep -qs 'listening on' "$tlog" && break; sleep 0.1; done
  log "[$name] curl"
  ip netns exec "$NS_CLI" curl -sS -o /dev/null -w '%{http_code}\n' --max-time 5 \
      --resolve "$HOST:80:$WEB_IP" -H 'Content-Type: text/xml' "$@" >&2 || true
  sleep 0.5
  kill -INT "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null || true
  TCPDUMP_PID=""
  cp "$STATE/$name.pcap" "$pcap"
  log "[$name] $(grep -o '[0-9]* packets captured' "$tlog"), $(stat -c %s "$pcap") bytes -> $pcap"
}

POST_USER=(--data-binary "@$STATE/user.xml" "$URL")

sc_401-basic() {
  nginx_start "add_header WWW-Authenticate 'Basic realm=\"autodiscover.contoso.test\"' always; return 401;"
  capture 401-basic "${POST_USER[@]}"
}
sc_403() { nginx_start "return 403;"; capture 403 "${POST_USER[@]}"; }
sc_404() { nginx_start "try_files \$uri =404;"; capture 404 "${POST_USER[@]}"; }
sc_500() { nginx_start "return 500;"; capture 500 "${POST_USER[@]}"; }
sc_error-600() {
  nginx_start "default_type text/xml; return 200 '$ERROR_600';"
  capture error-600 "${POST_USER[@]}"
}
sc_redirectaddr-loop() {
  local user_len alias_len
  user_len=$(stat -c %s "$STATE/user.xml"); alias_len=$(stat -c %s "$STATE/alias.xml")
  nginx_start "default_type text/xml; return 200 \$redirect_reply;" \
    "map \$http_content_length \$redirect_reply { $user_len '$(redirect_addr alias.user@contoso.test)'; $alias_len '$(redirect_addr user@contoso.test)'; default ''; }"
  # --next keeps the connection: both POSTs and both answers on one keep-alive connection.
  capture redirectaddr-loop "${POST_USER[@]}" --next -sS -o /dev/null -w '%{http_code}\n' \
    --resolve "$HOST:80:$WEB_IP" -H 'Content-Type: text/xml' --data-binary "@$STATE/alias.xml" "$URL"
}

ALL=(401-basic 403 404 500 error-600 redirectaddr-loop)
for s in "${@:-${ALL[@]}}"; do
  declare -F "sc_$s" >/dev/null || die "unknown scenario $s (one of: ${ALL[*]})"
  "sc_$s"
done
nginx_stop
log "done"
