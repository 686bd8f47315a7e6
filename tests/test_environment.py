"""pyproject.toml, requirements*.lock and environment.yml name the same packages at
versions that agree, and the installed environment is the locked one."""

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def pyproject():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {canonicalize_name(r.name): r.specifier for r in map(Requirement, data["dependencies"])}
    test = {canonicalize_name(r.name): r.specifier
            for r in map(Requirement, data["optional-dependencies"]["test"])}
    return runtime, test


def lock(name):
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line.startswith("-r"):
            continue
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==", f"{name}: {line} is not an exact pin"
        pins[canonicalize_name(req.name)] = Version(spec.version)
    return pins


def conda():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            continue
        m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", dep)
        name, spec = m.group(1), m.group(2).strip()
        if name in ("python", "pip"):
            continue
        specs[canonicalize_name(name)] = SpecifierSet(spec.replace(" ", ""))
    return env, specs


def test_conda_names_the_same_packages_at_the_same_ranges():
    runtime, _ = pyproject()
    _, specs = conda()
    assert set(specs) == set(runtime)
    for name, spec in runtime.items():
        assert specs[name] == spec, f"{name}: environment.yml says {specs[name]}, pyproject {spec}"


def test_conda_python_matches_pyproject():
    env, _ = conda()
    assert "python=3.11" in env["dependencies"]
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert SpecifierSet(data["requires-python"]).contains("3.11")


def test_locks_pin_every_dependency_inside_its_range():
    runtime, test = pyproject()
    pins = lock("requirements.lock")
    test_pins = lock("requirements-test.lock")
    assert not set(pins) & set(test_pins), "a package is pinned in both lock files"
    everything = {**pins, **test_pins}
    for name, spec in runtime.items():
        assert name in pins, f"{name} is not in requirements.lock"
        assert spec.contains(pins[name]), f"{name}=={pins[name]} is outside {spec}"
    for name, spec in test.items():
        assert name in everything, f"{name} is in no lock file"
        assert spec.contains(everything[name]), f"{name}=={everything[name]} is outside {spec}"
    assert everything["torch"] == Version("2.13.0")


def test_installed_versions_are_the_locked_ones():
    pins = {**lock("requirements.lock"), **lock("requirements-test.lock")}
    for name, pinned in pins.items():
        installed = Version(version(name))
        assert Version(installed.base_version) == Version(pinned.base_version) and \
            installed.release == pinned.release, f"{name}: installed {installed}, locked {pinned}"
