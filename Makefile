# The two commands a newcomer needs:  make run  (serve the demo on http://127.0.0.1:5000)  and  make test.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(PY) -m flask --app wsgi

.PHONY: setup run test
$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

run: setup
	$(FLASK) db upgrade
	$(FLASK) run --host 127.0.0.1 --port 5000

test: setup
	$(PY) -m pytest -q -W error
