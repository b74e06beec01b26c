# How `sam build` builds the functions (template.yaml: Metadata: BuildMethod: makefile, CodeUri: .; samconfig.toml:
# build_in_source). SAM runs `make build-<Function>` here for each function with ARTIFACTS_DIR set to that function's
# folder under .aws-sam/build. One Maven build makes the three function jars (the first target that needs them
# runs it; the others find them up to date); each function gets its jar in lib/, where Lambda's Java runtime looks.

MVN ?= mvn
MODULES := functions/policy,functions/reports,functions/lifecycle
POLICY := functions/policy/target/policy.jar
REPORTS := functions/reports/target/reports.jar
LIFECYCLE := functions/lifecycle/target/lifecycle.jar
# the Maven build is run again when a pom or a main source of the functions' modules is newer than its last run
SOURCES := $(wildcard pom.xml functions/*/pom.xml) $(shell find functions/core functions/store functions/sender \
	functions/policy functions/reports functions/lifecycle -path '*/src/main/*' -type f 2>/dev/null)
STAMP ?= .aws-sam/function-jars.built

.PHONY: function-jars build-PolicyFunction build-ReportsApiFunction build-ReportsS3Function \
	build-ReportsStreamFunction build-LifecycleFunction build-LifecycleScheduleFunction build-CheckFunction

$(STAMP): $(SOURCES)
	$(MVN) -B -q package -DskipTests -pl $(MODULES) -am
	@mkdir -p $(@D) && touch $@

# a jar removed since (mvn clean) is made again
function-jars: $(STAMP)
	@test -f $(POLICY) -a -f $(REPORTS) -a -f $(LIFECYCLE) || { rm -f $(STAMP); $(MAKE) --no-print-directory $(STAMP); }

define place
	mkdir -p "$(ARTIFACTS_DIR)/lib"
	cp $(1) "$(ARTIFACTS_DIR)/lib/"
endef

build-PolicyFunction: function-jars
	$(call place,$(POLICY))

build-ReportsApiFunction build-ReportsS3Function build-ReportsStreamFunction: function-jars
	$(call place,$(REPORTS))

build-LifecycleFunction build-LifecycleScheduleFunction build-CheckFunction: function-jars
	$(call place,$(LIFECYCLE))
