package dev.nin.store.queue;

import dev.nin.store.StoreException;
import dev.nin.data.IdxReader;

import jakarta.persistence.EntityManager;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;

import org.hibernate.Session;

/**
 * The one per-sweep advisory lock: enqueueing a sweep's trials, queueing a stalled trial's retry
 * and taking a pruning decision all hold it for the rest of their transaction, so they happen one
 * after another across processes and machines. Its key is 64 bits of the SHA-256 of the sweep's
 * name (PostgreSQL's {@code pg_advisory_xact_lock(bigint)}), so two sweeps share a key with
 * probability 2^-64, not 2^-32 as with {@code hashtext}.
 *
 * <p>By name, because the first enqueue of a sweep has no id yet. A caller that knows the id
 * locks its current name; only a holder of that name's lock renames a sweep ({@code --new}), so
 * the name is read again once locked, and locked again if it moved.
 */
public final class SweepLock {

    private SweepLock() {}

    /** The advisory-lock key of the sweep named {@code sweepName}. */
    public static long key(String sweepName) {
        byte[] digest = HexFormat.of().parseHex(IdxReader.sha256(("nin-sweep:" + sweepName).getBytes(StandardCharsets.UTF_8)));
        return ByteBuffer.wrap(digest).getLong();
    }

    /** Takes the lock of the sweep named {@code sweepName} until {@code c}'s transaction ends (autocommit off). */
    public static void lock(Connection c, String sweepName) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            s.setLong(1, key(sweepName));
            s.execute();
        }
    }

    /** Takes the lock of the sweep with id {@code sweepId} until {@code c}'s transaction ends (autocommit off). */
    public static void lock(Connection c, long sweepId) throws SQLException {
        String locked = null;
        while (true) {
            String name = nameOf(c, sweepId);
            if (name.equals(locked)) {
                return;
            }
            lock(c, name);
            locked = name;
        }
    }

    /** As {@link #lock(Connection, String)}, in the current JPA transaction. */
    public static void lock(EntityManager em, String sweepName) {
        em.unwrap(Session.class).doWork(c -> lock(c, sweepName));
    }

    /** As {@link #lock(Connection, long)}, in the current JPA transaction. */
    public static void lock(EntityManager em, long sweepId) {
        em.unwrap(Session.class).doWork(c -> lock(c, sweepId));
    }

    private static String nameOf(Connection c, long sweepId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT name FROM sweeps WHERE id = ?")) {
            s.setLong(1, sweepId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new StoreException("no sweep with id " + sweepId);
                }
                return r.getString(1);
            }
        }
    }
}
