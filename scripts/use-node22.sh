# Sourced by scripts and CI: puts a Node.js 22 first on PATH, from the npm package `node@22` when the machine's own
# Node is older (the Cloud Functions runtime and @google-cloud/redis 6 need 22 or later). npm then resolves library
# versions for Node 22 too.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if ! node --version 2>/dev/null | grep -qE '^v(2[2-9]|[3-9][0-9])\.'; then
  if [ ! -x "$root/.cache/node22/node_modules/node/bin/node" ]; then
    echo "installing Node.js 22 (npm package node@22) into .cache/node22" >&2
    npm install --no-save --no-audit --no-fund --prefix "$root/.cache/node22" node@22 >&2
  fi
  export PATH="$root/.cache/node22/node_modules/node/bin:$PATH"
fi
