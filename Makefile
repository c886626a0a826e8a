# studiofund — two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP_RUN  := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: demo test install bench clean system-test-deps

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

# The browser test drives Debian's Chromium through Playwright (which downloads no browser here,
# and needs no chromedriver) and its screenshots need CJK fonts: installed with apt-get when this
# runs as root, else named. A Chromium given by STUDIOFUND_CHROMIUM is used instead of the package.
SYSTEM_TEST_PACKAGES := chromium fonts-noto-cjk
system-test-deps:
	@if command -v dpkg-query >/dev/null 2>&1; then \
	  missing=$$(for p in $(SYSTEM_TEST_PACKAGES); do \
	    if [ $$p = chromium ] && [ -n "$${STUDIOFUND_CHROMIUM:-}" ] && [ -x "$$STUDIOFUND_CHROMIUM" ]; then continue; fi; \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	else \
	  missing=$$( { [ -x "$${STUDIOFUND_CHROMIUM:-/usr/bin/chromium}" ] || echo chromium; \
	    fc-list :lang=zh 2>/dev/null | grep -q . || echo fonts-noto-cjk; } ); \
	fi; \
	missing=$$(echo $$missing); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "== 安装测试所需的系统软件包 / installing: $$missing"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
	  echo "测试需要以下系统软件包 / the tests need: $$missing" >&2; \
	  echo "请安装 / install them: sudo apt-get install -y $$missing" >&2; \
	  echo "(或用 STUDIOFUND_CHROMIUM=/path/to/chromium 指定浏览器 / or point STUDIOFUND_CHROMIUM at a Chromium)" >&2; \
	  exit 1; \
	fi

test: $(STAMP_TEST) system-test-deps
	$(BIN)/python -m pytest -q

# The bureau's benches at a size that runs in minutes; the figures of the README come from
# bench_consolidate.py --studios 10000 and bench_serve.py --studios 1000 (see README).
bench: $(STAMP_TEST)
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_consolidate.py --studios 1000
	$(BIN)/python bench/bench_serve.py --studios 200

clean:
	rm -rf $(VENV) build *.egg-info $(DEMO_OUT)
