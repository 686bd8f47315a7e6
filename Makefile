# Neural networks from scratch. Two commands matter: `make lab` to learn, `make test` to
# prove everything works. Every target sets up what it needs (.venv) on a fresh machine.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Any CPython from 3.11 to 3.13 (requirements.lock pins the exact versions for each):
# `make lab PYTHON=python3.12` picks another one than python3.
PYTHON ?= python3
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
# nbgrader runs helper programs (alembic) that must come from the same environment
export PATH := $(BIN):$(PATH)

ASSIGNMENTS := $(sort $(notdir $(wildcard source/[0-9][0-9]_*)))
SHARED_MNIST ?= ../shared/data/mnist
LAB_IP ?= 127.0.0.1
LAB_PORT ?= 8888
LAB_ARGS ?=
LAB_ROOT ?= $(CURDIR)
PYTEST_ARGS ?=
# make autograde runs each submission's kernel in the bubblewrap sandbox (course/sandbox.py);
# SANDBOX=off grades without it, which lets a submission read source/ and gradebook.db.
SANDBOX ?= on
# make autograde grades this many submissions at once (default: every core)
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
# the bubblewrap program the sandbox runs
BWRAP ?= bwrap
export BWRAP

RUNTIME := $(VENV)/.runtime-installed
TESTDEPS := $(VENV)/.test-installed

.PHONY: help install lab progress test release autograde feedback grades clean data browser bubblewrap bench lock torch hub hub-env

help:
	@echo "make lab        install (first time) and open the course in JupyterLab"
	@echo "make test       install (first time) and run every test: units, notebooks, grading, browser"
	@echo "make torch      install PyTorch (CPU) for step 12, the bridge notebook"
	@echo "make progress   which of your steps (in work/) pass their visible tests, as a table"
	@echo "make release    regenerate release/ (student notebooks) from source/ with nbgrader"
	@echo "make autograde  grade every submission in submitted/<student>/<step>/, each in a sandbox"
	@echo "make feedback   write HTML feedback for graded submissions into feedback/"
	@echo "make grades     export all grades to grades.csv"
	@echo "make clean      strip outputs and execution counts from source/ and release/ notebooks"
	@echo "make data       put verified MNIST files in the user cache (from $(SHARED_MNIST) if present)"
	@echo "make bench      the capstone against PyTorch, notebooks and Explore panels (kernel and browser): prints figures"
	@echo "make hub        (root) run the course for a class: JupyterHub on 127.0.0.1:8000 (HUB_IP, HUB_PORT), see README"
	@echo "make lock       regenerate requirements*.lock from pyproject.toml"

# The first line a learner sees when their python3 cannot run the course says which
# versions can, and how to pick one.
$(RUNTIME): requirements.lock pyproject.toml lab/overrides.json
	@if [ ! -x $(BIN)/python ]; then \
	  if ! $(PYTHON) -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] <= (3, 13)))' 2>/dev/null; then \
	    found=$$(command -v $(PYTHON) >/dev/null && $(PYTHON) -V 2>&1 | head -1 || echo "not found"); \
	    echo "The course runs on CPython 3.11, 3.12 or 3.13, and '$(PYTHON)' is $$found. Pick another one: make lab PYTHON=python3.12"; \
	    others=$$(for v in 3.11 3.12 3.13; do python$$v -V >/dev/null 2>&1 && command -v python$$v; done | tr '\n' ' '); \
	    if [ -n "$$others" ]; then echo "On this machine: $$others"; fi; \
	    exit 1; \
	  fi; \
	  $(PYTHON) -m venv $(VENV) || { echo "$(PYTHON) could not make a virtual environment (on Debian or Ubuntu: apt-get install python3-venv)"; exit 1; }; \
	fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@# JupyterLab defaults for the course: no news pop-up, Markdown opens rendered
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@cp lab/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $@

$(TESTDEPS): $(RUNTIME) requirements-test.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.lock
	@touch $@

install: $(RUNTIME)

# Learners work in work/, their own copy of release/ (new steps are added, nothing of
# theirs is overwritten), and land on work/START.md, the course's home page. The server
# root is the course folder, so instructors find source/ and the nbgrader Formgrader in
# the same JupyterLab. Run as root (a container, a cloud notebook), JupyterLab needs
# --allow-root: it is added, and said.
lab: install
	@$(BIN)/python -m course.learner prepare release "$(LAB_ROOT)/work" lab/START.md
	@if [ "$$(id -u)" = 0 ]; then echo "running as root: starting JupyterLab with --allow-root"; fi
	$(BIN)/jupyter lab --ip=$(LAB_IP) --port=$(LAB_PORT) --ServerApp.root_dir="$(LAB_ROOT)" \
		--LabApp.default_url=/lab/tree/work/START.md \
		--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
		$$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS)

