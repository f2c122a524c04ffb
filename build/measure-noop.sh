#!/usr/bin/env bash
# What ElectionMatch.Sdk adds to a `dotnet build` of a dbt repository that has nothing to do.
# Packs the SDK into a temporary feed, opts a copy of dbt_fixtures/goodparty in, builds it once so it is
# up to date, then times no-op builds against the same folder built by a bare MSBuild project with an
# empty Build target (the least any `dotnet build` costs), and, for scale, an empty Microsoft.NET.Sdk class
# library. Usage: build/measure-noop.sh [runs]
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
mkdir "$work/classlib"
echo '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>' > "$work/classlib/classlib.csproj"
echo 'namespace Empty; public static class Nothing { }' > "$work/classlib/Nothing.cs"

# The first build restores the SDK and does the work; the second proves the project is up to date.
for kind in sdk bare classlib; do
  (cd "$work/$kind" && dotnet build -nodeReuse:false -v:q >/dev/null && dotnet build -nodeReuse:false -v:q >/dev/null)
done

# Wall time of the whole `dotnet build` process, and its CPU time (user + system), which a busy machine disturbs less.
measure() {
  (cd "$1" && /usr/bin/time -f '%e %U %S' -o "$work/time" dotnet build -nodeReuse:false -v:q >/dev/null)
  awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' "$work/time"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
: > "$work/sdk.ms"; : > "$work/bare.ms"; : > "$work/classlib.ms"
for _ in $(seq "$runs"); do
  for kind in sdk bare classlib; do
    measure "$work/$kind" >> "$work/$kind.ms"
  done
done

wall() { cut -d' ' -f1 < "$1" | median; }
cpu() { cut -d' ' -f2 < "$1" | median; }
sdk_wall=$(wall "$work/sdk.ms"); bare_wall=$(wall "$work/bare.ms"); sdk_cpu=$(cpu "$work/sdk.ms"); bare_cpu=$(cpu "$work/bare.ms")
echo "no-op dotnet build, median of $runs runs (load average $(cut -d' ' -f1 /proc/loadavg)):"
echo "  wall: ElectionMatch.Sdk ${sdk_wall} ms, bare project ${bare_wall} ms, overhead $((sdk_wall - bare_wall)) ms"
echo "  cpu:  ElectionMatch.Sdk ${sdk_cpu} ms, bare project ${bare_cpu} ms, overhead $((sdk_cpu - bare_cpu)) ms"
echo "  for scale, an empty Microsoft.NET.Sdk class library: wall $(wall "$work/classlib.ms") ms, cpu $(cpu "$work/classlib.ms") ms"
echo "ElectionMatch targets and tasks in a no-op build (MSBuild's performance summary):"
(cd "$work/sdk" && dotnet build -nodeReuse:false -v:q -clp:PerformanceSummary) | grep -E 'ElectionMatch|HashInputs|ReadLinesFromFile|Delete ' || true
