package dev.nin.store.server;

import dev.nin.store.StoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * The passwords of the embedded server's three roles, generated once per nin home and kept in
 * {@code postgres/credentials} with mode 0600 (its folder 0700), so only the home's owner can
 * read them: the bootstrap superuser (used only to set the server up), nin's owner role (what nin
 * records with) and the read-only role of {@code ./nin sql}.
 *
 * @param superuser password of {@link EmbeddedPostgresServer#SUPERUSER}
 * @param owner password of {@link EmbeddedPostgresServer#OWNER}
 * @param reader password of {@link EmbeddedPostgresServer#READER}
 */
public record EmbeddedCredentials(String superuser, String owner, String reader) {

    public static final String FILE = "credentials";

    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FOLDER = PosixFilePermissions.fromString("rwx------");

    /** The passwords, never printed by accident. */
    @Override
    public String toString() {
        return "EmbeddedCredentials[***]";
    }

    /** Every password, for {@link dev.nin.io.Redaction}. */
    public List<String> secrets() {
        return List.of(superuser, owner, reader);
    }

    /** Whether {@code folder} (the home's {@code postgres} folder) has credentials already. */
    static boolean exist(Path folder) {
        return Files.exists(folder.resolve(FILE));
    }

    /** Reads the credentials of {@code folder}; a home without them is reported, not invented. */
    static EmbeddedCredentials read(Path folder) {
        Path file = folder.resolve(FILE);
        Properties values = new Properties();
        try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            values.load(reader);
        } catch (IOException e) {
            throw new StoreException("cannot read the embedded database's passwords in " + file + " (" + e.getMessage()
                    + "); it is written when the embedded server is first set up and must be readable by you only");
        }
        String superuser = values.getProperty("superuser");
        String owner = values.getProperty("owner");
        String reader = values.getProperty("reader");
        if (superuser == null || owner == null || reader == null) {
            throw new StoreException(file + " is incomplete (expected the keys superuser, owner and reader); restore it "
                    + "from a backup, or the embedded server cannot be used");
        }
        return new EmbeddedCredentials(superuser, owner, reader);
    }

    /**
     * The credentials of {@code folder}, generated and written first when there are none. The
     * file is written to a temporary name with mode 0600 from its creation, synced and renamed, so
     * a kill leaves either no file or a whole one.
     */
    static EmbeddedCredentials readOrCreate(Path folder, SecureRandom random) throws IOException {
        if (exist(folder)) {
            return read(folder);
        }
        Files.createDirectories(folder);
        Files.setPosixFilePermissions(folder, OWNER_ONLY_FOLDER);
        EmbeddedCredentials created = new EmbeddedCredentials(password(random), password(random), password(random));
        Path partial = folder.resolve(FILE + ".partial");
        Files.deleteIfExists(partial);
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
        String text = "# Passwords of this nin home's embedded PostgreSQL roles. Keep this file private (mode 0600).\n"
                + "superuser=" + created.superuser + "\nowner=" + created.owner + "\nreader=" + created.reader + "\n";
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
            channel.write(StandardCharsets.UTF_8.encode(text));
            channel.force(true);
        }
        Files.move(partial, folder.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
        return created;
    }

    /** 32 random hex digits (128 bits): nothing a shell, a URL or SQL quoting can misread. */
    private static String password(SecureRandom random) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
