package dev.nin.app;

import dev.nin.store.server.DatabaseRoles;
import dev.nin.store.server.EmbeddedPostgresServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml cannot run here (no Docker engine), so this checks that what it declares
 * agrees with .env, with the nin settings README gives for it, and with the app's configuration.
 * Whether its services really work together is StackIT's (dev.nin.stack), which runs them.
 */
class LocalStackTest {

    private static JsonNode compose() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(Path.of("docker-compose.yml").toFile());
    }

    private static Map<String, String> env() throws Exception {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(Path.of(".env"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return env;
    }

    /** The value docs/operations.md's "local stack" block exports for {@code name}. */
    private static String readmeExport(String name) throws Exception {
        Matcher m = Pattern.compile("export [^\\n]*\\b" + name + "=(\\S+)").matcher(Files.readString(Path.of("docs/operations.md")));
        assertTrue(m.find(), "README exports " + name);
        return m.group(1);
    }

    /** ${NAME:-default} resolved with .env. */
    private static String resolve(String text, Map<String, String> env) {
        Matcher m = Pattern.compile("\\$\\{(\\w+):-([^}]*)}").matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.getOrDefault(m.group(1), m.group(2));
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    @Test
    void servicesHaveHealthChecksAndListenOnTheConfiguredAddressOnly() throws Exception {
        Map<String, String> env = env();
        JsonNode services = compose().get("services");
        // Compose v2: no version key (README says `docker compose`).
        assertTrue(compose().get("version") == null, "docker-compose.yml has a version key");
        assertEquals("127.0.0.1", env.get("STACK_BIND"), ".env keeps the stack on this machine by default");
        for (String name : new String[] {"postgres", "mlflow"}) {
            JsonNode service = services.get(name);
            assertNotNull(service, name);
            assertNotNull(service.get("healthcheck"), name + " has a health check");
            // A port without an address listens on every interface: each names STACK_BIND, 127.0.0.1 by default.
            service.get("ports").forEach(p -> {
                assertTrue(p.asText().startsWith("${STACK_BIND:-127.0.0.1}:"), name + ": " + p.asText());
                assertTrue(resolve(p.asText(), env).startsWith("127.0.0.1:"), name + ": " + p.asText());
            });
        }
        assertEquals("service_healthy", services.at("/mlflow/depends_on/postgres/condition").asText());
    }

    @Test
    void workersScaleAndReachTheServicesByName() throws Exception {
        Map<String, String> env = env();
        JsonNode services = compose().get("services");
        JsonNode worker = services.get("worker");
        assertNotNull(worker, "a worker service");
        // --scale worker=N needs containers without a fixed name or host port.
        assertTrue(worker.get("container_name") == null && worker.get("ports") == null, worker.toString());
        assertEquals("[\"worker\",\"--wait\"]", worker.get("command").toString());
        assertEquals("service_healthy", worker.at("/depends_on/postgres/condition").asText());
        assertEquals("service_healthy", worker.at("/depends_on/mlflow/condition").asText());
        JsonNode environment = worker.get("environment");
        assertEquals("jdbc:postgresql://postgres:5432/" + services.at("/postgres/environment/POSTGRES_DB").asText(),
                environment.get("NIN_DB_URL").asText());
        // The owner role the init script creates, with its password; never the superuser.
        assertEquals(EmbeddedPostgresServer.ROLES.owner(), environment.get("NIN_DB_USER").asText());
        assertNotEquals(resolve(services.at("/postgres/environment/POSTGRES_USER").asText(), env),
                environment.get("NIN_DB_USER").asText());
        assertEquals(resolve(services.at("/postgres/environment/NIN_OWNER_PASSWORD").asText(), env),
                resolve(environment.get("NIN_DB_PASSWORD").asText(), env));
        assertEquals(resolve(services.at("/postgres/environment/NIN_READER_PASSWORD").asText(), env),
                resolve(environment.get("NIN_DB_READER_PASSWORD").asText(), env));
        assertEquals("http://mlflow:5000", environment.get("MLFLOW_TRACKING_URI").asText());
        // MLflow answers 403 to a Host header it does not allow: the workers send mlflow:5000.
        String command = resolve(services.get("mlflow").get("command").toString(), env);
        assertTrue(command.contains("--port=5000") && command.matches("(?s).*--allowed-hosts=[^\"]*\\bmlflow:\\*.*"), command);
    }

    @Test
    void theMlflowImageIsPinnedByTheConstraintsFile() throws Exception {
        String dockerfile = Files.readString(Path.of("docker/mlflow/Dockerfile"));
        String constraints = Files.readString(Path.of("docker/mlflow/constraints.txt"));
        assertTrue(dockerfile.contains("pip install --no-cache-dir -c /tmp/constraints.txt mlflow psycopg2-binary"), dockerfile);
        assertTrue(Files.readString(Path.of("tools/test-setup.sh")).contains("-c docker/mlflow/constraints.txt mlflow psycopg2-binary"),
                "tools/test-setup.sh makes StackIT's environment from the same file, with the same packages");
        // The backend URI's driver is one the constraints install, and SQLAlchemy is pinned with it.
        assertTrue(constraints.contains("\npsycopg2-binary=="), constraints);
        assertTrue(constraints.matches("(?s).*\\nSQLAlchemy==\\S+.*"), constraints);
        assertTrue(compose().at("/services/mlflow/command").toString().contains("--backend-store-uri=postgresql+psycopg2://"));
        // The image's Python is the one the constraints were frozen on.
        Matcher python = Pattern.compile("(?m)^FROM python:(\\d+\\.\\d+)-").matcher(dockerfile);
        assertTrue(python.find(), dockerfile);
        assertTrue(constraints.contains("Made on Python " + python.group(1) + " "), "constraints made on Python " + python.group(1));
    }

    @Test
    void readmeSettingsPointAtTheStack() throws Exception {
        Map<String, String> env = env();
        JsonNode services = compose().get("services");
        String dbPort = resolve(services.at("/postgres/ports/0").asText(), env).split(":")[1];
        String dbName = resolve(services.at("/postgres/environment/POSTGRES_DB").asText(), env);
        assertEquals("jdbc:postgresql://127.0.0.1:" + dbPort + "/" + dbName, readmeExport("NIN_DB_URL"));
        // nin records as the owner role the init script creates, never as the container's superuser.
        assertEquals(EmbeddedPostgresServer.ROLES.owner(), readmeExport("NIN_DB_USER"));
        assertNotEquals(resolve(services.at("/postgres/environment/POSTGRES_USER").asText(), env), readmeExport("NIN_DB_USER"));
        assertEquals(resolve(services.at("/postgres/environment/NIN_OWNER_PASSWORD").asText(), env), readmeExport("NIN_DB_PASSWORD"));
        assertEquals(resolve(services.at("/postgres/environment/NIN_READER_PASSWORD").asText(), env),
                readmeExport("NIN_DB_READER_PASSWORD"));
        String mlflowPort = resolve(services.at("/mlflow/ports/0").asText(), env).split(":")[1];
        assertEquals("http://127.0.0.1:" + mlflowPort, readmeExport("MLFLOW_TRACKING_URI"));
        // MLflow's backend is the same PostgreSQL, as its superuser, in the database the init script creates.
        String command = resolve(services.get("mlflow").get("command").toString(), env);
        assertTrue(command.contains("postgresql+psycopg2://" + resolve(services.at("/postgres/environment/POSTGRES_USER").asText(), env)
                + ":" + resolve(services.at("/postgres/environment/POSTGRES_PASSWORD").asText(), env) + "@postgres:5432/mlflow"),
                command);
        assertTrue(Files.readString(Path.of("docker/postgres-init.sql")).contains("CREATE DATABASE mlflow"));
    }

    @Test
    void theRolesScriptIsTheOneNinGenerates() throws Exception {
        // docker/nin-roles.sql is ./nin db setup-sql --passwords-from-variables: one definition of nin's roles.
        assertEquals(EmbeddedPostgresServer.ROLES.psqlScript(DatabaseRoles.Passwords.VARIABLES),
                Files.readString(Path.of("docker/nin-roles.sql")), "regenerate: ./nin db setup-sql --passwords-from-variables "
                        + "> docker/nin-roles.sql");
        JsonNode volumes = compose().at("/services/postgres/volumes");
        assertTrue(volumes.toString().contains("./docker/nin-roles.sql:/nin/nin-roles.sql"), volumes.toString());
        assertTrue(Files.readString(Path.of("docker/nin-roles.sh")).contains("-f /nin/nin-roles.sql"));
    }

    @Test
    void dotEnvSetsNothingTheAppReads() throws Exception {
        // Quarkus reads .env from the working directory; nin run from the repo must keep its defaults.
        String properties = Files.readString(Path.of("src/main/resources/application.properties"));
        for (String key : env().keySet()) {
            assertTrue(!properties.contains("${" + key + ":") && !key.startsWith("NIN_") && !key.startsWith("QUARKUS_")
                    && !key.startsWith("MLFLOW_"), ".env sets " + key + ", which nin would read as its own setting");
        }
    }

    @Test
    void theAppReadsTheVariablesReadmeSets() throws Exception {
        String properties = Files.readString(Path.of("src/main/resources/application.properties"));
        for (String variable : new String[] {"NIN_DB_URL", "NIN_DB_USER", "NIN_DB_PASSWORD", "NIN_DB_READER_PASSWORD", "MLFLOW_TRACKING_URI"}) {
            assertTrue(properties.contains("${" + variable + ":"), "application.properties reads " + variable);
        }
    }
}
