# sam build's makefile method, shared by every system: a system's Makefile (next to its
# samconfig.toml) sets nothing and includes this file; each of its functions in
# infra/template.yaml says
#
#     Metadata:
#       BuildMethod: makefile
#       ContextPath: ..            # the folder of the Makefile, relative to infra/
#       BuildProperties:
#         Binary: <cargo binary>   # read here, by devstack and by stack_test::lint
#
# SAM runs `make build-<LogicalId>` once per function with ARTIFACTS_DIR set. Every such target
# first runs one `cargo lambda build --release --arm64` over all the binaries the template names
# (one dependency graph and one feature set for the whole system, in the workspace's target
# folder; no `-p`, so cargo selects the workspace's `default-members`, the deployable packages,
# and the local stack's features stay out of the binaries): the first call compiles, the later ones find cargo up to date in about a second. Then
# it copies its function's binary to $(ARTIFACTS_DIR)/bootstrap. Measurements: docs/sam-build.md.
#
# Outside SAM: `make binaries` builds the whole system; `make build-<LogicalId> ARTIFACTS_DIR=dir`
# builds it and copies one function's bootstrap.

SYSTEM_DIR := $(patsubst %/,%,$(dir $(abspath $(firstword $(MAKEFILE_LIST)))))
WORKSPACE_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
TEMPLATE ?= $(SYSTEM_DIR)/infra/template.yaml
# cargo lambda puts each binary at <target>/lambda/<binary>/bootstrap.
LAMBDA_DIR ?= $(or $(CARGO_TARGET_DIR),$(WORKSPACE_DIR)/target)/lambda
CARGO_LAMBDA_FLAGS ?= --release --arm64

# Every BuildProperties.Binary of the template (resources are indented two spaces, their
# properties deeper; the outbox relay serves several functions, hence the sort).
BINARIES := $(sort $(shell sed -n 's/^ *Binary: *//p' $(TEMPLATE)))
# The Binary of the resource $(1): the first `Binary:` line after `  $(1):`, before the next resource.
binary_of = $(shell awk -v id='$(1):' '$$0 == "  " id { found = 1; next } found && /^  [^ #]/ { exit } found && $$1 == "Binary:" { print $$2; exit }' $(TEMPLATE))

.PHONY: binaries
binaries:
	cd $(WORKSPACE_DIR) && cargo lambda build $(CARGO_LAMBDA_FLAGS) --lambda-dir $(LAMBDA_DIR) $(addprefix --bin ,$(BINARIES))

build-%: binaries
	@binary='$(call binary_of,$*)'; \
	if [ -z "$$binary" ]; then echo "$*: no Metadata.BuildProperties.Binary in $(TEMPLATE)" >&2; exit 1; fi; \
	if [ -z "$(ARTIFACTS_DIR)" ]; then echo "ARTIFACTS_DIR is not set (sam build sets it)" >&2; exit 1; fi; \
	mkdir -p "$(ARTIFACTS_DIR)" && cp "$(LAMBDA_DIR)/$$binary/bootstrap" "$(ARTIFACTS_DIR)/bootstrap" && \
	echo "$* <- $$binary"
