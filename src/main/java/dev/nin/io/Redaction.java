package dev.nin.io;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one function every message that may hold a URL, a driver's cause or a configuration value
 * passes through before it reaches a screen, a log, an MLflow param or tag. It hides the secret
 * parts of text, not the text: a password in a JDBC or HTTP URL's user-info part, a {@code
 * password=}-like key in a query string or property list, a JSON/YAML {@code "password": "…"},
 * and every secret value nin knows (the passwords it was configured with or generated), wherever
 * it appears, also inside an exception's cause.
 */
public final class Redaction {

    /** What a hidden secret is replaced by. */
    public static final String MASK = "***";

    /** Shorter known values are not masked wherever they appear: "ab" would mask half the alphabet. */
    static final int MIN_KNOWN_SECRET_LENGTH = 4;

    private static final String SECRET_KEYS = "password|passwd|pwd|pass|secret|token|apikey|api[_-]?key"
            + "|access[_-]?token|sslpassword|sslkey|client[_-]?secret|credentials?";

    /** {@code user:secret@host}: the user-info part of a URL, with or without its scheme. */
    private static final Pattern USER_INFO = Pattern.compile("(?<![\\w.%+-])([\\w.%+~-]*):([^\\s@/?#\"'<>]+)@(?=[\\w\\[.-])");

    /** {@code password=secret} (or {@code PGPASSWORD=}, {@code db_password=}) in a query string, properties or a command line. */
    private static final Pattern KEY_VALUE = Pattern.compile("(?i)(\\b\\w*(?:" + SECRET_KEYS + ")\\s*=\\s*)([^&;,\\s\"')]+)");

    /** {@code "password": "secret"} or {@code password: secret} in JSON or YAML. */
    private static final Pattern KEY_COLON = Pattern.compile("(?i)(\"?\\b(?:" + SECRET_KEYS + ")\"?\\s*:\\s*)(\"[^\"]*\"|'[^']*'|[^\\s,}\"']+)");

    private Redaction() {}

    /** {@code text} with every secret in it replaced by {@link #MASK}; null stays null. */
    public static String redact(String text, Collection<String> knownSecrets) {
        if (text == null) {
            return null;
        }
        String out = text;
        List<String> known = new ArrayList<>();
        for (String secret : knownSecrets) {
            if (secret != null && secret.length() >= MIN_KNOWN_SECRET_LENGTH) {
                known.add(secret);
            }
        }
        // Longest first, so a secret that contains another is masked whole.
        known.sort(Comparator.comparingInt(String::length).reversed());
        for (String secret : known) {
            out = out.replace(secret, MASK);
            // URLs carry secrets percent-encoded.
            String encoded = java.net.URLEncoder.encode(secret, java.nio.charset.StandardCharsets.UTF_8);
            if (!encoded.equals(secret)) {
                out = out.replace(encoded, MASK);
            }
        }
        out = USER_INFO.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + ":" + MASK + "@"));
        out = KEY_VALUE.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
        out = KEY_COLON.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
        return out;
    }

    /** {@code error}'s message and those of its causes, joined by "; caused by: ", redacted. */
    public static String messageChain(Throwable error, Collection<String> knownSecrets) {
        StringBuilder chain = new StringBuilder();
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (chain.indexOf(message) >= 0) {
                continue;
            }
            chain.append(chain.length() == 0 ? "" : "; caused by: ").append(message);
        }
        return redact(chain.toString(), knownSecrets);
    }

    /** {@code error}'s stack trace, causes included, redacted: for the failures nobody foresaw. */
    public static String stackTrace(Throwable error, Collection<String> knownSecrets) {
        StringWriter text = new StringWriter();
        error.printStackTrace(new PrintWriter(text));
        return redact(text.toString(), knownSecrets);
    }
}
