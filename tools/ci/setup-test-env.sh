#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine: Chromium (real WebGPU via SwiftShader) and npm packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
# onnxruntime-node (a dependency of transformers.js) would download CUDA binaries; the CPU one is bundled.
export ONNXRUNTIME_NODE_INSTALL=skip
npm ci --no-audit --no-fund
