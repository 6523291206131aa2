package dev.llmo.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Model.CommandSpec;

/** What a parse left in a command's fields (its mixins' and groups' included), for tests that compare two parses. */
final class CommandFields {
    private CommandFields() {
    }

    /** Each field's value as text, by its path ({@code shared.continuation.last}); a null group is one entry. */
    static Map<String, String> of(Object command) {
        Map<String, String> fields = new TreeMap<>();
        collect(command, "", fields);
        return fields;
    }

    /** A context without a terminal or stdin; {@code home} is home, working directory and LLMO_HOME's parent. */
    static CliContext context(Path home) {
        CliEnvironment environment = new CliEnvironment(InputStream.nullInputStream(),
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                Map.of("LLMO_HOME", home.resolve("llmo").toString()), home, home, "");
        return new CliContext(environment, new GlobalOptions(false, false));
    }

    private static void collect(Object object, String path, Map<String, String> fields) {
        for (Field field : object.getClass().getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) || field.getType() == CliContext.class
                    || field.getType() == CommandSpec.class) {
                continue;
            }
            field.setAccessible(true);
            Object value;
            try {
                value = field.get(object);
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
            String name = path + field.getName();
            if (value != null && value.getClass().getName().startsWith("dev.llmo.cli.")) {
                collect(value, name + ".", fields);
            } else {
                fields.put(name, text(value));
            }
        }
    }

    /**
     * A value as text that tells values apart whose {@code toString} is the same: {@code {a=b=c}} is the map of "a"
     * to "b=c" or of "a=b" to "c", {@code [a, b]} two words or one.
     */
    private static String text(Object value) {
        if (value instanceof java.util.List<?> list) {
            StringBuilder text = new StringBuilder("[");
            for (Object element : list) {
                text.append(text.length() > 1 ? ", " : "").append(text(element));
            }
            return text.append(']').toString();
        }
        if (value instanceof Map<?, ?> map) {
            StringBuilder text = new StringBuilder("{");
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                text.append(text.length() > 1 ? ", " : "").append(text(entry.getKey())).append('=')
                        .append(text(entry.getValue()));
            }
            return text.append('}').toString();
        }
        return value instanceof String string ? '"' + string + '"' : String.valueOf(value);
    }
}