# Runs each of the learner's notebooks as nbgrader's Validate button does.
progress: install
	@$(BIN)/python -m course.learner progress "$(LAB_ROOT)/work"

# as root, the class hub's environment too (tests/test_hub.py; it skips without root)
test: $(TESTDEPS) browser bubblewrap data $(if $(filter 0,$(shell id -u)),hub-env)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# tools/earlier.py first: each step's earlier_steps.py (the earlier steps' functions it
# imports, from their source notebooks) is released beside its notebook.
release: install
	@$(BIN)/python tools/earlier.py
	@for a in $(ASSIGNMENTS); do \
		$(BIN)/nbgrader generate_assignment "$$a" --force --log-level=WARN || exit 1; \
		echo "released $$a"; \
	done

# Each submission's kernel runs in the bubblewrap sandbox: where it cannot run, the target
# says why and stops, unless SANDBOX=off says to grade without it (a warning in the log).
# A submission whose kernel dies is graded on the cells that ran; one nbgrader could not
# grade at all is reported, the other students are graded all the same, and the target
# fails at the end. JOBS=N nbgrader processes share the students (course/autograde.py).
autograde: release
	@if [ "$(SANDBOX)" = off ]; then \
		echo "WARNING: grading WITHOUT the sandbox (SANDBOX=off): each submission's code runs as $$(id -un) and can read source/, gradebook.db and the other submissions"; \
	else \
		$(MAKE) -s bubblewrap >/dev/null 2>&1; \
		$(BIN)/python -m course.sandbox --check >/dev/null || { \
			$(BIN)/python -m course.sandbox --check; \
			echo "make autograde stopped: nothing was graded. Install bubblewrap (apt-get install bubblewrap), or grade without the sandbox: make autograde SANDBOX=off"; \
			exit 1; }; \
	fi; \
	flags=$$([ "$(SANDBOX)" = off ] && echo --GradingExecute.sandbox=False); \
	status=0; for a in $(ASSIGNMENTS); do \
		if compgen -G "submitted/*/$$a" >/dev/null; then \
			$(BIN)/python -m course.autograde "$$a" --jobs $(JOBS) $$flags --log-level=WARN || status=1; \
		fi; \
	done; \
	if [ $$status -ne 0 ]; then echo "some submissions could not be run; see the errors above"; fi; \
	exit $$status

feedback: install
	@for a in $(ASSIGNMENTS); do \
		if compgen -G "autograded/*/$$a" >/dev/null; then \
			$(BIN)/nbgrader generate_feedback "$$a" --force --log-level=WARN || exit 1; \
		fi; \
	done

grades: install
	$(BIN)/nbgrader export --log-level=WARN
	@echo "wrote grades.csv"

clean: install
	$(BIN)/nbstripout source/*/*.ipynb release/*/*.ipynb

data: install
	$(BIN)/python -m course.data --seed-from "$(SHARED_MNIST)"

# Chromium for the browser test comes from Debian (Playwright's own download is not used).
browser:
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
		else \
			echo "the browser test needs Chromium: sudo apt-get install chromium chromium-driver"; exit 1; \
		fi; }

# bubblewrap for the autograding sandbox comes from Debian, like Chromium.
bubblewrap:
	@command -v bwrap >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
		else \
			echo "the autograding sandbox needs bubblewrap: sudo apt-get install bubblewrap"; exit 1; \
		fi; }

# PyTorch (CPU) for step 12, the bridge notebook: an optional extra (make test has it).
torch: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
	@echo "PyTorch installed: restart the kernel of the step 12 notebook"

# The course for a class on this server (root): JupyterHub 5, one Unix user per student,
# nbgrader's exchange and the Formgrader service (hub/hubctl.py; README, "A class on JupyterHub").
HUB_STAMP := hub/.venv/.hub-installed
$(HUB_STAMP): $(RUNTIME) hub/setup.sh hub/requirements.txt hub/package-lock.json
	bash hub/setup.sh
	@touch $@

hub-env: $(HUB_STAMP)

hub: install bubblewrap hub-env
	hub/.venv/bin/python hub/hubctl.py serve

BENCH ?= all
bench: $(TESTDEPS) browser data
	$(BIN)/python -m tests.bench $(BENCH)

lock:
	$(PYTHON) tools/lock.py
