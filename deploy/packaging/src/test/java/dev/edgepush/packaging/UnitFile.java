package dev.edgepush.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A systemd unit file read the way systemd reads what these tests need: the [Service] keys,
 * {@code Environment=} and {@code EnvironmentFile=} (KEY=VALUE lines, '#' comments, optional
 * quotes), and {@code ExecStart=} with systemd's expansion: a word that is exactly {@code $VAR}
 * becomes the value split at whitespace, {@code ${VAR}} is replaced in place. There is no
 * systemd PID 1 in the test, so the tests start this command line themselves.
 */
final class UnitFile {
    private static final Pattern BRACED = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern BARE = Pattern.compile("\\$([A-Za-z_][A-Za-z0-9_]*)");
    /** systemd's PATH for system services. */
    static final String SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Map<String, List<String>> service = new LinkedHashMap<>();

    UnitFile(String text) {
        String section = "";
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                section = line;
                continue;
            }
            int eq = line.indexOf('=');
            if (section.equals("[Service]") && eq > 0) {
                service.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>())
                        .add(line.substring(eq + 1));
            }
        }
    }

    static UnitFile read(Path file) throws IOException {
        return new UnitFile(Files.readString(file));
    }

    /** The values of a [Service] key, in order ("" for a key set empty). */
    List<String> values(String key) {
        return service.getOrDefault(key, List.of());
    }

    String value(String key) {
        List<String> v = values(key);
        if (v.size() != 1) {
            throw new AssertionError("[Service] " + key + "= appears " + v.size() + " times, expected once");
        }
        return v.get(0);
    }

    /**
     * The service's environment: {@code Environment=} then each {@code EnvironmentFile=}, read at
     * {@code mapPath} of its path (the installed path, or where a test extracted the package).
     */
    Map<String, String> environment(UnaryOperator<String> mapPath) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String assignment : values("Environment")) {
            for (String word : assignment.split("\\s+")) {
                int eq = word.indexOf('=');
                env.put(word.substring(0, eq), unquote(word.substring(eq + 1)));
            }
        }
        for (String file : values("EnvironmentFile")) {
            boolean optional = file.startsWith("-");
            Path p = Path.of(mapPath.apply(optional ? file.substring(1) : file));
            if (optional && !Files.exists(p)) {
                continue;
            }
            env.putAll(parseEnvironmentFile(Files.readString(p)));
        }
        return env;
    }

    static Map<String, String> parseEnvironmentFile(String text) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new AssertionError("not KEY=VALUE: " + line);
            }
            env.put(
                    line.substring(0, eq).strip(),
                    unquote(line.substring(eq + 1).strip()));
        }
        return env;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    /** ExecStart= expanded with {@code env} as systemd does, each word then passed through {@code mapPath}. */
    List<String> execStart(Map<String, String> env, UnaryOperator<String> mapPath) {
        List<String> argv = new ArrayList<>();
        for (String word : value("ExecStart").strip().split("\\s+")) {
            Matcher bare = BARE.matcher(word);
            if (bare.matches()) {
                String v = env.getOrDefault(bare.group(1), "").strip();
                if (!v.isEmpty()) {
                    for (String part : v.split("\\s+")) {
                        argv.add(mapPath.apply(part));
                    }
                }
                continue;
            }
            Matcher braced = BRACED.matcher(word);
            StringBuilder sb = new StringBuilder();
            while (braced.find()) {
                braced.appendReplacement(sb, Matcher.quoteReplacement(env.getOrDefault(braced.group(1), "")));
            }
            braced.appendTail(sb);
            argv.add(mapPath.apply(sb.toString()));
        }
        return argv;
    }
}
