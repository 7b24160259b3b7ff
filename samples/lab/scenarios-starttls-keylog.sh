# scenarios-starttls-keylog.sh - the SCP lookup over LDAP with StartTLS (389, extended request
# 1.3.6.1.4.1.1466.20037, then TLS on the same connection), pinned WITH the TLS key log that
# opens it, from two client implementations: a scenario file for make-samples-v2.sh (sourced by
# it; see LAB_SCENARIO_FILE).
#
#   sudo LAB_SCENARIO_FILE=samples/lab/scenarios-starttls-keylog.sh LAB_ALL_VAR=ALL_STARTTLS \
#        samples/lab/make-samples-v2.sh
#
#   starttls-ldap3-keylog     DC locator (SRV, A, CLDAP ping), then python ldap3 to
#                             dc1.contoso.test:389: StartTLS (Connection.start_tls(); Samba's own
#                             self-signed certificate, not verified), then on that TLS
#                             connection the simple bind as crmsvc@contoso.test, RootDSE read,
#                             the SCP search, the site lookup; then HTTPS to the SCP URL's host
#                             (curl, nginx, TLS 1.3).
#   starttls-openldap-keylog  the same lookup with OpenLDAP's ldapsearch -ZZ (Debian's libldap
#                             on GnuTLS, LDAPTLS_REQCERT=never): three connections, each
#                             StartTLS then a simple bind and one search (RootDSE, SCP search,
#                             site lookup); then the same HTTPS.
# SSLKEYLOGFILE is set for the whole run: python's ssl, curl and GnuTLS (3.7.9 reads
# SSLKEYLOGFILE; it has no GNUTLS_KEYLOGFILE) all append to samples/<name>.keylog
# (lab secrets of throwaway keys). Samba allows StartTLS by default (`tls enabled = yes`); simple binds need `ldap server require strong auth = no`, which
# make-samples.sh's provisioning sets for every scenario.
ALL_STARTTLS=(starttls-ldap3-keylog starttls-openldap-keylog)

# _starttls_capture NAME CLIENT-SCRIPT: the capture with the key log NAME.keylog
_starttls_capture() {
  local name=$1 script=$2 keylog="$OUT/$1.keylog"
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  rm -f "$keylog"
  capture2 "$name" "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" "
    export SSLKEYLOGFILE=\"$keylog\"
    locate_dc contoso.test || exit 2
    $script
    autodiscover contoso.test \"\${SCP_URLS[@]}\""
  [ -s "$keylog" ] || die "$name: the key log $keylog is empty"
  chmod 644 "$keylog"
}

sc2_starttls_ldap3_keylog() {
  _starttls_capture starttls-ldap3-keylog '
    out=$(ldapc ldap3-simple --starttls --port 389 --host dc1.contoso.test --password "$PW" rootdse scp site=Default-First-Site-Name); echo "$out"
    scp_urls_from "$out"'
}

sc2_starttls_openldap_keylog() {
  _starttls_capture starttls-openldap-keylog '
    export LDAPTLS_REQCERT=never
    L=(-LLL -ZZ -o ldif-wrap=no -o nettimeout=3 -x -D crmsvc@contoso.test -w "$PW" -H ldap://dc1.contoso.test)
    ldapsearch "${L[@]}" -b "" -s base configurationNamingContext
    out=$(ldapsearch "${L[@]}" -b "CN=Configuration,DC=contoso,DC=test" -s sub "$SCP_FILTER" keywords serviceBindingInformation); echo "$out"
    mapfile -t SCP_URLS < <(sed -n "s/^serviceBindingInformation: //p" <<<"$out")
    ldapsearch "${L[@]}" -b "CN=Sites,CN=Configuration,DC=contoso,DC=test" -s one "(&(objectClass=site)(objectCategory=site)(name=Default-First-Site-Name))" distinguishedName >/dev/null'
}
