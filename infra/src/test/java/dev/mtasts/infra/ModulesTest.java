package dev.mtasts.infra;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The modules' arrows point one way: core ← store, sender ← the functions (policy, reports, lifecycle) and the pages ←
 * the local stack ← the command line; the resolver, a daemon of its own, uses core and sender only. Checked over the
 * modules' own classes (tests left out), as each module's package-info.java says.
 */
class ModulesTest {
    static JavaClasses classes;

    @BeforeAll
    static void read() {
        // the modules' own classes, from their target/classes or their jars; not their tests, nor the test jars
        // some modules share their test set-ups in
        ImportOption mainOnly = location -> !location.contains("/test-classes/") && !location.contains("-tests.jar");
        classes = new ClassFileImporter().withImportOption(mainOnly).importPackages("dev.mtasts");
        for (String module : java.util.List.of("core", "store", "sender", "emulators", "policy", "reports", "lifecycle",
                "pages", "resolver", "local", "cli")) {
            org.junit.jupiter.api.Assertions.assertTrue(classes.stream().anyMatch(c -> c.getPackageName()
                    .startsWith("dev.mtasts." + module)), "no classes of " + module + " were read");
        }
    }

    @Test
    void arrowsPointDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("core").definedBy("dev.mtasts.core..")
                .layer("store").definedBy("dev.mtasts.store..")
                .layer("sender").definedBy("dev.mtasts.sender..")
                .layer("emulators").definedBy("dev.mtasts.emulators..")
                .layer("policy").definedBy("dev.mtasts.policy..")
                .layer("reports").definedBy("dev.mtasts.reports..")
                .layer("lifecycle").definedBy("dev.mtasts.lifecycle..")
                .layer("pages").definedBy("dev.mtasts.pages..")
                .layer("resolver").definedBy("dev.mtasts.resolver..")
                .layer("local").definedBy("dev.mtasts.local..")
                .layer("cli").definedBy("dev.mtasts.cli..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("local").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("resolver").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("pages").mayOnlyBeAccessedByLayers("local", "cli")
                .whereLayer("policy").mayOnlyBeAccessedByLayers("local", "cli")
                .whereLayer("reports").mayOnlyBeAccessedByLayers("local", "cli")
                .whereLayer("lifecycle").mayOnlyBeAccessedByLayers("local", "cli")
                .whereLayer("emulators").mayOnlyBeAccessedByLayers("local", "cli")
                .whereLayer("sender").mayOnlyBeAccessedByLayers("lifecycle", "resolver", "local", "cli")
                .whereLayer("store").mayOnlyBeAccessedByLayers("policy", "reports", "lifecycle", "pages", "local", "cli")
                .check(classes);
    }

    /** Core holds the RFCs' rules and nothing of AWS: every layer may use it, it uses none of them. */
    @Test
    void coreUsesNoOtherModuleAndNoAws() {
        noClasses().that().resideInAPackage("dev.mtasts.core..")
                .should().dependOnClassesThat().resideInAnyPackage("software.amazon..", "com.amazonaws..",
                        "dev.mtasts.store..", "dev.mtasts.sender..", "dev.mtasts.policy..", "dev.mtasts.reports..",
                        "dev.mtasts.lifecycle..", "dev.mtasts.pages..", "dev.mtasts.local..", "dev.mtasts.resolver..",
                        "dev.mtasts.cli..", "dev.mtasts.emulators..")
                .check(classes);
    }

    /** The resolver's jar carries neither the local stack, DynamoDB Local, nor the IDNA2008 tables. */
    @Test
    void theResolverNeedsNoLocalStackNoDynamoDbLocalNoIcu() {
        noClasses().that().resideInAPackage("dev.mtasts.resolver..")
                .should().dependOnClassesThat().resideInAnyPackage("com.ibm.icu..", "com.amazonaws.services.dynamodbv2..",
                        "software.amazon.awssdk..", "dev.mtasts.local..", "dev.mtasts.emulators..", "dev.mtasts.store..")
                .check(classes);
    }
}
