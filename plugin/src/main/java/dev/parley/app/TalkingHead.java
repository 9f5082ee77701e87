package dev.parley.app;

import com.jme3.audio.AudioData;
import com.jme3.audio.AudioKey;
import com.jme3.audio.AudioNode;
import com.jme3.audio.AudioSource;
import com.jme3.audio.AudioStream;
import com.jme3.export.JmeExporter;
import com.jme3.export.JmeImporter;
import com.jme3.math.Vector3f;
import com.jme3.renderer.RenderManager;
import com.jme3.renderer.ViewPort;
import com.jme3.scene.Spatial;
import com.jme3.scene.control.AbstractControl;
import dev.parley.audio.AudioDataReader;
import dev.parley.audio.AudioInputException;
import dev.parley.audio.AudioLimits;
import dev.parley.audio.AudioStreamReader;
import dev.parley.audio.CapturedPcmReader;
import dev.parley.features.LineAudio;
import dev.parley.head.MotionLayout;
import dev.parley.motion.IdleMotion;
import dev.parley.motion.MotionFrame;
import dev.parley.motion.MotionTrack;
import dev.parley.motion.SpeechMixer;
import dev.parley.rig.FaceRigControl;
import dev.parley.rig.RigNames;
import dev.parley.style.Adapter;
import dev.parley.style.Style;
import dev.parley.util.Validate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.logging.Logger;

/**
 * A character that talks: give it a line ({@link #say(AudioNode)}, {@link #say(float[], int)} or a
 * {@link #sayStream(int) stream}) and its face moves with it in its own style, in sync with the audio,
 * then returns to idle (blinks, breathing, head micro-motion, eyes that look at a target with small
 * saccades). Made by {@link ParleyAppState#attach}; lives on the model's skinned spatial, just before
 * its {@link FaceRigControl}.
 *
 * <p>The motion comes from the head's {@link MotionSource}: the audio-driven model by default, or the
 * energy jaw, a baked clip or the game's own; the clock, the blending with idle motion and the
 * listeners are the same for all.
 *
 * <p>Render thread only: call every method from the update loop or a task queued with
 * {@code app.enqueue}. Listeners are called on the render thread too. Inference runs on Parley's
 * worker; windows of motion come back through a lock-free queue polled here once per frame.
 *
 * <p>Faults never throw out of a line call: bad audio, a model producing NaN, a missing or mismatched
 * pack or style, or a rig that could not be bound end the line through
 * {@link LineListener#failed} and the log, and the face returns to idle.
 *
 * <p>A talking head belongs to its {@link ParleyAppState} and is neither cloned nor saved: cloning a
 * model that carries one, or saving it, throws {@link UnsupportedOperationException}. Clone or save
 * the model before {@link ParleyAppState#attach} (or after {@link ParleyAppState#detach}), then attach
 * the clone or the loaded model to make another character.
 */
public class TalkingHead extends AbstractControl {

    /**
     * Extra seconds a streamed line's face waits after its first window, absorbing producer jitter: streams on
     * full windows (packs without a stream model, or {@code ServiceSettings.withStreamModel(false)}).
     */
    public static final float STREAM_DELAY = 0.25f;
    /**
     * The same for a streamed line on the pack's stream model, whose windows arrive every 80 ms: the producer's
     * jitter and the spread of the windows' compute. Chosen from measurement (docs/runtime.md, "Latency"): lines
     * of 20 ms chunks in real time, 10-step windows, needed 28 ms median and 52 ms p95 on a loaded 2-core machine,
     * and faces lacked motion 4 ms per 2.5 s line with 50 ms as with 60 ms.
     */
    public static final float STREAM_MODEL_DELAY = 0.05f;
    /** Frames a line's track holds before it grows. */
    private static final int TRACK_FRAMES = 256;
    /** Seconds of motion kept behind the playhead. */
    private static final float KEEP_BEHIND = 1f;

    private static final Logger LOG = Logger.getLogger(TalkingHead.class.getName());

