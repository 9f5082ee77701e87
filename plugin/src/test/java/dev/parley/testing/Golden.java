package dev.parley.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
        Path dir = pack.resolve("golden");
        try {
            return new Golden(dir, new ObjectMapper().readTree(dir.resolve("golden.json").toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
