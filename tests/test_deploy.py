"""The files in ``deploy/`` and the README's "Production and scale-out" describe a service that exists.

Every systemd unit starts a command that exists with options it accepts, from the paths
the other files use; every variable of the example environment is one the code reads;
gunicorn accepts its configuration; the README names every file.
"""
from __future__ import annotations

import configparser
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
INSTALL_DIR = "/opt/orchestration"  # where the units expect the checkout
ENV_FILE = "/etc/orchestration/orchestration.env"
# Read by a library rather than by our settings.
READ_BY_LIBRARIES = {"PROMETHEUS_MULTIPROC_DIR": "prometheus_client's multiprocess mode"}


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(path)
    return parser


def in_checkout(path: str) -> Path:
    assert path.startswith(INSTALL_DIR + "/"), path
    return ROOT / path.removeprefix(INSTALL_DIR + "/")


def example_env() -> dict[str, str]:
    """``NAME=value`` lines of the example environment, commented-out examples included."""
    found = {}
    for line in (DEPLOY / "orchestration.env.example").read_text().splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]+)=(\S*)", line)
        if match:
            found[match[1]] = match[2]
    return found


def variables_read_by_the_code() -> set[str]:
    sources = [ROOT / "config" / "settings.py", DEPLOY / "gunicorn.conf.py", *(ROOT / "orchestration").rglob("*.py")]
    pattern = re.compile(r"""(?:environ\.get|environ\[|getenv|env_bool|env_list)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")
    return {name for source in sources for name in pattern.findall(source.read_text())}


def test_there_is_a_unit_per_process_type_and_a_target_for_all():
    assert {path.name for path in UNITS} == {
        "orchestration-web.service", "orchestration-worker.service", "orchestration-ticker.service"}
    wants = unit(DEPLOY / "systemd" / "orchestration.target")["Unit"]["Wants"].split()
    assert sorted(wants) == sorted(path.name for path in UNITS)


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.stem)
def test_each_unit_runs_an_existing_command_from_the_checkout(path):
    service = unit(path)["Service"]
    assert service["WorkingDirectory"] == INSTALL_DIR
    assert service["EnvironmentFile"] == ENV_FILE
    argv = shlex.split(service["ExecStart"])
    assert in_checkout(argv[0]).parent == ROOT / ".venv" / "bin"
    if "manage.py" in argv:
        name, *args = argv[argv.index("manage.py") + 1:]
        commands = get_commands()
        assert name in commands, f"{path.name}: manage.py {name} does not exist"
        command = load_command_class(commands[name], name)
        command.create_parser("manage.py", name).parse_args(args)  # exits (fails) on an unknown option
    else:
        assert Path(argv[0]).name == "gunicorn"
        config = in_checkout(argv[argv.index("-c") + 1])
        assert config.is_file()
        assert argv[-1] == "config.wsgi" and (ROOT / "config" / "wsgi.py").is_file()


def test_the_example_environment_names_only_variables_the_code_reads():
    unknown = set(example_env()) - variables_read_by_the_code() - set(READ_BY_LIBRARIES)
    assert not unknown, f"deploy/orchestration.env.example sets variables nothing reads: {sorted(unknown)}"


def test_the_shared_settings_are_in_the_example_environment():
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "FIELD_ENCRYPTION_KEY", "PROMETHEUS_MULTIPROC_DIR",
            "METRICS_ALLOWED_IPS", "METRICS_TOKEN"} <= set(example_env())


def test_the_metrics_directory_is_the_one_tmpfiles_creates():
    created = [line.split()[1] for line in (DEPLOY / "orchestration.tmpfiles").read_text().splitlines()
               if line.startswith("d ")]
    assert created == [example_env()["PROMETHEUS_MULTIPROC_DIR"]]


def test_gunicorn_accepts_its_configuration(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", "GUNICORN_WORKERS": "2",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    checked = subprocess.run([sys.executable, "-m", "gunicorn", "--check-config", "-c", "deploy/gunicorn.conf.py",
                              "config.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_readme_production_section_names_every_deploy_file():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Production and scale-out", 1)[1].split("\n## ", 1)[0]
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file():
            assert str(path.relative_to(ROOT)) in section, f"README does not mention {path.relative_to(ROOT)}"
    for command in ("qcluster", "runengine", "gunicorn"):
        assert command in section
