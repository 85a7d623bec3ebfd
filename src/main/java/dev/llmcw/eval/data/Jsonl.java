package dev.llmcw.eval.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON Lines reading with file/line-precise errors. Blank lines are skipped (upstream files often end
 * with one); every other line must be one JSON object.
 */
public final class Jsonl {
    private Jsonl() {}

    /** One parsed line and where it came from, with typed field access that reports the location. */
    public record Row(Path file, int line, JsonNode node) {
        public JsonNode field(String name) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) throw error("missing field \"" + name + "\"");
            return v;
        }

        public boolean has(String name) {
            JsonNode v = node.get(name);
            return v != null && !v.isNull();
        }

        public String text(String name) {
            JsonNode v = field(name);
            if (!v.isTextual()) throw error("field \"" + name + "\" must be a string, got " + v.getNodeType());
            return v.asText();
        }

        /** A string field that must not be empty or blank (a choice, a question). */
        public String nonEmptyText(String name) {
            String s = text(name);
            if (s.isBlank()) throw error("field \"" + name + "\" is empty");
            return s;
        }

        public List<String> texts(String name) {
            JsonNode v = field(name);
            if (!v.isArray()) throw error("field \"" + name + "\" must be an array");
            List<String> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isTextual()) throw error("field \"" + name + "\" must hold strings");
                out.add(e.asText());
            }
            return out;
        }

        /** Integer field that may also be written as a string ("3"), as HellaSwag's label is. */
        public int integer(String name) {
            JsonNode v = field(name);
            if (v.isIntegralNumber()) return v.asInt();
            if (v.isTextual()) {
                try {
                    return Integer.parseInt(v.asText().trim());
                } catch (NumberFormatException e) {
                    throw error("field \"" + name + "\" is not an integer: \"" + v.asText() + "\"");
                }
            }
            throw error("field \"" + name + "\" must be an integer, got " + v.getNodeType());
        }

        public DatasetException error(String problem) {
            return new DatasetException(file, line, problem);
        }
    }

    public static List<Row> read(Path file) {
        List<String> lines = TextFiles.lines(file);
        List<Row> rows = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String s = lines.get(i);
            if (s.isBlank()) continue;
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(s);
            } catch (Exception e) {
                throw new DatasetException(file, i + 1, "malformed JSON: " + firstLine(e.getMessage()), e);
            }
            if (node == null || !node.isObject()) throw new DatasetException(file, i + 1, "expected a JSON object");
            rows.add(new Row(file, i + 1, node));
        }
        if (rows.isEmpty()) throw new DatasetException(file, "no items");
        return rows;
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
