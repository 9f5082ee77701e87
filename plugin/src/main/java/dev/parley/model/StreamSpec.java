package dev.parley.model;

import dev.parley.util.Validate;

/**
 * A pack's streaming model (its manifest's {@code stream} section, pack 1.6.0 on; docs/model-pack.md): how a
 * streamed line is cut into short windows that hop as its audio arrives. Window {@code w} starts at frame
 * {@code s = w * hop} and holds {@link #window()} frames; it can be cut once the line's audio up to the end of
 * its last frame has arrived (or the line has ended). Its encoder hears the line from frame
 * {@code s - min(context, s)} to {@code s + window}, nothing later; the first {@code hop} frames of its motion
 * are kept, the rest dropped. So the model looks {@code lookahead} frames past the last frame kept and
 * {@code window} frames past the first. Sampled with the pack's guided DDIM at {@code steps} steps.
 *
 * @param hop frames kept per window (in [1, {@link ModelDims#MAX_FRAMES}])
 * @param lookahead frames of audio past the last kept frame (in [0, {@link ModelDims#MAX_FRAMES}])
 * @param context frames of the line's earlier audio the encoder hears at most (in [0, {@link ModelDims#MAX_FRAMES}])
 * @param window frames per window, {@code hop + lookahead}
 * @param steps the DDIM steps a stream window is sampled with (&ge;1)
 */
public record StreamSpec(int hop, int lookahead, int context, int window, int steps) {

    /**
     * Checks the values (each as described in the class comment; the manifest reports a bad field by name
     * before it gets here).
     *
     * @param hop see {@link #hop()}
     * @param lookahead see {@link #lookahead()}
     * @param context see {@link #context()}
     * @param window see {@link #window()}
     * @param steps see {@link #steps()}
     */
    public StreamSpec {
        Validate.inRange(hop, 1, ModelDims.MAX_FRAMES, "hop");
        Validate.inRange(lookahead, 0, ModelDims.MAX_FRAMES, "lookahead");
        Validate.inRange(context, 0, ModelDims.MAX_FRAMES, "context");
        if (window != hop + lookahead) {
            throw new IllegalArgumentException("window must be hop + lookahead = " + (hop + lookahead) + " but is "
                    + window);
        }
        Validate.inRange(steps, 1, 100_000, "steps");
    }

    /**
     * @param window the window index (&ge;0)
     * @return the line frame the window starts at
     */
    public long start(long window) {
        return window * hop;
    }

    /**
     * @param start the window's first frame (&ge;0)
     * @return frames of earlier audio its encoder hears: {@code min(context, start)}
     */
    public int contextAt(long start) {
        return (int) Math.min(context, start);
    }

    /**
     * @param full the pack's dimensions (not null)
     * @return the stream graphs' dimensions: the pack's, with {@link #window()} frames per window
     */
    public ModelDims dims(ModelDims full) {
        return new ModelDims(full.sampleRate(), full.samplesPerFrame(), full.audioDim(), window, full.previousFrames(),
                full.motionDim(), full.styleDim(), full.styleFrames(), full.shapeDim(), full.memory());
    }
}
