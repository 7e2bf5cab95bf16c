# Sourced by the scripts that install what is missing (infra.sh, docker-engine.sh, images.sh): `apt_install PKG...`
# runs `apt-get update` once, then installs without recommends. The caller defines `log` and `die`.
apt_updated=0
apt_install() {
  [ "$(id -u)" = 0 ] || die "missing packages ($*) and not root: install them with apt-get, or point the env at existing servers"
  command -v apt-get >/dev/null || die "missing packages ($*) and no apt-get on this machine"
  if [ "$apt_updated" = 0 ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    apt_updated=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
