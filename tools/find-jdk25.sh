#!/usr/bin/env bash
# Prints the path of a JDK 25 (or newer) installation, or fails with a clear message.
# Order: $JAVA_HOME if it is 25+, then /usr/lib/jvm/*, then /opt/*jdk*, then `java` on PATH.
is_jdk25() {
  local home="$1"
  [ -x "$home/bin/javac" ] || return 1
  local v
  v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null
}
if [ -n "${JAVA_HOME:-}" ] && is_jdk25 "$JAVA_HOME"; then echo "$JAVA_HOME"; exit 0; fi
for d in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/*jdk* /opt/java/*; do
  [ -d "$d" ] && is_jdk25 "$d" && { echo "$d"; exit 0; }
done
if command -v java >/dev/null 2>&1; then
  h=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  is_jdk25 "$h" && { echo "$h"; exit 0; }
fi
echo "error: no JDK 25 found. Install one (e.g. Temurin 25 under /usr/lib/jvm) or set JAVA_HOME to it." >&2
exit 1
