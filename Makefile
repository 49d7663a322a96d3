# Lumen's two commands: `make demo` and `make test`. Each installs what is missing, builds, then acts.
BUILD_DIR   ?= build
BUILD_TYPE  ?= Release
JOBS        ?= $(shell nproc)
CTEST_ARGS  ?=
DEMO_DIR    ?= $(CURDIR)/demo-workspace
XVFB        := xvfb-run -a -s "-screen 0 1920x1080x24"
# A unity build of the engine halves a cold build (CI's); a rebuild after one edit takes longer.
UNITY       ?= $(if $(CI),ON,OFF)

export CCACHE_DIR ?= $(HOME)/.cache/ccache
# Precompiled headers and ccache cooperate only with these sloppiness settings.
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime
export CCACHE_MAXSIZE ?= 5G
# Paths below the checkout's parent are hashed relative to it, so checkouts side by side (git
# worktrees) share one cache.
export CCACHE_BASEDIR ?= $(abspath $(CURDIR)/..)

.PHONY: all deps configure build test sanitize demo demo-headless package bench fuzz format clean

all: build

deps:
	@bash installer/deps-debian.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DLUMEN_UNITY_BUILD=$(UNITY) \
	      -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && $(XVFB) ctest --output-on-failure -j 1 $(CTEST_ARGS)

# The engine, lumen-cli, the core test suites and the fuzz replay built with AddressSanitizer and
# UndefinedBehaviorSanitizer (no GUI): a memory error or undefined behaviour fails its test.
SANITIZE_DIR ?= build-sanitize
# allocator_may_return_null: libhdf5 itself mallocs sizes a corrupt object header claims
# (hundreds of GB) before any check of ours can run; plain malloc fails such a request and
# libhdf5 reports an error, which is what the tests check, so ASan must fail it the same way.
export ASAN_OPTIONS ?= detect_leaks=0:abort_on_error=1:check_initialization_order=1:strict_string_checks=1:allocator_may_return_null=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
sanitize: deps
	@test -f $(SANITIZE_DIR)/build.ninja || cmake -S . -B $(SANITIZE_DIR) -G Ninja \
	  -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_FLAGS_SANITIZE="-O1 -g1" -DCMAKE_C_FLAGS_SANITIZE="-O1 -g1" \
	  -DLUMEN_SANITIZE=ON -DLUMEN_BUILD_GUI=OFF -DLUMEN_BUILD_BENCH=OFF -DLUMEN_UNITY_BUILD=$(UNITY) \
	  -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	cd $(SANITIZE_DIR) && ctest --output-on-failure -j 1 $(CTEST_ARGS)

# With a display the GUI opens on the demo workspace; without one the headless demo runs instead.
demo: build
	@if [ -n "$$DISPLAY" ] || [ -n "$$WAYLAND_DISPLAY" ]; then \
	  $(BUILD_DIR)/app/lumen --demo "$(DEMO_DIR)"; \
	else \
	  echo "No display found: running the headless demo."; \
	  $(BUILD_DIR)/app/lumen-cli demo "$(DEMO_DIR)"; \
	fi

package: build
	cd $(BUILD_DIR) && cpack -G DEB

bench: build
	$(BUILD_DIR)/bench/lumen-bench

# Coverage-guided fuzzing of the event readers (clang + libFuzzer), 60 s per reader.
FUZZ_SECONDS ?= 60
fuzz: deps
	cmake -S bench/fuzz -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
	cmake --build build-fuzz -j $(JOBS)
	@for f in aedat4 raw txt h5 shape_h5; do mkdir -p build-fuzz/corpus-$$f; \
	  build-fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus-$$f || exit 1; done

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
