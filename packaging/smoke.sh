#!/usr/bin/env bash
# Starts a built app image once, headless, and checks that it works (run by packaging/build.sh):
#   1. the packaged launcher: `llm-workbench --version`
#   2. the packaged launcher running a real command: `info` on stories260K (shared data), else on a
#      SYNTHETIC tiny model that the packaged app writes itself (`synth`), then `info` on it; with the
#      shared data also a short `eval-bench` (scoring kernels, CPU time, the JIT directives)
#   3. the GUI main class (dev.llmcw.Launcher gui) on the image's own jlink runtime and jars under
#      Monocle headless (the one jar added: openjfx-monocle from the Maven test dependencies; there is
#      no display here), which builds the main window and exits (-Dworkbench.exitAfterStartMs)
#   4. with a .deb given: its metadata and that it carries the launcher, runtime and icon
#
#   packaging/smoke.sh IMAGE_DIR [DEB_FILE]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
img="$(cd "$1" && pwd)"
deb="${2:-}"
launcher="$img/bin/llm-workbench"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# Keep the user's results database, preferences and workspace out of it.
export WORKBENCH_HOME="$tmp/home"
opts="-Dworkbench.workspace=$tmp/ws -Djava.util.prefs.userRoot=$tmp/prefs"
quiet() { grep -v -e 'incubator modules' -e '^WARNING: .*Unsafe' -e 'sun.misc.Unsafe' -e 'terminally deprecated' || true; }

echo "== 1. $launcher --version"
"$launcher" --version 2>&1 | quiet | tee "$tmp/version.txt"
grep -q "workbench" "$tmp/version.txt"

model="${WORKBENCH_DATA:-$root/../shared}/models/stories260K/stories260K.bin"
if [ ! -f "$model" ]; then
  echo "== 2a. no stories260K here: the packaged app writes a SYNTHETIC tiny model"
  "$launcher" synth --preset tiny --out "$tmp/tiny" 2>&1 | quiet
  model="$tmp/tiny"
fi
echo "== 2. llm-workbench info $model"
"$launcher" info "$model" 2>&1 | quiet | tee "$tmp/info.txt"
grep -qi "param" "$tmp/info.txt"

if [ -d "${WORKBENCH_DATA:-$root/../shared}/datasets/tinystories" ]; then
  echo "== 2b. llm-workbench eval-bench (scoring, CPU time from jdk.management, the JIT directives)"
  "$launcher" eval-bench --data "${WORKBENCH_DATA:-$root/../shared}" --tasks cloze --limit 20 --runs 1 2>&1 | quiet | tee "$tmp/bench.txt"
  grep -q "| cloze | 1 " "$tmp/bench.txt"
fi

monocle="${MONOCLE_JAR:-$HOME/.m2/repository/org/testfx/openjfx-monocle/21.0.2/openjfx-monocle-21.0.2.jar}"
if [ ! -f "$monocle" ]; then
  (cd "$root" && mvn -B -q dependency:get -Dartifact=org.testfx:openjfx-monocle:21.0.2 >/dev/null)
  repo="$(cd "$root" && mvn -B -q help:evaluate -Dexpression=settings.localRepository -DforceStdout)"
  monocle="$repo/org/testfx/openjfx-monocle/21.0.2/openjfx-monocle-21.0.2.jar"
fi
echo "== 3. GUI main class on the image's runtime, Monocle headless"
# shellcheck disable=SC2086
timeout 180 "$img/lib/runtime/bin/java" -cp "$img/lib/app/*:$monocle" \
  -Dglass.platform=Monocle -Dmonocle.platform=Headless -Dprism.order=sw -Dprism.text=t2k -Dheadless.geometry=1600x1200-32 -Djava.awt.headless=true \
  -Dworkbench.exitAfterStartMs=1000 -Dworkbench.log.console=info $opts --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  dev.llmcw.Launcher gui 2>&1 | quiet | tee "$tmp/gui.txt"
grep -q "GUI started: 'LLM Compression Workbench'" "$tmp/gui.txt"
grep -q " 7 views, 7 compression methods" "$tmp/gui.txt"  # seedlm, caldera, rtn, gptq, awq, quip-sharp, kquant (ServiceLoader in the image)
# The DEMO workspace's sample datasets travel with the image (found next to the jars).
test -f "$img/lib/app/datasets/piqa/sample/valid.jsonl"

if [ -n "$deb" ]; then
  echo "== 4. $deb"
  dpkg-deb -I "$deb" | tee "$tmp/deb-info.txt"
  grep -q "Package: llm-workbench" "$tmp/deb-info.txt"
  dpkg-deb -c "$deb" > "$tmp/deb-files.txt"
  for f in bin/llm-workbench lib/runtime/bin/java lib/llm-workbench.png lib/app/llm-workbench.cfg; do
    grep -q "$f\$" "$tmp/deb-files.txt" || { echo "missing in .deb: $f" >&2; exit 1; }
  done
  echo "$(wc -l < "$tmp/deb-files.txt") files in the .deb"
fi
echo "smoke test passed: $img"
