# fedsim: `make run` plays the quickstart scenario, `make test` runs every test and the
# golden-curve regression check (`make regress`).
SWIFT ?= swift
SCENARIO ?= Scenarios/quickstart.json
RELEASE_BIN = .build/release/fedsim

.PHONY: all deps build release run test test-slurm regress golden bench clean install mutation

## Golden-curve regression: the scenarios listed in REGRESS_LIST (one path per line, # comments)
## run into REGRESS_OUT/<name>/ and are checked against GOLDEN_DIR/<name>.csv, <name> being the
## scenario's file name without .json.
REGRESS_LIST ?= Scenarios/regress.txt
REGRESS_OUT ?= Results/regress
GOLDEN_DIR ?= Results/golden
REGRESS_SCENARIOS = $(shell sed -e 's/\#.*//' $(REGRESS_LIST))

all: release

## Install the system libraries fedsim links (GNU GSL, OpenBLAS, zlib) when they are missing.
deps:
	@if ! pkg-config --exists gsl openblas zlib 2>/dev/null; then \
		echo "installing libgsl-dev, libopenblas-dev, zlib1g-dev and pkg-config"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgsl-dev libopenblas-dev zlib1g-dev pkg-config >/dev/null; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product fedsim

## Build in release mode and run the quickstart scenario, printing its summary.
run: release
	$(RELEASE_BIN) run $(SCENARIO)

## Build and run every test (unit, property and end-to-end), then the golden-curve regression,
## then the Slurm sweep test.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest
	$(MAKE) --no-print-directory regress
	$(MAKE) --no-print-directory mutation
	$(MAKE) --no-print-directory test-slurm

## A 4-point sweep run locally (--jobs 2) and as a job array on a single-node Slurm cluster started
## for the test (Tests/slurm/cluster.sh, installed with apt-get when missing, stopped by pid at the
## end): the merged CSVs must be byte-identical. Says SKIPPED, and passes, when no cluster can start.
test-slurm:
	$(SWIFT) build --product fedsim
	bash Tests/slurm/sweep-test.sh $$($(SWIFT) build --show-bin-path)/fedsim