    private final ParleyAppState parley;
    private final String name;
    private final FaceRigControl face;
    private final RigNames names;
    private final Exception bindError;
    private final List<LineListener> listeners = new ArrayList<>();
    private final ArrayDeque<Runnable> events = new ArrayDeque<>();
    private final Random seeds;
    private Style style;
    private Adapter adapter;
    private float[] shape;
    private LineOptions defaults = LineOptions.DEFAULTS;

    private final IdleMotion idle;
    private final MotionFrame idleFrame;
    private final MotionFrame speechFrame;
    private final SpeechMixer mixer;
    private final EyeGaze gaze;
    private final SpeechClock clock = new SpeechClock();
    private MotionSource source = MotionSource.model();
    private MotionSource.Motion motion;
    private MotionTrack track;
    private MotionLayout trackLayout;

    private Line line;
    private AudioNode audio;
    private boolean audioStarted;
    private boolean streaming;
    private SpeechStream stream;
    private long streamWritten;
    private float streamIdle;
    private boolean detached;

    TalkingHead(ParleyAppState parley, String name, FaceRigControl face, RigNames names, Style style, float[] shape,
            Exception bindError, long seed) {
        this.parley = parley;
        this.name = name;
        this.face = face;
        this.names = names;
        this.bindError = bindError;
        this.style = style;
        this.shape = shape;
        this.seeds = new Random(seed);
        int expressions = face != null ? face.getRig().expressionCount() : 0;
        List<String> targets = names != null ? names.morphTargets() : List.of();
        idle = new IdleMotion(seed, targets.indexOf("blink_L"), targets.indexOf("blink_R"),
                targets.indexOf("lip_close"));
        idleFrame = new MotionFrame(expressions);
        speechFrame = new MotionFrame(expressions);
        mixer = new SpeechMixer(targets.indexOf("blink_L"), targets.indexOf("blink_R"));
        gaze = face != null ? new EyeGaze(face.getRig()) : null;
    }

    /** @return the character's name, for messages (not null) */
    public String getName() {
        return name;
    }

    /** @return the face control this head drives, or null if the rig could not be bound */
    public FaceRigControl getFace() {
        return face;
    }

    /** @return why the rig could not be bound, or null */
    public Exception getBindError() {
        return bindError;
    }

    /** @return the speaking style (null = no style condition) */
    public Style getStyle() {
        return style;
    }

    /**
     * Sets the speaking style for the next lines. A style from another pack, or of another dimension,
     * fails those lines through the listeners.
     *
     * @param style the style, or null for none (the model's unconditioned style)
     */
    public void setStyle(Style style) {
        this.style = style;
    }

    /** @return the expression adapter the next lines run with, or null for the plain model */
    public Adapter getAdapter() {
        return adapter;
    }

    /**
     * Gives the character an expression adapter (docs/adapters.md) for the next lines, or takes it away. The
     * adapter is checked here against the pack (its id, version and the SHA-256 of its denoiser): one fitted
     * for another pack is refused and the character keeps what it had (the plain model if it had no adapter).
     * Parley's worker then merges it into the pack's denoiser, once per distinct adapter however many
     * characters share it; characters of one adapter batch together, one denoiser run per adapter and step.
     * An adapted line runs the guided DDIM (the adapter is fitted to it, not to the distilled student) at the
     * line's steps and guidance. The adapter does not set the style: give the character its take's style
     * ({@link Adapter#style()}) with {@link #setStyle} if you want both.
     *
     * @param adapter the adapter (null = the plain model)
     * @throws dev.parley.util.AssetFormatException naming the adapter file, the field, the pack's value and the
     *     adapter's, where it was fitted for another pack (the character keeps its adapter)
     * @throws IllegalStateException if the pack could not be read (no adapter can run; the character keeps its
     *     adapter)
     */
    public void setAdapter(Adapter adapter) {
        if (adapter != null) {
            parley.checkAdapter(adapter);
        }
        this.adapter = adapter;
    }

    /**
     * @return the face shape (beta) the model's motion is conditioned on: a new array, empty for the mean
     *     face (components it leaves out are 0)
     */
    public float[] getShape() {
        return shape.clone();
    }

