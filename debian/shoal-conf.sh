#!/bin/sh
# Prints the packaged /etc/shoal/shoal.conf: the project's commented
# default (argument 1) with the settings the packaged service needs, the
# control socket in its RuntimeDirectory and the user shoal, uncommented
# where the file has them as comments and added where it has not.
set -eu
src=$1
sed -e 's|^-- *setControlSocket(.*)$|setControlSocket("/run/shoal/shoal.sock")|' \
    -e 's|^-- *setUser(.*)$|setUser("shoal")|' "$src"
grep -q '^setControlSocket(' "$src" ||
    grep -q '^-- *setControlSocket(' "$src" || {
	echo
	echo '-- The control socket shoalctl uses by default.'
	echo 'setControlSocket("/run/shoal/shoal.sock")'
}
grep -q '^setUser(' "$src" || grep -q '^-- *setUser(' "$src" || {
	echo
	echo '-- The user the processes run as once the sockets are bound.'
	echo 'setUser("shoal")'
}
