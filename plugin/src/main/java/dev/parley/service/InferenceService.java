package dev.parley.service;

import dev.parley.features.AudioEncoder;
import dev.parley.features.LineAudio;
import dev.parley.generation.LineGenerator;
import dev.parley.generation.MotionWindow;
import dev.parley.pack.PackManifest;
import dev.parley.pose.LinePose;
import dev.parley.sampler.BatchStepper;
import dev.parley.sampler.Denoiser;
import dev.parley.sampler.Guidance;
import dev.parley.sampler.SamplingTask;
import dev.parley.style.Adapter;
import dev.parley.util.Validate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs every talking character's inference on one background thread, never the render thread.
 *
 * <p>Each pass of the worker: admits new lines; cuts the next window of every line that has audio for
 * one and is not too far ahead of its playback, and encodes those windows' audio in one batched call
 * ({@link EncoderBatch}; windows of lines on the stream model in one call per encoder length, {@link StreamLane});
 * then advances the most urgent windows (earliest deadline first, first windows before all others)
 * by one DDIM step in one batched denoiser run, each window at its own timestep, so characters that
 * started at different times share runs. Finished windows go back to the render thread through each
 * line's lock-free queue.
 *
 * <p>Adaptive lines are sampled with as many steps as their deadline allows: a line's first window
 * fits {@link ServiceSettings#firstWindowBudget()}, and a window that would be late on a busy machine
 * is sampled with fewer steps (logged once per line) instead of freezing the face.
 *
 * <p>A line of a character with an expression adapter runs on the networks' denoiser with that adapter merged
 * ({@link Networks#adapted()}, made on the worker once per adapter, ahead of time through {@link #prepare}):
 * one more denoiser run per distinct adapter and step, shared by every line with that adapter. An adapter the
 * networks cannot run is logged once and its lines run on the plain denoiser.
 *
 * <p>A line with a head pose request ({@link LineJob#withHeadPose}, the pose adapter) gets its pose when it is
 * admitted: the worker reads the whole line's audio, encodes its windows once, runs PoseGPT and the VQ-VAE decoder,
 * publishes the pose, and later begins the line's windows from the same features. A pose for a line the model does
 * not animate ({@link #submit(LinePose)}) is made the same way from the request's own audio. No pose inference
 * runs on the render thread.
 *
 * <p>A fault in one line (NaN from a network, corrupt audio) fails that line only. Networks are
 * opened on the worker when it starts; if that fails, every line fails with the reason.
 */
public final class InferenceService implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(InferenceService.class.getName());
    private static final long IDLE_PARK_NANOS = 50_000_000L;
    private static final long BUSY_PARK_NANOS = 5_000_000L;
    private static final int MAX_POOLED_TASKS = 16;

    private final PackManifest manifest;
    private final Callable<Networks> open;
    private final ServiceSettings settings;
    private final Thread worker;
    private final ConcurrentLinkedQueue<LineJob> incoming = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Adapter> preparing = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<LinePose> posing = new ConcurrentLinkedQueue<>();
    private volatile boolean running;
    private volatile boolean closed;
    private volatile boolean ready;
    private volatile Exception openFailure;
    private volatile double secondsPerRow;
    private volatile long runs;
    private volatile long rowsRun;
    private volatile long streamEncoderCalls;
    private volatile long streamWindows;

    // Worker only.
    private final List<LineJob> active = new ArrayList<>();
    private final ArrayDeque<SamplingTask> taskPool = new ArrayDeque<>();
    private final List<LineJob> starting = new ArrayList<>();
    private final List<LineJob> streamStarting = new ArrayList<>();
    private int[] streamFrames = new int[8];
    /** Lines starting a window whose features were encoded at admission (with their head pose). */
    private final List<LineJob> encoded = new ArrayList<>();
    private final List<LineJob> stepping = new ArrayList<>();
    private final List<LineJob> chosen = new ArrayList<>();
    private final List<SamplingTask> selected = new ArrayList<>();
    private final List<LineJob> fullChosen = new ArrayList<>();
    private final List<LineJob> streamChosen = new ArrayList<>();
    /** Adapted denoisers by adapter id, and adapters that cannot run by id (the reason, logged once). */
    private final Map<String, Denoiser> adaptedNetworks = new HashMap<>();
    private final Map<String, String> refusedAdapters = new HashMap<>();
    private final Scheduler scheduler;
    private float[] window;
    private EncoderBatch fullBatch;
    private Networks networks;
    private BatchStepper stepper;
    private StreamLane streamLane;
    private boolean firstWindowLogged;

    /**
     * @param manifest the pack's manifest (not null)
     * @param open opens the networks; called once, on the worker (not null)
     * @param settings how to use the machine (not null)
     * @param threadName the worker thread's name (not null)
     */
    public InferenceService(PackManifest manifest, Callable<Networks> open, ServiceSettings settings,
            String threadName) {
        this.manifest = Validate.nonNull(manifest, "manifest");
        this.open = Validate.nonNull(open, "open");
        this.settings = Validate.nonNull(settings, "settings");
        scheduler = new Scheduler(settings, manifest.motion().fps(), System::nanoTime);
        worker = new Thread(this::loop, Validate.nonNull(threadName, "threadName"));
        worker.setDaemon(true);
        worker.setPriority(Math.max(Thread.MIN_PRIORITY, Thread.NORM_PRIORITY - 1));
    }

    /**
     * Starts the worker. Call once: a closed service is not restarted (make a new one).
     *
     * @throws IllegalStateException if the service was started or closed before
     */
    public void start() {
        if (closed || worker.getState() != Thread.State.NEW) {
            throw new IllegalStateException("the Parley inference service '" + worker.getName()
                    + "' was started before: a service runs once, make a new one");
        }
        running = true;
        worker.start();
    }

    /**
     * Queues a line. Any thread.
     *
     * @param job the line (not null)
     */
    public void submit(LineJob job) {
        Validate.nonNull(job, "job");
        Exception failed = openFailure;
        if (failed != null) {
            refuse(job, failed);
            return;
        }
        if (closed) {
            refuse(job, new IllegalStateException("the Parley inference service is stopped"));
            return;
        }
        incoming.add(job);
        if (closed) {
            // Closed meanwhile: the worker may have drained the queue already.
            drainIncoming();
        }
        wake();
    }

    /**
     * Queues the head pose of a line the worker does not animate (its motion comes from another source): the
     * worker reads the request's own audio, makes the pose and closes the audio. Any thread; lock-free.
     *
     * @param pose the request, with its own audio ({@link LinePose#withAudio}; not null)
     */
    public void submit(LinePose pose) {
        Validate.nonNull(pose, "pose");
        Validate.nonNull(pose.audio(), "pose.audio()");
        Exception failed = openFailure;
        if (failed != null || closed) {
            refuse(pose, failed);
            return;
        }
        posing.add(pose);
        if (closed) {
            drainIncoming();
        }
        wake();
    }

    /**
     * Asks the worker to merge an adapter into the denoiser before a line needs it (made once per distinct
     * adapter and kept; a line that comes first merges it itself, holding every character's next step for that
     * long). Any thread; lock-free.
     *
     * @param adapter the adapter, checked against the pack (not null)
     */
    public void prepare(Adapter adapter) {
        preparing.add(Validate.nonNull(adapter, "adapter"));
        wake();
    }

    /** Wakes the worker early, e.g. after a stream received audio. Any thread; lock-free. */
    public void wake() {
        LockSupport.unpark(worker);
    }

    /** @return true once the networks are open and warmed up */
    public boolean isReady() {
        return ready;
    }

    /** @return why the networks could not be opened, or null */
    public Exception openFailure() {
        return openFailure;
    }

    /** @return the measured cost of one denoiser row (seconds, moving average; 0 before warm-up) */
    public double secondsPerRow() {
        return secondsPerRow;
    }

    /** @return denoiser runs so far */
    public long runs() {
        return runs;
    }

    /** @return denoiser rows run so far (3 per window-step) */
    public long rowsRun() {
        return rowsRun;
    }

    /** @return stream-model encoder calls so far (windows of several streams that share a call count once) */
    public long streamEncoderCalls() {
        return streamEncoderCalls;
    }

    /** @return stream-model windows encoded so far (with {@link #streamEncoderCalls()}: windows per call) */
    public long streamWindowsEncoded() {
        return streamWindows;
    }

    /** @return the manifest (not null) */
    public PackManifest manifest() {
        return manifest;
    }

    /** @return the settings (not null) */
    public ServiceSettings settings() {
        return settings;
    }

    /** @return true once {@link #close()} was called (the worker may still be finishing a run) */
    public boolean isClosed() {
        return closed;
    }

    /** @return the worker thread (for diagnostics) */
    public Thread thread() {
        return worker;
    }

    /**
     * Stops the worker and waits for it (up to {@link ServiceSettings#stopTimeout()}). Lines still queued
     * or running fail ("the Parley inference service stopped"). Idempotent. The worker closes the networks' {@link
     * Networks#owner()}
     * on its way out, so they are never closed under a run in progress, even when the wait times out.
     */
    @Override
    public void close() {
        closed = true;
        running = false;
        wake();
        if (worker.isAlive() && Thread.currentThread() != worker) {
            try {
                worker.join(Math.max(1L, Math.round(settings.stopTimeout() * 1000.0)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (worker.isAlive()) {
                LOG.warning(String.format(Locale.ROOT, "Parley inference worker did not stop within %.1f s: it closes"
                        + " the networks itself when its run ends", settings.stopTimeout()));
            }
        }
    }

    private void loop() {
        try {
            if (openNetworks()) {
                ready = true;
            }
            while (running) {
                pass();
            }
        } finally {
            IllegalStateException stopped = new IllegalStateException("the Parley inference service stopped");
            for (LineJob j : active) {
                release(j);
                j.audio().close();
                j.fail(stopped);
            }
            active.clear();
            drainIncoming();
            closeNetworks();
        }
    }

    private boolean openNetworks() {
        try {
            networks = open.call();
            stepper = new BatchStepper(schedule(), networks.denoiser(), networks.distilledDenoiser(), manifest.dims());
            window = new float[manifest.dims().windowSamples()];
            fullBatch = new EncoderBatch(networks.audioEncoder(), manifest.samplesPerFrame(),
                    manifest.audioFeatureDim());
            warmUp();
            if (networks.stream() != null && manifest.stream() != null && settings.streamModel()) {
                streamLane = new StreamLane(manifest, networks.stream(), schedule());
                streamLane.warmUp();
                LOG.info(String.format("Parley streams run on the stream model: %.2f ms per stream denoiser row",
                        streamLane.secondsPerRow() * 1000));
            }
            return true;
        } catch (Exception e) {
            openFailure = e;
            LOG.log(Level.SEVERE, "Parley cannot run: " + e.getMessage(), e);
            return false;
        }
    }

    /** One pass of the worker: admit, start windows, step windows; parks when there was nothing to do. */
    private void pass() {
        boolean worked = false;
        try {
            admit();
            worked = ready && (startWindows() | stepWindows());
        } catch (RuntimeException e) {
            // A bug, not a line's fault: keep the worker alive, fail what is running.
            LOG.log(Level.SEVERE, "Parley inference worker error", e);
            for (LineJob j : active) {
                end(j, e);
            }
            active.clear();
        }
        if (!worked) {
            LockSupport.parkNanos(active.isEmpty() ? IDLE_PARK_NANOS : BUSY_PARK_NANOS);
        }
    }

    /** Fails every queued line and pose: the service stopped. */
    private void drainIncoming() {
        for (LineJob j; (j = incoming.poll()) != null;) {
            refuse(j, new IllegalStateException("the Parley inference service stopped"));
        }
        for (LinePose p; (p = posing.poll()) != null;) {
            refuse(p, null);
        }
    }

    /** Fails a pose that never ran and closes its audio. Any thread. */
    private static void refuse(LinePose p, Exception why) {
        p.audio().close();
        p.fail(why instanceof RuntimeException r ? r : new IllegalStateException(why == null
                ? "the Parley inference service is stopped" : "Parley cannot run: " + why.getMessage(), why));
    }

    /**
     * Makes a line's head pose (admission), with the networks' audio encoder where it is the one the adapter reads.
     *
     * @return the line's window features when they can be reused for its windows, else null
     */
    private float[] makePose(LinePose p, LineAudio audio) {
        AudioEncoder shared = p.adapter().readsFeaturesOf(manifest) ? networks.audioEncoder() : null;
        return p.make(audio, shared);
    }

    /** Fails a line that never ran; the service is its audio's consumer, so it closes the audio. Any thread. */
    private static void refuse(LineJob j, Exception e) {
        j.audio().close();
        j.fail(e);
    }

    /** Closes what owns the networks, on the worker after its last run. */
    private void closeNetworks() {
        AutoCloseable owner = networks != null ? networks.owner() : null;
        networks = null;
        if (owner != null) {
            try {
                owner.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "Parley: closing the networks failed", e);
            }
        }
    }

    private void admit() {
        for (Adapter a; ready && (a = preparing.poll()) != null;) {
            adapted(a, null);
        }
        for (LinePose p; (p = posing.poll()) != null;) {
            if (openFailure != null) {
                refuse(p, openFailure);
                continue;
            }
            try {
                makePose(p, p.audio());
            } finally {
                p.audio().close();
            }
        }
        for (LineJob j; (j = incoming.poll()) != null;) {
            if (openFailure != null) {
                refuse(j, openFailure);
                continue;
            }
            try {
                j.network = j.adapter() == null ? null : adapted(j.adapter(), j.character());
                // Which path runs when: streamed audio on the stream model, where the pack has one, unless the
                // line runs an adapter (fitted to the full-window denoiser); everything else on full windows.
                if (streamLane != null && j.audio().isStream() && j.network == null) {
                    j.stream = streamLane.generator(j, j.guidance());
                    j.runOnStreamModel();
                } else {
                    j.generator = new LineGenerator(manifest, j.audio(), j.seed(), j.style(), j.shape(), guidance(j));
                }
                if (j.headPose() != null) {
                    j.features = makePose(j.headPose(), j.audio());
                }
                active.add(j);
            } catch (RuntimeException e) {
                end(j, e);
            }
        }
        for (int i = active.size() - 1; i >= 0; i--) {
            LineJob j = active.get(i);
            if (j.isCancelled()) {
                active.remove(i);
                release(j);
                j.audio().close();
            }
        }
    }

    /** Cuts and encodes the next window of every line that can start one. */
    private boolean startWindows() {
        starting.clear();
        encoded.clear();
        streamStarting.clear();
        fullBatch.clear(window.length);
        for (int i = active.size() - 1; i >= 0; i--) {
            LineJob j = active.get(i);
            if (j.task != null) {
                continue;
            }
            if (j.stream != null) {
                planStreamWindow(j, i);
                continue;
            }
            LineGenerator g = j.generator;
            if (starting.size() + encoded.size() >= settings.maxBatchCharacters() || !scheduler.mayStartWindow(j)) {
                continue; // a full batch, or far enough ahead of playback
            }
            try {
                int frames = g.plan(settings.streamChunkFrames());
                if (frames == 0) {
                    if (g.isDone()) {
                        active.remove(i);
                        j.audio().close();
                        j.complete();
                    }
                    continue;
                }
                g.cutAudio(frames, window);
            } catch (RuntimeException e) {
                active.remove(i);
                end(j, e);
                continue;
            }
            if (encodedOffset(j) >= 0) {
                encoded.add(j); // encoded with its head pose at admission
                continue;
            }
            fullBatch.add(window);
            starting.add(j);
        }
        boolean streamed = startStreamWindows();
        if (starting.isEmpty() && encoded.isEmpty()) {
            return streamed;
        }
        int k = starting.size();
        if (k > 0) {
            fullBatch.encode();
        }
        int running = 0;
        for (LineJob j : active) {
            running += j.task != null ? 1 : 0;
        }
        int competing = running + k + encoded.size();
        for (int c = 0; c < k; c++) {
            LineJob j = starting.get(c);
            if (fullBatch.failure(c) != null) {
                active.remove(j);
                end(j, fullBatch.failure(c));
            } else {
                beginWindow(j, fullBatch.features(), fullBatch.featureOffset(c), competing);
            }
        }
        for (LineJob j : encoded) {
            beginWindow(j, j.features, encodedOffset(j), competing);
        }
        return true;
    }

    /**
     * @return where the window just cut starts in the features encoded with the line's head pose, or -1 if it has
     *     none there (it is encoded with the other windows)
     */
    private int encodedOffset(LineJob j) {
        int tw = manifest.windowFrames();
        long frame = j.generator.framesDone();
        int size = manifest.dims().windowFeatures();
        long offset = frame / tw * size;
        return j.features == null || frame % tw != 0 || offset + size > j.features.length ? -1 : (int) offset;
    }

    /** Begins the window a line just cut from its features; a line that cannot begin it ends. */
    private void beginWindow(LineJob j, float[] features, int offset, int competing) {
        SamplingTask task = taskPool.isEmpty() ? newTask() : taskPool.pop();
        try {
            j.generator.begin(task, features, offset, chooseSteps(j, competing, secondsPerRow));
            task.setDenoiser(j.network);
            j.task = task;
        } catch (RuntimeException e) {
            taskPool.push(task);
            active.remove(j);
            end(j, e);
        }
    }

    /** One batched denoiser run over the most urgent windows; hands finished windows over. */
    private boolean stepWindows() {
        stepping.clear();
        for (LineJob j : active) {
            if (j.task != null && !j.task.isDone()) {
                stepping.add(j);
            }
        }
        if (stepping.isEmpty()) {
            return false;
        }
        scheduler.pickForRun(stepping, chosen);
        fullChosen.clear();
        streamChosen.clear();
        for (LineJob j : chosen) {
            (j.stream != null ? streamChosen : fullChosen).add(j);
        }
        if (!fullChosen.isEmpty()) {
            long t0 = System.nanoTime();
            stepTogether(fullChosen, stepper::step);
            double seconds = (System.nanoTime() - t0) / 1e9;
            int rows = BatchStepper.rows(selected);
            secondsPerRow = secondsPerRow == 0 ? seconds / rows : 0.8 * secondsPerRow + 0.2 * seconds / rows;
        }
        if (!streamChosen.isEmpty()) {
            stepTogether(streamChosen, streamLane::step);
        }
        for (LineJob j : chosen) {
            if (j.task == null || !j.task.isDone() || !active.contains(j)) {
                continue;
            }
            try {
                MotionWindow w = j.stream != null ? j.stream.finish(j.task) : j.generator.finish(j.task);
                j.publish(w);
            } catch (RuntimeException e) {
                active.remove(j);
                end(j, e);
                continue;
            }
            release(j);
        }
        return true;
    }

    /**
     * Runs one step of the lines' windows in one run of a network; if it throws, steps each window alone so that
     * only the line at fault fails. Counts the run and its rows.
     */
    private void stepTogether(List<LineJob> lines, Consumer<List<SamplingTask>> step) {
        selected.clear();
        for (LineJob j : lines) {
            selected.add(j.task);
        }
        try {
            step.accept(selected);
        } catch (RuntimeException e) {
            for (LineJob j : lines) {
                try {
                    step.accept(List.of(j.task));
                } catch (RuntimeException lineError) {
                    active.remove(j);
                    end(j, lineError);
                }
            }
        }
        runs++;
        rowsRun += BatchStepper.rows(selected);
    }

    /**
     * Plans the next window of a line on the stream model: queues it to start in this pass once its audio has
     * arrived; ends the line when it is done or fails.
     *
     * @param i the line's index in {@code active} (the caller iterates from the end)
     */
    private void planStreamWindow(LineJob j, int i) {
        try {
            int frames = j.stream.plan();
            if (frames == 0) {
                if (j.stream.isDone()) {
                    active.remove(i);
                    j.audio().close();
                    j.complete();
                }
                return;
            }
            if (j.windowsDone() == 0) {
                j.startBudget(scheduler.now()); // a stream's first window is due from when its audio is here
            }
            if (streamStarting.size() == streamFrames.length) {
                streamFrames = Arrays.copyOf(streamFrames, 2 * streamFrames.length);
            }
            streamFrames[streamStarting.size()] = frames;
            streamStarting.add(j);
        } catch (RuntimeException e) {
            active.remove(i);
            end(j, e);
        }
    }

    /**
     * Cuts, encodes and begins the windows planned on the stream model in this pass, together
     * ({@link StreamLane#start}); a line whose window cannot start fails alone.
     *
     * @return true if any window was planned
     */
    private boolean startStreamWindows() {
        if (streamStarting.isEmpty()) {
            return false;
        }
        int competing = streamStarting.size();
        for (LineJob other : active) {
            competing += other.stream != null && other.task != null ? 1 : 0;
        }
        int others = competing;
        streamLane.start(streamStarting, streamFrames, j -> chooseSteps(j, others, streamLane.secondsPerRow()),
                (j, e) -> {
                    active.remove(j);
                    end(j, e);
                });
        streamEncoderCalls = streamLane.encoderCalls();
        streamWindows = streamLane.encodedWindows();
        return true;
    }

    /**
     * A line's guidance as the networks can run it: a folded (distilled) line runs on the guided denoiser,
     * at the scales folded into the student, where the networks have no distilled denoiser (a stand-in) or the
     * line is adapted (an adapter is fitted to the guided denoiser, not to the student).
     */
    private Guidance guidance(LineJob j) {
        Guidance g = j.guidance();
        boolean unfold = networks.distilledDenoiser() == null || j.network != null;
        return g.folded() && unfold ? new Guidance(g.audio(), g.style(), 0f) : g;
    }

    /**
     * The denoiser that runs an adapter, made on first use; null where it cannot run (logged once per adapter,
     * and once per character that then talks with the plain model).
     */
    private Denoiser adapted(Adapter a, String character) {
        Denoiser kept = adaptedNetworks.get(a.id());
        if (kept != null) {
            return kept;
        }
        String refused = refusedAdapters.get(a.id());
        if (refused == null) {
            try {
                if (networks.adapted() == null) {
                    throw new IllegalStateException("these networks run no adapters");
                }
                Denoiser d = Validate.nonNull(networks.adapted().apply(a), "adapted denoiser");
                adaptedNetworks.put(a.id(), d);
                return d;
            } catch (RuntimeException e) {
                refused = e.getMessage();
                refusedAdapters.put(a.id(), refused);
                LOG.warning("Parley cannot run the adapter " + a.source() + " (characters with it talk with the plain"
                        + " model): " + refused);
            }
        }
        if (character != null) {
            LOG.fine("Parley: '" + character + "' talks with the plain model (" + a.source() + ": " + refused + ")");
        }
        return null;
    }

    /** The scheduler's step choice for a window starting now, logged once per line when it degrades. */
    private int chooseSteps(LineJob j, int competing, double perRow) {
        Scheduler.Choice c = scheduler.chooseSteps(j, competing, perRow);
        if (c.degraded()) {
            if (j.windowsDone() == 0) {
                if (!firstWindowLogged) {
                    firstWindowLogged = true;
                    LOG.info(String.format("Parley: first windows sample %d of %d steps to start within %.0f ms"
                            + " (%.1f ms per step)", c.steps(), c.requested(), settings.firstWindowBudget() * 1000,
                            c.secondsPerStep() * 1000));
                }
            } else if (!j.degradedLogged) {
                j.degradedLogged = true;
                LOG.warning(Scheduler.behindMessage(j.character(), j.name(), c));
            }
        }
        return c.steps();
    }

    private void warmUp() {
        SamplingTask task = newTask();
        float[] features = new float[manifest.dims().windowFeatures()];
        networks.audioEncoder().encode(window, 1, window.length, features);
        task.begin(new int[] {manifest.diffusionSteps() - 1, manifest.diffusionSteps() / 2, 0}, true, Guidance.NONE);
        stepper.step(List.of(task));
        long t0 = System.nanoTime();
        stepper.step(List.of(task));
        stepper.step(List.of(task));
        secondsPerRow = (System.nanoTime() - t0) / 1e9 / 6;
        if (networks.distilledDenoiser() != null) { // its first run, too, before a line waits on it
            task.begin(new int[] {manifest.diffusionSteps() - 1}, true, Guidance.folded(1f, 1f));
            stepper.step(List.of(task));
        }
        taskPool.push(task);
        LOG.info(String.format("Parley inference ready: %.1f ms per denoiser row (%.1f ms per character step with CFG)",
                secondsPerRow * 1000, 3 * secondsPerRow * 1000));
    }

    private SamplingTask newTask() {
        return new SamplingTask(manifest.dims());
    }

    private void release(LineJob j) {
        if (j.task != null && streamLane != null && streamLane.owns(j.task)) {
            streamLane.release(j.task);
            j.task = null;
        } else if (j.task != null) {
            if (taskPool.size() < MAX_POOLED_TASKS) {
                taskPool.push(j.task);
            }
            j.task = null;
        }
    }

    private void end(LineJob j, Exception e) {
        release(j);
        j.audio().close();
        LOG.fine("Parley line '" + j.name() + "' failed: " + e.getMessage());
        j.fail(e);
    }

    private float[] schedule() {
        float[] ab = new float[manifest.diffusionSteps()];
        for (int i = 0; i < ab.length; i++) {
            ab[i] = manifest.alphaCumprod(i);
        }
        return ab;
    }
}
