# icsd: Interchain Security as a hand-written ABCI++ application.
GO      ?= go
BIN     ?= build/icsd
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/abci-ics/ics/cmd/icsd/cmd.Version=$(VERSION)
GOCOSMOS_VERSION := v1.7.2

.PHONY: run build install test bench bench-plot fuzz chaos proto proto-tools lint clean

# run starts a local provider chain of three validator processes in
# build/testnet and two consumer chains (the default --consumer-kinds
# top-n:100,opt-in:0+1): consumer-1, top-N 100, launched by governance, with
# a node of every validator (fresh keys assigned); consumer-2, opt-in,
# created by an ordinary account, with nodes of validators 0 and 1 only,
# which opted in (validator 2 runs nothing for it). One relayer per
# consumer; it reports which validators validate which consumer, launches,
# channels, validator set changes and jailings until Ctrl-C. Written on
# first use and resumed afterwards; delete the directory to start over.
# Provider node i serves RPC on 127.0.0.1:26601+10i, validator i's node on
# consumer j on 127.0.0.1:26601+100j+10i. Each consumer carries its own
# staking: `build/icsd testnet sovereign consumer-1` turns it sovereign.
RUN_DIR ?= build/testnet
run: build
	$(BIN) testnet start --dir $(RUN_DIR) --validators 3 --consumers 2

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/icsd

install:
	$(GO) install -ldflags '$(LDFLAGS)' ./cmd/icsd

# test is the command CI runs (.ci/run) and the README names.
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 30m ./...
	$(MAKE) fuzz

# fuzz runs every fuzz target briefly on top of its seed corpus. A run
# that ends only with the fuzzer's own "context deadline exceeded" (a
# worker still busy with a slow input when the time is up, on a loaded
# machine) found no failing input: it is reported and not counted as a
# failure. Any failing input fails the run.
FUZZTIME ?= 10s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; \
	    out=$$($(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 2s $$pkg 2>&1); rc=$$?; \
	    echo "$$out"; \
	    if [ $$rc -ne 0 ]; then \
	      if echo "$$out" | grep -q 'context deadline exceeded' && ! echo "$$out" | grep -q 'Failing input'; then \
	        echo "fuzz $$pkg $$f: stopped by the fuzzer's deadline with no failing input"; \
	      else exit 1; fi; \
	    fi; \
	  done; \
	done

# chaos runs TestChaos long (CI runs it for a minute): a provider of four
# validators and two consumers whose nodes and relayers are killed with -9
# at random for CHAOS_DURATION (a few hundred node kills and some fifty
# relayer kills in 20m), then checks that every node agrees, no packet was
# lost or duplicated, and the consumers follow the provider's powers. It
# prints what it did; ICSD_CHAOS_SEED replays a run.
CHAOS_DURATION ?= 20m
chaos:
	ICSD_CHAOS_DURATION=$(CHAOS_DURATION) $(GO) test -count=1 -run '^TestChaos$$' -v -timeout 90m ./cmd/icsd

bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./...

# bench-plot runs W1 for 300 blocks, pruning as a node with keep-recent 100
# does, and writes block time over height (build/bench.png) and one row per
# block (build/bench.csv).
bench-plot: build
	$(BIN) bench --blocks 300 --keep-recent 100 --plot build/bench.png --csv build/bench.csv

# proto regenerates the committed Go code from proto/. It needs protoc
# (Debian: protobuf-compiler); the plugin is installed with go install.
proto-tools:
	@command -v protoc >/dev/null || { echo "protoc missing: apt-get install -y protobuf-compiler"; exit 1; }
	$(GO) install github.com/cosmos/gogoproto/protoc-gen-gocosmos@$(GOCOSMOS_VERSION)

proto: proto-tools
	@set -e; tmp=$$(mktemp -d); \
	for f in $$(find proto/icsd proto/interchain_security -name '*.proto' | sort); do \
	  protoc -I proto -I proto/third_party \
	    --plugin=protoc-gen-gocosmos=$$($(GO) env GOPATH)/bin/protoc-gen-gocosmos \
	    --gocosmos_out=plugins=grpc,Mgoogle/protobuf/descriptor.proto=github.com/cosmos/gogoproto/protoc-gen-gogo/descriptor:$$tmp $$f; \
	done; \
	cp -r $$tmp/github.com/abci-ics/ics/. .; rm -rf $$tmp

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$'))" || { gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$'); exit 1; }
	$(GO) vet ./...

clean:
	rm -rf build
