package dev.parley.retarget;

import com.fasterxml.jackson.databind.JsonNode;
import com.jme3.asset.AssetLoadException;
import com.jme3.asset.AssetManager;
import com.jme3.asset.AssetNotFoundException;
import dev.parley.util.AssetFormatException;
import dev.parley.util.JsonFields;
import dev.parley.util.Validate;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One retarget asset ({@code *.retarget.json}, format {@value #FORMAT} version {@value #VERSION}, written by
 * {@code models/parley/retarget/solve.py}): a target set's names in weight order, its constraint, and the
 * fitted solve ({@code A}, {@code C}, {@code G}, step, iterations) that {@link Retargeter} runs per frame,
 * with golden frames a port checks itself against. Validated on load: every error names the file, the
 * field, what was expected and what was found. Immutable and safe to share between threads.
 */
public final class RetargetSet {

    /** The format tag of retarget files. */
    public static final String FORMAT = "parley-retarget";
    /** The version this reader understands. */
    public static final int VERSION = 1;
    /**
     * Largest retarget file read, in bytes (4 MiB; ARKit's 52 targets take 167 KB, so this allows sets of a few
     * hundred targets). A larger file is refused before parsing: loading may run on the render thread.
     */
    public static final int MAX_BYTES = 4 << 20;
    /** Most solve iterations accepted (the shipped sets use 60). */
    public static final int MAX_ITERATIONS = 10_000;
    /**
     * The largest magnitude of any number in a set. Fitted sets stay below 1e8 (ARKit's 52 targets: 3.1e7); beyond
     * 1e12 the solve's products could overflow to infinity and give NaN weights.
     */
    public static final double MAX_MAGNITUDE = 1e12;

    /** The per-frame features after the expression weights, as the asset names them (see solve.py). */
    static final List<String> JAW_FEATURES = List.of("jaw.x", "jaw.y", "jaw.z", "jaw.x*jaw.x", "jaw.y*jaw.y",
            "jaw.z*jaw.z", "jaw.x*jaw.y", "jaw.x*jaw.z", "jaw.y*jaw.z");
    private static final String EXPRESSION_PREFIX = "expression.";
    private static final String TIMES_JAW_OPEN = "*jaw.x";
    private static final Logger LOG = Logger.getLogger(RetargetSet.class.getName());

    /** How the solved weights are constrained. */
    public enum Projection {
        /** Each weight clamped to [0, 1] (ARKit, VRM). */
        BOX("box"),
        /** A convex mix: weights non-negative, summing to at most 1, the rest target taking the slack (visemes). */
        CONVEX("convex");

        private final String jsonName;

        Projection(String jsonName) {
            this.jsonName = jsonName;
        }

        /** @return the name the asset's {@code constraint} field uses (not null) */
        public String jsonName() {
            return jsonName;
        }
    }

    private final String source;
    private final String id;
    private final String title;
    private final String headName;
    private final List<String> targetNames;
    private final List<String> descriptions;
    private final Projection projection;
    private final int restIndex;
    private final int[] activeTargets;
    private final int motionDim;
    private final List<String> expressionNames;
    private final int featureCount;
    private final double[] a;
    private final double[] c;
    private final double[] g;
    private final double step;
    private final int iterations;
    private final double[][] goldenMotion;
    private final double[][] goldenWeights;

    private RetargetSet(String source, JsonNode root) {
        JsonFields f = new JsonFields(source);
        this.source = source;
        f.formatAndVersion(root, FORMAT, VERSION);
        id = nonEmpty(f, root, "id", "id");
        title = f.string(root, "title", "title");
        headName = nonEmpty(f, f.require(root, "head", "head"), "name", "head.name");

        JsonNode targets = f.array(root, "targets", "targets", -1);
        if (targets.isEmpty()) {
            throw new AssetFormatException(source, "targets", "expected at least one target but got none");
        }
        List<String> names = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            String name = nonEmpty(f, targets.get(i), "name", "targets[" + i + "].name");
            if (names.contains(name)) {
                throw new AssetFormatException(source, "targets[" + i + "].name", "repeats target '" + name + "'");
            }
            names.add(name);
            JsonNode text = targets.get(i).get("description");
            texts.add(text == null || !text.isTextual() ? "" : text.asText());
        }
        targetNames = Collections.unmodifiableList(names);
        descriptions = Collections.unmodifiableList(texts);

        String constraint = f.string(root, "constraint", "constraint");
        Projection p = null;
        for (Projection candidate : Projection.values()) {
            p = candidate.jsonName().equals(constraint) ? candidate : p;
        }
        if (p == null) {
            throw new AssetFormatException(source, "constraint", "expected 'box' or 'convex' but got '"
                    + constraint + "'");
        }
        projection = p;
        JsonNode rest = root.get("rest");
        if (rest == null || rest.isNull()) {
            restIndex = -1;
        } else if (!rest.isTextual() || !names.contains(rest.asText())) {
            throw new AssetFormatException(source, "rest", "expected null or one of the targets " + names
                    + " but got " + rest);
        } else {
            restIndex = names.indexOf(rest.asText());
        }

        JsonNode input = f.require(root, "input", "input");
        motionDim = f.integer(input, "motionDim", "input.motionDim");
        expressionNames = readFeatures(f, input);
        featureCount = 2 * expressionNames.size() + JAW_FEATURES.size();
        if (motionDim < expressionNames.size() + 3) {
            throw new AssetFormatException(source, "input.motionDim", "expected at least "
                    + (expressionNames.size() + 3) + " (the expression weights and the jaw) but got " + motionDim);
        }

        JsonNode solve = f.require(root, "solve", "solve");
        activeTargets = readActive(f, solve, names);
        int k = activeTargets.length;
        iterations = f.integer(solve, "iterations", "solve.iterations");
        if (iterations < 0 || iterations > MAX_ITERATIONS) {
            throw new AssetFormatException(source, "solve.iterations", "expected an integer in [0, "
                    + MAX_ITERATIONS + "] but got " + iterations);
        }
        JsonNode stepNode = f.require(solve, "step", "solve.step");
        step = stepNode.asDouble();
        if (!stepNode.isNumber() || !(step > 0) || !Double.isFinite(step)) {
            throw new AssetFormatException(source, "solve.step", "expected a finite positive number but got "
                    + (stepNode.isNumber() ? String.valueOf(step) : stepNode));
        }
        a = matrix(f, solve, "A", "solve.A", k, featureCount);
        c = matrix(f, solve, "C", "solve.C", k, featureCount);
        g = matrix(f, solve, "G", "solve.G", k, k);
        double lambda = largestEigenvalue(g, k);
        if (step * lambda > 1.01) {
            // FISTA converges for step <= 1 / the largest eigenvalue of G; beyond it the weights diverge.
            throw new AssetFormatException(source, "solve.step", "expected at most 1 / " + (float) lambda
                    + " (the largest eigenvalue of solve.G) = " + (float) (1 / lambda) + " but got " + step);
        }

        JsonNode golden = f.require(root, "golden", "golden");
        int frames = f.array(golden, "motion", "golden.motion", -1).size();
        if (frames == 0) {
            throw new AssetFormatException(source, "golden.motion", "expected at least one golden frame but got none");
        }
        goldenMotion = rows(f, golden, "motion", "golden.motion", frames, motionDim);
        goldenWeights = rows(f, golden, "weights", "golden.weights", frames, names.size());
    }

    /**
     * Reads and validates a set. At most {@link #MAX_BYTES} + 1 bytes are read; a larger file is refused
     * before any parsing.
     *
     * @param in the JSON (not null, read to its end or to the limit, not closed)
     * @param source the file name for messages (not null)
     * @return a new set (not null)
     * @throws AssetFormatException naming the file and field of any problem, or the limit
     */
    public static RetargetSet read(InputStream in, String source) {
        byte[] bytes = JsonFields.readAtMost(in, source, MAX_BYTES,
                "retarget files (ARKit's 52 targets take 167 KB)");
        // Python's json writes a failed fit's NaN as a bare token: parse it so the error names its field.
        return new RetargetSet(source, JsonFields.readObject(new ByteArrayInputStream(bytes), source, true));
    }

    /**
     * Reads and validates a set from a file.
     *
     * @param file the {@code *.retarget.json} file (not null)
     * @return a new set (not null)
     * @throws AssetFormatException if the file is missing, unreadable or invalid
     */
    public static RetargetSet load(Path file) {
        return JsonFields.readFile(file, RetargetSet::read);
    }

    /**
     * Loads a set through an asset manager (registering {@link RetargetLoader} if needed); the manager's
     * cache shares it.
     *
     * @param assetManager the asset manager (not null)
     * @param assetPath e.g. {@code Retargets/arkit52.retarget.json} (not null, not empty)
     * @return the set (not null)
     * @throws AssetFormatException if the asset is invalid
     * @throws com.jme3.asset.AssetNotFoundException if no locator finds it
     */
    public static RetargetSet load(AssetManager assetManager, String assetPath) {
        RetargetKey.register(assetManager);
        return assetManager.loadAsset(new RetargetKey(assetPath));
    }

    /**
     * Loads a set for a game that goes on without it: a missing or broken asset is logged once as a warning
     * naming the problem, and costs only the rig that wanted it.
     *
     * @param assetManager the asset manager (not null)
     * @param assetPath e.g. {@code Retargets/arkit52.retarget.json} (not null, not empty)
     * @return the set, or empty if it could not be loaded (not null)
     */
    public static Optional<RetargetSet> loadOrWarn(AssetManager assetManager, String assetPath) {
        Validate.nonNull(assetManager, "assetManager");
        Validate.nonEmpty(assetPath, "assetPath");
        try {
            return Optional.of(load(assetManager, assetPath));
        } catch (AssetFormatException | AssetLoadException | AssetNotFoundException e) {
            Throwable cause = e;
            while (!(cause instanceof AssetFormatException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            LOG.log(Level.WARNING, "Retarget set {0} not loaded, its rigs get no retargeted weights: {1}",
                    new Object[] {assetPath, cause.getMessage()});
            return Optional.empty();
        }
    }

    private static String nonEmpty(JsonFields f, JsonNode parent, String name, String path) {
        String s = f.string(parent, name, path);
        if (s.isEmpty()) {
            throw new AssetFormatException(f.source(), path, "expected a non-empty string but got ''");
        }
        return s;
    }

    /** The feature names fix the feature definition: expression weights, the jaw terms, expression * jaw.x. */
    private static List<String> readFeatures(JsonFields f, JsonNode input) {
        JsonNode node = f.array(input, "features", "input.features", -1);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String s = node.get(i).asText("");
            if (!node.get(i).isTextual() || !s.startsWith(EXPRESSION_PREFIX) || s.contains("*")) {
                break;
            }
            names.add(s.substring(EXPRESSION_PREFIX.length()));
        }
        int e = names.size();
        if (e == 0 || node.size() != 2 * e + JAW_FEATURES.size()) {
            throw new AssetFormatException(f.source(), "input.features", "expected 2 x " + e + " + "
                    + JAW_FEATURES.size() + " = " + (2 * e + JAW_FEATURES.size()) + " entries for " + e
                    + " expression weights (expression.*, the jaw terms, expression.* * jaw.x) but got "
                    + node.size());
        }
        for (int i = e; i < node.size(); i++) {
            String expected = i < e + JAW_FEATURES.size() ? JAW_FEATURES.get(i - e)
                    : EXPRESSION_PREFIX + names.get(i - e - JAW_FEATURES.size()) + TIMES_JAW_OPEN;
            if (!expected.equals(node.get(i).asText(null))) {
                throw new AssetFormatException(f.source(), "input.features[" + i + "]", "expected '" + expected
                        + "' but got " + node.get(i));
            }
        }
        return Collections.unmodifiableList(names);
    }

    /** The solved targets: every target but the rest one, each once. */
    private int[] readActive(JsonFields f, JsonNode solve, List<String> names) {
        JsonNode node = f.array(solve, "active", "solve.active", names.size() - (restIndex < 0 ? 0 : 1));
        int[] out = new int[node.size()];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < out.length; i++) {
            String name = node.get(i).asText(null);
            out[i] = name == null ? -1 : names.indexOf(name);
            if (out[i] < 0 || out[i] == restIndex || !seen.add(name)) {
                throw new AssetFormatException(f.source(), "solve.active[" + i + "]", "expected a target other than"
                        + " the rest target, each once, but got " + node.get(i));
            }
        }
        return out;
    }

    /** Power iteration from the all-ones vector: G is T'VT plus a ridge, symmetric positive definite. */
    private static double largestEigenvalue(double[] m, int k) {
        double[] v = new double[k];
        double[] next = new double[k];
        java.util.Arrays.fill(v, 1.0 / Math.sqrt(k));
        double lambda = 0.0;
        for (int it = 0; it < 500; it++) {
            double norm = 0.0;
            for (int i = 0; i < k; i++) {
                double s = 0.0;
                for (int j = 0; j < k; j++) {
                    s += m[i * k + j] * v[j];
                }
                next[i] = s;
                norm += s * s;
            }
            norm = Math.sqrt(norm);
            if (!(norm > 0) || !Double.isFinite(norm)) {
                return norm;
            }
            for (int i = 0; i < k; i++) {
                v[i] = next[i] / norm;
            }
            boolean settled = Math.abs(norm - lambda) <= 1e-9 * norm;
            lambda = norm;
            if (settled) {
                break;
            }
        }
        return lambda;
    }

    private static double[] matrix(JsonFields f, JsonNode parent, String name, String path, int rows, int cols) {
        double[][] r = rows(f, parent, name, path, rows, cols);
        double[] out = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(r[i], 0, out, i * cols, cols);
        }
        return out;
    }

    private static double[][] rows(JsonFields f, JsonNode parent, String name, String path, int rows, int cols) {
        JsonNode node = f.array(parent, name, path, rows);
        double[][] out = new double[rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = f.doubles(node.get(i), path + "[" + i + "]", cols);
            for (int j = 0; j < cols; j++) {
                if (Math.abs(out[i][j]) > MAX_MAGNITUDE) {
                    throw new AssetFormatException(f.source(), path + "[" + i + "][" + j + "]",
                            "expected a number within +-" + MAX_MAGNITUDE + " but got " + out[i][j]);
                }
            }
        }
        return out;
    }

    /** @return the file name used in messages (not null) */
    public String source() {
        return source;
    }

    /** @return the set's id, e.g. {@code arkit52} (not null) */
    public String id() {
        return id;
    }

    /** @return the set's title (not null) */
    public String title() {
        return title;
    }

    /** @return the head the solve was fitted on, e.g. {@code ParleyHead} (not null) */
    public String headName() {
        return headName;
    }

    /** @return the number of targets, the length of {@link Retargeter}'s weights */
    public int targetCount() {
        return targetNames.size();
    }

    /** @return the target names in weight order (not null, unmodifiable) */
    public List<String> targetNames() {
        return targetNames;
    }

    /**
     * @param target a target index (in [0, targetCount))
     * @return what the target does, as the asset describes it (not null, may be empty)
     */
    public String targetDescription(int target) {
        return descriptions.get(target);
    }

    /** @return the constraint on the weights (not null) */
    public Projection projection() {
        return projection;
    }

    /** @return the index of the rest target that takes the slack of a convex mix, or -1 if none */
    public int restIndex() {
        return restIndex;
    }

    /** @return the motion vector length the set was made for (56 for Parley's packs) */
    public int motionDim() {
        return motionDim;
    }

    /** @return the expression components the features read, in order (not null, unmodifiable) */
    public List<String> expressionNames() {
        return expressionNames;
    }

    /** @return the number of per-frame features (2 x expression count + 9) */
    public int featureCount() {
        return featureCount;
    }

    /** @return the number of FISTA iterations per frame (&ge;0) */
    public int iterations() {
        return iterations;
    }

    /** @return the gradient step (&gt;0) */
    public double step() {
        return step;
    }

    /** @return the number of golden frames (&ge;1) */
    public int goldenCount() {
        return goldenMotion.length;
    }

    /**
     * @param frame a golden frame's index (in [0, goldenCount))
     * @return a new copy of its motion vector (length {@link #motionDim})
     */
    public double[] goldenMotion(int frame) {
        return goldenMotion[frame].clone();
    }

    /**
     * @param frame a golden frame's index (in [0, goldenCount))
     * @return a new copy of the weights the Python solve gives it (length {@link #targetCount})
     */
    public double[] goldenWeights(int frame) {
        return goldenWeights[frame].clone();
    }

    /** The solved targets' indices, in the order of the matrices' rows (the array itself: do not modify). */
    int[] activeTargets() {
        return activeTargets;
    }

    /** A [K x F] row-major (the array itself: do not modify). */
    double[] a() {
        return a;
    }

    /** C [K x F] row-major (the array itself: do not modify). */
    double[] c() {
        return c;
    }

    /** G [K x K] row-major (the array itself: do not modify). */
    double[] g() {
        return g;
    }

    @Override
    public String toString() {
        return "RetargetSet[" + id + " from " + source + ", " + targetNames.size() + " targets, " + projection + "]";
    }
}
