# The two commands of the README. Both work on a fresh Debian machine with Python 3.11.
.PHONY: run test lint

# Set up (venv, dependencies, database, admin user) and run web server + worker on SQLite.
run:
	bash config/run.sh

# Set up and run every test on a throwaway PostgreSQL and the vSphere simulator.
test:
	bash tests/infra/run-tests.sh

lint:
	.venv/bin/ruff check .
