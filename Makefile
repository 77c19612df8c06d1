# Two commands do all the set-up on a fresh Debian machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Qt (xcb and offscreen), OpenCV's libGL, Xvfb for screenshots, ffmpeg and fonts (a CJK one too)
# for the benchmark videos.
SYSTEM_PACKAGES := libgl1 libegl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 \
	libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 \
	libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xkb1 \
	xvfb xauth ffmpeg fonts-dejavu-core fonts-wqy-zenhei
TEST_ENV := QT_QPA_PLATFORM=offscreen FORESYTE_OFFLINE=1 YOLO_OFFLINE=true

.PHONY: run test lint notices system deps bench bench-search bench-review bench-report bench-pipe \
	bench-reliability bench-review-keys soak chaos bench-scale bundle bundle-check screenshots \
	screenshot-alerts report-example \
	bench-watch clean

run: deps
	$(BIN)/foresyte

test: deps lint
	$(TEST_ENV) $(BIN)/python -m pytest

lint: deps
	$(BIN)/ruff check foresyte_desktop tests docs tools
	$(BIN)/lint-imports

# THIRD-PARTY-NOTICES.txt: the licence and licence text of every package the bundle holds, from
# the installed packages; fails on a licence not on tools/licences/allow-list.json.
notices: deps
	$(BIN)/python tools/third_party_notices.py

# docs/screenshot.png and docs/screenshot-search.png, the window under Xvfb after real jobs ran,
# and a review set in build/screenshots/ (two stacked lines, the Find panel, a failed yolo job)
# at 1600×1000, at 1280×720 and at 2× scaling.
screenshots: deps
	QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python docs/screenshots.py

# docs/screenshot-alerts.png: two recordings from a watched folder checked against watchlists.
screenshot-alerts: deps
	QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python docs/screenshot_alerts.py

# Text reading: ForeSyte side by side with a naive loop on the development videos (built
# with ffmpeg from ../shared/bench), a table on stdout and JSON in .bench/. BENCH_ARGS:
#   --videos a,b               by name: development videos, real clips (film_zh_720p, ...)
#   --extra VIDEO[=TRUTH.srt]  any other video, labelled or not (several may follow)
#   --threads 2,4              a ForeSyte row per inference thread count (default 2,4)
#   --naive-stride N           the naive loop reads every N-th frame (default 6; 0 skips it)
#   --repeat N                 ForeSyte runs per row, the median counts
#   --long                     the 10-minute memory check too
#   --reference                dense reference mode: the real clips of ../shared/bench/real
#                              and the development videos, RapidOCR on every N-th frame in
#                              full against ForeSyte (missed lines, stale and missing stretches)
#   --reference-stride N       the reference reads every N-th frame (default 3)
# e.g. make bench BENCH_ARGS="--reference --videos film_zh_720p --extra ~/clip.mp4"
bench: deps
	$(TEST_ENV) $(BIN)/python -m foresyte_desktop.bench $(BENCH_ARGS)

# Search timing over 200 synthetic jobs holding 100,000 OCR lines.
bench-search: deps
	$(TEST_ENV) $(BIN)/python -m foresyte_desktop.bench.search

# Watchlists: 1,000 terms against the search benchmark's 100,000 OCR lines: checking one newly
# completed job, and re-checking the whole store.
bench-watch: deps
	$(TEST_ENV) $(BIN)/python -m foresyte_desktop.bench.watch

# The time to apply one review edit to a completed job of 10,000 frames (goal: under 50 ms).
bench-review: deps
	$(TEST_ENV) $(BIN)/python -m foresyte_desktop.bench.review

# Reviewing a 60-segment job by keyboard in the real window: keystrokes per segment (goal: one,
# Enter, for a line read right) and the time from a key to the edit on screen.
bench-review-keys: deps
	$(TEST_ENV) $(BIN)/python -m foresyte_desktop.bench.review_keys

# The time to build the report of a case of 10 reviewed jobs (content, HTML and PDF).
bench-report: deps
	$(TEST_ENV) $(BIN)/python -m foresyte_desktop.bench.report

# docs/report-example.png: the first video's page of a real report (RapidOCR on a made video).
report-example: deps
	$(TEST_ENV) $(BIN)/python docs/report_example.py

# Results over the analysis process's pipe: one frame a message against batches, side by side.
bench-pipe: deps
	$(TEST_ENV) $(BIN)/python -m foresyte_desktop.bench.pipe

