#!/usr/bin/env bash
# Usage: tsan/abseil-source.sh DEST_DIR
# Unpacks Debian's source of the installed abseil (exactly the installed
# version, Debian's patches applied) into DEST_DIR and prints its path. The
# ThreadSanitizer build compiles its synchronization library from it (see
# tsan/CMakeLists.txt). Uses the system's apt mirrors with a private apt state
# under DEST_DIR: the system's sources and package lists stay untouched, and no
# root is needed. Does nothing when DEST_DIR already holds that version.
set -euo pipefail
dest=$(mkdir -p "$1" && cd "$1" && pwd)
package=$(dpkg-query -W -f='${source:Package}' libabsl20220623)
version=$(dpkg-query -W -f='${source:Version}' libabsl20220623)
upstream=${version%-*}
tree="$dest/$package-${upstream#*:}"
if [ "$(cat "$tree/.installed-version" 2>/dev/null)" = "$version" ]; then
  echo "$tree"
  exit 0
fi

apt_dir="$dest/apt"
rm -rf "$apt_dir" "$tree"
mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
# deb-src twins of the system's deb entries (one-line and deb822 formats).
for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [ -f "$file" ] && sed -n 's/^deb /deb-src /p' "$file"
done >"$apt_dir/sources.list.d/system.list"
for file in /etc/apt/sources.list.d/*.sources; do
  [ -f "$file" ] && sed 's/^Types:.*/Types: deb-src/' "$file" >"$apt_dir/sources.list.d/$(basename "$file")"
done
apt_options=(
  -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
  -o "Debug::NoLocking=true" -o "APT::Sandbox::User=$(id -un)"
)
apt-get "${apt_options[@]}" update -qq >&2
(cd "$dest" && apt-get "${apt_options[@]}" source -qq --only-source "$package=$version" >&2)
rm -rf "$apt_dir" "$dest"/*.dsc "$dest"/*.tar.*
[ -f "$tree/absl/synchronization/mutex.cc" ] || { echo "no abseil source in $tree" >&2; exit 1; }
echo "$version" >"$tree/.installed-version"
echo "$tree"
