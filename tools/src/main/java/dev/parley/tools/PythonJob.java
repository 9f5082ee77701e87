package dev.parley.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.util.Validate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one of Parley's Python jobs ({@code python3 -m parley JOB}, in the models folder) for a tool that needs
 * what only PyTorch does (gradients). Finds the interpreter and the folder, checks them before any work with a
 * message a user can act on, and feeds the job's JSON lines (its {@code --progress-json} output) to the caller.
 * The job runs as a child process; it is destroyed if the tool's JVM exits first (Ctrl-C).
 */
final class PythonJob {

    /** The environment variable naming the Python interpreter when {@code --python} does not. */
    static final String PYTHON_ENV = "PARLEY_PYTHON";
    /** The environment variable naming the models folder when {@code --models} does not. */
    static final String MODELS_ENV = "PARLEY_MODELS";
    /**
     * The interpreter used when neither the option nor the environment names one and it exists: Debian's, which
     * Parley's scripts use and install python3-torch for (scripts/setup-debian.sh).
     */
    static final String DEBIAN_PYTHON = "/usr/bin/python3";
    /** The interpreter used when nothing names one and Debian's is not there: the first on the PATH. */
    static final String DEFAULT_PYTHON = "python3";
    /** The oldest Python the jobs run on. */
    static final int[] MIN_VERSION = {3, 9};
    /** The file that marks Parley's models folder. */
    static final String MARKER = "parley/__main__.py";
    /** How long the interpreter check may take (importing torch on a busy machine takes seconds). */
    static final long PROBE_SECONDS = 180;
    /** Characters of the job's stderr kept for a failure's message. */
    static final int TAIL_CHARS = 4000;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Python 2 and 3 alike: its version, then whether torch and numpy import (the first missing one). */
    private static final String PROBE = String.join("\n", "import sys",
            "print('python %d.%d' % sys.version_info[:2])",
            "try:",
            "    import torch, numpy",
            "    print('torch ' + torch.__version__)",
            "except ImportError as e:",
            "    print('missing ' + str(getattr(e, 'name', None) or e))");

    private final String command;
    private final String python;
    private final Path models;

    private PythonJob(String command, String python, Path models) {
        this.command = command;
        this.python = python;
        this.models = models;
    }

    /**
     * Finds the interpreter and the models folder and checks both: the folder holds Parley's Python package,
     * the interpreter runs, is Python 3.9 or later and imports torch and numpy.
     *
     * @param command the tool command for messages, e.g. {@code adapt} (printed after {@code parley-tool: }; not null)
     * @param python the {@code --python} option, or null for {@value #PYTHON_ENV}, else {@value #DEBIAN_PYTHON} if
     *     it exists, else {@value #DEFAULT_PYTHON}
     * @param models the {@code --models} option, or null for {@value #MODELS_ENV}, else {@code models/} under
     *     the repository root ({@link Roots#root()})
     * @return the checked job runner (not null)
     * @throws IllegalStateException naming what is missing and how to supply it
     */
    static PythonJob find(String command, String python, Path models) {
        Validate.nonNull(command, "command");
        String exe = python != null ? python : orElse(System.getenv(PYTHON_ENV),
                Files.isRegularFile(Path.of(DEBIAN_PYTHON)) ? DEBIAN_PYTHON : DEFAULT_PYTHON);
        Path folder = models != null ? models : modelsFolder();
        if (!Files.isRegularFile(folder.resolve(MARKER))) {
            throw new IllegalStateException(folder + " is not Parley's models folder (no " + MARKER
                    + "): pass --models DIR or set " + MODELS_ENV);
        }
        PythonJob job = new PythonJob(command, exe, folder.toAbsolutePath());
        job.probe();
        return job;
    }

    /** @return the interpreter's command (not null) */
    String python() {
        return python;
    }

