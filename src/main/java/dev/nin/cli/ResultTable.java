package dev.nin.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Prints rows as an aligned text table, CSV (RFC 4180) or a JSON array of objects: a JDBC result
 * ({@code ./nin sql}) or the records of a store query, with the same look.
 */
final class ResultTable {

    enum Format { TABLE, CSV, JSON }

    /** A column: its heading, and whether its values are numbers (right-aligned, JSON numbers). */
    record Column(String name, boolean numeric) {

        static Column text(String name) {
            return new Column(name, false);
        }

        static Column number(String name) {
            return new Column(name, true);
        }
    }

    private final List<String> columns = new ArrayList<>();
    private final List<Boolean> numeric = new ArrayList<>();
    private final List<List<Object>> rows = new ArrayList<>();

    /**
     * A table of {@code rows}, one value per column each. Values print as a JDBC result's would: a
     * Double to 6 significant digits, anything else by its toString, null as empty.
     */
    static <T> ResultTable of(List<Column> columns, List<T> rows, Function<T, List<Object>> values) {
        ResultTable table = new ResultTable();
        for (Column c : columns) {
            table.columns.add(c.name());
            table.numeric.add(c.numeric());
        }
        for (T row : rows) {
            List<Object> cells = values.apply(row);
            if (cells.size() != columns.size()) {
                throw new IllegalArgumentException(cells.size() + " values for " + columns.size() + " columns");
            }
            table.rows.add(cells);
        }
        return table;
    }

    static ResultTable of(ResultSet result) throws SQLException {
        ResultTable table = new ResultTable();
        ResultSetMetaData meta = result.getMetaData();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            table.columns.add(meta.getColumnLabel(i));
            int type = meta.getColumnType(i);
            table.numeric.add(type == Types.INTEGER || type == Types.BIGINT || type == Types.DOUBLE || type == Types.REAL
                    || type == Types.NUMERIC || type == Types.DECIMAL || type == Types.SMALLINT || type == Types.FLOAT);
        }
        while (result.next()) {
            List<Object> row = new ArrayList<>();
            for (int i = 1; i <= table.columns.size(); i++) {
                row.add(result.getObject(i));
            }
            table.rows.add(row);
        }
        return table;
    }

    int size() {
        return rows.size();
    }

    void print(PrintWriter out, Format format) {
        switch (format) {
            case CSV -> printCsv(out);
            case JSON -> printJson(out);
            default -> printTable(out);
        }
        out.flush();
    }

    private static String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                return d.toString();
            }
            return new java.math.BigDecimal(d).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
        }
        return value.toString();
    }

    private void printTable(PrintWriter out) {
        int[] width = new int[columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            width[c] = columns.get(c).length();
            for (List<Object> row : rows) {
                width[c] = Math.max(width[c], text(row.get(c)).length());
            }
        }
        StringBuilder header = new StringBuilder();
        StringBuilder rule = new StringBuilder();
        for (int c = 0; c < columns.size(); c++) {
            header.append(c == 0 ? "" : " | ").append(pad(columns.get(c), width[c], false));
            rule.append(c == 0 ? "" : "-+-").append("-".repeat(width[c]));
        }
        out.println(header.toString().stripTrailing());
        out.println(rule);
        for (List<Object> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns.size(); c++) {
                line.append(c == 0 ? "" : " | ").append(pad(text(row.get(c)), width[c], numeric.get(c)));
            }
            out.println(line.toString().stripTrailing());
        }
        out.printf("(%d row%s)%n", rows.size(), rows.size() == 1 ? "" : "s");
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - s.length()));
        return right ? fill + s : s + fill;
    }

    private void printCsv(PrintWriter out) {
        out.println(String.join(",", columns.stream().map(ResultTable::csv).toList()));
        for (List<Object> row : rows) {
            out.println(String.join(",", row.stream().map(v -> csv(v == null ? "" : v.toString())).toList()));
        }
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private void printJson(PrintWriter out) {
        ObjectMapper mapper = new ObjectMapper();
        ArrayNode array = mapper.createArrayNode();
        for (List<Object> row : rows) {
            ObjectNode node = array.addObject();
            for (int c = 0; c < columns.size(); c++) {
                Object v = row.get(c);
                if (v == null) {
                    node.putNull(columns.get(c));
                } else if (v instanceof Number n && numeric.get(c)) {
                    node.put(columns.get(c), n.doubleValue() == Math.rint(n.doubleValue()) && !(v instanceof Double)
                            ? n.longValue() : n.doubleValue());
                } else if (v instanceof Boolean b) {
                    node.put(columns.get(c), b);
                } else {
                    node.put(columns.get(c), v.toString());
                }
            }
        }
        try {
            out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(array));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
