package dev.parley.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jme3.app.SimpleApplication;
import com.jme3.scene.Spatial;
import dev.parley.app.Line;
import dev.parley.app.LineOptions;
import dev.parley.app.ParleyAppState;
import dev.parley.app.TalkingHead;
import dev.parley.head.HeadSpec;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.PackManifest;
import dev.parley.rig.FaceRigControl;
import dev.parley.rig.RigNames;
import dev.parley.service.ServiceSettings;
import dev.parley.style.Style;
import dev.parley.style.StyleKey;
import dev.parley.testing.Golden;
import dev.parley.testing.RenderHarness;
import dev.parley.testing.TestAssets;
import dev.parley.testing.TestVoice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Measures the Parley runtime against the targets and writes the figures as JSON:
 * real-time factor per character with CFG, side by side for the denoiser paths (the audio memory once
 * per window, the same graphs recomputing it at every step, and a one-graph pack before 1.4.0 if given);
 * the cost of expression adapters beside plain characters ({@link AdapterBenchmark}); the energy-jaw
 * heuristic's cost; {@code say()} to the first animated frame for a 5 s line; the most
 * characters that keep up with real time without rendering, and while a scene renders; render-thread frame
 * time p50/p99 with and without Parley. The scene part needs a display (run under {@code xvfb-run -a}).
 *
 * <pre>
 * xvfb-run -a mvn -q -pl plugin test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.parley.bench.ParleyBenchmark -Dexec.args="target/parley-benchmark.json"
 * </pre>
 */
public final class ParleyBenchmark {

    private static final int FPS = 25;
    private static final String BENCH_STYLE = "Styles/calm.style.json";
    /**
     * {@code -Dparley.bench.cuda=true}: prefer CUDA (build with {@code -Pgpu}); without it every part runs on the
     * CPU. The JSON's {@code inference} names the device that ran.
     */
    static final boolean PREFER_CUDA = Boolean.getBoolean("parley.bench.cuda");

    private ParleyBenchmark() {
    }

    /**
     * @param args optional: the JSON output path (default {@code target/parley-benchmark.json}), the
     *     largest character count to try while the scene renders (default 12; 0 skips the scene), and the
     *     folder of a one-graph pack (before 1.4.0) to time beside the committed pack
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/parley-benchmark.json");
        int maxCharacters = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        Path oneGraphPack = args.length > 2 ? Path.of(args[2]) : null;
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json = mapper.createObjectNode();
        json.put("machine", machine());
        json.put("loadAverageAtStart", ManagementLoad.loadAverage());
        json.put("intraOpThreads", ServiceSettings.defaults().intraOpThreads());
        json.put("packVersion", PackManifest.load(Golden.pack().resolve("manifest.json")).packVersion());
        json.put("inference", InferenceRuntime.create(ServiceSettings.defaults().intraOpThreads(), PREFER_CUDA)
                .describe());
        String part = System.getProperty("parley.bench.part", "");
        if (part.equals("stream")) {
            streamLags(json.putObject("streamLag"));
            finish(mapper, json, out);
        } else if (part.equals("scene")) {
            scene(json, maxCharacters);
            finish(mapper, json, out);
        }
        DenoiserPaths.realTimeFactor(json.putObject("realTimeFactor"), oneGraphPack);
        json.put("loadAverageAfterRealTimeFactor", ManagementLoad.loadAverage());
        AdapterBenchmark.measure(json.putObject("adapters"));
        json.set("energyJaw", DenoiserPaths.energyJaw(mapper));
        // A styled line (an NPC with a style asset) runs the pack's default sampler: the distilled student
        // where the pack has one; a line without a style always runs the guided DDIM (LineOptions).
        firstFrameHeadless(json.putObject("firstFrameHeadless"), true);
        firstFrameHeadless(json.putObject("firstFrameHeadlessNoStyle"), false);
        streamLags(json.putObject("streamLag"));
        DenoiserPaths.charactersHeadless(json.putObject("charactersInRealTimeHeadless"), 12);
        json.put("loadAverageAfterHeadless", ManagementLoad.loadAverage());
        if (maxCharacters > 0) {
            scene(json, maxCharacters);
        }
        finish(mapper, json, out);
    }

    private static void finish(ObjectMapper mapper, ObjectNode json, Path out) throws java.io.IOException {
        json.put("loadAverageAtEnd", ManagementLoad.loadAverage());
        Files.createDirectories(out.toAbsolutePath().getParent());
        mapper.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), json);
        System.out.println("wrote " + out.toAbsolutePath());
        System.exit(0);
    }

    /**
     * The stream paths side by side, one after the other in one run: the stream model (the default where the
     * pack has one), today's full windows from 1 s, and full windows from 0.32 s.
     */
    private static void streamLags(ObjectNode lag) throws Exception {
        streamLag(lag.putObject("streamModel"), ServiceSettings.defaults(), 1, 20);
        streamLag(lag.putObject("today"), ServiceSettings.defaults().withStreamModel(false), 1, 20);
        // Without retraining: the first window (and each later one) as soon as 8 frames (0.32 s) have arrived.
        streamLag(lag.putObject("earlierWindows"), ServiceSettings.defaults().withStreamModel(false)
                .withStreamChunkFrames(8), 1, 20);
        // Several characters streaming at once on the stream model: their windows share denoiser runs.
        ObjectNode atOnce = lag.putObject("streamModelAtOnce");
        for (int speakers : new int[] {2, 4, 8}) {
            streamLag(atOnce.putObject(String.valueOf(speakers)), ServiceSettings.defaults(), speakers,
                    Math.max(3, 20 / speakers));
        }
        // What sharing calls saves per network, 8 windows alone against together.
        StreamBatchCost.measure(lag.putObject("batchCost"));
        lag.put("loadAverageAfter", ManagementLoad.loadAverage());
    }

