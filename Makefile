# fedsim: `make run` plays the quickstart scenario, `make test` runs every test.
SWIFT ?= swift
SCENARIO ?= Scenarios/quickstart.json
RELEASE_BIN = .build/release/fedsim

.PHONY: all deps build release run test bench clean

all: release

## Install the system libraries fedsim links (GNU GSL) when they are missing.
deps:
	@if ! pkg-config --exists gsl 2>/dev/null; then \
		echo "installing libgsl-dev and pkg-config"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgsl-dev pkg-config >/dev/null; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product fedsim

## Build in release mode and run the quickstart scenario, printing its summary.
run: release
	$(RELEASE_BIN) run $(SCENARIO)

## Build and run every test (unit, property and end-to-end).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build
