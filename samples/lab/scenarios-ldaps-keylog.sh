# scenarios-ldaps-keylog.sh - the SCP lookup over LDAPS (636), pinned WITH the TLS key log that
# opens it: a scenario file for make-samples-v2.sh (sourced by it; see LAB_SCENARIO_FILE).
#
#   sudo LAB_SCENARIO_FILE=samples/lab/scenarios-ldaps-keylog.sh LAB_ALL_VAR=ALL_LDAPS \
#        samples/lab/make-samples-v2.sh
#
#   ldaps-keylog  DC locator (SRV, A, CLDAP ping), then python ldap3 over LDAPS to
#                 dc1.contoso.test:636 (Samba's own self-signed certificate, `tls enabled = yes`
#                 by default; not verified): simple bind as crmsvc@contoso.test, RootDSE read,
#                 the SCP search, the site lookup, all on one TLS connection; then HTTPS to the
#                 SCP URL's host (curl, nginx, TLS 1.3). SSLKEYLOGFILE is set for the whole
#                 run, so python's ssl (ldap3 uses ssl.create_default_context) and curl both
#                 append to samples/ldaps-keylog.keylog (lab secrets of throwaway keys).
ALL_LDAPS=(ldaps-keylog)

sc2_ldaps_keylog() {
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  local keylog="$OUT/ldaps-keylog.keylog"
  rm -f "$keylog"
  capture2 ldaps-keylog "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" "
    export SSLKEYLOGFILE=\"$keylog\"
    locate_dc contoso.test || exit 2
    out=\$(ldapc ldap3-simple --ldaps --port 636 --host dc1.contoso.test --password \"\$PW\" rootdse scp site=Default-First-Site-Name); echo \"\$out\"
    scp_urls_from \"\$out\"; autodiscover contoso.test \"\${SCP_URLS[@]}\""
  chmod 644 "$keylog"
}