    /**
     * Samples, every render frame, how far a streamed line's motion runs ahead of its face (its least value over
     * the line): the delay the face could have done without is its stream delay minus that. Also the time it had
     * no motion at all.
     */
    static final class AheadProbe extends com.jme3.app.state.AbstractAppState {
        private final TalkingHead head;
        private final float lineSeconds;
        volatile Line line;
        volatile double least;
        volatile double starved;

        AheadProbe(TalkingHead head, float lineSeconds) {
            this.head = head;
            this.lineSeconds = lineSeconds;
        }

        void watch(Line l) {
            least = Double.MAX_VALUE;
            starved = 0;
            line = l;
        }

        @Override
        public void update(float tpf) {
            Line l = line;
            // Speaking, until the line's last frame is due (its end is not a window that came late).
            if (l != null && l.state() == Line.State.SPEAKING && head.getPlaybackTime() < lineSeconds - 0.04f) {
                float ahead = head.getBufferedAhead();
                least = Math.min(least, ahead);
                starved += ahead <= 0f ? tpf : 0f; // no motion: the face eases toward idle
            }
        }
    }

    /** Records the render thread's frame times. */
    static final class FrameTimes extends com.jme3.app.state.AbstractAppState {
        private final long[] samples = new long[100_000];
        private final long[] logic = new long[100_000];
        private int count;
        private int logicCount;
        private long last;
        private long updateStart;
        private volatile boolean recording;

        void start() {
            count = 0;
            logicCount = 0;
            last = 0;
            recording = true;
        }

        /** @return frame time p50, p99, frames, scene update (logic) p50, p99, all in ms */
        double[] stop() {
            recording = false;
            long[] s = Arrays.copyOf(samples, count);
            long[] l = Arrays.copyOf(logic, logicCount);
            Arrays.sort(s);
            Arrays.sort(l);
            return new double[] {s[s.length / 2] / 1e6, s[(int) (s.length * 0.99)] / 1e6, s.length,
                l[l.length / 2] / 1e6, l[(int) (l.length * 0.99)] / 1e6};
        }

        @Override
        public void update(float tpf) {
            long now = System.nanoTime();
            if (recording && last != 0 && count < samples.length) {
                samples[count++] = now - last;
            }
            last = now;
            updateStart = now;
        }

        @Override
        public void render(com.jme3.renderer.RenderManager rm) {
            // Between update and render: every state's update and the scene's logical and geometric
            // update, where Parley's render-thread work (TalkingHead, FaceRigControl) happens.
            if (recording && logicCount < logic.length) {
                logic[logicCount++] = System.nanoTime() - updateStart;
            }
        }
    }

