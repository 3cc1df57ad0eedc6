# libalphapo: the front door.
#   make lib       build the shared and static libraries (target/release)
#   make header    regenerate include/alphapo.h and bindings/php/alphapo_ffi.h (commit them)
#   make demo      create an invoice and verify its callback from C, Python and PHP on the sandbox
#   make test      install what is missing, then run every test of every language
#   make install   PREFIX=/usr/local: libalphapo.so.<version> and its links, header, pkg-config file
#   make dist      dist/: the C package (tar.gz), the Python wheel, the PHP zip; glibc >= 2.17
#   make bench     benchmarks side by side, writes BENCHMARKS.md (about 4 minutes)
#   make stress    hardening: C stress at full count, ASan+UBSan on the C tests, 20 s per fuzz target
CARGO   ?= cargo
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
DESTDIR ?=
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
LIB     := target/release/libalphapo.so
# The SONAME build.rs gives the library: programs linked with -lalphapo look for this name.
SONAME  := libalphapo.so.0
SANDBOX := target/release/examples/sandbox

.PHONY: all lib sandbox header demo test test-deps test-rust test-c test-python test-php test-dist test-legacy lint install dist python-wheel clean stress fuzz-long tsan bench

all: lib

lib:
	$(CARGO) build --release
	ln -sf libalphapo.so target/release/$(SONAME)

sandbox:
	$(CARGO) build --release --example sandbox

header:
	ALPHAPO_UPDATE_HEADER=1 $(CARGO) build --release

demo: lib sandbox
	bash scripts/demo.sh

test-deps:
	bash scripts/install-test-deps.sh

test: test-deps lib sandbox lint test-rust test-c test-python test-php test-dist test-legacy stress
	@echo "make test: all suites passed"

stress: lib sandbox
	bash scripts/stress.sh

bench: lib sandbox
	bash bench/run.sh

fuzz-long:
	bash fuzz/run.sh --time 600

tsan: sandbox
	bash scripts/sanitizers.sh --rust-tsan

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --all-targets -- -D warnings

test-rust: lib sandbox
	$(CARGO) test --release
	$(CARGO) test --release --example sandbox

test-c: lib sandbox
	bash tests/c/run.sh

test-python: lib sandbox
	bash bindings/python/run-tests.sh

test-php: lib sandbox
	bash bindings/php/run-tests.sh

# Built with cargo-zigbuild in target/zig (target/release is untouched); scripts/dist.sh.
dist:
	bash scripts/dist.sh

test-dist: dist
	bash tests/dist/check.sh

# dist/ on Debian 11 (a bullseye root cached in .cache/legacy) and the host's php-fpm.
test-legacy: dist sandbox
	bash tests/legacy/run.sh

python-wheel: lib
	bash bindings/python/bundle-library.sh

install: lib
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 0755 $(LIB) $(DESTDIR)$(LIBDIR)/libalphapo.so.$(VERSION)
	ln -sf libalphapo.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf libalphapo.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libalphapo.so
	install -m 0644 target/release/libalphapo.a $(DESTDIR)$(LIBDIR)/libalphapo.a
	install -m 0644 include/alphapo.h $(DESTDIR)$(INCDIR)/alphapo.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' alphapo.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/alphapo.pc

clean:
	$(CARGO) clean
	rm -rf dist