# A 10-minute hardsub through local (1 and 2 processes) and ray (a 2-node cluster on this
# machine): wall time, × realtime, chunk overhead, bytes shipped, the driver's absorb rate,
# and the scaling extrapolated to 8 and 32 workers. BENCH_ARGS: --stride N, --minutes M, --no-ray
bench-scale: deps
	$(TEST_ENV) $(BIN)/python -m foresyte_desktop.bench.scale $(BENCH_ARGS)

# 50 short videos back to back through the real worker pool: memory at start and end, no job lost.
soak: deps
	$(TEST_ENV) $(BIN)/python -m foresyte_desktop.bench.reliability soak

# SIGKILL `foresyte run` and the window's queue at 100 random moments (seed 14), restart until
# the queue is done, then check the store (tests/chaos.py; `make test` runs it with 10 kills).
chaos: deps
	$(TEST_ENV) $(BIN)/python -m tests.chaos --kills 100 --seed 14

# The cost of analysing in a supervised child process, and of the viewer's frames decoded in
# one, and store operations with 500 jobs.
bench-reliability: deps
	$(TEST_ENV) $(BIN)/python -m foresyte_desktop.bench.reliability isolation
	$(TEST_ENV) $(BIN)/python -m foresyte_desktop.bench.reliability viewer
	$(TEST_ENV) $(BIN)/python -m foresyte_desktop.bench.reliability store

deps: system $(STAMP)

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[dev,cluster]'
	rm -f $(VENV)/.installed-* && touch $@

# Installs the Debian packages that are missing (needs root or sudo); skips what is there.
system:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then echo "Please install: $$missing"; exit 0; fi; \
	  sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "Installing system packages: $$missing"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

# The one-folder desktop bundle (PyInstaller, recipe in foresyte.spec).
BUNDLE := dist/foresyte
# What a user's desktop gives a program: no venv on PATH, nothing from this shell.
BARE_ENV := env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8

bundle: deps
	@$(BIN)/python tools/third_party_notices.py --check THIRD-PARTY-NOTICES.txt
	@start=$$(date +%s); \
	$(BIN)/pyinstaller --noconfirm --log-level WARN foresyte.spec && \
	echo "Built $(BUNDLE) in $$(( $$(date +%s) - start )) s; size $$(du -sh $(BUNDLE) | cut -f1)"

# Checks the bundle carries current third-party notices, runs a copy of it from another folder
# in a bare environment, then checks it wrote nothing into its own folder.
bundle-check: bundle
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(BIN)/python tools/third_party_notices.py --check $(BUNDLE)/_internal/THIRD-PARTY-NOTICES.txt; \
	$(BIN)/python tools/third_party_notices.py --check-bundle build/foresyte; \
	test -f $(BUNDLE)/_internal/LICENSE || { echo "missing LICENSE in the bundle"; exit 1; }; \
	cp -a $(BUNDLE) "$$tmp/foresyte"; touch "$$tmp/started"; sleep 1; cd "$$tmp"; \
	for f in platforms/libqoffscreen.so platforms/libqxcb.so; do \
	  test -f foresyte/_internal/PySide6/Qt/plugins/$$f || { echo "missing Qt plugin $$f"; exit 1; }; done; \
	echo '$$ foresyte --version'; $(BARE_ENV) ./foresyte/foresyte --version; \
	echo '$$ foresyte --self-test'; \
	$(BARE_ENV) ./foresyte/foresyte --self-test > self-test.out || { cat self-test.out; exit 1; }; \
	cat self-test.out; \
	grep -q '^✓ load the text models: OpenVINO' self-test.out || { echo "the bundle's text models do not run on OpenVINO"; exit 1; }; \
	echo '$$ foresyte --licenses | cmp - THIRD-PARTY-NOTICES.txt'; \
	$(BARE_ENV) ./foresyte/foresyte --licenses | cmp - foresyte/_internal/THIRD-PARTY-NOTICES.txt; \
	echo '$$ foresyte run sample.mp4 --pipeline yolo_ocr --model yolo11n.yaml --max-frames 2'; \
	$(BARE_ENV) FORESYTE_OFFLINE=1 ./foresyte/foresyte run foresyte/_internal/resources/sample.mp4 \
	  --pipeline yolo_ocr --model yolo11n.yaml --max-frames 2 --data-dir "$$tmp/data"; \
	changed=$$(find foresyte -newer started); \
	if [ -n "$$changed" ]; then echo "The bundle wrote into its own folder:"; echo "$$changed"; exit 1; fi; \
	echo "bundle-check passed: $$(du -sh foresyte | cut -f1), run as a copy in $$tmp (now removed)"

clean:
	rm -rf $(VENV) build dist .pytest_cache