    private static void scene(ObjectNode json, int maxCharacters) throws Exception {
        FrameTimes times = new FrameTimes();
        try (RenderHarness h = BenchScene.start(times)) {
            SimpleApplication app = h.app();
            HeadSpec spec = HeadSpec.load(app.getAssetManager(), TestAssets.HEAD_SPEC);
            List<Spatial> models = BenchScene.heads(h, maxCharacters);
            // Without Parley: the same faces, rigged and still.
            List<FaceRigControl> plain = h.call(() -> {
                List<FaceRigControl> l = new ArrayList<>();
                for (Spatial m : models) {
                    l.add(FaceRigControl.attach(m, RigNames.fromSpec(spec)));
                }
                return l;
            });
            double[] without = measure(h, times, 8);
            System.out.printf("render thread without Parley (%d faces): frame p50 %.2f ms, p99 %.2f ms; scene update "
                    + "p50 %.3f ms, p99 %.3f ms%n",
                    maxCharacters, without[0], without[1], without[3], without[4]);
            h.call(() -> {
                for (FaceRigControl f : plain) {
                    f.getRig().unbind();
                    f.getSpatial().removeControl(f);
                }
                return null;
            });
            ParleyAppState parley = new ParleyAppState(Golden.pack(),
                    ServiceSettings.defaults().withPreferCuda(PREFER_CUDA));
            h.call(() -> app.getStateManager().attach(parley));
            List<TalkingHead> heads = h.call(() -> {
                List<TalkingHead> l = new ArrayList<>();
                Style style = benchStyle(app.getAssetManager());
                for (Spatial m : models) {
                    l.add(parley.attach(m, spec, style));
                }
                return l;
            });
            while (!parley.service().isReady()) {
                Thread.sleep(10);
            }
            System.out.print("while rendering: ");
            firstFrame(h::call, heads, json.putObject("firstFrameWhileRendering"));
            ArrayNode capacity = json.putArray("charactersInRealTime");
            int best = 0;
            double[] withParley = null;
            for (int n : new int[] {1, 2, 4, 6, 8, 10, 12}) {
                if (n > maxCharacters) {
                    break;
                }
                double[] r = talk(h, times, heads.subList(0, n), 12, LineOptions.DEFAULTS.withAdaptive(false));
                boolean realTime = r[2] == 0;
                System.out.printf("%2d characters talking (the pack's default sampler, not adaptive): behind %.2f s "
                        + "in total, least "
                        + "lead %.2f s, "
                        + "frame p50 %.2f ms, p99 %.2f ms, scene update p50 %.3f ms, p99 %.3f ms -> %s%n", n, r[2],
                        r[3], r[0], r[1],
                        r[4], r[5], realTime ? "real time" : "falls behind");
                capacity.addObject().put("characters", n).put("secondsBehind", round(r[2]))
                        .put("leastLeadSeconds", round(r[3]))
                        .put("renderP50ms", round(r[0])).put("renderP99ms", round(r[1]))
                        .put("sceneUpdateP50ms", round(r[4]))
                        .put("sceneUpdateP99ms", round(r[5])).put("realTime", realTime);
                if (realTime) {
                    best = n;
                    withParley = r;
                }
            }
            json.put("maxCharactersRealTime", best);
            // Adaptive (the default): how the same load looks with graceful degradation.
            int n = Math.min(maxCharacters, 8);
            double[] adaptive = talk(h, times, heads.subList(0, n), 12, LineOptions.DEFAULTS);
            System.out.printf("%d characters, adaptive steps (default): behind %.2f s, frame p50 %.2f ms, p99 %.2f ms, "
                    + "scene update p50 %.3f ms, p99 %.3f ms%n", n, adaptive[2], adaptive[0], adaptive[1], adaptive[4],
                    adaptive[5]);
            ObjectNode frame = json.putObject("renderFrameTime");
            frame.putObject("withoutParley").put("faces", maxCharacters).put("p50ms", round(without[0]))
                    .put("p99ms", round(without[1]))
                    .put("sceneUpdateP50ms", round(without[3])).put("sceneUpdateP99ms", round(without[4]));
            frame.putObject("withParleyAdaptive").put("talking", n).put("p50ms", round(adaptive[0]))
                    .put("p99ms", round(adaptive[1]))
                    .put("sceneUpdateP50ms", round(adaptive[4])).put("sceneUpdateP99ms", round(adaptive[5]))
                    .put("secondsBehind", round(adaptive[2]));
            if (withParley != null) {
                frame.putObject("withParleyAtMaxRealTime").put("talking", best).put("p50ms", round(withParley[0]))
                        .put("p99ms", round(withParley[1]));
            }
            h.call(() -> app.getStateManager().detach(parley));
        }
    }