    /**
     * Sets the face shape the next lines' motion is conditioned on: the identity weights {@code beta} of
     * the head's shape basis, as the model was trained on them. {@link ParleyAppState#attach} takes it from
     * the model ({@link dev.parley.head.HeadShape#apply} records it there), else the mean face; set it here
     * for a model shaped some other way. It does not reshape the mesh. Each line carries its own shape, so
     * characters of different shapes still share the denoiser's batches.
     *
     * @param beta the shape weights (not null, finite, length &le; the pack's shape dimension, missing
     *     components 0; empty for the mean face; unaffected: copied)
     * @throws IllegalArgumentException if {@code beta} is not finite or longer than the pack's shape
     *     dimension (named in the message)
     */
    public void setShape(float[] beta) {
        Validate.nonNull(beta, "beta");
        shape = parley.checkShape(beta, "'" + name + "'");
    }

    /** @return where the next lines' motion comes from (not null; {@link MotionSource#model()} by default) */
    public MotionSource getMotionSource() {
        return source;
    }

    /**
     * Chooses where the next lines' motion comes from: the model, the energy jaw, a baked clip or a
     * source of the game's own. The line being spoken keeps its source. Whatever the source, the face
     * follows the line's audio clock and blends with idle motion the same way.
     *
     * @param source the source (not null)
     */
    public void setMotionSource(MotionSource source) {
        this.source = Validate.nonNull(source, "source");
    }

    /** @return this character's default line options (not null) */
    public LineOptions getDefaults() {
        return defaults;
    }

    /**
     * Sets this character's default steps, guidance, seed and adaptivity; a line's own options win.
     *
     * @param options the defaults (not null)
     */
    public void setDefaults(LineOptions options) {
        this.defaults = Validate.nonNull(options, "options");
    }

    /** @param listener hears about this character's lines (not null) */
    public void addListener(LineListener listener) {
        listeners.add(Validate.nonNull(listener, "listener"));
    }

    /** @param listener a listener added before (not null) */
    public void removeListener(LineListener listener) {
        listeners.remove(listener);
    }

    /**
     * Makes the eyes follow a point in the world (within about 35 degrees of straight ahead).
     *
     * @param worldTarget the point (unaffected: copied), or null to look straight ahead
     */
    public void lookAt(Vector3f worldTarget) {
        if (gaze != null) {
            gaze.lookAt(worldTarget);
        }
    }

    /** @return the line being spoken or prepared, or null when idle */
    public Line getLine() {
        return line != null && line.isActive() ? line : null;
    }

    /** @return true while a line is being prepared or spoken */
    public boolean isSpeaking() {
        return getLine() != null;
    }

    /** @return the current line's playback time in seconds (0 when idle) */
    public float getPlaybackTime() {
        return line != null && line.state() == Line.State.SPEAKING ? clock.time() : 0f;
    }

    /**
     * @return seconds of motion ready beyond the playhead while speaking (how far generation runs
     *     ahead; negative when it has fallen behind), or 0 when idle. For diagnostics and benchmarks.
     */
    public float getBufferedAhead() {
        if (line == null || line.state() != Line.State.SPEAKING || track == null) {
            return 0f;
        }
        return track.duration() - clock.time();
    }

    /** @return the current weight of speech over idle motion, in [0, 1] */
    public float getSpeechWeight() {
        return mixer.weight();
    }

    /**
     * Says a loaded WAV or OGG line: plays the node and animates the face with it. The PCM is copied
     * now (the renderer may free the buffer) and converted on Parley's worker; a node loaded as a
     * stream is read again from its asset, piece by piece, in bounded memory. The audio starts with
     * the first frames (see {@link Line#startLatency()}). Without an audio renderer the face runs on a
     * fallback clock.
     *
     * @param node the line's audio (not null; played by this head)
     * @return the line (not null)
     */
    public Line say(AudioNode node) {
        return say(node, LineOptions.DEFAULTS);
    }

