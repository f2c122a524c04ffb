#!/usr/bin/env bash
# What ElectionMatch.Sdk adds to a `dotnet build` of a dbt repository that has nothing to do.
# Packs the SDK into a temporary feed, opts a copy of dbt_fixtures/goodparty in, builds it once so it is
# up to date, then times no-op builds against the same folder built by a bare MSBuild project with an
# empty Build target (the least any `dotnet build` costs). Usage: build/measure-noop.sh [runs]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-15}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 NUGET_PACKAGES="$work/packages"

dotnet build "$root/src/ElectionMatch.Build" -c Release -v:q -nologo >/dev/null
dotnet pack "$root/src/ElectionMatch.Build" --no-build -c Release -o "$work/feed" -v:q -nologo >/dev/null
version=$(basename "$work"/feed/ElectionMatch.Sdk.*.nupkg .nupkg | sed 's/^ElectionMatch\.Sdk\.//')

for kind in sdk bare; do
  cp -r "$root/dbt_fixtures/goodparty" "$work/$kind"
done
cat > "$work/sdk/nuget.config" <<XML
<configuration><packageSources><clear /><add key="electionmatch" value="$work/feed" /></packageSources></configuration>
XML
echo "<Project Sdk=\"ElectionMatch.Sdk/$version\" />" > "$work/sdk/electionmatch.proj"
echo '<Project><Target Name="Build" /></Project>' > "$work/bare/bare.proj"

# The first build restores the SDK and does the work; the second proves the project is up to date.
for kind in sdk bare; do
  (cd "$work/$kind" && dotnet build -nodeReuse:false -v:q >/dev/null && dotnet build -nodeReuse:false -v:q >/dev/null)
done

time_ms() { local start end; start=$(date +%s%N); (cd "$1" && dotnet build -nodeReuse:false -v:q >/dev/null); end=$(date +%s%N); echo $(((end - start) / 1000000)); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
: > "$work/sdk.ms"; : > "$work/bare.ms"
for _ in $(seq "$runs"); do
  time_ms "$work/sdk" >> "$work/sdk.ms"
  time_ms "$work/bare" >> "$work/bare.ms"
done

sdk=$(median < "$work/sdk.ms"); bare=$(median < "$work/bare.ms")
echo "no-op dotnet build, median of $runs: ElectionMatch.Sdk ${sdk} ms, bare project ${bare} ms, overhead $((sdk - bare)) ms"
echo "ElectionMatch targets and tasks in a no-op build (MSBuild's performance summary):"
(cd "$work/sdk" && dotnet build -nodeReuse:false -v:q -clp:PerformanceSummary) | grep -E 'ElectionMatch|HashInputs|ReadLinesFromFile|Delete ' || true