    private static double[] measure(RenderHarness h, FrameTimes times, double seconds) throws Exception {
        h.call(() -> {
            times.start();
            return null;
        });
        Thread.sleep((long) (seconds * 1000));
        return h.call(times::stop);
    }

    /** The style every benchmarked character speaks in, as an NPC with a style asset would. */
    private static Style benchStyle(com.jme3.asset.AssetManager assets) {
        StyleKey.register(assets);
        return assets.loadAsset(new StyleKey(BENCH_STYLE));
    }

    /**
     * say() to first frame with an update loop at 60 fps and nothing rendering (Parley's own latency).
     *
     * @param styled whether the character has a style ({@link #BENCH_STYLE}) or none
     */
    private static void firstFrameHeadless(ObjectNode node, boolean styled) throws Exception {
        try (dev.parley.testing.HeadlessApp app = dev.parley.testing.HeadlessApp.start(60)) {
            ParleyAppState parley = new ParleyAppState(Golden.pack(),
                    ServiceSettings.defaults().withPreferCuda(PREFER_CUDA));
            app.call(() -> app.getStateManager().attach(parley));
            HeadSpec spec = HeadSpec.load(app.getAssetManager(), TestAssets.HEAD_SPEC);
            Spatial model = app.getAssetManager().loadModel(TestAssets.HEAD_MODEL);
            TalkingHead head = app.call(() -> {
                app.getRootNode().attachChild(model);
                return parley.attach(model, spec, styled ? benchStyle(app.getAssetManager()) : null);
            });
            while (!parley.service().isReady()) {
                Thread.sleep(10);
            }
            node.put("style", styled ? BENCH_STYLE : "none");
            System.out.print(styled ? "headless, styled: " : "headless, no style: ");
            firstFrame(app::call, List.of(head), node);
            app.call(() -> app.getStateManager().detach(parley));
        }
    }

