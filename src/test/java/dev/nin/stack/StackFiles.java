package dev.nin.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stack's definitions as the tests read them: docker-compose.yml with ${VAR:-default} resolved
 * from .env as Compose does, and the root Dockerfile's last stage (its ENV and ENTRYPOINT).
 */
final class StackFiles {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+):-([^}]*)}");

    final JsonNode compose;
    final Map<String, String> dotEnv;

    private StackFiles(JsonNode compose, Map<String, String> dotEnv) {
        this.compose = compose;
        this.dotEnv = dotEnv;
    }

    static StackFiles read() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(".env"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return new StackFiles(new ObjectMapper(new YAMLFactory()).readTree(Path.of("docker-compose.yml").toFile()), env);
    }

    /** ${NAME:-default} as Compose resolves it: .env's value, else the default. */
    String resolve(String text) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(dotEnv.getOrDefault(m.group(1), m.group(2))));
        }
        m.appendTail(out);
        if (out.indexOf("${") >= 0) {
            throw new AssertionError("expected only ${VAR:-default} in docker-compose.yml, found " + text);
        }
        return out.toString();
    }

    JsonNode service(String name) {
        JsonNode service = compose.at("/services/" + name);
        if (service.isMissingNode()) {
            throw new AssertionError("docker-compose.yml: expected a service '" + name + "', found none");
        }
        return service;
    }

    /** A service's environment, resolved (the map form Compose allows). */
    Map<String, String> environment(String service) {
        Map<String, String> env = new LinkedHashMap<>();
        service(service).get("environment").fields().forEachRemaining(e -> env.put(e.getKey(), resolve(e.getValue().asText())));
        return env;
    }

    /** A service's command as a list, resolved. */
    List<String> command(String service) {
        List<String> command = new ArrayList<>();
        service(service).get("command").forEach(part -> command.add(resolve(part.asText())));
        return command;
    }

    /** A service's volumes as container path -> source ("./docker/x" or a named volume). */
    Map<String, String> volumes(String service) {
        Map<String, String> volumes = new LinkedHashMap<>();
        service(service).get("volumes").forEach(v -> {
            String[] parts = v.asText().split(":");
            volumes.put(parts[1], parts[0]);
        });
        return volumes;
    }

    /** The root Dockerfile's instructions, continuation lines joined, comments dropped. */
    static List<String> dockerfile() throws IOException {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("Dockerfile"))) {
            if (line.strip().startsWith("#") || (line.isBlank() && current.length() == 0)) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            instructions.add(current.toString().strip());
            current.setLength(0);
        }
        return instructions;
    }

    /**
     * The environment the image's last stage sets, with the stages it builds on (VARIANT's default
     * chooses the runtime stage), ${ARG} taken from {@code buildArgs}.
     */
    static Map<String, String> imageEnvironment(Map<String, String> buildArgs) throws IOException {
        Map<String, List<String>> stages = new LinkedHashMap<>();
        Map<String, String> parents = new LinkedHashMap<>();
        Map<String, String> globalArgs = new LinkedHashMap<>(buildArgs);
        String stage = null;
        int unnamed = 0;
        for (String instruction : dockerfile()) {
            String[] words = instruction.split("\\s+");
            if (words[0].equals("ARG") && stage == null && words[1].contains("=")) {
                globalArgs.putIfAbsent(words[1].substring(0, words[1].indexOf('=')), words[1].substring(words[1].indexOf('=') + 1));
            } else if (words[0].equals("FROM")) {
                stage = words.length >= 4 && words[2].equalsIgnoreCase("AS") ? words[3] : "stage" + unnamed++;
                parents.put(stage, substitute(words[1], globalArgs));
                stages.put(stage, new ArrayList<>());
            } else if (words[0].equals("ENV")) {
                stages.get(stage).add(instruction.substring(4).strip());
            }
        }
        List<String> chain = new ArrayList<>();
        for (String s = stage; stages.containsKey(s); s = parents.get(s)) {
            chain.add(0, s);
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String s : chain) {
            for (String assignments : stages.get(s)) {
                for (String assignment : assignments.split("\\s+")) {
                    if (!assignment.contains("=")) {
                        throw new AssertionError("Dockerfile: expected ENV NAME=VALUE ..., found ENV " + assignments);
                    }
                    env.put(assignment.substring(0, assignment.indexOf('=')),
                            substitute(assignment.substring(assignment.indexOf('=') + 1), buildArgs));
                }
            }
        }
        return env;
    }

    private static String substitute(String text, Map<String, String> args) {
        Matcher m = Pattern.compile("\\$\\{(\\w+)}").matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            if (!args.containsKey(m.group(1))) {
                throw new AssertionError("Dockerfile: ${" + m.group(1) + "} has no build argument here");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(args.get(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The image's ENTRYPOINT (exec form). */
    static List<String> entrypoint() throws IOException {
        for (String instruction : dockerfile()) {
            if (instruction.startsWith("ENTRYPOINT ")) {
                List<String> parts = new ArrayList<>();
                new ObjectMapper().readTree(instruction.substring("ENTRYPOINT ".length())).forEach(p -> parts.add(p.asText()));
                return parts;
            }
        }
        throw new AssertionError("Dockerfile: expected an ENTRYPOINT, found none");
    }

    /** Which file of the checkout the Dockerfile copies to {@code imagePath} (COPY SOURCE DEST). */
    static Path copiedTo(String imagePath) throws IOException {
        for (String instruction : dockerfile()) {
            String[] words = instruction.split("\\s+");
            if (words[0].equals("COPY") && words.length == 3 && words[2].equals(imagePath)) {
                return Path.of(words[1]);
            }
        }
        throw new AssertionError("Dockerfile: expected a COPY to " + imagePath + ", found none");
    }

    /** The values the "local stack" section of docs/operations.md exports. */
    static Map<String, String> readmeExports() throws IOException {
        String readme = Files.readString(Path.of("docs/operations.md"));
        int start = readme.indexOf("## The local stack");
        String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
        Map<String, String> exports = new LinkedHashMap<>();
        Matcher line = Pattern.compile("(?m)^\\s+export (.+)$").matcher(section);
        while (line.find()) {
            for (String assignment : line.group(1).strip().split("\\s+")) {
                exports.put(assignment.substring(0, assignment.indexOf('=')), assignment.substring(assignment.indexOf('=') + 1));
            }
        }
        return exports;
    }
}
