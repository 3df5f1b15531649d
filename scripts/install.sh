#!/usr/bin/env bash
# Sets up a fresh Debian machine for development and tests: the Debian packages the end-to-end
# tests drive (a real registry, htpasswd, openssl for throwaway CAs, the docker CLI), then the
# npm dependencies (which bring Node 24 as the `node` devDependency). jq and curl are what the
# workflow self-test job (run locally by test/workflows.test.ts) uses; valgrind is for `npm run bench`;
# skopeo proves that clients other than docker (containers/image) read the login swr-login made.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(docker-registry apache2-utils openssl ca-certificates git valgrind jq curl skopeo)
command -v docker >/dev/null 2>&1 || packages+=(docker.io)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

npm ci --no-audit --no-fund