    /**
     * Audio-to-face lag of streams whose producer writes 20 ms chunks in real time (a TTS or voice chat feed),
     * {@code speakers} characters at once: the face shows the audio's time 0 when the line starts plus its
     * stream delay ({@link TalkingHead#STREAM_MODEL_DELAY} on the stream model, else
     * {@link TalkingHead#STREAM_DELAY}) and keeps that offset for the rest of the line (it runs on its own
     * clock), so the lag of a line is {@code started - first sample's arrival + delay}. Median and p95 over
     * {@code speakers x rounds} lines of 2.5 s; also the delay each line needed ({@link AheadProbe}), the time
     * faces had no motion and the fewest steps a line's last window got.
     *
     * @param node receives the figures (not null, modified)
     * @param settings the service's settings (not null)
     * @param speakers characters streaming at once (&gt;0)
     * @param rounds lines each says (&gt;0)
     */
    private static void streamLag(ObjectNode node, ServiceSettings settings, int speakers, int rounds)
            throws Exception {
        try (dev.parley.testing.HeadlessApp app = dev.parley.testing.HeadlessApp.start(60)) {
            ParleyAppState parley = new ParleyAppState(Golden.pack(), settings.withPreferCuda(PREFER_CUDA));
            app.call(() -> app.getStateManager().attach(parley));
            HeadSpec spec = HeadSpec.load(app.getAssetManager(), TestAssets.HEAD_SPEC);
            long[] startedAt = new long[speakers];
            TalkingHead[] heads = new TalkingHead[speakers];
            AheadProbe[] probes = new AheadProbe[speakers];
            for (int h = 0; h < speakers; h++) {
                int index = h;
                Spatial model = app.getAssetManager().loadModel(TestAssets.HEAD_MODEL);
                heads[h] = app.call(() -> {
                    app.getRootNode().attachChild(model);
                    TalkingHead t = parley.attach(model, spec, benchStyle(app.getAssetManager()));
                    t.addListener(new dev.parley.app.LineListener() {
                        @Override
                        public void started(TalkingHead head, Line line) {
                            startedAt[index] = System.nanoTime();
                        }
                    });
                    return t;
                });
                AheadProbe probe = new AheadProbe(heads[h], 2.5f);
                probes[h] = probe;
                app.call(() -> app.getStateManager().attach(probe));
            }
            while (!parley.service().isReady()) {
                Thread.sleep(10);
            }
            int rate = 16000;
            int chunk = rate / 50;
            float[] pcm = TestVoice.pcm(2.5, rate);
            double[] lags = new double[speakers * rounds];
            double[] needed = new double[lags.length];
            double starved = 0;
            int leastSteps = Integer.MAX_VALUE;
            boolean onModel = false;
            float delay = 0;
            for (int k = 0; k < rounds; k++) {
                dev.parley.app.SpeechStream[] streams = new dev.parley.app.SpeechStream[speakers];
                for (int h = 0; h < speakers; h++) {
                    int index = h;
                    startedAt[h] = 0;
                    streams[h] = app.call(() -> heads[index].sayStream(rate));
                    probes[h].watch(streams[h].line());
                }
                long t0 = System.nanoTime(); // the first sample's arrival
                for (int i = 0; i < pcm.length; i += chunk) {
                    long due = t0 + (long) i * 1_000_000_000L / rate;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    for (dev.parley.app.SpeechStream stream : streams) {
                        stream.write(pcm, i, Math.min(chunk, pcm.length - i));
                    }
                }
                for (dev.parley.app.SpeechStream stream : streams) {
                    stream.finish();
                }
                while (app.call(() -> Arrays.stream(streams).anyMatch(st -> st.line().isActive()))) {
                    Thread.sleep(20);
                }
                for (int h = 0; h < speakers; h++) {
                    Line line = streams[h].line();
                    onModel = app.call(line::onStreamModel);
                    delay = onModel ? TalkingHead.STREAM_MODEL_DELAY : TalkingHead.STREAM_DELAY;
                    lags[k * speakers + h] = (startedAt[h] - t0) / 1e9 + delay;
                    needed[k * speakers + h] = delay - probes[h].least;
                    starved += probes[h].starved;
                    leastSteps = Math.min(leastSteps, app.call(line::lastSteps));
                }
            }
            double[] sorted = lags.clone();
            Arrays.sort(sorted);
            double[] need = needed.clone();
            Arrays.sort(need);
            double median = sorted[sorted.length / 2];
            double p95 = sorted[(int) Math.ceil(0.95 * sorted.length) - 1];
            double needP95 = need[(int) Math.ceil(0.95 * need.length) - 1];
            String path = onModel ? "the stream model" : "full windows from " + settings.streamChunkFrames()
                    + " frames";
            System.out.printf("stream, 20 ms chunks in real time, %s, %d at once: audio-to-face lag median %.0f ms, "
                    + "p95 %.0f ms, max %.0f ms (%d lines); delay needed median %.0f ms, p95 %.0f ms, max %.0f ms (of"
                    + " %.0f ms); no motion %.3f s per line; last windows at least %d steps%n", path, speakers,
                    median * 1000, p95 * 1000, sorted[sorted.length - 1] * 1000, lags.length,
                    need[need.length / 2] * 1000, needP95 * 1000, need[need.length - 1] * 1000, delay * 1000,
                    starved / lags.length, leastSteps);
            node.put("chunkMs", 20).put("speakersAtOnce", speakers).put("lines", lags.length).put("lineSeconds", 2.5)
                    .put("streamModel", onModel)
                    .put("streamChunkFrames", settings.streamChunkFrames())
                    .put("streamDelaySeconds", delay)
                    .put("delayNeededMedianMs", round(need[need.length / 2] * 1000))
                    .put("delayNeededP95Ms", round(needP95 * 1000))
                    .put("delayNeededMaxMs", round(need[need.length - 1] * 1000))
                    .put("medianMs", round(median * 1000)).put("p95Ms", round(p95 * 1000))
                    .put("maxMs", round(sorted[sorted.length - 1] * 1000))
                    .put("secondsWithoutMotionPerLine", round(starved / lags.length))
                    .put("leastStepsOfALastWindow", leastSteps);
            if (onModel) {
                long calls = parley.service().streamEncoderCalls();
                double perCall = parley.service().streamWindowsEncoded() / (double) Math.max(1, calls);
                node.put("streamWindowsPerEncoderCall", round(perCall));
                System.out.printf("  %.2f stream windows per encoder call%n", perCall);
            }
            for (AheadProbe probe : probes) {
                app.call(() -> app.getStateManager().detach(probe));
            }
            app.call(() -> app.getStateManager().detach(parley));
        }
    }

