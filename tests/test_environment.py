"""pyproject.toml, requirements*.lock and environment.yml name the same packages at
versions that agree, and the installed environment is the locked one."""

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
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


SUPPORTED = ["3.11.2", "3.11.7", "3.12.1", "3.13.0"]  # Debian 12's, pyenv's on this machine


def lock_lines(name):
    """[(package, Version, marker or None)] of a lock file; a package may appear once per
    marker (a universal lock pins another version where Pythons differ)."""
    found = []
    for line in (ROOT / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line.startswith("-r"):
            continue
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==", f"{name}: {line} is not an exact pin"
        found.append((canonicalize_name(req.name), Version(spec.version), req.marker))
    return found


def environment_for(python, platform="linux"):
    return {"python_full_version": python, "python_version": python.rsplit(".", 1)[0],
            "sys_platform": platform, "platform_system": "Linux", "os_name": "posix",
            "implementation_name": "cpython", "platform_python_implementation": "CPython",
            "platform_machine": "x86_64"}


def lock(name, python=None):
    """{package: Version} pinned for one Python (this one by default)."""
    pins = {}
    for package, pinned, marker in lock_lines(name):
        env = environment_for(python) if python else None
        if marker is None or marker.evaluate(env):
            assert package not in pins, f"{name}: {package} pinned twice for Python {python}"
            pins[package] = pinned
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
    (python,) = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    conda_spec = SpecifierSet(python.removeprefix("python").strip())
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for version in SUPPORTED:
        assert SpecifierSet(data["requires-python"]).contains(version)
        assert conda_spec.contains(version), f"environment.yml refuses Python {version}"


@pytest.mark.parametrize("python", SUPPORTED)
def test_universal_lock_pins_every_package_once_for_each_supported_python(python):
    runtime, _ = pyproject()
    pins = lock("requirements.lock", python)
    for name, spec in runtime.items():
        assert name in pins, f"{name} is not pinned for Python {python}"
        assert spec.contains(pins[name]), f"{name}=={pins[name]} is outside {spec}"
    # soupsieve's newest releases need 3.11.5: Debian's 3.11.2 gets an older pin
    if "soupsieve" in pins and python == "3.11.2":
        assert pins["soupsieve"] < Version("3")


def test_locks_pin_every_dependency_inside_its_range():
    runtime, test = pyproject()
    pins = lock("requirements.lock", "3.11.7")
    test_pins = lock("requirements-test.lock", "3.11.7")
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
