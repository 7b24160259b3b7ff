# Sourced by make-tls-keylog-samples.sh and make-ews-keylog-sample.sh, after they set HERE,
# LAB_TAG (the temp dir's name), HOST, the namespace names and addresses: the state directory
# and its cleanup, the two namespaces (netns-pair.sh), nginx's self-signed certificate for HOST,
# and the POX Autodiscover request and response both labs serve. Nothing leaves the namespaces.
STATE=$(mktemp -d /tmp/capdiag-$LAB_TAG.XXXXXX)
# nginx workers (not root) read the document root.
chmod 755 "$STATE"
NGINX_PID=
source "$HERE/netns-pair.sh"
cleanup() {
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then kill "$NGINX_PID"; fi
  netns_pair_down
  rm -rf "$STATE"
}
trap cleanup EXIT

# ---------------------------------------------------------------- namespaces
netns_pair_up

# ---------------------------------------------------------------- certificate
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$HOST" \
  -addext "subjectAltName=DNS:$HOST" \
  -keyout "$STATE/web.key" -out "$STATE/web.crt" 2>/dev/null

# ---------------------------------------------------------------- the POX exchange
cat > "$STATE/request.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>crmsvc@contoso.test</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>
XML
mkdir -p "$STATE/www/autodiscover"
: > "$STATE/www/autodiscover/autodiscover.xml"
cat > "$STATE/www/pox-response.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <User>
      <DisplayName>CRM Service</DisplayName>
      <LegacyDN>/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=crmsvc</LegacyDN>
      <AutoDiscoverSMTPAddress>crmsvc@contoso.test</AutoDiscoverSMTPAddress>
      <DeploymentId>5f0c2b3e-8d6a-4c1e-9b7d-2a4e6f8c0d12</DeploymentId>
    </User>
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <MicrosoftOnline>False</MicrosoftOnline>
      <Protocol>
        <Type>EXCH</Type>
        <Server>EXCH01.contoso.test</Server>
        <ServerDN>/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=EXCH01</ServerDN>
        <AD>dc1.contoso.test</AD>
        <ASUrl>https://mail.contoso.test/EWS/Exchange.asmx</ASUrl>
        <EwsUrl>https://mail.contoso.test/EWS/Exchange.asmx</EwsUrl>
        <OOFUrl>https://mail.contoso.test/EWS/Exchange.asmx</OOFUrl>
      </Protocol>
      <Protocol>
        <Type>EXPR</Type>
        <Server>mail.contoso.test</Server>
        <SSL>On</SSL>
        <AuthPackage>Ntlm</AuthPackage>
        <ASUrl>https://mail.contoso.test/EWS/Exchange.asmx</ASUrl>
        <EwsUrl>https://mail.contoso.test/EWS/Exchange.asmx</EwsUrl>
        <OOFUrl>https://mail.contoso.test/EWS/Exchange.asmx</OOFUrl>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>
XML

# nginx on WEB_IP:443 for HOST, answering POST /autodiscover/autodiscover.xml with the POX
# response, plus the nginx `location` blocks given as $1; started in NS_SRV (NGINX_PID).
start_nginx() {
  local extra=${1:-}
# nginx answers a POST to a static file with 405; the error_page turns that into the POX
# response (an internal GET of pox-response.xml, status 200). Other methods get 403.
cat > "$STATE/nginx.conf" <<NGINX
worker_processes 1;
pid $STATE/nginx.pid;
error_log $STATE/error.log;
events { worker_connections 64; }
http {
  access_log $STATE/access.log;
  client_body_temp_path $STATE/body;
  proxy_temp_path $STATE/proxy;
  fastcgi_temp_path $STATE/fastcgi;
  uwsgi_temp_path $STATE/uwsgi;
  scgi_temp_path $STATE/scgi;
  server {
    listen $WEB_IP:443 ssl;
    server_name $HOST;
    ssl_certificate $STATE/web.crt;
    ssl_certificate_key $STATE/web.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $STATE/www;
    location = /autodiscover/autodiscover.xml {
      if (\$request_method != POST) { return 403; }
      error_page 405 =200 /pox-response.xml;
    }
    location = /pox-response.xml {
      internal;
      default_type "text/xml; charset=utf-8";
    }
$extra
  }
}
NGINX
chmod -R a+rX "$STATE/www"
ip netns exec "$NS_SRV" nginx -c "$STATE/nginx.conf" -p "$STATE"
for _ in $(seq 50); do [ -s "$STATE/nginx.pid" ] && break; sleep 0.1; done
NGINX_PID=$(cat "$STATE/nginx.pid")
log "nginx on $WEB_IP:443 (pid $NGINX_PID)"
}
