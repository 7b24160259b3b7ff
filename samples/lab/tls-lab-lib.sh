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

