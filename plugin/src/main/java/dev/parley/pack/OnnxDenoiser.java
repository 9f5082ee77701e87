package dev.parley.pack;

import static dev.parley.pack.TensorSpec.ANY;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.parley.model.ModelDims;
import dev.parley.sampler.Denoiser;
import dev.parley.sampler.DenoiserBatch;
import dev.parley.util.Validate;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pack's {@code denoiser.onnx} as a {@link Denoiser}. Since pack 1.4.0 the denoiser is two graphs: the
 * audio memory ({@link OnnxAudioMemory}: all the work on a window's audio) and the step, which reads that
 * memory instead of the features. This wrapper runs the memory once per row condition, not once per step:
 * rows whose {@link DenoiserBatch#audioKey} it has seen reuse the memory it kept (the
 * {@link #MEMORY_CACHE} most recent), null audio rows ({@code audio_mask} 0) share one memory computed
 * once per pack, and a row of the step's input that already holds the memory it needs is not rewritten.
 * A one-graph pack (before 1.4.0) runs as it always did: features and mask go into the one graph.
 *
 * <p>Buffers: the step's and the memory's tensors are allocated once per batch size over direct buffers;
 * the kept memories are arrays of this wrapper (never handed out), the least recent one's array reused
 * for a new window once {@link #MEMORY_CACHE} are kept. A run copies the batch's arrays in (memory rows
 * only where they changed) and the prediction out; a step of windows whose memories are known allocates
 * nothing, a new window a map entry. {@link #close()} closes every tensor and drops the memories. Not
 * thread-safe; the sessions are owned by the caller.
 */
public final class OnnxDenoiser extends OnnxGraph implements Denoiser {

    /** Noisy motion [B, Tw, M]. */
    static final String X_T = "x_t";
    /** The diffusion timestep per row, int64 [B]. */
    static final String TIMESTEP = "timestep";
    /** Normalised previous frames [B, Tp, M]. */
    static final String PREV_MOTION = "prev_motion";
    /** 1 for a line's first window [B]. */
    static final String FIRST_WINDOW = "first_window";
    /** Audio features [B, Tw, Da] (one-graph packs). */
    static final String AUDIO_FEATURES = OnnxAudioMemory.AUDIO_FEATURES;
    /** 1 where the audio condition is on [B] (one-graph packs). */
    static final String AUDIO_MASK = OnnxAudioMemory.AUDIO_MASK;
    /** The audio memory [B, layers, 3, Tw, width] (pack 1.4.0 on). */
    static final String AUDIO_MEMORY = OnnxAudioMemory.AUDIO_MEMORY;
    /** Style embedding [B, Ds]. */
    static final String STYLE = "style";
    /** 1 where the style condition is on [B]. */
    static final String STYLE_MASK = "style_mask";
    /** Shape [B, shape.dim]. */
    static final String SHAPE = "shape";
    /** The prediction of clean normalised motion [B, Tw, M]. */
    static final String X0 = "x0";
    /** Row memories kept for reuse: more than the windows a worker keeps in flight at once. */
    static final int MEMORY_CACHE = 32;
    /** The key of the null audio row's memory in a step input row. */
    private static final long NULL_AUDIO = Long.MIN_VALUE;

    private final OnnxAudioMemory memoryGraph;
    /** Kept memories by audio key, least recently used first. */
    private final LinkedHashMap<Long, float[]> memories = new LinkedHashMap<>(16, 0.75f, true);
    private final long[] misses = new long[4096];
    private final int[] missRows = new int[4096];
    private final int[] rowSource = new int[4096];
    private float[] nullMemory;
    private long memoryRuns;

    /**
     * Wraps open sessions of the graphs (see {@link OnnxGraph}: the pack keeps the sessions).
     *
     * @param memoryGraph the audio memory graph (not null) if {@code dims} have a memory, else null
     */
    OnnxDenoiser(OrtEnvironment env, OrtSession session, String file, ModelDims dims, OnnxAudioMemory memoryGraph) {
        super(env, session, file, dims, contract(dims));
        if ((memoryGraph == null) != (dims.memory() == null)) {
            throw new IllegalArgumentException("an audio memory graph goes with dimensions that have a memory");
        }
        this.memoryGraph = memoryGraph;
    }

    /** @return the graph's inputs and outputs as this wrapper calls them, the batch axis free (not null) */
    static List<TensorSpec> contract(ModelDims d) {
        long tw = d.windowFrames();
        long m = d.motionDim();
        List<TensorSpec> audio = d.memory() == null
                ? List.of(TensorSpec.floatInput(AUDIO_FEATURES, "window.current / audio.featureDim", ANY, tw,
                        d.audioDim()), TensorSpec.floatInput(AUDIO_MASK, null, ANY))
                : List.of(OnnxAudioMemory.contract(d).get(2).asInput());
        List<TensorSpec> all = new ArrayList<>(List.of(
                TensorSpec.floatInput(X_T, "window.current / motion.dim", ANY, tw, m),
                TensorSpec.longInput(TIMESTEP, ANY),
                TensorSpec.floatInput(PREV_MOTION, "window.previous / motion.dim", ANY, d.previousFrames(), m),
                TensorSpec.floatInput(FIRST_WINDOW, null, ANY)));
        all.addAll(audio);
        all.addAll(List.of(
                TensorSpec.floatInput(STYLE, "style.dim", ANY, d.styleDim()),
                TensorSpec.floatInput(STYLE_MASK, null, ANY),
                TensorSpec.floatInput(SHAPE, "shape.dim", ANY, d.shapeDim()),
                TensorSpec.floatOutput(X0, "window.current / motion.dim", ANY, tw, m)));
        return List.copyOf(all);
    }

    @Override
    public void predict(DenoiserBatch in, float[] x0) {
        predict(in, x0, null);
    }

    /**
     * {@link #predict(DenoiserBatch, float[])} with run options.
     *
     * @param in the batch (not null, unaffected)
     * @param x0 receives the predictions (not null, modified)
     * @param options run options (null for the defaults)
     */
    void predict(DenoiserBatch in, float[] x0, OrtSession.RunOptions options) {
        Validate.nonNull(in, "in");
        if (!in.dims.equals(dims)) {
            throw new IllegalArgumentException("batch dimensions " + in.dims + " are not the pack's " + dims);
        }
        Validate.length(x0, in.batch * in.windowSize(), "x0");
        TensorSlots s = slots(in.batch, () -> {
            TensorSlots t = new TensorSlots(env, file);
            contract.forEach(spec -> t.add(spec, in.batch));
            return t;
        });
        s.floats(X_T).put(0, in.xt);
        s.longs(TIMESTEP).put(0, in.timestep);
        s.floats(PREV_MOTION).put(0, in.prevMotion);
        s.floats(FIRST_WINDOW).put(0, in.firstWindow);
        if (memoryGraph == null) {
            s.floats(AUDIO_FEATURES).put(0, in.audioFeatures);
            s.floats(AUDIO_MASK).put(0, in.audioMask);
        } else {
            putMemory(in, s);
        }
        s.floats(STYLE).put(0, in.style);
        s.floats(STYLE_MASK).put(0, in.styleMask);
        s.floats(SHAPE).put(0, in.shape);
        s.run(session, options);
        s.floats(X0).get(0, x0);
    }

    /** @return audio memory graph runs so far (for tests: once per window and row condition, not per step) */
    long memoryRuns() {
        return memoryRuns;
    }

    /**
     * Writes each row's audio memory into the step's input: rows that already hold theirs are left alone,
     * kept memories are copied, the others computed in one run of the memory graph (once per key).
     */
    private void putMemory(DenoiserBatch in, TensorSlots s) {
        int size = dims.memorySize();
        FloatBuffer target = s.floats(AUDIO_MEMORY);
        long[] held = s.rowKeys(AUDIO_MEMORY, in.batch);
        int missing = 0;
        for (int r = 0; r < in.batch; r++) {
            long key = in.audioMask[r] == 0f ? NULL_AUDIO : in.audioKey[r];
            rowSource[r] = -1;
            if (key != 0 && key == held[r]) {
                continue;
            }
            float[] kept = key == NULL_AUDIO ? nullMemory() : key == 0 ? null : memories.get(key);
            if (kept != null) {
                target.put(r * size, kept, 0, size);
                held[r] = key;
                continue;
            }
            int i = key == 0 ? -1 : indexOf(misses, missing, key);
            if (i < 0) {
                i = missing++;
                misses[i] = key;
                missRows[i] = r;
            }
            rowSource[r] = i;
        }
        if (missing == 0) {
            return;
        }
        FloatBuffer computed = computeMisses(in, missing, size);
        for (int r = 0; r < in.batch; r++) {
            if (rowSource[r] >= 0) {
                target.put(r * size, computed, rowSource[r] * size, size);
                held[r] = misses[rowSource[r]];
            }
        }
    }

    /**
     * Runs the memory graph once over the rows that need a memory computed and keeps those with a key.
     *
     * @return the memories, one per miss in order (the graph's output buffer)
     */
    private FloatBuffer computeMisses(DenoiserBatch in, int missing, int size) {
        TensorSlots m = memoryGraph.slots(missing);
        int features = dims.windowFeatures();
        FloatBuffer f = m.floats(AUDIO_FEATURES);
        for (int i = 0; i < missing; i++) {
            f.put(i * features, in.audioFeatures, missRows[i] * features, features);
            m.floats(AUDIO_MASK).put(i, 1f);
        }
        FloatBuffer out = memoryGraph.run(m);
        memoryRuns++;
        for (int i = 0; i < missing; i++) {
            if (misses[i] != 0) {
                out.get(i * size, keep(misses[i], size), 0, size);
            }
        }
        return out;
    }

    /** @return an array kept for the key, recycling the least recently used one when the cache is full */
    private float[] keep(long key, int size) {
        float[] a;
        if (memories.size() >= MEMORY_CACHE) {
            Iterator<Map.Entry<Long, float[]>> eldest = memories.entrySet().iterator();
            a = eldest.next().getValue();
            eldest.remove();
        } else {
            a = new float[size];
        }
        memories.put(key, a);
        return a;
    }

    /** @return the null audio row's memory, computed on first use (the same for every window) */
    private float[] nullMemory() {
        if (nullMemory == null) {
            TensorSlots m = memoryGraph.slots(1);
            FloatBuffer f = m.floats(AUDIO_FEATURES);
            for (int i = 0; i < dims.windowFeatures(); i++) {
                f.put(i, 0f);
            }
            m.floats(AUDIO_MASK).put(0, 0f);
            float[] a = new float[dims.memorySize()];
            memoryGraph.run(m).get(0, a);
            memoryRuns++;
            nullMemory = a;
        }
        return nullMemory;
    }

    private static int indexOf(long[] keys, int n, long key) {
        for (int i = 0; i < n; i++) {
            if (keys[i] == key) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        super.close();
        memories.clear();
        nullMemory = null;
    }
}