    /**
     * @param node the line's audio (not null; played by this head)
     * @param options this line's options (not null)
     * @return the line (not null)
     * @see #say(AudioNode)
     */
    public Line say(AudioNode node, LineOptions options) {
        Validate.nonNull(node, "node");
        AudioKey key = node.getAudioKey();
        String lineName = key != null ? key.getName() : node.getName() != null ? node.getName() : "audio";
        return begin(lineName, options, node, false, (rate, spf) -> {
            AudioData data = node.getAudioData();
            if (data == null) {
                throw new AudioInputException(lineName, "the AudioNode has no audio data");
            }
            if (data instanceof AudioStream) {
                if (key == null) {
                    throw new AudioInputException(lineName,
                            "is a stream without an AudioKey: it cannot be read a second time");
                }
                AudioData again = parley.getApplication().getAssetManager()
                        .loadAudio(new AudioKey(key.getName(), true, false));
                return LineAudio.pull(lineName, new AudioStreamReader((AudioStream) again, lineName), rate, spf);
            }
            return LineAudio.pull(lineName, new CapturedPcmReader(AudioDataReader.capture(data, lineName)), rate, spf);
        });
    }

    /**
     * Animates a line given as PCM; the game plays the audio itself, starting it when
     * {@link LineListener#started} is called.
     *
     * @param pcm mono samples in [-1, 1] (not null; ownership passes to Parley: do not modify afterwards)
     * @param sampleRate the samples' rate (in [{@link AudioLimits#MIN_RATE}, {@link AudioLimits#MAX_RATE}]; resampled
     *     to the pack's rate on Parley's worker)
     * @return the line (not null)
     */
    public Line say(float[] pcm, int sampleRate) {
        return say(pcm, sampleRate, LineOptions.DEFAULTS);
    }

    /**
     * @param pcm mono samples (not null; ownership passes to Parley)
     * @param sampleRate the rate (&gt;0)
     * @param options this line's options (not null)
     * @return the line (not null)
     * @see #say(float[], int)
     */
    public Line say(float[] pcm, int sampleRate, LineOptions options) {
        Validate.nonNull(pcm, "pcm");
        Validate.inRange(sampleRate, AudioLimits.MIN_RATE, AudioLimits.MAX_RATE, "sampleRate");
        return begin("pcm line", options, null, false, (rate, spf) -> {
            if (pcm.length == 0) {
                throw new AudioInputException("pcm line", "is empty (zero samples)");
            }
            return LineAudio.clip("pcm line", pcm, sampleRate, rate, spf);
        });
    }

    /**
     * Starts a streamed line: write PCM into the returned stream as it arrives, then finish it.
     *
     * @param sampleRate the stream's rate (in [{@link AudioLimits#MIN_RATE}, {@link AudioLimits#MAX_RATE}])
     * @return the stream (not null)
     */
    public SpeechStream sayStream(int sampleRate) {
        return sayStream(sampleRate, LineOptions.DEFAULTS);
    }

    /**
     * @param sampleRate the stream's rate (&gt;0)
     * @param options this line's options (not null)
     * @return the stream (not null)
     * @see #sayStream(int)
     */
    public SpeechStream sayStream(int sampleRate, LineOptions options) {
        Validate.inRange(sampleRate, AudioLimits.MIN_RATE, AudioLimits.MAX_RATE, "sampleRate");
        LineAudio[] made = new LineAudio[1];
        Line l = begin("stream", options, null, true, (rate, spf) -> {
            made[0] = LineAudio.stream("stream", sampleRate, rate, spf);
            return made[0];
        });
        SpeechStream s = new SpeechStream(l, made[0], parley.service());
        if (l == line && l.isActive()) {
            stream = s;
            streamWritten = 0;
            streamIdle = 0f;
        }
        return s;
    }

    /** Stops the current line, if any: the face eases back to idle and listeners hear {@code finished}. */
    public void stop() {
        if (line != null && line.isActive()) {
            end(Line.State.STOPPED, null);
        }
    }

