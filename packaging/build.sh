#!/usr/bin/env bash
# Builds the self-contained Linux application: a jlink runtime (with jdk.incubator.vector), a jpackage
# app image (with the icon and the repository's sample datasets for the DEMO workspace), and with
# --deb a .deb package; then starts the packaged app once headless (packaging/smoke.sh: --version,
# `info` on a model, the GUI under Monocle, the .deb's contents).
#
#   packaging/build.sh [--deb] [--skip-build] [--no-smoke]      (or: mvn -Ppackage package)
#
# --skip-build reuses target/*.jar and target/lib when present (as after `tools/test`).
# Output: target/package/llm-workbench/ (app image), target/package/*.deb.
# Needs a full JDK 25 (jlink, jpackage: Debian's openjdk-25-jdk, not -jre); the .deb also needs
# fakeroot and dpkg-deb (apt-get install fakeroot dpkg; jpackage also runs ldd and dpkg -S to work out
# the package's library dependencies). The app image alone needs neither.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA_HOME="${JAVA_HOME:-}"
if [ -z "$JAVA_HOME" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q '"2[5-9]'; then
  JAVA_HOME="$("$root/tools/find-jdk25.sh")"
fi
export JAVA_HOME
deb=false; build=true; smoke=true
for a in "$@"; do
  case "$a" in
    --deb) deb=true ;;
    --skip-build) build=false ;;
    --no-smoke) smoke=false ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done
cd "$root"
version="$(sed -n 's:.*<version>\([0-9][0-9.]*\)[^<]*</version>.*:\1:p' pom.xml | head -1)"
jar="target/llm-compression-workbench-${version}-SNAPSHOT.jar"
[ -f "$jar" ] || jar="target/llm-compression-workbench-${version}.jar"
if $build || [ ! -f "$jar" ]; then
  mvn -B -q -DskipTests package
fi
out="target/package"
rm -rf "$out"
mkdir -p "$out/input"
cp "$jar" "$out/input/"
cp target/lib/*.jar "$out/input/"
# the JIT directives named by the launcher's -XX:CompilerDirectivesFile (see packaging/jvm.options)
cp packaging/jit-directives.json "$out/input/"
# The DEMO workspace's data (small samples written for this repo), found next to the jars at run time.
mkdir -p "$out/input/datasets"
cp -r datasets/. "$out/input/datasets/"

# Modules the app uses on the class path (checked with jdeps over the jars): AWT/ImageIO for charts,
# prefs for recent files, sql for SQLite, net.http for downloads, unsupported for JavaFX and Jackson,
# jdk.management for the process CPU time that eval-bench, bench and compress report.
modules="java.base,java.desktop,java.logging,java.management,jdk.management,java.naming,java.net.http,java.prefs,java.scripting,java.sql,java.xml,jdk.crypto.ec,jdk.incubator.vector,jdk.unsupported,jdk.zipfs,jdk.charsets,jdk.localedata"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --include-locales=en --output "$out/runtime" 2> >(grep -v 'incubator modules' >&2)

# packaging/jvm.options (GC and JIT settings, also read by tools/workbench), one --java-options per line
jvm_options=()
while IFS= read -r line; do
  line="${line%%#*}"; line="${line%"${line##*[![:space:]]}"}"
  [ -n "$line" ] && jvm_options+=(--java-options "$line")
done < packaging/jvm.options
"$JAVA_HOME/bin/jpackage" --type app-image --name llm-workbench --app-version "$version" \
  --vendor "LLM Compression Workbench" --description "LLM weight compression research workbench (SeedLM, CALDERA, RTN, GPTQ)" \
  --input "$out/input" --main-jar "$(basename "$jar")" --main-class dev.llmcw.Launcher \
  --runtime-image "$out/runtime" --icon packaging/icon.png \
  --java-options "--add-modules=jdk.incubator.vector" --java-options "--enable-native-access=ALL-UNNAMED" \
  "${jvm_options[@]}" --java-options '-XX:CompilerDirectivesFile=$APPDIR/jit-directives.json' --dest "$out"

debfile=""
if $deb; then
  for tool in fakeroot dpkg-deb; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install fakeroot dpkg" >&2; exit 1; }
  done
  "$JAVA_HOME/bin/jpackage" --type deb --app-image "$out/llm-workbench" --name llm-workbench --app-version "$version" \
    --vendor "LLM Compression Workbench" --description "LLM weight compression research workbench" \
    --linux-shortcut --linux-menu-group Science --icon packaging/icon.png --dest "$out"
  debfile="$(ls "$out"/*.deb | head -1)"
  ls -la "$debfile"
fi
if $smoke; then
  "$root/packaging/smoke.sh" "$out/llm-workbench" $debfile
fi
echo "app image: $out/llm-workbench ($(du -sh "$out/llm-workbench" | cut -f1))"
