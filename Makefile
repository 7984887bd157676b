# SPDX-License-Identifier: GPL-2.0-or-later
# pathprobe: plain GNU make, sources by wildcard, header dependencies by -MMD.

CC       ?= cc
PKGS      = libpcap libcurl libcares jansson
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -pthread -Wall -Wextra -Wformat=2 \
            -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread

# make SAN=1: AddressSanitizer and UndefinedBehaviorSanitizer builds.
ifeq ($(SAN),1)
CFLAGS   += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
BUILD    ?= build/san
endif
BUILD    ?= build/release

# Debian packages the build and the tests need; the lab lists its own.
DEB_PACKAGES = gcc make pkg-config libpcap-dev libcurl4-openssl-dev \
               libc-ares-dev libjansson-dev apache2-utils clang-format time clang \
               libclang-rt-14-dev \
               $(shell cat tests/lab/packages.txt)

SRC       = $(wildcard src/*.c src/chains/*.c helpers/*.c plugins/*.c)
OBJ       = $(SRC:%.c=$(BUILD)/%.o)
LIB_OBJ   = $(filter-out $(BUILD)/src/main.o,$(OBJ))
TEST_SRC  = $(wildcard tests/unit/*.c)
TEST_OBJ  = $(TEST_SRC:%.c=$(BUILD)/%.o)

FUZZ_CC     = clang
FUZZ_FLAGS  = -g -O1 -std=c11 -D_GNU_SOURCE -pthread -Isrc \
              -fsanitize=fuzzer,address,undefined \
              $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_LIB    = $(filter-out src/main.c,$(SRC))
FUZZ_BINS   = build/fuzz/fuzz-packet build/fuzz/fuzz-target

.PHONY: all deps test unit-test lab-test demo bench fuzz format format-check \
        clean

all: pathprobe

pathprobe: $(BUILD)/pathprobe
	cp $< $@

$(BUILD)/pathprobe: $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/run-unit: $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc -MMD -MP -c -o $@ $<

-include $(OBJ:.o=.d) $(TEST_OBJ:.o=.d)

# Installs missing Debian packages; does nothing when all are present.
# policy-rc.d keeps the nginx package from starting a server on the host:
# the lab starts its own inside namespaces.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		guard=; \
		if [ ! -e /usr/sbin/policy-rc.d ]; then \
			printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; \
			chmod 755 /usr/sbin/policy-rc.d; guard=1; \
		fi; \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $$missing >/dev/null; \
		status=$$?; \
		[ -z "$$guard" ] || rm -f /usr/sbin/policy-rc.d; \
		exit $$status; \
	fi

test: deps
	$(MAKE) --no-print-directory pathprobe $(BUILD)/run-unit $(FUZZ_BINS)
	@tests/run-all.sh $(BUILD)/run-unit ./pathprobe build/fuzz

unit-test: $(BUILD)/run-unit
	$(BUILD)/run-unit

lab-test: pathprobe
	tests/lab/test-ecn.sh ./pathprobe

demo: deps
	$(MAKE) --no-print-directory pathprobe
	tests/lab/demo.sh ./pathprobe

bench: deps
	$(MAKE) --no-print-directory pathprobe
	bench/observe.sh ./pathprobe
	bench/run.sh ./pathprobe
	bench/million.sh ./pathprobe

# libFuzzer targets with ASan and UBSan; run them with e.g.
# build/fuzz/fuzz-packet -max_total_time=60 build/fuzz/corpus-packet
fuzz: $(FUZZ_BINS)

build/fuzz/fuzz-%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(LDLIBS)

format:
	clang-format -i $(SRC) $(TEST_SRC) $(wildcard src/*.h plugins/*.h helpers/*.h tests/unit/*.h)

format-check:
	clang-format --dry-run --Werror $(SRC) $(TEST_SRC) $(wildcard src/*.h plugins/*.h helpers/*.h tests/unit/*.h)

clean:
	rm -rf build pathprobe