    private Line begin(String lineName, LineOptions options, AudioNode node, boolean streamed,
            LineStart.AudioOpener opener) {
        Validate.nonNull(options, "options");
        stop();
        LineOptions effective = options.orElse(defaults);
        if (!effective.seeded()) {
            effective = effective.withSeed(seeds.nextLong());
        }
        Line l = new Line(lineName, effective);
        line = l;
        audio = node;
        audioStarted = false;
        streaming = streamed;
        stream = null;
        clock.stop();
        motion = null;
        LineStart start = new LineStart(this, l, names, opener, streamed);
        try {
            if (detached) {
                throw new IllegalStateException("'" + name + "' was detached from Parley (ParleyAppState.detach):"
                        + " make a new character with ParleyAppState.attach to talk");
            }
            if (bindError != null) {
                throw bindError;
            }
            motion = Validate.nonNull(source.start(start), "motion");
            if (track == null || !motion.layout().equals(trackLayout)) {
                trackLayout = motion.layout();
                track = new MotionTrack(trackLayout, TRACK_FRAMES);
            }
            track.clear();
        } catch (Exception e) {
            if (motion != null) {
                cancelMotion(l);
            } else if (start.openedAudio() != null) {
                start.openedAudio().close();
            }
            fail(l, e);
            if (detached) {
                deliverEvents(); // no more updates will deliver them
            }
        }
        return l;
    }

    @Override
    protected void controlUpdate(float tpf) {
        if (face == null) {
            deliverEvents();
            return;
        }
        idle.update(tpf, idleFrame);
        boolean speaking = line != null && line.isActive() && updateLine(tpf);
        mixer.update(tpf, speaking);
        mixer.mix(idleFrame, speechFrame, face.getFrame());
        gaze.apply(tpf, face.getFrame());
        deliverEvents();
    }

    /** Advances the current line; returns true if speech motion should show this frame. */
    private boolean updateLine(float tpf) {
        if (stream != null && streamStalled(tpf)) {
            return false;
        }
        boolean generated;
        Exception failure;
        try {
            generated = motion.drainInto(track);
            failure = motion.failure();
        } catch (RuntimeException e) {
            generated = false; // a game's source that throws fails its line, never the update loop
            failure = e;
        }
        if (failure != null) {
            fail(line, failure);
            return false;
        }
        if (line.state() == Line.State.WAITING) {
            if (track.frameCount() == 0) {
                return false;
            }
            startPlayback();
        }
        float t = clock.update(tpf, audioTime());
        try {
            motion.setPlayhead(Math.max(0f, t));
        } catch (RuntimeException e) {
            fail(line, e);
            return false;
        }
        track.sample(Math.max(0f, t), speechFrame);
        track.discardBefore(t - KEEP_BEHIND);
        boolean ended = generated && t >= track.duration();
        boolean audioEnded = audio != null && audioStarted && audio.getStatus() == AudioSource.Status.Stopped
                && t > 0.5f;
        if (ended || audioEnded && generated) {
            end(Line.State.FINISHED, null);
            return false;
        }
        return t <= track.duration(); // behind: relax toward idle until frames arrive
    }

    private void startPlayback() {
        line.started();
        if (audio != null && parley.getApplication() != null && parley.getApplication().getAudioRenderer() != null) {
            try {
                audio.play();
                audioStarted = true;
            } catch (RuntimeException e) {
                LOG.warning("Parley: " + name + " cannot play '" + line.name() + "' (" + e.getMessage()
                        + "); animating on the fallback clock");
            }
        }
        clock.start(streaming ? motion.streamDelay() : 0f);
        Line started = line;
        events.add(() -> listeners.forEach(x -> x.started(this, started)));
    }

    /**
     * Ends a stream whose producer stopped writing without {@code finish()}: past
     * {@code ServiceSettings.streamIdleTimeout} seconds of game time without new audio, the line fails.
     *
     * @return true if the line ended
     */
    private boolean streamStalled(float tpf) {
        if (stream.isFinished()) {
            return false;
        }
        long written = stream.samplesWritten();
        if (written != streamWritten) {
            streamWritten = written;
            streamIdle = 0f;
            return false;
        }
        streamIdle += tpf;
        float timeout = parley.settings().streamIdleTimeout();
        if (streamIdle <= timeout) {
            return false;
        }
        fail(line, new IllegalStateException(String.format(java.util.Locale.ROOT,
                "'%s': the stream received no audio for %.1f s and finish() was not called"
                        + " (ServiceSettings.streamIdleTimeout): the line ends", line.name(), timeout)));
        return true;
    }