    /**
     * Runs {@code python -m parley ARGS} in the models folder and waits for it.
     *
     * @param args the job and its arguments, e.g. {@code adapt ... --progress-json} (not null, unaffected)
     * @param onEvent called on this thread with each JSON object the job prints on stdout (not null)
     * @return the exit status and the end of what the job printed that was not JSON (not null)
     * @throws IOException if the job cannot be started or its output read
     * @throws InterruptedException if this thread is interrupted while waiting (the job is stopped)
     */
    Result run(List<String> args, Consumer<JsonNode> onEvent) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python, "-m", "parley"));
        cmd.addAll(args);
        Process p = start(cmd);
        Thread killer = new Thread(p::destroyForcibly, "parley-python-job-stop");
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            Tail tail = new Tail();
            Thread errors = tail.drain(p.getErrorStream());
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    JsonNode event = line.startsWith("{") ? parse(line) : null;
                    if (event != null) {
                        onEvent.accept(event);
                    } else {
                        tail.add(line);
                    }
                }
            }
            int status = p.waitFor();
            errors.join();
            return new Result(status, tail.text());
        } finally {
            p.destroyForcibly();
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down: the hook stops the job.
            }
        }
    }

    /**
     * What a job left behind.
     *
     * @param status its exit status
     * @param tail the last lines it printed that were not JSON events, stderr included (not null)
     */
    record Result(int status, String tail) {

        /** @return the tail's last non-blank line (a Python traceback's ends with the exception), or "" */
        String lastLine() {
            List<String> lines = tail.lines().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
        }
    }

    // ---- checks ----

    private static Path modelsFolder() {
        String env = System.getenv(MODELS_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        try {
            return Roots.root().resolve("models");
        } catch (IllegalStateException e) {
            throw new IllegalStateException("cannot find Parley's models folder (its Python jobs): pass --models DIR"
                    + " or set " + MODELS_ENV + " (" + e.getMessage() + ")", e);
        }
    }

    private void probe() {
        String needs = command + " needs Python " + MIN_VERSION[0] + "." + MIN_VERSION[1]
                + "+ with PyTorch (python3-torch)";
        String fix = ": pass --python PATH or set " + PYTHON_ENV;
        List<String> lines = new ArrayList<>();
        int status;
        try {
            Process p = start(List.of(python, "-c", PROBE));
            Tail tail = new Tail();
            Thread errors = tail.drain(p.getErrorStream());
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                r.lines().limit(16).forEach(lines::add);
            }
            if (!p.waitFor(PROBE_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(needs + ", but '" + python + "' did not answer within "
                        + PROBE_SECONDS + " s" + fix);
            }
            errors.join();
            status = p.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException(needs + ", but '" + python + "' cannot be run (" + reason(e) + ")" + fix,
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(needs + ": interrupted while checking '" + python + "'", e);
        }
        String version = lines.isEmpty() || !lines.get(0).startsWith("python ") ? null
                : lines.get(0).substring("python ".length()).strip();
        if (version == null) {
            throw new IllegalStateException(needs + ", but '" + python + "' exited with status " + status
                    + " without saying its Python version (is it Python?)" + fix);
        }
        if (!atLeast(version)) {
            throw new IllegalStateException(needs + ", but '" + python + "' is Python " + version + fix);
        }
        String answer = lines.size() > 1 ? lines.get(1) : "";
        if (answer.startsWith("missing ")) {
            String module = answer.substring("missing ".length()).strip();
            throw new IllegalStateException(needs + ", but '" + python + "' (Python " + version
                    + ") cannot import " + module + ": install it (Debian: apt-get install python3-" + module
                    + "), or pass --python PATH or set " + PYTHON_ENV + " to a Python that has it");
        }
        if (status != 0 || !answer.startsWith("torch ")) {
            throw new IllegalStateException(needs + ", but checking '" + python + "' (Python " + version
                    + ") failed with status " + status + fix);
        }
    }

    private Process start(List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(models.toFile());
        pb.environment().put("PYTHONUNBUFFERED", "1");
        Process p = pb.start();
        p.getOutputStream().close();
        return p;
    }

    /** @return an IOException's cause as the OS says it ("No such file or directory"), without Java's prefix */
    private static String reason(IOException e) {
        String m = String.valueOf(e.getMessage());
        int at = m.indexOf("error=");
        int comma = at < 0 ? -1 : m.indexOf(", ", at);
        return comma < 0 ? m : m.substring(comma + 2);
    }

    private static boolean atLeast(String version) {
        String[] parts = version.split("\\.");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > MIN_VERSION[0] || major == MIN_VERSION[0] && minor >= MIN_VERSION[1];
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static JsonNode parse(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    /** The last {@value #TAIL_CHARS} characters of a process's text output, from any thread. */
    private static final class Tail {
        private final StringBuilder text = new StringBuilder();

        synchronized void add(String line) {
            text.append(line).append('\n');
            if (text.length() > 2 * TAIL_CHARS) {
                text.delete(0, text.length() - TAIL_CHARS);
            }
        }

        synchronized String text() {
            return text.length() > TAIL_CHARS ? text.substring(text.length() - TAIL_CHARS) : text.toString();
        }

        /** @return a started daemon thread reading the stream to its end into this tail */
        Thread drain(InputStream in) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        add(line);
                    }
                } catch (IOException e) {
                    add("(reading the job's output failed: " + e.getMessage() + ")");
                }
            }, "parley-python-job-stderr");
            t.setDaemon(true);
            t.start();
            return t;
        }
    }
}