## Install the release fedsim into PREFIX/bin and its shipped data and scenarios into
## PREFIX/share/fedsim (where fedsim finds the built-in data sets from any folder), and the bash
## and zsh completion scripts ArgumentParser generates into PREFIX/share/fedsim/completions.
PREFIX ?= /usr/local
install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/fedsim/data $(DESTDIR)$(PREFIX)/share/fedsim/scenarios $(DESTDIR)$(PREFIX)/share/fedsim/completions
	install -m 0755 $(RELEASE_BIN) $(DESTDIR)$(PREFIX)/bin/fedsim
	install -m 0644 Scenarios/data/* $(DESTDIR)$(PREFIX)/share/fedsim/data/
	install -m 0644 Scenarios/*.json $(DESTDIR)$(PREFIX)/share/fedsim/scenarios/
	$(RELEASE_BIN) --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/fedsim/completions/fedsim.bash
	$(RELEASE_BIN) --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/fedsim/completions/_fedsim
	@echo "installed $(DESTDIR)$(PREFIX)/bin/fedsim; put $(PREFIX)/bin on PATH"

## Mutation test (README: Fuzzing): FUZZ_COUNT mutated scenarios through `fedsim validate`, every
## FUZZ_RUN_EVERY-th valid one through a short `fedsim run`, each a subprocess with a timeout; fails
## on a trap, a hang, a file written on exit 2, or a broken conservation or time order.
FUZZ_COUNT ?= 300
FUZZ_RUN_EVERY ?= 2
FUZZ_SEED ?= 1
mutation: release
	$(SWIFT) build -c release --product fedsim-fuzz
	.build/release/fedsim-fuzz --count $(FUZZ_COUNT) --run-every $(FUZZ_RUN_EVERY) --seed $(FUZZ_SEED) --timeout 60

## Run every scenario of REGRESS_LIST and check its curve against its golden curve; fails when any
## check fails (or a scenario cannot run), naming which. A failure prints its check (the first 30
## failing rows, the per-metric summary, FAIL); the full check is kept in REGRESS_OUT/<name>/check.txt.
regress: release
	@set -u; started=$$(date +%s%N); failed=""; count=0; \
	names=$$(for s in $(REGRESS_SCENARIOS); do basename "$$s" .json; done | sort | uniq -d); \
	if [ -n "$$names" ]; then echo "regress: two scenarios in $(REGRESS_LIST) share the name(s): $$names"; exit 2; fi; \
	for scenario in $(REGRESS_SCENARIOS); do \
		name=$$(basename "$$scenario" .json); out="$(REGRESS_OUT)/$$name"; count=$$((count + 1)); \
		golden="$(GOLDEN_DIR)/$$name.csv"; tolerances="$(GOLDEN_DIR)/$$name.tolerances.json"; \
		rm -rf "$$out"; \
		$(RELEASE_BIN) run "$$scenario" --out "$$out" --quiet; status=$$?; \
		if [ $$status -ne 0 ]; then \
			echo "FAIL $$name: fedsim run $$scenario exited with status $$status"; failed="$$failed $$name"; continue; \
		fi; \
		if [ -f "$$tolerances" ]; then set -- --tolerances "$$tolerances"; else set --; fi; \
		$(RELEASE_BIN) check "$$out" --golden "$$golden" "$$@" > "$$out/check.txt" 2>&1; status=$$?; \
		if [ $$status -eq 0 ]; then \
			echo "ok   $$name: $$(tail -n 1 "$$out/check.txt")"; \
		else \
			echo "FAIL $$name: $$scenario against $$golden"; \
			awk -v file="$$out/check.txt" '!blank && /^$$/ { blank = 1; if (skipped) print "    ... " skipped " more failing rows in " file } \
				!blank && NR > 32 { skipped++; next } { print "    " $$0 }' "$$out/check.txt"; \
			if [ ! -f "$$golden" ]; then echo "    (no golden curve yet: run make golden, review and commit $$golden)"; fi; \
			failed="$$failed $$name"; \
		fi; \
	done; \
	ms=$$(( ($$(date +%s%N) - started) / 1000000 )); elapsed="$$((ms / 1000)).$$((ms % 1000 / 100))"; \
	if [ -n "$$failed" ]; then \
		echo "regress: FAILED$$failed ($$(echo $$failed | wc -w) of $$count scenarios; $$elapsed s)"; exit 1; \
	fi; \
	echo "regress: all $$count scenarios match their golden curves ($$elapsed s)"

## Rerun every scenario of REGRESS_LIST and make its curve the new golden curve. Only when a change
## is meant to move a curve: review `git diff $(GOLDEN_DIR)` and the charts, then commit the goldens.
golden: release
	@set -u; mkdir -p "$(GOLDEN_DIR)"; \
	for scenario in $(REGRESS_SCENARIOS); do \
		name=$$(basename "$$scenario" .json); out="$(REGRESS_OUT)/$$name"; \
		rm -rf "$$out"; \
		$(RELEASE_BIN) run "$$scenario" --out "$$out" --quiet || exit 1; \
		cp "$$out/curve.csv" "$(GOLDEN_DIR)/$$name.csv" || exit 1; \
		echo "wrote $(GOLDEN_DIR)/$$name.csv (charts in $$out/)"; \
	done; \
	echo "review with: git diff --stat $(GOLDEN_DIR); git diff $(GOLDEN_DIR)"

clean:
	rm -rf .build

## Benchmark: wall clock and peak memory of release runs of representative scenarios (figures only,
## no pass/fail). BENCH_SCENARIOS may list other scenario files.
## bench also prints sgemm GFLOP/s (`fedsim bench-blas`) and times BENCH_BLAS_SCENARIO with OpenBLAS
## and, by preloading GSL's reference CBLAS (whose cblas_* symbols then come first), with libgslcblas.
BENCH_BLAS_SCENARIO ?= Scenarios/synthetic-1-1.json
GSLCBLAS ?= libgslcblas.so.0
BENCH_SCENARIOS ?= Scenarios/quickstart.json Scenarios/stragglers-fedbuff.json Scenarios/synthetic-1-1.json Scenarios/compression-topk1-qsgd-ef.json Scenarios/privacy-secagg.json
## First, bench/run.py: fedsim against the numpy reference bench/fedavg_numpy.py on the workloads
## bench/*.json, with numpy from PyPI in the virtual environment BENCH_VENV (created on first use);
## BEFORE=path/to/an/earlier/fedsim adds that binary's figures and the ratios, runs alternating.
BENCH_VENV ?= .build-bench-venv
BEFORE ?=
bench: release
	@[ -x $(BENCH_VENV)/bin/python ] && $(BENCH_VENV)/bin/python -c "import numpy" 2>/dev/null || \
		(python3 -m venv $(BENCH_VENV) && $(BENCH_VENV)/bin/pip install -q numpy)
	@python3 bench/run.py $(RELEASE_BIN) $(BENCH_VENV)/bin/python $(if $(BEFORE),--before $(BEFORE))
	@[ -x /usr/bin/time ] || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null)
	@for s in $(BENCH_SCENARIOS); do \
		name=$$(basename $$s .json); \
		/usr/bin/time -f "$$name: %e s wall, %M kB max RSS" $(RELEASE_BIN) run $$s --out Results/bench/$$name --quiet --threads 1; \
		python3 -c "import json; s=json.load(open('Results/bench/$$name/summary.json')); c=s['counters']; print('    %d tasks, %d samples, %.3g training FLOPs simulated' % (c['tasksStarted'], c['samples'], c['flops']))"; \
	done
	@$(RELEASE_BIN) bench-blas
	@$(RELEASE_BIN) bench-training
	@LD_PRELOAD=$(GSLCBLAS) $(RELEASE_BIN) bench-blas
	@name=$$(basename $(BENCH_BLAS_SCENARIO) .json); echo "$$name, OpenBLAS against GSL's reference CBLAS (same binary, LD_PRELOAD):"; \
	/usr/bin/time -f "    OpenBLAS:    %e s wall, %M kB max RSS" $(RELEASE_BIN) run $(BENCH_BLAS_SCENARIO) --out Results/bench/$$name-openblas --quiet --threads 1; \
	LD_PRELOAD=$(GSLCBLAS) /usr/bin/time -f "    libgslcblas: %e s wall, %M kB max RSS" $(RELEASE_BIN) run $(BENCH_BLAS_SCENARIO) --out Results/bench/$$name-gslcblas --quiet --threads 1
