# compsight - build, test, install.  See README.md.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/compsight
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wformat=2
ifdef WERROR
WARN    += -Werror
endif
ifdef SANITIZE
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

# Debian packages the build, the tests and the plots need.
PACKAGES := libgsl-dev libcsv-dev gnuplot-nox libcmocka-dev libinih-dev libjansson-dev pkg-config

BUILD   := build$(if $(SANITIZE),-san)
PKGS    := gsl jansson inih
CPPFLAGS += -Iinclude -Isrc -D_GNU_SOURCE -DCS_DATADIR='"$(DATADIR)"'
ALLCFLAGS = $(WARN) $(CFLAGS) $(SANFLAGS) -MMD -MP
PKGCFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lpthread -lm
TESTLIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

# src/ has a folder per stage (docs/ARCHITECTURE.md); everything but the
# driver, src/cli/main.c, goes into the library the tests link.
LIB_SRC := $(filter-out src/cli/main.c,$(wildcard src/*/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BIN     := $(BUILD)/compsight

.PHONY: all deps report check unit-tests cli-tests install uninstall clean sample bench reference browser-check install-test fault-tests determinism-tests valgrind-check compiler-check fuzz golden
all: $(BIN)

# Install missing Debian packages (as root), or name them and stop.
deps:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "compsight needs these Debian packages:$$missing"; \
	    echo "run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKGCFLAGS) $(ALLCFLAGS) -c -o $@ $<

# The vector loops of vecmath.c: vectorized at -O2 too, never fused (see
# vecmath.h).  GCC's -O2 vectorizes only loops that need no remainder;
# clang vectorizes at -O2 anyway and does not know the flag.
VECFLAGS := $(shell $(CC) -fvect-cost-model=dynamic -E -x c /dev/null >/dev/null 2>&1 && echo -fvect-cost-model=dynamic)
$(BUILD)/obj/whatif/vecmath.o: ALLCFLAGS += $(VECFLAGS) -ffp-contract=off

$(BUILD)/libcompsight.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(BUILD)/obj/cli/main.o $(BUILD)/libcompsight.a
	$(CC) $(ALLCFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/%.c $(BUILD)/tests/linebuf.o $(BUILD)/libcompsight.a | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(PKGCFLAGS) $(ALLCFLAGS) -DCS_TEST_DIR='"$(CURDIR)/tests"' \
	  -DCS_SOURCE_DIR='"$(CURDIR)"' $(LDFLAGS) -o $@ $< $(BUILD)/tests/linebuf.o \
	  $(BUILD)/libcompsight.a $(LIBS) $(TESTLIBS)

$(BUILD)/tests/linebuf.o: tests/linebuf.c | $(BUILD)/tests
	$(CC) $(ALLCFLAGS) -c -o $@ $<

$(BUILD)/tests:
	mkdir -p $@

# The report on the bundled sample data, exactly as a plain `compsight report`
# run here writes it (reports/PERIOD/, PERIOD the latest quarter); its last
# line names report.html, the file to open.
report: deps
	@$(MAKE) --no-print-directory $(BIN)
	@$(BIN) report

# The counts of make check: each suite adds "PASSED FAILED SKIPPED NAME" lines
# to TALLY/SUITE.tally (tests/tally.sh), and check prints their sum.  The
# unit tests count test cases, read from each cmocka binary's summary (a
# binary that crashes before it counts as one failed test); the drivers
# count their checks.
TALLY   := $(CURDIR)/$(BUILD)/check
# $(call suite,NAME,COMMAND...): run a test driver, its counts into the tally
suite    = mkdir -p $(TALLY) && rm -f $(TALLY)/$(1).tally && sh tests/tally.sh run $(TALLY)/$(1).tally $(1) $(2)

unit-tests: $(TEST_BIN)
	@mkdir -p $(TALLY) && rm -f $(TALLY)/unit.tally; fail=0; for t in $(TEST_BIN); do \
	  sh tests/tally.sh run $(TALLY)/unit.tally $${t##*/} $$t || fail=1; \
	done; awk '{p += $$1; f += $$2; s += $$3} END {printf "unit tests (%d binaries): %d passed, %d failed%s\n", \
	  NR, p, f, s ? ", " s " skipped" : ""}' $(TALLY)/unit.tally; [ $$fail = 0 ]

cli-tests: $(BIN)
	@$(call suite,cli,sh tests/cli/run.sh $(CURDIR)/$(BIN))
	@$(call suite,cli-currency,sh tests/cli/currency.sh $(CURDIR)/$(BIN))
	@$(call suite,cli-real,sh tests/cli/real.sh $(CURDIR)/$(BIN))
	@$(call suite,cli-plans13,sh tests/cli/plans13.sh $(CURDIR)/$(BIN))

# An installed binary (here under DESTDIR) finds its bundled data and man page.
install-test: $(BIN)
	@rm -rf $(BUILD)/inst
	@$(MAKE) --no-print-directory -s install DESTDIR=$(CURDIR)/$(BUILD)/inst PREFIX=/usr >/dev/null
	@mkdir -p $(TALLY); if cd / && $(CURDIR)/$(BUILD)/inst/usr/bin/compsight check --quiet >/dev/null \
	  && test -f $(CURDIR)/$(BUILD)/inst/usr/share/man/man1/compsight.1 \
	  && test -f $(CURDIR)/$(BUILD)/inst/usr/share/compsight/maps/salesforce.ini; \
	then p=1; else p=0; fi; echo "install: $$p passed, $$((1 - p)) failed"; \
	echo "$$p $$((1 - p)) 0 install" >$(TALLY)/install.tally; [ $$p = 1 ]

# Faults injected with an LD_PRELOAD shim, and byte-identical outputs across
# chunk sizes, file order, CPUs, time zone and locale (tests/faults/run.sh,
# tests/determinism.sh).  make check runs them on the plain build; .ci/run
# also runs them on the sanitizer build.
fault-tests: $(BIN)
	@$(call suite,faults,sh tests/faults/run.sh $(CURDIR)/$(BIN))

determinism-tests: $(BIN)
	@$(call suite,determinism,sh tests/determinism.sh $(CURDIR)/$(BIN))

# Every unit test and a few command-line runs under valgrind memcheck.
valgrind-check:
	@sh scripts/valgrind-check.sh $(BUILD)

# A clang build (into build-clang) against this one: the same data, the same reports.
compiler-check:
	@sh scripts/compiler-check.sh $(BUILD)

# libFuzzer targets (clang), FUZZ_SECONDS each (default 30); see fuzz/README.md.
fuzz:
	@sh scripts/fuzz.sh

# Every suite runs (-k: one that fails does not stop the others); the last
# line is the sum of their counts, and check fails when any check failed or
# any suite or build step did not get to its count.
check: deps
	@rm -rf $(TALLY)
	@$(MAKE) --no-print-directory -k all unit-tests cli-tests install-test \
	  $(if $(SANITIZE),,fault-tests determinism-tests); \
	sh tests/tally.sh sum $(TALLY) $$?

# Regenerate the committed sample data set (deterministic).
sample: $(BIN)
	rm -rf data/sample && $(BIN) generate --out data/sample --seed 2026 --preset sample --real-plans

# Render the sample report in headless Chromium (installed when missing):
# every image loads, nothing is wider than the page.
browser-check: $(BIN)
	@SOURCE_DATE_EPOCH=1790000000 $(BIN) report --out $(BUILD)/browser-check --quiet >/dev/null
	@sh scripts/browser-check.sh $(BUILD)/browser-check 1024
	@sh scripts/browser-check.sh $(BUILD)/browser-check 600

# Regenerate the golden report.md of the small fixture (review the diff).
golden: $(BIN)
	@SOURCE_DATE_EPOCH=1790000000 $(BIN) report --data tests/reference/handmade --period all \
	  --out $(BUILD)/golden --quiet >/dev/null
	cp $(BUILD)/golden/report.md tests/golden/report/handmade-all.md

# Reference values computed by R (needs r-base-core; never run by the tests).
reference:
	Rscript tests/reference/reference_measures.R data/sample tests/reference/sample_measures.csv

bench: $(BIN)
	sh bench/run.sh

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/compsight
	cp -R data/sample data/maps $(DESTDIR)$(DATADIR)/
	if [ -f docs/compsight.1 ]; then install -m 644 docs/compsight.1 $(DESTDIR)$(MANDIR)/man1/; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/compsight $(DESTDIR)$(MANDIR)/man1/compsight.1
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJ:.o=.d) $(BUILD)/obj/cli/main.d $(TEST_BIN:=.d)
