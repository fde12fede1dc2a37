#!/usr/bin/env bash
# Set up and run the service: web server and django-q2 worker together (honcho).
# Embedded default: SQLite file in the project and the ORM broker. Override with
# DATABASE_URL, REDIS_URL, SECRET_KEY, PORT, ADMIN_USERNAME/ADMIN_PASSWORD.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
  echo "== installing python3-venv"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
echo "== installing dependencies"
.venv/bin/pip install -q --disable-pip-version-check -r requirements.txt

export DEBUG="${DEBUG:-1}"
export PATH="$PWD/.venv/bin:$PATH"
echo "== migrating the database"
python manage.py migrate --noinput
python manage.py collectstatic --noinput -v 0
echo "== admin user (credentials are printed when it is created)"
python manage.py ensureadmin
# honcho sets PORT itself (5000 for the first process), so the address travels under other names.
export WEB_HOST="${HOST:-127.0.0.1}" WEB_PORT="${PORT:-8000}"
base="http://${WEB_HOST}:${WEB_PORT}"
echo "== starting web, worker and engine ticker; Ctrl-C stops them"
echo "   console: ${base}/console/   admin: ${base}/admin/   API: ${base}/api/v1/   docs: ${base}/api/docs/"
exec honcho -f config/Procfile -d . start