    /** Runs a task on the render thread and waits. */
    interface RenderThread {
        <T> T call(java.util.concurrent.Callable<T> task) throws Exception;
    }

    /** say() to first frame of a 5 s line, 10 times, alone. */
    private static void firstFrame(RenderThread h, List<TalkingHead> heads, ObjectNode node) throws Exception {
        float[] pcm = TestVoice.pcm(5, 22050);
        double[] ms = new double[10];
        int steps = 0;
        for (int i = 0; i < ms.length; i++) {
            TalkingHead head = heads.get(0);
            Line line = h.call(() -> head.say(pcm.clone(), 22050));
            while (h.call(line::state) == Line.State.WAITING) {
                Thread.sleep(1);
            }
            ms[i] = line.startLatency() * 1000;
            steps = h.call(line::firstWindowSteps);
            h.call(() -> {
                head.stop();
                return null;
            });
            Thread.sleep(300);
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        System.out.printf("say() -> first frame, 5 s line: median %.0f ms, max %.0f ms (first window %d steps)%n",
                sorted[ms.length / 2], sorted[ms.length - 1], steps);
        node.put("lineSeconds", 5).put("medianMs", round(sorted[ms.length / 2]))
                .put("maxMs", round(sorted[ms.length - 1]))
                .put("firstWindowSteps", steps);
    }

    /**
     * Several characters say a line at once while the scene renders. Returns render p50, p99 (ms),
     * seconds any character spent behind (playhead past its motion), and the least lead seen.
     */
    private static double[] talk(RenderHarness h, FrameTimes times, List<TalkingHead> heads, double seconds,
            LineOptions options)
            throws Exception {
        List<Line> lines = h.call(() -> {
            List<Line> l = new ArrayList<>();
            for (TalkingHead head : heads) {
                l.add(head.say(TestVoice.pcm(seconds, 16000), 16000, options));
            }
            return l;
        });
        h.call(() -> {
            times.start();
            return null;
        });
        double behind = 0;
        double leastLead = Double.MAX_VALUE;
        long last = System.nanoTime();
        while (true) {
            double[] s = h.call(() -> {
                double lead = Double.MAX_VALUE;
                int speaking = 0;
                int active = 0;
                for (int i = 0; i < heads.size(); i++) {
                    TalkingHead head = heads.get(i);
                    if (lines.get(i).isActive()) {
                        active++;
                    }
                    if (lines.get(i).state() == Line.State.SPEAKING && head.getPlaybackTime() < seconds - 4.5) {
                        speaking++;
                        lead = Math.min(lead, head.getBufferedAhead());
                    }
                }
                return new double[] {lead, speaking, active};
            });
            long now = System.nanoTime();
            double dt = (now - last) / 1e9;
            last = now;
            if (s[1] > 0) {
                leastLead = Math.min(leastLead, s[0]);
                if (s[0] < 0) {
                    behind += dt;
                }
            }
            if (s[2] == 0) {
                break;
            }
            Thread.sleep(20);
        }
        double[] frame = h.call(times::stop);
        return new double[] {frame[0], frame[1], behind, leastLead == Double.MAX_VALUE ? 0 : leastLead, frame[3],
                frame[4]};
    }

    /** @return the machine the figures come from: cores, architecture and JVM */
    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.arch") + ", "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.version");
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** The system load average, to judge how noisy the figures are. */
    static final class ManagementLoad {
        static double loadAverage() {
            return round(java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }
}
