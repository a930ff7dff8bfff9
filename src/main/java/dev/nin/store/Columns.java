package dev.nin.store;

import java.sql.ResultSet;
import java.sql.SQLException;

/** Nullable column reads for the query classes: JDBC's getters turn SQL NULL into 0, which a record must not. */
public final class Columns {

    private Columns() {}

    public static Double doubleOrNull(ResultSet r, String column) throws SQLException {
        double v = r.getDouble(column);
        return r.wasNull() ? null : v;
    }

    public static Long longOrNull(ResultSet r, String column) throws SQLException {
        long v = r.getLong(column);
        return r.wasNull() ? null : v;
    }

    public static Integer intOrNull(ResultSet r, String column) throws SQLException {
        int v = r.getInt(column);
        return r.wasNull() ? null : v;
    }
}