    /** The audio clock, or NaN when there is none to follow. */
    private float audioTime() {
        if (!audioStarted || audio.getStatus() != AudioSource.Status.Playing) {
            return Float.NaN;
        }
        float t = audio.getPlaybackTime();
        return t > 0f ? t : Float.NaN;
    }

    /** Cancels the line's motion, if any; a game's source that cannot cancel must not escape a line call. */
    private void cancelMotion(Line of) {
        if (motion == null) {
            return;
        }
        try {
            motion.cancel();
        } catch (RuntimeException e) {
            LOG.warning("Parley: " + name + " could not cancel the motion of '" + of.name() + "': " + e.getMessage());
        }
    }

    private void end(Line.State state, Exception error) {
        Line ended = line;
        cancelMotion(ended);
        if (state == Line.State.STOPPED && audioStarted && audio != null) {
            audio.stop();
        }
        clock.stop();
        ended.ended(state, error);
        audioStarted = false;
        stream = null;
        if (state == Line.State.FAILED) {
            events.add(() -> listeners.forEach(x -> x.failed(this, ended, error)));
        } else {
            events.add(() -> listeners.forEach(x -> x.finished(this, ended)));
        }
    }

    private void fail(Line l, Exception error) {
        LOG.warning("Parley: " + name + " cannot say '" + l.name() + "': " + error.getMessage());
        if (l == line) {
            end(Line.State.FAILED, error);
        }
    }

    /** @return the runtime that made this head (not null) */
    ParleyAppState parley() {
        return parley;
    }

    /** Reports a failure not tied to a line (binding the rig) to the listeners, on the next update. */
    void reportBindFailure() {
        events.add(() -> listeners.forEach(x -> x.failed(this, null, bindError)));
    }

    private void deliverEvents() {
        for (Runnable r; (r = events.poll()) != null;) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.WARNING, "Parley: a line listener of " + name + " threw", e);
            }
        }
    }

    /**
     * Stops any line when Parley shuts down or the character is detached: the line ends STOPPED and the
     * listeners hear {@code finished} now (no update may come to deliver it); the face goes back to idle.
     */
    void shutdown() {
        stop();
        deliverEvents();
        clock.stop();
        mixer.reset();
    }

    /** Detached from Parley: stops any line; later lines fail at once. */
    void detachFromParley() {
        detached = true;
        shutdown();
    }

    @Override
    protected void controlRender(RenderManager rm, ViewPort vp) {
        // Nothing: the face control applies the frame.
    }

    /**
     * Refuses: a talking head belongs to its {@link ParleyAppState}.
     *
     * @return never
     * @throws UnsupportedOperationException always, saying what to do instead
     */
    @Override
    public Object jmeClone() {
        throw new UnsupportedOperationException("TalkingHead '" + name + "' belongs to its ParleyAppState and"
                + " cannot be cloned: clone the model before ParleyAppState.attach (or after detach), then attach"
                + " the clone");
    }

    /**
     * Refuses: a talking head belongs to its {@link ParleyAppState}.
     *
     * @param ex unused
     * @throws UnsupportedOperationException always, saying what to do instead
     */
    @Override
    public void write(JmeExporter ex) {
        throw new UnsupportedOperationException(FaceRigControl.notSaved("TalkingHead '" + name + "'", spatial));
    }

    /**
     * Refuses: a talking head belongs to its {@link ParleyAppState}.
     *
     * @param im unused
     * @throws UnsupportedOperationException always, saying what to do instead
     */
    @Override
    public void read(JmeImporter im) {
        throw new UnsupportedOperationException(FaceRigControl.notSaved("TalkingHead", spatial));
    }

    @Override
    public void setSpatial(Spatial spatial) {
        super.setSpatial(spatial);
        if (spatial == null) {
            shutdown();
        }
    }
}
