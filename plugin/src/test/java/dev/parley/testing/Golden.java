package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.model.ModelDims;
import dev.parley.sampler.Guidance;
import dev.parley.sampler.SamplingTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The committed pack and its PyTorch golden vectors ({@code golden/golden.json}, see
 * docs/model-pack.md): raw little-endian tensors named in an index.
 */
public final class Golden {

    /** The committed pack's folder. */
    public static Path pack() {
        return TestAssets.root().resolve("models/packs/parley-base-v1");
    }

    private final Path dir;
    private final JsonNode index;

    private Golden(Path dir, JsonNode index) {
        this.dir = dir;
        this.index = index;
    }

    /** @return the committed pack's golden vectors */
    public static Golden load() {
        return load(pack());
    }

    /**
     * @param pack a pack folder (not null)
     * @return that pack's golden vectors
     */
    public static Golden load(Path pack) {
        return loadFolder(pack.resolve("golden"));
    }

    /**
     * @param dir a folder of golden vectors with their {@code golden.json} (not null), e.g. a pack's
     *     {@code golden/adapter}
     * @return those golden vectors
     */
    public static Golden loadFolder(Path dir) {
        try {
            return new Golden(dir, new ObjectMapper().readTree(dir.resolve("golden.json").toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A golden DDIM run's window as a sampling task: its inputs (noise, previous motion, audio features,
     * style, shape) copied in, begun at the run's timesteps and first-window flag.
     *
     * @param run the run's entry in the index (not null)
     * @param dims the pack's dimensions (not null)
     * @param timesteps the run's timesteps (not null, kept by the task)
     * @param guidance the run's guidance (not null)
     * @return a new task, begun (not null)
     */
    public SamplingTask task(JsonNode run, ModelDims dims, int[] timesteps, Guidance guidance) {
        JsonNode in = run.get("inputs");
        SamplingTask task = new SamplingTask(dims);
        copy(floats(in.get("noise").asText()), task.x);
        copy(floats(in.get("prev_motion").asText()), task.prevMotion);
        copy(floats(in.get("audio_features").asText()), task.audioFeatures);
        copy(floats(in.get("style").asText()), task.style);
        copy(floats(in.get("shape").asText()), task.shape);
        task.begin(timesteps, run.get("firstWindow").asBoolean(), guidance);
        return task;
    }

    /**
     * @param from golden values (not null)
     * @param to receives them (not null, the same length, modified)
     */
    public static void copy(float[] from, float[] to) {
        assertEquals(to.length, from.length, "golden length");
        System.arraycopy(from, 0, to, 0, from.length);
    }

    /** @return the folder of the vectors (not null) */
    public Path folder() {
        return dir;
    }

    /** @return the whole index */
    public JsonNode index() {
        return index;
    }

    /**
     * @param name a tensor name of the index
     * @return its shape
     */
    public long[] shape(String name) {
        JsonNode s = tensor(name).get("shape");
        long[] shape = new long[s.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = s.get(i).asLong();
        }
        return shape;
    }

    /**
     * @param name a float32 tensor name of the index
     * @return its values, row-major
     */
    public float[] floats(String name) {
        ByteBuffer bb = bytes(name, "float32");
        float[] out = new float[bb.remaining() / 4];
        bb.asFloatBuffer().get(out);
        return out;
    }

    /**
     * @param name an int64 tensor name of the index
     * @return its values
     */
    public long[] longs(String name) {
        ByteBuffer bb = bytes(name, "int64");
        long[] out = new long[bb.remaining() / 8];
        bb.asLongBuffer().get(out);
        return out;
    }

    private JsonNode tensor(String name) {
        JsonNode t = index.get("tensors").get(name);
        if (t == null) {
            throw new IllegalArgumentException("golden.json has no tensor '" + name + "'");
        }
        return t;
    }

    private ByteBuffer bytes(String name, String dtype) {
        JsonNode t = tensor(name);
        if (!dtype.equals(t.get("dtype").asText())) {
            throw new IllegalArgumentException(name + " is " + t.get("dtype") + ", not " + dtype);
        }
        try {
            return ByteBuffer.wrap(Files.readAllBytes(dir.resolve(t.get("file").asText())))
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param a one array (not null)
     * @param b another of the same length (not null)
     * @return the largest absolute difference
     */
    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }
}
