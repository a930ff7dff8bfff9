package dev.nin;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package structure of issue 14, checked on the compiled classes (so fully qualified names
 * and nested types count, not only import lines): no cycles between packages, each package
 * imports only what {@link #ALLOWED} lets it, the store runs no training and no memory probe, and
 * SQL stays in store/. README's "Layout" shows {@link #ALLOWED}; a test keeps the two equal.
 */
class ArchitectureTest {

    /**
     * Which packages each package may import, lower layers first. Nothing may import cli/ (it is
     * the top); every package must be listed, so a new one is a decision, not an accident.
     */
    static final Map<String, List<String>> ALLOWED = allowed();

    private static Map<String, List<String>> allowed() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("config", List.of());
        m.put("io", List.of());
        m.put("engine", List.of("config"));
        m.put("model", List.of("config"));
        m.put("data", List.of("config", "io"));
        m.put("serve", List.of("config", "data", "engine", "io", "model"));
        m.put("train", List.of("config", "data", "engine", "io", "model"));
        m.put("app", List.of("config", "data", "engine", "io"));
        // train's value types only: see storeRunsNoTrainingAndNoMemoryProbe.
        m.put("store", List.of("config", "data", "io", "model", "train"));
        m.put("report", List.of("config", "data", "io", "model", "store", "train"));
        m.put("track", List.of("config", "data", "io", "model", "report", "store", "train"));
        m.put("trial", List.of("app", "config", "data", "engine", "io", "model", "store", "track", "train"));
        m.put("sweep", List.of("app", "config", "data", "engine", "io", "model", "report", "store", "track", "train",
                "trial"));
        m.put("cli", List.of("app", "config", "data", "engine", "io", "model", "report", "serve", "store", "sweep", "track",
                "train", "trial"));
        return m;
    }

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.nin");
    }

    @Test
    void noCyclesBetweenPackages() {
        slices().matching("dev.nin.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void eachPackageImportsOnlyWhatItIsAllowed() {
        for (Map.Entry<String, List<String>> e : ALLOWED.entrySet()) {
            List<String> packages = new ArrayList<>();
            packages.add("dev.nin." + e.getKey() + "..");
            e.getValue().forEach(p -> packages.add("dev.nin." + p + ".."));
            DescribedPredicate<JavaClass> allowed = resideOutsideOfPackage("dev.nin..")
                    .or(resideInAnyPackage(packages.toArray(String[]::new)));
            classes().that().resideInAPackage("dev.nin." + e.getKey() + "..")
                    .should().onlyDependOnClassesThat(allowed.as("reside outside dev.nin or in " + e.getValue()))
                    .check(classes);
        }
    }

    @Test
    void everyPackageIsListed() {
        Set<String> found = new TreeSet<>();
        for (JavaClass c : classes) {
            if (c.getPackageName().startsWith("dev.nin.")) {
                found.add(c.getPackageName().substring("dev.nin.".length()).split("\\.")[0]);
            }
        }
        assertEquals(new TreeSet<>(ALLOWED.keySet()), found, "packages of dev.nin; add a new one to ALLOWED");
    }

    /** The classes of train/ that run TensorFlow (Trainer, MemoryProbeMain, Benchmark, SavedModels) or start processes (MemoryProbe). */
    private static final DescribedPredicate<JavaClass> TRAINING_RUNNERS = describe("run TensorFlow or start processes",
            c -> c.getPackageName().equals("dev.nin.train") && c.getDirectDependenciesFromSelf().stream()
                    .map(d -> d.getTargetClass())
                    .anyMatch(t -> t.getPackageName().startsWith("org.tensorflow") || t.getPackageName().startsWith("ai.djl")
                            || t.isEquivalentTo(ProcessBuilder.class)));

    @Test
    void storeRunsNoTrainingAndNoMemoryProbe() {
        // The predicate must catch the two the issue names, or the rule below checks nothing.
        assertTrue(TRAINING_RUNNERS.test(classes.get("dev.nin.train.Trainer")));
        assertTrue(TRAINING_RUNNERS.test(classes.get("dev.nin.train.MemoryProbe")));
        // (The store does start processes of its own: the embedded PostgreSQL server's pg_ctl.)
        noClasses().that().resideInAPackage("dev.nin.store..")
                .should().dependOnClassesThat(TRAINING_RUNNERS)
                .check(classes);
    }

    @Test
    void sqlStaysInTheStore() {
        // ./nin sql runs the user's SQL (its ResultTable prints the result).
        noClasses().that().resideOutsideOfPackage("dev.nin.store..")
                .and().doNotHaveFullyQualifiedName("dev.nin.cli.SqlCommand")
                .and().doNotHaveFullyQualifiedName("dev.nin.cli.ResultTable")
                .should().dependOnClassesThat(belongToAnyOf(java.sql.Connection.class, java.sql.Statement.class,
                        java.sql.PreparedStatement.class, java.sql.CallableStatement.class, java.sql.ResultSet.class,
                        jakarta.persistence.EntityManager.class, jakarta.persistence.Query.class))
                .check(classes);
    }

    @Test
    void entitiesNeverLeaveTheStore() {
        // Readers get records (SweepStore.StoredSweep, SweepStore.Training, the query classes' rows): a
        // Panache entity outside the store would let anyone load or persist rows past its SQL.
        noClasses().that().resideOutsideOfPackage("dev.nin.store..")
                .should().dependOnClassesThat().areAnnotatedWith(jakarta.persistence.Entity.class)
                .check(classes);
        noClasses().that().resideOutsideOfPackage("dev.nin.store..")
                .should().dependOnClassesThat().haveFullyQualifiedName("io.quarkus.narayana.jta.QuarkusTransaction")
                .check(classes);
    }

    @Test
    void readmeLayoutShowsTheseRules() throws IOException {
        String readme = Files.readString(Path.of("docs/architecture.md"), StandardCharsets.UTF_8);
        String start = "    allowed imports (checked by ArchitectureTest):\n";
        int from = readme.indexOf(start);
        assertTrue(from >= 0, "docs/architecture.md's Layout has no '" + start.strip() + "' block");
        List<String> shown = new ArrayList<>();
        for (String line : readme.substring(from + start.length()).split("\n")) {
            if (!line.startsWith("      ")) {
                break;
            }
            shown.add(line.strip());
        }
        List<String> expected = new ArrayList<>();
        ALLOWED.forEach((p, imports) -> expected.add(String.format("%-7s-> %s", p, imports.isEmpty() ? "nothing"
                : String.join(", ", imports)) + (p.equals("store") ? " (train's value types only)" : "")));
        assertEquals(String.join("\n", expected), String.join("\n", shown));
    }
}
