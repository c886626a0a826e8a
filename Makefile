# studiofund — two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP_RUN  := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: demo test install bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The package is installed editable; its .pyc files are compiled once here, because
# environments that set PYTHONDONTWRITEBYTECODE would otherwise recompile it on every command.
$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/python -m compileall -q studiofund
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q studiofund
	touch $@ $(STAMP_RUN)

install: $(STAMP_RUN)

# The main job on the bundled example ledgers: every studio's findings, one studio's year-end
# usage report, and the bureau's table over all studios (also written as Excel to demo-out/).
DEMO_OUT := demo-out
demo: $(STAMP_RUN)
	@echo "== 内置经费项目 / bundled programs"
	$(BIN)/studiofund programs
	@echo; echo "== 合规检查 / compliance findings of ledgers/"
	-$(BIN)/studiofund check ledgers/
	@echo; echo "== 经费使用情况表 / year-end usage report"
	$(BIN)/studiofund report ledgers/shenzhen-district.beancount --year 2021
	@mkdir -p $(DEMO_OUT)
	$(BIN)/studiofund report ledgers/shenzhen-district.beancount --year 2021 --format xlsx -o $(DEMO_OUT)/shenzhen-district-2021.xlsx
	@echo; echo "== 全区（市）汇总 / bureau consolidation"
	$(BIN)/studiofund consolidate ledgers/ --year 2023
	$(BIN)/studiofund consolidate ledgers/ --year 2023 --format xlsx -o $(DEMO_OUT)/consolidated-2023.xlsx
	@echo; echo "Excel 文件已写入 $(DEMO_OUT)/"

test: $(STAMP_TEST)
	$(BIN)/python -m pytest -q

bench: $(STAMP_RUN)
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_consolidate.py

clean:
	rm -rf $(VENV) build *.egg-info $(DEMO_OUT)
