#!/bin/bash
# As the official image: runs redis-server as `redis`, and without a config file turns protected mode off, since
# the container's own network is the boundary (connections come from other containers, not from loopback).
set -euo pipefail
if [ "${1:0:1}" = '-' ]; then set -- redis-server "$@"; fi

if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  chown -R redis:redis /data
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

if [ "$1" = redis-server ] && [[ "${2:-}" != *.conf ]] && [[ " $* " != *" --protected-mode "* ]]; then
  set -- "$@" --protected-mode no
fi
exec "$@"
